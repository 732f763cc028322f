"""Templates about internet gateways: public and private subnets, what IPv4 internet access
needs, every setting that blocks it, network ACL rule order, and IPv6 egress."""

from __future__ import annotations

import random
from functools import lru_cache
from typing import NamedTuple

from studytool.model import queries
from studytool.model.topology import Network, Vpc
from studytool.scenarios.templates.base import (
    DESCRIBED,
    IS_FALSE,
    Draft,
    Equals,
    Option,
    Probe,
    Redraw,
    template,
)
from studytool.scenarios.templates.describe import Situation, describe_network, question_text

CIDRS = ("10.0.0.0/16", "10.1.0.0/16", "172.31.0.0/16", "192.168.0.0/16")
SUBNET_NAMES = ("web", "app", "dmz", "edge", "frontend", "public-b", "private-a", "shared")
HOST_NAMES = ("web-1", "app-1", "api-1", "proxy-1", "build-1", "jump-1")


# --------------------------------------------------------------------------- public or private
ROUTE_VARIANTS = ("igw", "narrow-igw", "main-igw", "main-local", "nat", "unattached", "tgw", "eigw")


@template("internet-gateway/public-or-private", "Public or private subnet", "choice")
def public_or_private(rng: random.Random) -> Draft:
    variant = rng.choice(ROUTE_VARIANTS)
    name = rng.choice(SUBNET_NAMES)
    net = Network(Vpc(rng.choice(CIDRS), internet_gateway="igw-1", main_route_table="rt-main"))
    main_routes = {"0.0.0.0/0": "igw-1"} if variant == "main-igw" else {}
    net.add_route_table("rt-main", main_routes)
    table: str | None = f"rt-{name}"
    if variant == "igw":
        net.add_route_table(table, {"0.0.0.0/0": "igw-1"})
    elif variant == "narrow-igw":
        net.add_route_table(table, {rng.choice(("203.0.113.0/24", "198.51.100.0/24")): "igw-1"})
    elif variant in ("main-igw", "main-local"):
        table = None
    elif variant == "nat":
        net.add_route_table("rt-nat", {"0.0.0.0/0": "igw-1"})
        net.add_subnet("nat-subnet", "a", "rt-nat")
        net.add_nat_gateway("nat-1", "nat-subnet", elastic_ip="eip-1")
        net.add_route_table(table, {"0.0.0.0/0": "nat-1"})
    elif variant == "unattached":
        net.add_internet_gateway("igw-old")
        net.add_route_table(table, {"0.0.0.0/0": "igw-old"})
    elif variant == "tgw":
        net.add_transit_gateway("tgw-1")
        net.add_route_table(table, {"0.0.0.0/0": "tgw-1", "10.200.0.0/16": "tgw-1"})
    else:  # eigw: IPv6 egress only
        net.vpc.egress_only_internet_gateway = "eigw-1"
        net.add_route_table(table, {"::/0": "eigw-1"})
    net.add_subnet(name, rng.choice("abc"), table, ipv6=variant == "eigw")
    host = rng.choice(HOST_NAMES)
    net.add_instance(host, name, public_ip=rng.random() < 0.5, ipv6=variant == "eigw")
    probe = Probe(queries.subnet_type, (net, name), key=DESCRIBED)
    return Draft(
        question_text(
            "A VPC holds:", describe_network(net), f"Is subnet {name} public or private?"
        ),
        probe=probe,
        options=[Option(kind, probe, Equals(kind)) for kind in ("public", "private")],
    )


