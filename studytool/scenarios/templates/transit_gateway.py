"""Templates about transit gateways: the ECMP bandwidth ceiling over VPN, what makes ECMP
work, which service routes multicast, sharing with other accounts, and attachments."""

from __future__ import annotations

import random
from functools import lru_cache

from studytool.model import queries
from studytool.model.failures import TunnelDown
from studytool.model.topology import Network, Vpc
from studytool.scenarios.templates.base import DESCRIBED, Contains, Draft, Option, Probe, template
from studytool.scenarios.templates.composite import throughput_gain
from studytool.scenarios.templates.describe import Situation, describe_vpn, question_text
from studytool.scenarios.templates.site_to_site_vpn import vpn_network

INTRO = "An on-premises network connects to AWS:"


# --------------------------------------------------------------------------- ECMP ceiling
def _ecmp_network(
    ecmp: bool, connections: tuple[tuple[str, str], ...], failures: tuple[TunnelDown, ...]
) -> Network:
    """tgw-1 with ``connections`` (routing, tunnel size) vpn-1..., these tunnels down."""
    net = Network()
    net.add_transit_gateway("tgw-1", vpn_ecmp=ecmp)
    net.add_customer_gateway("cgw-1", "198.51.100.7")
    for number, (routing, size) in enumerate(connections, 1):
        net.add_vpn_connection(f"vpn-{number}", "tgw-1", "cgw-1", routing, size)
    return net.with_failures(*failures)


@template("transit-gateway/ecmp-throughput", "VPN bandwidth through a transit gateway", "number")
def ecmp_throughput(rng: random.Random) -> Draft:
    ecmp = rng.random() < 0.8
    connections = []
    failures: list[TunnelDown] = []
    for number in range(1, rng.randint(1, 4) + 1):
        routing = "dynamic" if rng.random() < 0.7 else "static"
        size = "large" if rng.random() < 0.25 else "standard"
        connections.append((routing, size))
        failures += [
            TunnelDown(f"vpn-{number}", tunnel) for tunnel in (1, 2) if rng.random() < 0.15
        ]
    drawn = (ecmp, tuple(connections), tuple(failures))
    situation = Situation(("ecmp", drawn), lambda: _ecmp_network(*drawn), describe_vpn)
    ask = (
        "What is the most bandwidth traffic from AWS to on-premises can get over tgw-1's VPN "
        "connections, in Gbps?"
    )
    return Draft(
        question_text(INTRO, situation.lines, ask),
        probe=situation.probe(queries.vpn_max_throughput_gbps, "tgw-1"),
    )


# --------------------------------------------------------------------------- making ECMP work
ECMP_STATES = (("static", True), ("dynamic", False), ("static", False))
#: gateway, connections, routing, VPN ECMP support
VpnDesign = tuple[str, int, str, bool]


def _design_network(design: VpnDesign) -> Network:
    gateway, count, routing, ecmp = design
    return vpn_network(gateway, count, routing, vpn_ecmp=ecmp)


def _gain_probe(before: VpnDesign, after: VpnDesign) -> Probe:
    """Does moving from design ``before`` to ``after`` raise the ceiling?"""
    return Probe(
        throughput_gain,
        make=lambda: (_design_network(before), _design_network(after), before[0], after[0]),
        key=("gain", before, after),
    )


@template("transit-gateway/make-ecmp-work", "Make VPN tunnels add up (ECMP)", "multi")
def make_ecmp_work(rng: random.Random) -> Draft:
    count = rng.randint(2, 4)
    routing, ecmp = rng.choice(ECMP_STATES)
    now: VpnDesign = ("tgw-1", count, routing, ecmp)
    changes: dict[str, VpnDesign] = {
        "switch every VPN connection to dynamic routing (BGP)": ("tgw-1", count, "dynamic", ecmp),
        "turn on VPN ECMP support on tgw-1": ("tgw-1", count, routing, True),
        "switch the connections to BGP and turn on VPN ECMP support on tgw-1": (
            "tgw-1",
            count,
            "dynamic",
            True,
        ),
        f"add {count} more {'BGP' if routing == 'dynamic' else 'static'} VPN connections": (
            "tgw-1",
            2 * count,
            routing,
            ecmp,
        ),
        "move the connections to a virtual private gateway": ("vgw-1", count, routing, True),
    }
    options = [
        Option(text, _gain_probe(now, changes[text])) for text in rng.sample(list(changes), 4)
    ]
    before = Situation(("vpn-design", now), lambda: _design_network(now), describe_vpn)
    options.append(
        Option(
            "enable BGP on the transit gateway",
            wrong_rule="vpn-routing-per-connection",
            wrong_text="BGP is chosen per VPN connection, not on the transit gateway; the "
            "transit gateway's own option is VPN ECMP support",
        )
    )
    rng.shuffle(options)
    ask = (
        "The team wants the bandwidth of tgw-1's VPN tunnels to add up from AWS to "
        "on-premises. Which of these changes, each made on its own, raise the ceiling? "
        "(choose all that apply)"
    )
    return Draft(
        question_text(INTRO, before.lines, ask),
        options=options,
        because_from=(before.probe(queries.vpn_max_throughput_gbps, "tgw-1"),),
        right_reasons=1,  # "the ceiling goes from ... to ..."
        wrong_reasons=1,
        min_right=1,
    )


