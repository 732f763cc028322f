"""Templates about NAT instances: what is wrong with one, port forwards, egress through one,
the single point of failure, and reaching a private instance from the internet."""

from __future__ import annotations

import random
from typing import NamedTuple

from studytool.model import queries
from studytool.model.failures import InstanceStopped
from studytool.model.topology import Network, PortForward, Vpc
from studytool.scenarios.templates.base import Contains, Draft, Option, Probe, template
from studytool.scenarios.templates.describe import (
    Situation,
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

NONE_HINT = " (choose all that apply; answer “none” if none does)"


def _base_vpc(nat_target: str = "nat-i") -> Network:
    """public-a routed to igw-1, private-b routed to ``nat_target``."""
    net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1"))
    net.add_route_table("rt-public", {"0.0.0.0/0": "igw-1"})
    net.add_route_table("rt-private", {"0.0.0.0/0": nat_target})
    net.add_subnet("public-a", "a", "rt-public")
    net.add_subnet("private-b", "b", "rt-private")
    return net


# --------------------------------------------------------------------------- what is wrong
NAT_PROBLEMS = {
    "nat-instance-source-dest-check": "its source/destination check is on",
    "nat-instance-no-public-ip": "it has no public IPv4 address or Elastic IP",
    "nat-instance-in-private-subnet": "it sits in a private subnet",
}


def _whats_wrong_network(address: str, subnet: str, check: bool) -> Network:
    """nat-i in ``subnet`` with this ``address`` kind and source/destination ``check``."""
    net = _base_vpc()
    net.add_route_table("rt-tools", {})
    net.add_subnet("tools-a", "a", "rt-tools")
    net.add_security_group("sg-nat", inbound=["all 10.0.0.0/16"], outbound=["all 0.0.0.0/0"])
    net.add_nat_instance(
        "nat-i", subnet, public_ip=address == "public",
        elastic_ip="eip-1" if address == "elastic" else None,
        source_dest_check=check, security_groups=["sg-nat"],
    )  # fmt: skip
    net.add_instance("app-b1", "private-b")
    return net


@template("nat-instance/whats-wrong", "What is wrong with this NAT instance?", "multi")
def whats_wrong(rng: random.Random) -> Draft:
    address = rng.choice(("public", "elastic", "none"))
    subnet = "tools-a" if rng.random() < 0.35 else "public-a"
    check = rng.random() < 0.5
    situation = Situation(
        ("nat-instance-wrong", address, subnet, check),
        lambda: _whats_wrong_network(address, subnet, check),
    )
    probe = situation.probe(queries.problems)
    options = [Option(text, probe, Contains(problem)) for problem, text in NAT_PROBLEMS.items()]
    options.append(
        Option(
            "it has a security group, which a NAT device cannot have",
            wrong_rule="nat-instance-security-groups",
            wrong_text="a NAT instance is an EC2 instance and has security groups (a NAT "
            "gateway is the one without)",
        )
    )
    if address == "public":
        options.append(
            Option(
                "it needs an Elastic IP: a public IPv4 address given at launch is not enough",
                wrong_rule="nat-instance-public-ip",
                wrong_text="a public IPv4 address or an Elastic IP address will do",
            )
        )
    if rng.random() < 0.5:
        options.append(
            Option(
                "private-b should route 0.0.0.0/0 to the internet gateway instead",
                wrong_rule="igw-public-ip",
                wrong_text="app-b1 has no public IPv4 address, so it cannot use the internet "
                "gateway directly: private subnets route to the NAT device",
            )
        )
    rng.shuffle(options)
    return Draft(
        question_text(
            "A VPC holds:",
            situation.lines,
            "What is wrong with nat-i as the private subnet's NAT device? (choose all that apply)",
        ),
        probe=probe,
        options=options,
        min_right=1,
    )


# --------------------------------------------------------------------------- port forward
class ForwardSetup(NamedTuple):
    """nat-i forwarding its port ``outer`` to app-b port ``inner`` (hashable: names the
    network)."""

    inner: int
    outer: int
    open_to: str  # where sg-nat lets port ``outer`` in from
    elastic: bool  # nat-i has an Elastic IP (else a public IPv4 address)
    app_rule: str | None  # sg-app's one inbound rule (None: no security group of its own)

    def build(self) -> Network:
        inner, outer, app_rule = self.inner, self.outer, self.app_rule
        net = _base_vpc()
        net.add_security_group(
            "sg-nat", inbound=[f"tcp/{outer} {self.open_to}", "all 10.0.0.0/16"],
            outbound=["all 0.0.0.0/0"],
        )  # fmt: skip
        net.add_nat_instance(
            "nat-i", "public-a", public_ip=not self.elastic,
            elastic_ip="eip-1" if self.elastic else None,
            source_dest_check=False, security_groups=["sg-nat"],
            port_forwards=[PortForward(outer, "app-b", inner if inner != outer else None)],
        )  # fmt: skip
        if app_rule is not None:
            net.add_security_group("sg-app", inbound=[app_rule], outbound=["all 0.0.0.0/0"])
        groups = None if app_rule is None else ["sg-app"]
        net.add_instance("app-b", "private-b", security_groups=groups)
        return net


@template("nat-instance/port-forward", "A port forward on a NAT instance", "yes-no")
def port_forward(rng: random.Random) -> Draft:
    inner = rng.choice((22, 443, 8080))
    outer = inner if rng.random() < 0.5 else rng.choice((2222, 8443, 10022))
    open_to = "0.0.0.0/0" if rng.random() < 0.75 else "10.0.0.0/16"
    elastic = rng.random() < 0.4
    app_rule = rng.choice(
        (None, f"tcp/{inner} 10.0.0.0/16", f"tcp/{inner} sg-nat", "tcp/5432 10.0.0.0/16")
    )
    setup = ForwardSetup(inner, outer, open_to, elastic, app_rule)
    situation = Situation(("nat-instance-forward", setup), setup.build)
    failures = (InstanceStopped("nat-i"),) if rng.random() < 0.15 else ()
    lines = [*situation.lines, *map(failure_line, failures)]
    asked = inner if rng.random() < 0.85 else rng.choice((3389, 5432))
    ask = f"Can a client on the internet open a TCP connection that reaches app-b on port {asked}?"
    return Draft(
        question_text("A VPC holds:", lines, ask),
        probe=situation.probe(queries.internet_ingress, "app-b", asked, failures=failures),
    )


# --------------------------------------------------------------------------- egress
def _egress_network(closed: bool, subnet: str, public_ip: bool, check: bool, host: str) -> Network:
    """``host`` in private-b behind nat-i (in ``subnet``); ``closed``: sg-nat lets only SSH
    from outside in."""
    net = _base_vpc()
    net.add_route_table("rt-tools", {})
    net.add_subnet("tools-a", "a", "rt-tools")
    net.add_security_group(
        "sg-nat",
        inbound=["tcp/22 203.0.113.0/24"] if closed else ["all 10.0.0.0/16"],
        outbound=["all 0.0.0.0/0"],
    )
    net.add_nat_instance(
        "nat-i", subnet, public_ip=public_ip, source_dest_check=check, security_groups=["sg-nat"]
    )
    net.add_instance(host, "private-b")
    return net


@template("nat-instance/private-egress", "Egress through a NAT instance", "yes-no")
def private_egress(rng: random.Random) -> Draft:
    closed = rng.random() < 0.15
    subnet = "tools-a" if rng.random() < 0.1 else "public-a"
    public_ip = rng.random() >= 0.15
    check = rng.random() < 0.2
    host = rng.choice(("app-b1", "worker-b1"))
    situation = Situation(
        ("nat-instance-egress", closed, subnet, public_ip, check, host),
        lambda: _egress_network(closed, subnet, public_ip, check, host),
    )
    failures = (InstanceStopped("nat-i"),) if rng.random() < 0.12 else ()
    lines = [*situation.lines, *map(failure_line, failures)]
    ask = f"Can {host} open an IPv4 connection to a server on the internet?"
    return Draft(
        question_text("A VPC holds:", lines, ask),
        probe=situation.probe(queries.internet_egress, host, failures=failures),
    )


# --------------------------------------------------------------------------- AZ outage
@template("nat-instance/az-outage", "NAT instances and an AZ outage", "multi")
def az_outage(rng: random.Random) -> Draft:
    azs = pick_azs(rng, 2, 4)
    homes = rng.sample(azs, rng.randint(1, min(2, len(azs) - 1)))
    route_of = {az: f"nat-i-{az if az in homes else rng.choice(homes)}" for az in azs}
    layout = AzLayout(
        azs=tuple(azs),
        route_of=route_of,
        nat_instances={f"nat-i-{home}": home for home in homes},
        hosts=random_hosts(rng, azs),
        web=tuple(az for az in azs if rng.random() < 0.3),
    )
    failed = rng.choice(homes) if rng.random() < 0.75 else rng.choice(azs)
    situation = layout.situation()  # a network without failures: then AZ ``failed`` fails
    probe = situation.probe(queries.lost_internet_if_az_fails, failed)
    outside = [name for name in layout.instances() if instance_az(name) != failed]
    return Draft(
        question_text(
            "A VPC holds:",
            [*situation.lines, outage_line(failed)],
            f"Which instances outside AZ {failed} lose internet access?{NONE_HINT}",
        ),
        probe=probe,
        options=[Option(name, probe, contains(name)) for name in outside],
    )


# --------------------------------------------------------------------------- reach inside
class ReachSetup(NamedTuple):
    """app-b in private-b behind NAT gateway nat-gw, and one change to it (hashable: a probe
    key)."""

    nat_instance: bool = False
    forward: bool = False
    secondary_eip: bool = False
    open_app_sg: bool = False
    app_public_ip: bool = False
    egress_only: bool = False

    def build(self, port: int) -> Network:
        net = _base_vpc("nat-i" if self.nat_instance else "nat-gw")
        if self.nat_instance:
            net.add_security_group(
                "sg-nat", inbound=[f"tcp/{port} 0.0.0.0/0", "all 10.0.0.0/16"],
                outbound=["all 0.0.0.0/0"],
            )  # fmt: skip
            forwards = [PortForward(port, "app-b")] if self.forward else []
            net.add_nat_instance(
                "nat-i", "public-a", public_ip=True, source_dest_check=False,
                security_groups=["sg-nat"], port_forwards=forwards,
            )  # fmt: skip
        else:
            net.add_nat_gateway(
                "nat-gw", "public-a", elastic_ip="eip-1",
                secondary_elastic_ips=("eip-2",) if self.secondary_eip else (),
            )  # fmt: skip
        if self.egress_only:
            net.vpc.egress_only_internet_gateway = "eigw-1"
            net.add_route_table("rt-private", {"0.0.0.0/0": "nat-gw", "::/0": "eigw-1"})
        source = "0.0.0.0/0" if self.open_app_sg else "10.0.0.0/16"
        net.add_security_group(
            "sg-app", inbound=[f"tcp/{port} {source}"], outbound=["all 0.0.0.0/0"]
        )
        net.add_instance(
            "app-b", "private-b", public_ip=self.app_public_ip, ipv6=self.egress_only,
            security_groups=["sg-app"],
        )  # fmt: skip
        return net


REACH_CHANGES = {
    "nat-instance": (
        "replace nat-gw with a NAT instance in public-a (public IP, source/destination check "
        "off, security group open on port {port}) that forwards port {port} to app-b",
        {"nat_instance": True, "forward": True},
    ),
    "nat-instance-no-forward": (
        "replace nat-gw with a NAT instance in public-a (public IP, source/destination check "
        "off, security group open on port {port}), with no port forward",
        {"nat_instance": True},
    ),
    "secondary-eip": ("add a secondary Elastic IP address to nat-gw", {"secondary_eip": True}),
    "open-sg": ("allow TCP {port} from 0.0.0.0/0 in sg-app", {"open_app_sg": True}),
    "public-ip": ("give app-b a public IPv4 address", {"app_public_ip": True}),
    "egress-only": (
        "add an egress-only internet gateway and route private-b's ::/0 to it",
        {"egress_only": True},
    ),
}


#: each change of :data:`REACH_CHANGES` made to the base setup
REACH_TRIALS = {change: ReachSetup(**settings) for change, (_t, settings) in REACH_CHANGES.items()}
WRONG_REACH_CHANGES = [change for change in REACH_CHANGES if change != "nat-instance"]


@template("nat-instance/reach-private-instance", "Reach a private instance from outside", "choice")
def reach_private_instance(rng: random.Random) -> Draft:
    port = rng.choice((22, 443, 3389))
    base = ReachSetup()
    situation = Situation(("reach", base, port), lambda: base.build(port))
    wrong = rng.sample(WRONG_REACH_CHANGES, 3)
    chosen = ["nat-instance", *wrong]
    rng.shuffle(chosen)
    options = []
    for change in chosen:
        text = REACH_CHANGES[change][0]
        trial = REACH_TRIALS[change]
        probe = Probe(
            queries.internet_ingress,
            make=lambda trial=trial: (trial.build(port), "app-b", port),  # type: ignore[misc]
            key=("reach", trial, port),
        )
        options.append(Option(text.format(port=port), probe))
    ask = (
        f"app-b must accept TCP connections on port {port} from the internet, and stay in "
        "its private subnet. Which single change makes that work?"
    )
    return Draft(
        question_text("A VPC holds:", situation.lines, ask),
        options=options,
        because_from=(situation.probe(queries.internet_ingress, "app-b", port),),
        wrong_reasons=2,
    )