# --------------------------------------------------------------------------- egress settings
class EgressSetup(NamedTuple):
    """The settings IPv4 internet access depends on, each either working or broken
    (hashable: a probe key)."""

    attached: bool = True  # igw-1 attached (else it exists unattached)
    default_route: bool = True  # 0.0.0.0/0 → igw-1 (else only a narrower route)
    address: str = "public"  # "public", "elastic" or "none"
    sg_out_open: bool = True  # outbound all to 0.0.0.0/0 (else only to the VPC CIDR)
    acl: bool = False  # a custom network ACL on the subnet
    acl_out_open: bool = True  # else a lower-numbered deny rule blocks outbound
    acl_in_open: bool = True  # else only tcp/443 comes in: the replies are blocked

    def build(self, host: str, subnet: str) -> Network:
        net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1" if self.attached else None))
        if not self.attached:
            net.add_internet_gateway("igw-1")
        routes = {"0.0.0.0/0": "igw-1"} if self.default_route else {"198.51.100.0/24": "igw-1"}
        net.add_route_table(f"rt-{subnet}", routes)
        net.add_subnet(subnet, "a", f"rt-{subnet}")
        outbound = ["all 0.0.0.0/0"] if self.sg_out_open else ["all 10.0.0.0/16"]
        net.add_security_group("sg-web", inbound=["tcp/443 0.0.0.0/0"], outbound=outbound)
        if self.acl:
            out_rules = ["100 allow all 0.0.0.0/0"]
            if not self.acl_out_open:
                out_rules.insert(0, "90 deny all 0.0.0.0/0")
            in_rules = (
                ["100 allow all 0.0.0.0/0"]
                if self.acl_in_open
                else ["100 allow tcp/443 0.0.0.0/0", "110 allow tcp/22 10.0.0.0/16"]
            )
            net.add_network_acl(f"acl-{subnet}", [subnet], in_rules, out_rules)
        net.add_instance(
            host,
            subnet,
            public_ip=self.address == "public",
            elastic_ip="eip-1" if self.address == "elastic" else None,
            security_groups=["sg-web"],
        )
        return net


def egress_situation(setup: EgressSetup, host: str, subnet: str) -> Situation:
    """The network of ``setup``, described."""
    return Situation(("egress", setup, host, subnet), lambda: setup.build(host, subnet))


def egress_probe(
    setup: EgressSetup, host: str, subnet: str, situation: Situation | None = None
) -> Probe:
    """Egress of ``host`` under ``setup`` (the network built only when asked; that of
    ``situation`` when given)."""
    key = ("egress", setup, host, subnet)
    if situation is not None:
        return Probe(queries.internet_egress, make=lambda: (situation.network(), host), key=key)
    return Probe(queries.internet_egress, make=lambda: (setup.build(host, subnet), host), key=key)


def _random_setup(rng: random.Random, broken_chance: float) -> EgressSetup:
    def ok() -> bool:
        return rng.random() >= broken_chance

    acl = rng.random() < 0.6
    address = rng.choice(("public", "elastic")) if ok() else "none"
    return EgressSetup(
        attached=ok(),
        default_route=ok(),
        address=address,
        sg_out_open=ok(),
        acl=acl,
        acl_out_open=not acl or ok(),
        acl_in_open=not acl or ok(),
    )


@template("internet-gateway/can-reach-internet", "Can the instance reach the internet?", "yes-no")
def can_reach_internet(rng: random.Random) -> Draft:
    setup = _random_setup(rng, 0.16)
    host, subnet = rng.choice(HOST_NAMES), rng.choice(("web", "public", "edge", "dmz"))
    situation = egress_situation(setup, host, subnet)
    ask = f"Can {host} open an IPv4 connection to a server on the internet?"
    return Draft(
        question_text("A VPC holds:", situation.lines, ask),
        probe=egress_probe(setup, host, subnet, situation),
    )