# --------------------------------------------------------------------------- multicast
@lru_cache(maxsize=64)
def _multicast_network(with_mc: str, without: str) -> Network:
    """Every kind of gateway, transit gateway ``with_mc`` created with multicast support.

    Made once per pair of names (a dozen exist) and only when the model is asked."""
    net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1"))
    net.add_route_table("rt-public", {"0.0.0.0/0": "igw-1"})
    net.add_subnet("public-a", "a", "rt-public")
    net.add_nat_gateway("nat-1", "public-a", elastic_ip="eip-1")
    net.add_virtual_private_gateway("vgw-1")
    net.add_transit_gateway(with_mc, multicast=True)
    net.add_transit_gateway(without, multicast=False)
    return net


@template("transit-gateway/multicast", "Which AWS service routes multicast?", "choice")
def multicast(rng: random.Random) -> Draft:
    with_mc, without = rng.sample(("tgw-1", "tgw-2", "tgw-core", "tgw-media"), 2)
    texts = {
        with_mc: f"transit gateway {with_mc}, created with multicast support",
        without: f"transit gateway {without}, created without multicast support (you would "
        "turn it on now)",
        "vgw-1": "virtual private gateway vgw-1",
        "igw-1": "internet gateway igw-1",
        "nat-1": "NAT gateway nat-1",
    }
    wrong = rng.sample([name for name in texts if name != with_mc], rng.randint(2, 4))
    options = [
        Option(
            texts[name],
            Probe(
                queries.multicast_capable,
                make=lambda name=name: (_multicast_network(with_mc, without), name),  # type: ignore[misc]
                key=("multicast", with_mc, without, name),
            ),
        )
        for name in [with_mc, *wrong]
    ]
    if rng.random() < 0.5:
        options.append(
            Option(
                "a VPC peering connection",
                wrong_rule="tgw-multicast",
                wrong_text="a VPC does not route multicast, and neither does a peering "
                "connection: only a transit gateway with multicast support does",
            )
        )
    rng.shuffle(options)
    question = (
        "An application sends IP multicast between subnets of several VPCs. Which of these "
        "can route that multicast traffic?"
    )
    return Draft(question, options=options)


# --------------------------------------------------------------------------- sharing
@template("transit-gateway/shared-with", "Sharing a transit gateway", "yes-no")
def shared_with(rng: random.Random) -> Draft:
    accounts = [str(rng.randrange(10**11, 10**12)) for _ in range(rng.randint(1, 4))]
    shared = rng.sample(accounts, rng.randint(0, len(accounts)))
    net = Network()
    net.add_transit_gateway("tgw-hub", shared_with=tuple(sorted(shared)))
    asked = rng.choice(accounts)
    others = ", ".join(sorted(set(accounts) - set(shared))) or "none"
    lines = [*describe_vpn(net), f"accounts in the same organization, not shared with: {others}"]
    ask = f"Can account {asked} attach one of its VPCs to tgw-hub?"
    return Draft(
        question_text("A network team owns:", lines, ask),
        probe=Probe(queries.transit_gateway_shared_with, (net, "tgw-hub", asked), key=DESCRIBED),
    )


# --------------------------------------------------------------------------- attachments
ATTACHABLE_SUBNETS = ("app-a", "app-b", "data-a", "data-b")
SUBNETS_LINE = f"subnets {', '.join(ATTACHABLE_SUBNETS)} in one VPC"


def _attachments_network(
    attached: tuple[str, ...], dx: str | None, gateways: tuple[str, ...]
) -> Network:
    """tgw-1 attached to subnets ``attached`` (and ``dx``); connection vpn-N on gateways[N-1]."""
    net = Network(Vpc("10.0.0.0/16"))
    for name in ATTACHABLE_SUBNETS:
        net.add_subnet(name, name[-1])
    net.add_transit_gateway("tgw-1", vpc_attachments=attached, direct_connect_gateway=dx)
    net.add_virtual_private_gateway("vgw-1")
    net.add_customer_gateway("cgw-1", "198.51.100.7")
    for number, gateway in enumerate(gateways, 1):
        net.add_vpn_connection(f"vpn-{number}", gateway, "cgw-1")
    return net


@template("transit-gateway/attachments", "What is attached to the transit gateway?", "multi")
def attachments(rng: random.Random) -> Draft:
    attached = tuple(sorted(rng.sample(ATTACHABLE_SUBNETS, rng.randint(1, 3))))
    dx = "dxgw-1" if rng.random() < 0.5 else None
    # the connection count first, then each connection's gateway
    gateways = tuple("tgw-1" if rng.random() < 0.5 else "vgw-1" for _ in range(rng.randint(2, 4)))
    situation = Situation(
        ("attachments", attached, dx, gateways),
        lambda: _attachments_network(attached, dx, gateways),
        describe_vpn,
    )
    probe = situation.probe(queries.transit_gateway_attachments, "tgw-1")
    candidates = [f"VPC subnet {name}" for name in ATTACHABLE_SUBNETS]
    candidates += [f"VPN connection vpn-{number}" for number in range(1, len(gateways) + 1)]
    candidates.append("Direct Connect gateway dxgw-1")
    picked = rng.sample(candidates, min(len(candidates), rng.randint(5, 7)))
    options = [Option(text, probe, Contains(text)) for text in picked]
    lines = [SUBNETS_LINE, *situation.lines]
    ask = "Which of these are attachments of tgw-1? (choose all that apply; “none” if none)"
    return Draft(question_text("A network team runs:", lines, ask), probe=probe, options=options)
