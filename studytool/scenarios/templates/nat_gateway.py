"""Templates about NAT gateways: where one can live, what an AZ outage costs with a shared or
per-AZ design, how many make egress AZ-independent, inbound connections, Elastic IPs, setup
order, and configuration problems."""

from __future__ import annotations

import random
from typing import NamedTuple

from studytool.model import queries
from studytool.model.failures import AzOutage
from studytool.model.topology import Network, Vpc
from studytool.scenarios.templates.base import (
    DESCRIBED,
    Contains,
    Draft,
    Equals,
    Option,
    Probe,
    template,
)
from studytool.scenarios.templates.composite import egress_survives_any_az
from studytool.scenarios.templates.describe import (
    Situation,
    describe_network,
    failure_line,
    outage_line,
    question_text,
)
from studytool.scenarios.templates.layouts import (
    AzLayout,
    contains,
    instance_az,
    pick_azs,
    random_hosts,
)

SUBNET_NAMES = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot")
NONE_HINT = " (choose all that apply; answer “none” if none does)"


# --------------------------------------------------------------------------- which subnet
SUBNET_KINDS = ("tgw", "main", "unattached", "vgw", "eigw", "nat")


#: the routes of a subnet of each kind (read only: route tables copy them)
SUBNET_ROUTES = {
    "public": {"0.0.0.0/0": "igw-1"},
    "tgw": {"0.0.0.0/0": "tgw-1"},
    "unattached": {"0.0.0.0/0": "igw-old"},
    "vgw": {"0.0.0.0/0": "vgw-1"},
    "eigw": {"::/0": "eigw-1"},
    "nat": {"0.0.0.0/0": "nat-1"},
}


def _subnet_network(kinds: dict[str, str]) -> Network:
    """Subnets named by ``kinds`` (name → how it routes, in the order shown).

    A subnet of kind ``nat`` routes to an existing NAT gateway nat-1, which sits in the first
    subnet shown that does not route to it. The order is drawn, so every such subnet is as
    likely as the others to hold nat-1, the public one included: where nat-1 sits says nothing
    about where a new one would work."""
    net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1", main_route_table="rt-main"))
    net.add_route_table("rt-main", {})
    present = set(kinds.values())
    if "vgw" in present:
        net.add_virtual_private_gateway("vgw-1")
    if "tgw" in present:
        net.add_transit_gateway("tgw-1")
    if "unattached" in present:
        net.add_internet_gateway("igw-old")
    if "eigw" in present:
        net.vpc.egress_only_internet_gateway = "eigw-1"
    for index, (name, kind) in enumerate(kinds.items()):
        az = "abc"[index % 3]
        if kind == "main":
            net.add_subnet(name, az)
            continue
        net.add_route_table(f"rt-{name}", SUBNET_ROUTES[kind])
        net.add_subnet(name, az, f"rt-{name}", ipv6=kind == "eigw")
    if "nat" in present:
        host = next(name for name, kind in kinds.items() if kind != "nat")
        net.add_nat_gateway("nat-1", host, elastic_ip="eip-1")
    return net


@template("nat-gateway/which-subnet", "Which subnet can host a public NAT gateway?", "choice")
def which_subnet(rng: random.Random) -> Draft:
    names = rng.sample(SUBNET_NAMES, rng.randint(3, 5))
    kinds = {names[0]: "public"}
    kinds.update(zip(names[1:], rng.sample(SUBNET_KINDS, len(names) - 1), strict=True))
    order = list(kinds)
    rng.shuffle(order)
    kinds = {name: kinds[name] for name in order}
    net = _subnet_network(kinds)
    # one question to the model for every option: where would a public NAT gateway work?
    probe = Probe(queries.public_nat_gateway_subnets, (net,), key=DESCRIBED)
    options = [Option(name, probe, Contains(name)) for name in kinds]
    if rng.random() < 0.4:
        options.append(
            Option(
                "none of them: a NAT gateway belongs in a private subnet",
                wrong_rule="nat-gateway-public-subnet",
                wrong_text="a public NAT gateway sits in a public subnet, and the private "
                "subnets route to it",
            )
        )
    ask = "You create a public NAT gateway (with an Elastic IP). In which subnet can it work?"
    return Draft(
        question_text("A VPC holds:", describe_network(net), ask), probe=probe, options=options
    )


