"""Rules about Site-to-Site VPN connections, virtual private gateways and transit gateways."""

from __future__ import annotations

from studytool.model.rulebook import docs
from studytool.model.rules import rule
from studytool.model.topology import TUNNEL_GBPS, Network, TransitGateway, VpnConnection

VPN_NOTE = "Site-to-Site VPN.md"
TGW_NOTE = "Transit Gateway.md"

BGP_PRECISION = (
    "AWS documentation: BGP (dynamic routing) is chosen per VPN connection, not on the transit "
    "gateway, and the transit gateway's VPN ECMP support option must also be on"
)
VGW_PRECISION = (
    "AWS documentation: a virtual private gateway sends AWS-to-on-premises traffic over one "
    "tunnel at a time"
)


def up_tunnels(net: Network, connection: VpnConnection) -> tuple[int, ...]:
    """The numbers of the connection's tunnels that are up (1 and/or 2)."""
    down = set(connection.tunnels_down)
    down.update(number for name, number in net.down_tunnels if name == connection.name)
    return tuple(number for number in (1, 2) if number not in down)


@rule(
    "vpn-two-tunnels",
    "Every Site-to-Site VPN connection has two tunnels; it stays up while at least one is up.",
    docs.VPN_TUNNELS,
    note=(VPN_NOTE, "Every VPN connection has two tunnels"),
)
def vpn_tunnels(net: Network, connection: VpnConnection) -> tuple:
    up = up_tunnels(net, connection)
    if len(up) == 2:
        return True, f"{connection.name} has both tunnels up", up
    if up:
        return (
            True,
            f"{connection.name} has tunnel {up[0]} up (the other is down): one is enough",
            up,
        )
    return False, f"{connection.name} has both tunnels down", up


@rule(
    "vpn-tunnel-standard",
    "A standard VPN tunnel carries up to 1.25 Gbps.",
    docs.VPN_TUNNELS,
    note=(VPN_NOTE, "Standard tunnels carry up to 1.25 Gbps each"),
)
def standard_tunnel(connection: VpnConnection) -> tuple:
    return (
        True,
        f"{connection.name} has standard tunnels: up to 1.25 Gbps each",
        TUNNEL_GBPS["standard"],
    )


@rule(
    "vpn-tunnel-large",
    "A large VPN tunnel carries up to 5 Gbps.",
    docs.VPN_TUNNELS,
    note=(VPN_NOTE, "Large tunnels carry up to 5 Gbps each"),
)
def large_tunnel(connection: VpnConnection) -> tuple:
    return True, f"{connection.name} has large tunnels: up to 5 Gbps each", TUNNEL_GBPS["large"]


@rule(
    "vpn-large-needs-tgw",
    "Large (5 Gbps) tunnels exist only on connections that end on a transit gateway, never on "
    "a virtual private gateway.",
    docs.VPN_TUNNELS,
    note=(VPN_NOTE, "large tunnels need a connection that ends on a transit gateway"),
)
def large_tunnel_gateway(net: Network, connection: VpnConnection) -> tuple:
    if connection.tunnel_size != "large" or connection.gateway in net.transit_gateways:
        return True, f"{connection.name}'s tunnel size suits its gateway {connection.gateway}"
    return False, (
        f"{connection.name} asks for large tunnels on the virtual private gateway "
        f"{connection.gateway}: only transit gateway connections can have them (it gets 1.25 Gbps)"
    )


@rule(
    "vgw-one-tunnel",
    "A virtual private gateway sends AWS-to-on-premises traffic over one tunnel at a time.",
    docs.VPN_TUNNELS,
    note=(VPN_NOTE, "a virtual private gateway sends traffic over one tunnel at a time"),
    docs_precision=VGW_PRECISION,
)
def vgw_single_tunnel(gateway: str, up_count: int) -> tuple:
    if up_count == 0:
        return False, f"{gateway} has no VPN tunnel up: nothing reaches on-premises", 0.0
    return (
        True,
        (
            f"{gateway} is a virtual private gateway: it uses one tunnel at a time, so the "
            "ceiling is "
            f"one standard tunnel, 1.25 Gbps ({VGW_PRECISION})"
        ),
        TUNNEL_GBPS["standard"],
    )


@rule(
    "vgw-no-ecmp",
    "A virtual private gateway has no ECMP: extra VPN connections add no AWS-to-on-premises "
    "bandwidth.",
    docs.VPN_TUNNELS,
    note=(VPN_NOTE, "A virtual private gateway has no ECMP"),
)
def vgw_extra_connections(gateway: str, connections: int) -> tuple:
    return True, (
        f"{gateway} has {connections} VPN connections, but without ECMP the extra ones add "
        "no bandwidth"
    )