@template("internet-gateway/egress-blockers", "Every setting that blocks internet access", "multi")
def egress_blockers(rng: random.Random) -> Draft:
    setup = _random_setup(rng, 0.35)
    if setup == EgressSetup(acl=setup.acl):
        raise Redraw  # nothing broken: the question needs at least one blocker
    host, subnet = rng.choice(HOST_NAMES), rng.choice(("web", "public", "edge", "dmz"))
    situation = egress_situation(setup, host, subnet)
    acl = setup.acl

    def alone(**broken: object) -> Probe:
        """Egress with only these settings as in the question (all the others working)."""
        return egress_probe(EgressSetup(acl=acl, **broken), host, subnet)  # type: ignore[arg-type]

    acl_name = f"network ACL acl-{subnet}" if setup.acl else f"the network ACL of {subnet}"
    candidates = [
        Option("the internet gateway igw-1's attachment", alone(attached=setup.attached), IS_FALSE),
        Option(f"the route table rt-{subnet}", alone(default_route=setup.default_route), IS_FALSE),
        Option(
            f"{host}'s public IPv4 address (or the lack of one)",
            alone(address=setup.address),
            IS_FALSE,
        ),
        Option(
            f"the outbound rules of {host}'s security group sg-web",
            alone(sg_out_open=setup.sg_out_open),
            IS_FALSE,
        ),
        Option(
            "the inbound rules of sg-web, which have no rule for the replies on ports 1024-65535",
            alone(),
            IS_FALSE,
        ),
        Option(
            f"the outbound rules of {acl_name}", alone(acl_out_open=setup.acl_out_open), IS_FALSE
        ),
        Option(
            f"the inbound rules of {acl_name} (the replies come back through them)",
            alone(acl_in_open=setup.acl_in_open),
            IS_FALSE,
        ),
    ]
    rng.shuffle(candidates)
    ask = (
        f"{host} cannot reach the internet over IPv4. Which of these block it? "
        "(choose every one that does)"
    )
    return Draft(
        question_text("A VPC holds:", situation.lines, ask),
        probe=egress_probe(setup, host, subnet, situation),
        options=candidates,
        right_reasons=0,  # the question's own probe lists every blocker
        wrong_reasons=0,
        min_right=1,
    )


# --------------------------------------------------------------------------- the four needs
class FullSetup(NamedTuple):
    """A working public instance, with extra components a learner may think it needs
    (hashable: a probe key)."""

    host: str
    elastic: bool
    igw_attached: bool = True
    default_route: bool = True
    public_address: bool = True
    filters_open: bool = True
    nat_gateway: bool = True
    egress_only: bool = True
    vpn_gateway: bool = True
    reply_rule: bool = True
    elastic_instead: bool = False  # the instance keeps only a launch-time public IPv4 address

    def build(self) -> Network:
        net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1" if self.igw_attached else None))
        if not self.igw_attached:
            net.add_internet_gateway("igw-1")
        routes = {"0.0.0.0/0": "igw-1"} if self.default_route else {}
        if self.egress_only:
            net.vpc.egress_only_internet_gateway = "eigw-1"
            routes["::/0"] = "eigw-1"
        net.add_route_table("rt-public", routes)
        net.add_subnet("public-a", "a", "rt-public", ipv6=self.egress_only)
        if self.nat_gateway:
            net.add_route_table("rt-private", {"0.0.0.0/0": "nat-a"})
            net.add_nat_gateway("nat-a", "public-a", elastic_ip="eip-nat")
            net.add_subnet("private-a", "a", "rt-private")
        if self.vpn_gateway:
            net.add_virtual_private_gateway("vgw-1")
        inbound = ["tcp/443 0.0.0.0/0"] + (["tcp/1024-65535 0.0.0.0/0"] if self.reply_rule else [])
        outbound = ["all 0.0.0.0/0"] if self.filters_open else ["all 10.0.0.0/16"]
        net.add_security_group("sg-web", inbound=inbound, outbound=outbound)
        elastic = self.elastic and not self.elastic_instead
        net.add_instance(
            self.host,
            "public-a",
            public_ip=self.public_address and not elastic,
            elastic_ip="eip-web" if self.public_address and elastic else None,
            security_groups=["sg-web"],
        )
        return net

    def arguments(self) -> tuple[Network, str]:
        return self.build(), self.host