# --------------------------------------------------------------------------- AZ outages
def _outage_question(layout: AzLayout, failed: str, note: str) -> Draft:
    situation = layout.situation()  # a network without failures: then AZ ``failed`` fails
    probe = situation.probe(queries.lost_internet_if_az_fails, failed)
    outside = [name for name in layout.instances() if instance_az(name) != failed]
    ask = f"Which instances outside AZ {failed} lose internet access?{NONE_HINT}"
    return Draft(
        question_text(f"A VPC holds{note}:", [*situation.lines, outage_line(failed)], ask),
        probe=probe,
        options=[Option(name, probe, contains(name)) for name in outside],
    )


@template("nat-gateway/az-outage-shared", "One shared NAT gateway, an AZ fails", "multi")
def az_outage_shared(rng: random.Random) -> Draft:
    azs = pick_azs(rng, 2, 4)
    home = rng.choice(azs)
    failed = home if rng.random() < 0.7 else rng.choice(azs)
    layout = AzLayout(
        azs=tuple(azs),
        route_of=dict.fromkeys(azs, f"nat-{home}"),
        nat_gateways={f"nat-{home}": home},
        hosts=random_hosts(rng, azs),
        web=tuple(az for az in azs if rng.random() < 0.4),
    )
    return _outage_question(layout, failed, "")


@template("nat-gateway/az-outage-per-az", "A NAT gateway per AZ, an AZ fails", "multi")
def az_outage_per_az(rng: random.Random) -> Draft:
    azs = pick_azs(rng, 2, 4)
    route_of = {az: f"nat-{az}" for az in azs}
    failed = rng.choice(azs)
    if rng.random() < 0.6:  # one route table copied from another AZ
        wrong, other = rng.sample(azs, 2)
        route_of[wrong] = f"nat-{other}"
        if rng.random() < 0.6:
            failed = other
    layout = AzLayout(
        azs=tuple(azs),
        route_of=route_of,
        nat_gateways={f"nat-{az}": az for az in azs},
        hosts=random_hosts(rng, azs),
        web=tuple(az for az in azs if rng.random() < 0.3),
    )
    return _outage_question(layout, failed, "")


def _min_count_network(azs: tuple[str, ...], private: tuple[tuple[str, int], ...]) -> Network:
    """A public subnet per AZ; ``private``: (AZ, how many private subnets there)."""
    net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1"))
    net.add_route_table("rt-public", {"0.0.0.0/0": "igw-1"})
    net.add_route_table("rt-private", {})
    for az in azs:
        net.add_subnet(f"public-{az}", az, "rt-public")
    for az, count in private:
        for number in range(1, count + 1):
            net.add_subnet(f"private-{az}{number}", az, "rt-private")
    return net


@template("nat-gateway/min-count", "Fewest NAT gateways for AZ-independent egress", "number")
def min_count(rng: random.Random) -> Draft:
    azs = tuple(pick_azs(rng, 2, 6))
    private_azs = [az for az in azs if rng.random() < 0.6] or [rng.choice(azs)]
    private = tuple((az, rng.randint(1, 3)) for az in private_azs)
    situation = Situation(("min-count", azs, private), lambda: _min_count_network(azs, private))
    ask = (
        "The private subnets need internet egress through NAT gateways, and it must keep "
        "working whichever single availability zone fails. How many NAT gateways does that "
        "take, at the fewest?"
    )
    return Draft(
        question_text("A VPC holds:", situation.lines, ask),
        probe=situation.probe(queries.min_nat_gateways_for_az_independence),
        unit="NAT gateways",
    )


FIXES = (
    "per-az", "secondary-eip", "second-in-home", "per-az-same-routes", "public-ips", "second-igw",
)  # fmt: skip
FIXES_BUT_PER_AZ = [fix for fix in FIXES if fix != "per-az"]