@rule(
    "vpn-routing-per-connection",
    "Static or dynamic (BGP) routing is chosen per VPN connection, not per gateway.",
    docs.VPN_ROUTING,
    note=(VPN_NOTE, "The routing type is chosen per VPN connection, not per gateway"),
    docs_precision=BGP_PRECISION,
)
def connection_routing(connection: VpnConnection) -> tuple:
    kind = "dynamic (BGP)" if connection.routing == "dynamic" else "static"
    return True, f"{connection.name} uses {kind} routing, a setting of the connection itself"


@rule(
    "tgw-ecmp-support",
    "A transit gateway spreads traffic over several VPN tunnels (ECMP) only with its VPN ECMP "
    "support option on (on by default).",
    docs.TGW_HOW,
    note=(TGW_NOTE, "the transit gateway option VPN ECMP support turned on"),
    docs_precision=BGP_PRECISION,
)
def tgw_ecmp_option(gateway: TransitGateway, single_gbps: float | None = None) -> tuple:
    """With support off and ``single_gbps`` given (its fastest up tunnel), the ceiling that
    leaves: traffic goes over one tunnel."""
    if gateway.vpn_ecmp:
        return True, f"{gateway.name} has VPN ECMP support on"
    off = f"{gateway.name} has VPN ECMP support off"
    if single_gbps is None:
        return False, off
    return False, f"{off}: it sends traffic over one tunnel: {single_gbps:g} Gbps", single_gbps


@rule(
    "tgw-ecmp-needs-bgp",
    "Only dynamic (BGP) VPN connections take part in a transit gateway's ECMP; static ones do not.",
    docs.TGW_HOW,
    note=(TGW_NOTE, "static VPN connections take no part in ECMP"),
    docs_precision=BGP_PRECISION,
)
def ecmp_member(connection: VpnConnection) -> tuple:
    if connection.routing == "dynamic":
        return True, f"{connection.name} uses BGP, so its up tunnels join ECMP"
    return (
        False,
        f"{connection.name} uses static routing: it takes no part in ECMP ({BGP_PRECISION})",
    )


@rule(
    "tgw-ecmp-bandwidth",
    "With ECMP, a transit gateway's AWS-to-on-premises ceiling is the sum of its up BGP tunnels "
    "(N BGP connections with standard tunnels: up to 2N x 1.25 Gbps).",
    docs.TGW_HOW,
    note=(TGW_NOTE, "give up to 2N × 1.25 Gbps"),
)
def ecmp_ceiling(gateway: str, tunnels: list[tuple[str, int, float]]) -> tuple:
    total = round(sum(gbps for _name, _number, gbps in tunnels), 3)
    listed = ", ".join(f"{name}/{number}" for name, number, _gbps in tunnels)
    return (
        True,
        f"{gateway} spreads traffic over {len(tunnels)} up BGP tunnels ({listed}): {total:g} Gbps",
        total,
    )


@rule(
    "tgw-multicast",
    "IP multicast between VPC subnets is done by a transit gateway with multicast support, "
    "which must be enabled when the transit gateway is created.",
    docs.TGW_MULTICAST,
    note=(TGW_NOTE, "the transit gateway is the AWS service that routes IP multicast"),
)
def tgw_multicast(net: Network, gateway: str) -> tuple:
    tgw = net.transit_gateways.get(gateway)
    if tgw is None:
        kind = net.kind_phrase(gateway)
        return False, f"{gateway} is {kind}: only a transit gateway routes multicast"
    if tgw.multicast:
        return True, f"{gateway} is a transit gateway with multicast support on"
    return False, (
        f"{gateway} was created without multicast support, which can only be enabled when a "
        "transit gateway is created"
    )


@rule(
    "tgw-sharing",
    "A transit gateway is shared with other AWS accounts through AWS RAM; they can then attach "
    "their VPCs.",
    docs.TGW_SHARING,
    note=(TGW_NOTE, "Share it with other AWS accounts through AWS RAM"),
)
def tgw_shared(gateway: TransitGateway, account: str) -> tuple:
    if account in gateway.shared_with:
        return True, f"{gateway.name} is shared with account {account} through AWS RAM"
    return (
        False,
        f"{gateway.name} is not shared with account {account}: share it through AWS RAM first",
    )


@rule(
    "tgw-attachments",
    "A transit gateway attaches VPCs, VPN connections, Direct Connect gateways and peerings.",
    docs.TGW_HOW,
    note=(TGW_NOTE, "Direct Connect gateways"),
)
def tgw_attachment_list(net: Network, gateway: TransitGateway) -> tuple:
    attachments = [f"VPC subnet {name}" for name in gateway.vpc_attachments]
    attachments += [
        f"VPN connection {c.name}"
        for c in net.vpn_connections.values()
        if c.gateway == gateway.name
    ]
    if gateway.direct_connect_gateway:
        attachments.append(f"Direct Connect gateway {gateway.direct_connect_gateway}")
    text = ", ".join(attachments) if attachments else "nothing"
    return True, f"{gateway.name} attaches {text}", attachments