REQUIREMENTS = (
    ("an internet gateway attached to the VPC", "igw_attached"),
    ("a route for 0.0.0.0/0 to the internet gateway in the subnet's route table", "default_route"),
    ("a public IPv4 address or an Elastic IP address on the instance", "public_address"),
    ("security groups and network ACLs that allow the traffic", "filters_open"),
)
MISCONCEPTIONS = (
    ("a NAT gateway", "nat_gateway"),
    ("an egress-only internet gateway", "egress_only"),
    ("a virtual private gateway", "vpn_gateway"),
    ("a security group rule that lets the replies in on ports 1024-65535", "reply_rule"),
    ("an Elastic IP address (a public IPv4 address given at launch is not enough)",
     "elastic_instead"),
)  # fmt: skip


@lru_cache(maxsize=256)
def _requirement(full: FullSetup, text: str, setting: str) -> Option:
    """The option ``text``: right when ``full`` without ``setting`` (elastic_instead: turned
    on) has no egress. Cached, option and probe (both read-only, so shared by the questions):
    there are a dozen setups of a dozen settings, and ``_replace`` is slow."""
    without = full._replace(**{setting: setting == "elastic_instead"})
    probe = Probe(queries.internet_egress, make=without.arguments, key=("full", without))
    return Option(text, probe, IS_FALSE, reasons_when="taken away")


@template("internet-gateway/four-requirements", "What IPv4 internet access needs", "multi")
def four_requirements(rng: random.Random) -> Draft:
    host = rng.choice(HOST_NAMES)
    full = FullSetup(host, elastic=rng.random() < 0.5)
    situation = Situation(("full", full), full.build)
    options = [
        _requirement(full, text, setting)
        for text, setting in (*REQUIREMENTS, *rng.sample(MISCONCEPTIONS, rng.randint(2, 4)))
    ]
    rng.shuffle(options)
    ask = (
        f"{host} reaches the internet over IPv4. Which of these does that need, so that "
        "taking it away would cut the instance off? (choose all that apply)"
    )
    return Draft(
        question_text("A VPC holds:", situation.lines, ask),
        probe=situation.probe(queries.internet_egress, host),
        options=options,
        min_right=1,
        right_reasons=1,  # what breaks without it
        wrong_reasons=0,
    )


# --------------------------------------------------------------------------- network ACL order
def _inbound_acl(rng: random.Random, port: int) -> tuple[str, ...]:
    """Inbound rules: half of the patterns let ``port`` in, half do not (lower rule first)."""
    letting_in = (
        [f"100 allow tcp/{port} 0.0.0.0/0"],
        [f"100 allow tcp/{port} 0.0.0.0/0", f"110 deny tcp/{port} 0.0.0.0/0"],
        ["100 allow all 0.0.0.0/0", "200 deny all 0.0.0.0/0"],
        ["100 deny all 203.0.113.0/24", f"110 allow tcp/{port} 0.0.0.0/0"],
    )
    keeping_out = (
        [f"90 deny tcp/{port} 0.0.0.0/0", f"100 allow tcp/{port} 0.0.0.0/0"],
        ["50 deny all 0.0.0.0/0", "100 allow all 0.0.0.0/0"],
        ["100 allow tcp/1024-65535 0.0.0.0/0"],
    )
    return tuple(rng.choice(letting_in if rng.random() < 0.65 else keeping_out))


def _outbound_acl(rng: random.Random, port: int) -> tuple[str, ...]:
    """Outbound rules: the replies leave on ephemeral ports, unless a rule blocks them."""
    replying = (["100 allow tcp/1024-65535 0.0.0.0/0"], ["100 allow all 0.0.0.0/0"])
    blocking = (
        [f"100 allow tcp/{port} 0.0.0.0/0"],
        ["100 deny tcp/1024-65535 0.0.0.0/0", "110 allow all 0.0.0.0/0"],
    )
    return tuple(rng.choice(replying if rng.random() < 0.7 else blocking))


