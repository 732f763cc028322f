"""Rules about route tables, public and private subnets, internet gateways and IPv6 egress."""

from __future__ import annotations

from functools import lru_cache

from studytool.model.addressing import IPAddress, IPNetwork
from studytool.model.rulebook import docs
from studytool.model.rules import rule
from studytool.model.topology import LOCAL, Instance, Network, Route, RouteTable, Subnet

IGW_NOTE = "Internet Gateway.md"


def matching_route(net: Network, table: RouteTable | None, destination: IPAddress) -> Route | None:
    """The longest-prefix route for ``destination``, counting the implicit local route."""
    return _lookup(net, table, destination)[0]


def _lookup(
    net: Network, table: RouteTable | None, destination: IPAddress
) -> tuple[Route | None, int]:
    """(the longest-prefix route, how many routes match) for ``destination``."""
    routes = table.by_specificity if table is not None else ()
    return _longest_prefix(routes, net.vpc.cidr, destination)


@lru_cache(maxsize=4096)
def _longest_prefix(
    routes: tuple[Route, ...], vpc: IPNetwork, destination: IPAddress
) -> tuple[Route | None, int]:
    """:func:`_lookup` on its complete inputs (``routes`` most specific first): shared, since
    routes, networks and addresses are immutable and generated networks repeat the same few
    route sets."""
    best: Route | None = None
    matches = 0
    for route in routes:
        if destination in route.destination:
            matches += 1
            if best is None:
                best = route
    if destination in vpc:
        matches += 1
        if best is None or best.destination.prefixlen <= vpc.prefixlen:
            return Route(vpc, LOCAL), matches
    return best, matches


@rule(
    "subnet-main-route-table",
    "A subnet that is not explicitly associated with a route table uses the VPC's main route "
    "table.",
    docs.ROUTE_TABLES,
    note=(
        "Route Tables and Filtering.md",
        "not explicitly associated with a route table uses the VPC's main route table",
    ),
)
def implicit_route_table(net: Network, subnet: Subnet) -> tuple:
    table, implicit = net.route_table_of(subnet)
    if table is None:
        return False, f"{subnet.name} has no route table and the VPC names no main route table"
    if implicit:
        return (
            True,
            f"{subnet.name} names no route table, so it uses the main route table {table.name}",
        )
    return True, f"{subnet.name} is associated with route table {table.name}"


@rule(
    "route-longest-prefix",
    "A route table sends traffic by the most specific route that matches the destination "
    "(longest prefix match).",
    docs.ROUTE_PRIORITY,
    note=(
        "Route Tables and Filtering.md",
        "When several routes match a destination, the route with the longest prefix",
    ),
)
def route_lookup(net: Network, subnet: Subnet, destination: IPAddress) -> tuple:
    table, _implicit = net.route_table_of(subnet)
    route, candidates = _lookup(net, table, destination)
    table_name = table.name if table else "(no route table)"
    if route is None:
        return False, f"{table_name} of {subnet.name} has no route that matches {destination}", None
    choice = f"the most specific of {candidates} matching routes, " if candidates > 1 else ""
    text = (
        f"{table_name} of {subnet.name} sends {destination} to {route.target} "
        f"({choice}route {route.destination})"
    )
    return True, text, route


@rule(
    "route-local",
    "Every route table has a local route for the VPC CIDR: traffic to an address inside the "
    "VPC stays in the VPC.",
    docs.ROUTE_TABLES,
    note=("Route Tables and Filtering.md", "Every route table has a local route for the VPC CIDR"),
)
def local_route(net: Network, destination: IPAddress) -> tuple:
    return False, (
        f"{destination} is inside the VPC CIDR {net.vpc.cidr}: the local route keeps the traffic "
        "in the VPC, it never reaches the internet"
    )


@rule(
    "subnet-public-route",
    "A subnet is public when its route table has a route to the internet gateway attached to "
    "the VPC; otherwise it is private.",
    docs.SUBNET_TYPES,
    note=(IGW_NOTE, "Public subnet: its route table has a route to an internet gateway"),
)
def subnet_type(net: Network, subnet: Subnet) -> tuple:
    table, _implicit = net.route_table_of(subnet)
    attached = net.vpc.internet_gateway
    to_igw = [r for r in (table.routes if table else ()) if attached and r.target == attached]
    if to_igw:
        routes = ", ".join(str(route.destination) for route in to_igw)
        text = (
            f"{subnet.name} is public: its route table {table.name} "  # type: ignore[union-attr]
            f"routes {routes} to the attached internet gateway {attached}"
        )
        return True, text, "public"
    where = f"its route table {table.name}" if table else "it has no route table, so it"
    return (
        False,
        f"{subnet.name} is private: {where} has no route to an attached internet gateway",
        "private",
    )