def _fix_trial(fix: str, shared: AzLayout, home: str, other: str) -> AzLayout:
    """The layout once ``fix`` is applied to ``shared`` (every AZ routed to nat-``home``)."""
    azs = shared.azs
    if fix == "per-az":
        return shared._replace(
            route_of={az: f"nat-{az}" for az in azs},
            nat_gateways={f"nat-{az}": az for az in azs},
        )
    if fix == "secondary-eip":
        return shared._replace(secondary_eips={f"nat-{home}": ("eip-extra",)})
    if fix == "second-in-home":
        return shared._replace(
            route_of={az: f"nat-{home}{'-2' if az == other else ''}" for az in azs},
            nat_gateways={f"nat-{home}": home, f"nat-{home}-2": home},
        )
    if fix == "per-az-same-routes":
        return shared._replace(nat_gateways={f"nat-{az}": az for az in azs})
    if fix == "public-ips":
        return shared._replace(private_public_ips=True)
    raise ValueError(f"no trial layout for {fix!r}")


def _fix_probe(
    fix: str, shared: AzLayout, home: str, other: str, private: tuple[str, ...]
) -> Probe:
    """Does egress survive any AZ outage once ``fix`` is made? The trial network is built
    only when the model is asked; the AZs, home AZ and hosts name the situation
    (``private``: the private instances of ``shared``)."""

    def arguments() -> tuple[object, ...]:
        return _fix_trial(fix, shared, home, other).build(), private

    key = ("survives", fix, shared.azs, home, tuple(shared.hosts.items()))
    return Probe(egress_survives_any_az, make=arguments, key=key)


@template("nat-gateway/fix-az-outage", "Make NAT egress survive an AZ outage", "choice")
def fix_az_outage(rng: random.Random) -> Draft:
    azs = pick_azs(rng, 2, 4)
    home = rng.choice(azs)
    shared = AzLayout(
        azs=tuple(azs),
        route_of=dict.fromkeys(azs, f"nat-{home}"),
        nat_gateways={f"nat-{home}": home},
        hosts=random_hosts(rng, azs, 1, 1),
    )
    other = next(az for az in azs if az != home)
    texts = {
        "per-az": "create a NAT gateway in each AZ's public subnet and route each AZ's private "
        "subnet to the NAT gateway in its own AZ",
        "secondary-eip": f"add a secondary Elastic IP address to nat-{home}",
        "second-in-home": f"create a second NAT gateway in AZ {home} and route private-{other} "
        "to it",
        "per-az-same-routes": f"create a NAT gateway in each AZ, keeping the private subnets "
        f"routed to nat-{home}",
        "public-ips": "give every private instance a public IPv4 address",
        "second-igw": "attach a second internet gateway to the VPC",
    }
    chosen = ["per-az", *rng.sample(FIXES_BUT_PER_AZ, 3)]
    rng.shuffle(chosen)
    private = shared.private_instances()
    options = []
    for fix in chosen:
        if fix == "second-igw":
            options.append(
                Option(
                    texts[fix],
                    wrong_rule="igw-one-per-vpc",
                    wrong_text="a VPC has at most one internet gateway attached, and the "
                    "internet gateway is regional: the AZ outage never took it down",
                )
            )
            continue
        options.append(Option(texts[fix], _fix_probe(fix, shared, home, other, private)))
    situation = shared.situation()
    ask = (
        f"When AZ {home} failed, the private instances of the other AZs lost internet access. "
        "Which change keeps every private instance's egress working whichever single AZ fails?"
    )
    return Draft(
        question_text("A VPC holds:", situation.lines, ask),
        options=options,
        because_from=(situation.probe(queries.lost_internet_if_az_fails, home),),
        right_reasons=1,
        wrong_reasons=1,
    )


# --------------------------------------------------------------------------- inbound
INBOUND_VARIANTS = (
    "private",
    "private-public-ip",
    "public-open",
    "public-closed",
    "public-default",
)