def _acl_network(
    host: str, sg_port: int, inbound: tuple[str, ...], outbound: tuple[str, ...]
) -> Network:
    """``host`` in public-a, its group open on ``sg_port``, the subnet's ACL as given."""
    net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1"))
    net.add_route_table("rt-public", {"0.0.0.0/0": "igw-1"})
    net.add_subnet("public-a", "a", "rt-public")
    net.add_security_group(
        "sg-web", inbound=[f"tcp/{sg_port} 0.0.0.0/0"], outbound=["all 0.0.0.0/0"]
    )
    net.add_network_acl("acl-public", ["public-a"], inbound, outbound)
    net.add_instance(host, "public-a", public_ip=True, security_groups=["sg-web"])
    return net


@template("internet-gateway/nacl-rule-order", "Network ACL rules and the replies", "yes-no")
def nacl_rule_order(rng: random.Random) -> Draft:
    port = rng.choice((443, 80, 22))
    host = rng.choice(HOST_NAMES)
    sg_port = port if rng.random() < 0.85 else rng.choice((8080, 3389))
    inbound, outbound = _inbound_acl(rng, port), _outbound_acl(rng, port)
    situation = Situation(
        ("nacl", host, sg_port, inbound, outbound),
        lambda: _acl_network(host, sg_port, inbound, outbound),
    )
    ask = (
        f"Can a client on the internet (outside 203.0.113.0/24) open a TCP connection to "
        f"{host} on port {port} and get replies?"
    )
    return Draft(
        question_text("A VPC holds:", situation.lines, ask),
        probe=situation.probe(queries.internet_ingress, host, port),
    )


# --------------------------------------------------------------------------- IPv6
def _ipv6_network(
    host: str, nat: bool, target: str | None, subnet_v6: bool, host_v6: bool
) -> Network:
    """``host`` in private-a, routed to nat-a (``nat``) and ``::/0`` to ``target``."""
    net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1"))
    net.vpc.egress_only_internet_gateway = "eigw-1"
    net.add_route_table("rt-public", {"0.0.0.0/0": "igw-1"})
    net.add_subnet("public-a", "a", "rt-public")
    routes: dict[str, str] = {}
    if nat:
        net.add_nat_gateway("nat-a", "public-a", elastic_ip="eip-1")
        routes["0.0.0.0/0"] = "nat-a"
    if target is not None:
        routes["::/0"] = target
    net.add_route_table("rt-private", routes)
    net.add_subnet("private-a", "a", "rt-private", ipv6=subnet_v6)
    net.add_instance(host, "private-a", ipv6=host_v6)
    return net


@template("internet-gateway/ipv6-egress", "IPv6 egress and the egress-only gateway", "yes-no")
def ipv6_egress(rng: random.Random) -> Draft:
    family = 6 if rng.random() < 0.7 else 4
    host = rng.choice(("app-1", "db-1", "worker-1"))
    nat = family == 4 and rng.random() < 0.5
    target = rng.choice(("eigw-1", "eigw-1", "igw-1", None))
    subnet_v6 = rng.random() < 0.85
    host_v6 = subnet_v6 and rng.random() < 0.85
    situation = Situation(
        ("ipv6", host, nat, target, subnet_v6, host_v6),
        lambda: _ipv6_network(host, nat, target, subnet_v6, host_v6),
    )
    if family == 6:
        probe = situation.probe(queries.internet_egress_ipv6, host)
        ask = f"Can {host} open an IPv6 connection to a server on the internet?"
    else:
        probe = situation.probe(queries.internet_egress, host)
        ask = f"Can {host} open an IPv4 connection to a server on the internet?"
    return Draft(question_text("A VPC holds:", situation.lines, ask), probe=probe)