@rule(
    "igw-attached",
    "Only an internet gateway attached to the VPC carries traffic; a route to an unattached one "
    "is a blackhole.",
    docs.INTERNET_GATEWAY,
    note=(IGW_NOTE, "A route that points at an internet gateway which is not attached to the VPC"),
)
def igw_attached(net: Network, gateway: str) -> tuple:
    if net.is_attached_igw(gateway):
        return True, f"{gateway} is attached to the VPC"
    return False, f"{gateway} is not attached to the VPC: routes to it carry no traffic (blackhole)"


@rule(
    "igw-one-per-vpc",
    "A VPC has at most one internet gateway attached at a time.",
    docs.INTERNET_GATEWAY,
    note=(IGW_NOTE, "A VPC can have only one internet gateway attached at a time"),
)
def igw_one_per_vpc(net: Network, gateway: str) -> tuple:
    attached = net.vpc.internet_gateway
    if attached is None:
        return (
            True,
            f"the VPC has no internet gateway attached; attaching {gateway} would make it the one",
        )
    return True, (
        f"the VPC's one attached internet gateway is {attached}; {gateway} cannot be attached too"
    )


@rule(
    "igw-public-ip",
    "To use an internet gateway over IPv4 an instance needs a public IPv4 address or an "
    "Elastic IP.",
    docs.INTERNET_GATEWAY,
    note=(IGW_NOTE, "a public IPv4 address or an Elastic IP address on the instance"),
)
def public_ipv4(host: Instance) -> tuple:
    if host.elastic_ip:
        return True, f"{host.name} has the Elastic IP {host.elastic_ip}"
    if host.public_ip:
        return True, f"{host.name} has a public IPv4 address"
    return False, f"{host.name} has no public IPv4 address or Elastic IP"


@rule(
    "igw-route-target",
    "Internet traffic leaves only through a route to an internet gateway, directly or through a "
    "NAT device whose own subnet routes to one.",
    docs.INTERNET_GATEWAY,
    note=(IGW_NOTE, "a target in your route tables for internet-routable traffic"),
)
def not_internet_bound(net: Network, route: Route | None, destination: IPAddress) -> tuple:
    if not destination.is_global:
        return False, f"{destination} is not a public address: the internet does not route it"
    if route is None:
        return False, f"nothing routes {destination} towards an internet gateway"
    return False, (
        f"the route {route.destination} sends {destination} to {route.target}, "
        f"{net.kind_phrase(route.target)}, "
        "which does not lead to the internet"
    )


@rule(
    "eigw-outbound-only-ipv6",
    "An egress-only internet gateway lets instances start outbound IPv6 connections only: it "
    "carries no IPv4 and accepts no connection started from the internet.",
    docs.EGRESS_ONLY_GATEWAY,
    note=(IGW_NOTE, "An egress-only internet gateway lets instances make outbound-only IPv6"),
)
def egress_only_gateway(gateway: str, version: int, inbound: bool = False) -> tuple:
    if version == 4:
        return (
            False,
            f"{gateway} is an egress-only internet gateway: it carries IPv6 only, not IPv4",
        )
    if inbound:
        return (
            False,
            f"{gateway} is an egress-only internet gateway: the internet cannot start a "
            "connection through it",
        )
    return (
        True,
        f"{gateway} is an egress-only internet gateway: outbound IPv6 connections may leave",
    )


@rule(
    "ipv6-address",
    "IPv6 internet access needs an IPv6 address on the instance in a subnet with an IPv6 CIDR; "
    "IPv6 addresses are public, so no NAT is involved.",
    docs.IPV6,
    note=(IGW_NOTE, "An instance has IPv6 internet access only with an IPv6 address"),
)
def ipv6_address(net: Network, host: Instance) -> tuple:
    subnet = net.subnet(host.subnet)
    if not subnet.ipv6:
        return False, f"{host.name}'s subnet {subnet.name} has no IPv6 CIDR block"
    if not host.ipv6:
        return False, f"{host.name} has no IPv6 address"
    return True, f"{host.name} has an IPv6 address (public by nature) in {subnet.name}"