def _inbound_network(variant: str, allowed: int, host: str) -> Network:
    """``host`` (placed as ``variant`` says), its group open on port ``allowed``."""
    net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1"))
    net.add_route_table("rt-public", {"0.0.0.0/0": "igw-1"})
    net.add_route_table("rt-private", {"0.0.0.0/0": "nat-a"})
    net.add_subnet("public-a", "a", "rt-public")
    net.add_subnet("private-a", "a", "rt-private")
    net.add_nat_gateway("nat-a", "public-a", elastic_ip="eip-1")
    net.add_security_group("sg-host", inbound=[f"tcp/{allowed} 0.0.0.0/0"],
                           outbound=["all 0.0.0.0/0"])  # fmt: skip
    subnet = "private-a" if variant.startswith("private") else "public-a"
    groups = None if variant == "public-default" else ["sg-host"]
    public_ip = variant != "private"
    net.add_instance(host, subnet, public_ip=public_ip, security_groups=groups)
    return net


@template("nat-gateway/inbound-connection", "Can the internet connect in?", "yes-no")
def inbound_connection(rng: random.Random) -> Draft:
    variant = "public-open" if rng.random() < 0.35 else rng.choice(INBOUND_VARIANTS)
    port = rng.choice((22, 80, 443, 8080))
    host = rng.choice(("app-1", "api-1", "web-1", "db-1"))
    allowed = port if variant != "public-closed" else rng.choice((3389, 5432))
    situation = Situation(
        ("nat-inbound", variant, allowed, host), lambda: _inbound_network(variant, allowed, host)
    )
    ask = f"Can a client on the internet open a TCP connection to {host} on port {port}?"
    return Draft(
        question_text("A VPC holds:", situation.lines, ask),
        probe=situation.probe(queries.internet_ingress, host, port),
    )


# --------------------------------------------------------------------------- Elastic IPs
@template("nat-gateway/eip-removable", "Removing a NAT gateway's Elastic IP", "yes-no")
def eip_removable(rng: random.Random) -> Draft:
    numbers = rng.sample(range(10, 99), 4)
    primary = f"eip-{numbers[0]}"
    secondary = tuple(f"eip-{n}" for n in numbers[1 : 1 + rng.randint(0, 3)])
    net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1"))
    net.add_route_table("rt-public", {"0.0.0.0/0": "igw-1"})
    net.add_subnet("public-a", "a", "rt-public")
    net.add_nat_gateway("nat-a", "public-a", elastic_ip=primary, secondary_elastic_ips=secondary)
    asked = primary if not secondary or rng.random() < 0.45 else rng.choice(secondary)
    ask = (
        f"Can you disassociate {asked} from nat-a and keep using the NAT gateway "
        "(without deleting and recreating it)?"
    )
    return Draft(
        question_text("A VPC holds:", describe_network(net), ask),
        probe=Probe(queries.nat_gateway_eip_removable, (net, "nat-a", asked), key=DESCRIBED),
    )


# --------------------------------------------------------------------------- setup order
@template("nat-gateway/setup-order", "Order the steps to set up a NAT gateway", "order")
def setup_order(rng: random.Random) -> Draft:
    steps = list(queries.NAT_GATEWAY_STEPS)
    rng.shuffle(steps)
    options = [Option(queries.NAT_GATEWAY_STEPS[step].text, key=step) for step in steps]
    return Draft(
        "You are giving the private subnets of a new VPC internet egress through a public "
        "NAT gateway. Put these steps in an order that works (first step first):",
        probe=Probe(queries.nat_gateway_setup_order, (), key=("setup-order",)),
        options=options,
        order_judge=lambda keys: Probe(
            queries.nat_gateway_setup_order, (list(keys),), key=("is-valid-setup-order", *keys)
        ),
    )


# --------------------------------------------------------------------------- private egress
def _public_and_private_subnets(attached: bool, nat_gateway: str) -> Network:
    """public-a (routed to igw-1, attached or not), and private-a and private-b routed to
    ``nat_gateway``, which the caller adds."""
    net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1" if attached else None))
    if not attached:
        net.add_internet_gateway("igw-1")
    net.add_route_table("rt-public", {"0.0.0.0/0": "igw-1"})
    net.add_route_table("rt-private", {"0.0.0.0/0": nat_gateway})
    net.add_subnet("public-a", "a", "rt-public")
    net.add_subnet("private-a", "a", "rt-private")
    net.add_subnet("private-b", "b", "rt-private")
    return net


