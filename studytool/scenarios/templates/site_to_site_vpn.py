"""Templates about Site-to-Site VPN: is a connection up after tunnel failures, the bandwidth
ceiling through a virtual private gateway, how many connections a target bandwidth takes,
which designs reach a target, and where large tunnels can end."""

from __future__ import annotations

import random
from functools import lru_cache

from studytool.model import queries
from studytool.model.failures import TunnelDown
from studytool.model.topology import Network
from studytool.scenarios.templates.base import (
    AtLeast,
    Draft,
    Lacks,
    Option,
    Probe,
    template,
)
from studytool.scenarios.templates.describe import Situation, describe_vpn, question_text

ROUTING_WORDS = {"dynamic": "BGP", "static": "static"}
#: connection count -> the names :func:`vpn_network` gives its connections, in order
CONNECTION_NAMES = {
    count: [f"vpn-{number}" for number in range(1, count + 1)] for count in (1, 2, 3)
}


@lru_cache(maxsize=256)
def vpn_network(
    gateway: str,
    count: int,
    routing: str = "dynamic",
    tunnel_size: str = "standard",
    vpn_ecmp: bool = True,
) -> Network:
    """``count`` connections vpn-1... from ``gateway`` (tgw-* or vgw-*) to customer gateways.

    Made once per set of arguments and shared (a few dozen exist): read-only, like every
    network the model is asked about; failures go on a copy (:meth:`Network.with_failures`).
    """
    net = Network()
    if gateway.startswith("tgw"):
        net.add_transit_gateway(gateway, vpn_ecmp=vpn_ecmp)
    else:
        net.add_virtual_private_gateway(gateway)
    for number in range(1, count + 1):
        customer = f"cgw-{(number - 1) % 2 + 1}"
        if customer not in net.customer_gateways:
            net.add_customer_gateway(customer, f"198.51.100.{number + 6}")
        net.add_vpn_connection(f"vpn-{number}", gateway, customer, routing, tunnel_size)
    return net


def ceiling_probe(
    gateway: str, count: int, routing: str, size: str = "standard", vpn_ecmp: bool = True
) -> Probe:
    """The VPN ceiling of :func:`vpn_network` with these settings (built when asked)."""
    return Probe(
        queries.vpn_max_throughput_gbps,
        make=lambda: (vpn_network(gateway, count, routing, size, vpn_ecmp), gateway),
        key=("ceiling", gateway, count, routing, size, vpn_ecmp),
    )


# --------------------------------------------------------------------------- VPN up
def vpn_situation(
    settings: tuple[str, int, str, str], failures: tuple[TunnelDown, ...]
) -> Situation:
    """:func:`vpn_network` with these ``settings`` (gateway, count, routing, tunnel size) and
    ``failures``, described."""
    return Situation(
        ("vpn-failures", settings, failures),
        lambda: vpn_network(*settings).with_failures(*failures),
        describe_vpn,
    )


def _tunnels_down(rng: random.Random, count: int, chance: float) -> tuple[TunnelDown, ...]:
    """Each tunnel of connections vpn-1 to vpn-``count`` down with this chance."""
    return tuple(
        TunnelDown(f"vpn-{number}", tunnel)
        for number in range(1, count + 1)
        for tunnel in (1, 2)
        if rng.random() < chance
    )


@template("site-to-site-vpn/vpn-up", "Is the VPN connection still up?", "yes-no")
def vpn_up(rng: random.Random) -> Draft:
    gateway = rng.choice(("vgw-1", "tgw-1"))
    count = rng.randint(1, 3)
    settings = (gateway, count, rng.choice(("static", "dynamic")), "standard")
    situation = vpn_situation(settings, _tunnels_down(rng, count, 0.45))
    asked = rng.choice(CONNECTION_NAMES[count])
    ask = f"Can {asked} still carry traffic between on-premises and AWS?"
    return Draft(
        question_text("An on-premises network connects to AWS:", situation.lines, ask),
        probe=situation.probe(queries.vpn_up, asked),
    )


# --------------------------------------------------------------------------- VGW ceiling
@template(
    "site-to-site-vpn/vgw-throughput", "Bandwidth through a virtual private gateway", "number"
)
def vgw_throughput(rng: random.Random) -> Draft:
    count = rng.randint(1, 3)
    size = "large" if rng.random() < 0.15 else "standard"
    settings = ("vgw-1", count, rng.choice(("static", "dynamic")), size)
    situation = vpn_situation(settings, _tunnels_down(rng, count, 0.4))
    ask = (
        "What is the most bandwidth traffic from the VPC to on-premises can get over vgw-1's "
        "VPN connections, in Gbps?"
    )
    return Draft(
        question_text("An on-premises network connects to AWS:", situation.lines, ask),
        probe=situation.probe(queries.vpn_max_throughput_gbps, "vgw-1"),
    )