class NatEgressSetup(NamedTuple):
    """A private instance behind NAT gateway nat-1 (hashable: names the network)."""

    host: str
    private_type: bool  # nat-1 is a private NAT gateway
    attached: bool  # igw-1 is attached
    nat_subnet: str
    eip: str | None
    subnet: str  # the instance's

    def build(self) -> Network:
        net = _public_and_private_subnets(self.attached, "nat-1")
        net.add_nat_gateway(
            "nat-1", self.nat_subnet, elastic_ip=self.eip,
            connectivity="private" if self.private_type else "public",
        )  # fmt: skip
        net.add_instance(self.host, self.subnet)
        return net


@template("nat-gateway/private-instance-egress", "Egress through a NAT gateway", "yes-no")
def private_instance_egress(rng: random.Random) -> Draft:
    host = rng.choice(("app-1", "worker-1", "batch-1"))
    private_type = rng.random() < 0.15
    attached = rng.random() >= 0.1
    nat_subnet = "private-a" if rng.random() < 0.15 else "public-a"
    eip = None if private_type or rng.random() < 0.15 else "eip-1"
    setup = NatEgressSetup(
        host, private_type, attached, nat_subnet, eip, rng.choice(("private-a", "private-b"))
    )
    situation = Situation(("nat-egress", setup), setup.build)
    failures = (AzOutage("a"),) if rng.random() < 0.2 else ()
    lines = [*situation.lines, *map(failure_line, failures)]
    ask = f"Can {host} open an IPv4 connection to a server on the internet?"
    return Draft(
        question_text("A VPC holds:", lines, ask),
        probe=situation.probe(queries.internet_egress, host, failures=failures),
    )


# --------------------------------------------------------------------------- problems
PROBLEM_TEXTS = {
    "nat-gateway-in-private-subnet": "a public NAT gateway sits in a private subnet",
    "nat-gateway-missing-eip": "a public NAT gateway has no Elastic IP",
    "private-nat-gateway-with-eip": "a private NAT gateway has an Elastic IP",
    "igw-not-attached": "a route points at an internet gateway that is not attached",
}


def _problems_network(
    attached: bool, nat_subnet: str, eip: str | None, second: tuple[str, str | None] | None
) -> Network:
    """nat-a in ``nat_subnet``, and ``second`` (subnet, Elastic IP) a private NAT gateway."""
    net = _public_and_private_subnets(attached, "nat-a")
    net.add_nat_gateway("nat-a", nat_subnet, elastic_ip=eip)
    if second is not None:
        net.add_nat_gateway("nat-private", second[0], connectivity="private", elastic_ip=second[1])
    net.add_instance("app-a1", "private-a")
    return net


@template("nat-gateway/problems", "What is wrong with these NAT gateways?", "multi")
def problems(rng: random.Random) -> Draft:
    attached = rng.random() >= 0.3
    nat_subnet = "private-b" if rng.random() < 0.4 else "public-a"
    eip = None if rng.random() < 0.4 else "eip-1"
    second = None
    if rng.random() < 0.5:
        second_subnet = rng.choice(("private-a", "private-b"))
        second = (second_subnet, "eip-2" if rng.random() < 0.5 else None)
    situation = Situation(
        ("nat-problems", attached, nat_subnet, eip, second),
        lambda: _problems_network(attached, nat_subnet, eip, second),
    )
    probe = situation.probe(queries.problems)
    options = [Option(text, probe, Contains(problem)) for problem, text in PROBLEM_TEXTS.items()]
    options.append(
        Option(
            "nat-a has no security group",
            wrong_rule="nat-gateway-no-security-groups",
            wrong_text="a NAT gateway cannot have security groups; network ACLs filter its subnet",
        )
    )
    if rng.random() < 0.5:
        options.append(
            Option(
                "nat-a needs a second Elastic IP to serve two subnets",
                wrong_rule="nat-gateway-eip",
                wrong_text="one Elastic IP serves every subnet routed to the NAT gateway",
            )
        )
    rng.shuffle(options)
    return Draft(
        question_text(
            "A VPC holds:", situation.lines, "What is wrong here? (choose all that apply)"
        ),
        probe=probe,
        options=options,
        min_right=1,
    )


__all__ = ["Equals"]