# --------------------------------------------------------------------------- how many
TARGETS_GBPS = {
    "standard": (2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.5, 8.0, 10.0),
    "large": (8.0, 10.0, 15.0, 20.0, 25.0, 30.0),
}


@template("site-to-site-vpn/connections-needed", "VPN connections for a target bandwidth", "number")
def connections_needed(rng: random.Random) -> Draft:
    size = "large" if rng.random() < 0.3 else "standard"
    target = rng.choice(TARGETS_GBPS[size])
    tunnel = "large (5 Gbps)" if size == "large" else "standard (1.25 Gbps)"
    question = (
        f"You need {target:g} Gbps from AWS to on-premises over Site-to-Site VPN. The "
        "connections end on a transit gateway with VPN ECMP support on, use BGP and have "
        f"{tunnel} tunnels. How many VPN connections does that take, at the fewest?"
    )
    return Draft(
        question,
        probe=Probe(
            queries.vpn_connections_needed,
            (target, "transit-gateway", "dynamic", size),
            key=(target, size),
        ),
    )


# --------------------------------------------------------------------------- designs
DESIGNS = {
    "tgw-bgp": ("{n} BGP connections on a transit gateway with VPN ECMP support",
                ("tgw-1", "dynamic", "standard", True)),
    "tgw-static": ("{n} static connections on a transit gateway with VPN ECMP support",
                   ("tgw-1", "static", "standard", True)),
    "vgw-bgp": ("{n} BGP connections on a virtual private gateway",
                ("vgw-1", "dynamic", "standard", True)),
    "tgw-no-ecmp": ("{n} BGP connections on a transit gateway with VPN ECMP support off",
                    ("tgw-1", "dynamic", "standard", False)),
    "tgw-large-one": ("1 BGP connection with large tunnels on a transit gateway with VPN ECMP "
                      "support", ("tgw-1", "dynamic", "large", True)),
    "vgw-large": ("{n} connections asking for large tunnels on a virtual private gateway",
                  ("vgw-1", "dynamic", "large", True)),
}  # fmt: skip
DESIGN_NAMES = list(DESIGNS)


@template(
    "site-to-site-vpn/designs-reaching-target", "Which VPN designs reach a bandwidth", "multi"
)
def designs_reaching_target(rng: random.Random) -> Draft:
    count = rng.randint(2, 4)
    target = rng.choice((2.0, 2.5, 4.0, 5.0, 7.5, 10.0))
    options = []
    for design in rng.sample(DESIGN_NAMES, rng.randint(4, 5)):
        text, (gateway, routing, size, ecmp) = DESIGNS[design]
        connections = 1 if design == "tgw-large-one" else count
        probe = ceiling_probe(gateway, connections, routing, size, ecmp)
        options.append(Option(text.format(n=count), probe, AtLeast(target)))
    question = (
        f"Traffic from AWS to on-premises needs {target:g} Gbps over Site-to-Site VPN (all "
        "tunnels up). Which of these designs can carry that much? (choose all that apply)"
    )
    return Draft(question, options=options, min_right=1, right_reasons=1, wrong_reasons=1)


# --------------------------------------------------------------------------- large tunnels
@template("site-to-site-vpn/large-tunnels", "Where large VPN tunnels can end", "choice")
def large_tunnels(rng: random.Random) -> Draft:
    number = rng.randint(1, 9)
    tgw, vgw = f"tgw-{number}", f"vgw-{number}"
    routing = rng.choice(("static", "dynamic"))
    options = []
    for gateway, text in (
        (tgw, f"{tgw}, a transit gateway"),
        (vgw, f"{vgw}, a virtual private gateway"),
    ):
        probe = Probe(
            queries.problems,
            make=lambda gateway=gateway: (vpn_network(gateway, 1, routing, "large"),),  # type: ignore[misc]
            key=("large", gateway, routing),
        )
        options.append(Option(text, probe, Lacks("large-tunnel-needs-transit-gateway")))
    options.append(
        Option(
            "either: the tunnel size is a setting of the customer gateway device",
            wrong_rule="vpn-large-needs-tgw",
            wrong_text="the tunnel size is chosen on the VPN connection, and large tunnels "
            "need one that ends on a transit gateway",
        )
    )
    rng.shuffle(options)
    question = (
        f"A new {ROUTING_WORDS[routing]} VPN connection needs large (5 Gbps) tunnels. On which "
        f"AWS-side gateway can it end?"
    )
    ceiling = ceiling_probe(tgw, 1, routing, "large")
    return Draft(
        question, options=options, because_from=(ceiling,), right_reasons=0, wrong_reasons=1
    )
