"""One test per Site-to-Site VPN and transit gateway rule. Expected ceilings follow the AWS
Site-to-Site VPN User Guide and the Transit Gateway guide named in each docstring."""

from __future__ import annotations

from studytool.model import queries
from studytool.model.failures import TunnelDown
from studytool.model.rulebook import vpn
from studytool.model.topology import Network


def _vpn_net(
    gateway: str,
    connections: int,
    routing: str = "dynamic",
    size: str = "standard",
    ecmp: bool = True,
) -> Network:
    net = Network()
    if gateway.startswith("vgw"):
        net.add_virtual_private_gateway(gateway)
    else:
        net.add_transit_gateway(gateway, vpn_ecmp=ecmp)
    net.add_customer_gateway("cgw-1", "198.51.100.7", 65000)
    for number in range(1, connections + 1):
        net.add_vpn_connection(f"vpn-{number}", gateway, "cgw-1", routing, size)
    return net


def test_vpn_two_tunnels() -> None:
    """Each VPN connection has two tunnels; one up keeps it up
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html)."""
    net = _vpn_net("vgw-1", 1)
    assert queries.vpn_up(net, "vpn-1").value is True
    one_down = net.with_failures(TunnelDown("vpn-1", 1))
    answer = queries.vpn_up(one_down, "vpn-1")
    assert answer.value is True and answer.rules == ["vpn-two-tunnels"]
    assert queries.vpn_up(one_down.with_failures(TunnelDown("vpn-1", 2)), "vpn-1").value is False


def test_vpn_tunnel_standard() -> None:
    """A standard tunnel carries up to 1.25 Gbps
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html)."""
    net = _vpn_net("tgw-1", 1, ecmp=False)
    finding = vpn.standard_tunnel(net.vpn_connection("vpn-1"))
    assert finding.rule_id == "vpn-tunnel-standard" and finding.value == 1.25
    assert queries.vpn_max_throughput_gbps(net, "tgw-1").value == 1.25


def test_vpn_tunnel_large() -> None:
    """A large tunnel carries up to 5 Gbps; with ECMP over both tunnels, 10 Gbps
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html)."""
    net = _vpn_net("tgw-1", 1, size="large")
    answer = queries.vpn_max_throughput_gbps(net, "tgw-1")
    assert answer.value == 10.0
    assert "vpn-tunnel-large" in answer.rules
    assert answer.unit == "Gbps"


def test_vpn_large_needs_tgw() -> None:
    """Large tunnels only on transit gateway (or Cloud WAN) connections
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html)."""
    net = _vpn_net("vgw-1", 1, size="large")
    assert queries.problems(net).value == ["large-tunnel-needs-transit-gateway"]
    answer = queries.vpn_max_throughput_gbps(net, "vgw-1")
    assert answer.value == 1.25
    assert "vpn-large-needs-tgw" in answer.rules


def test_vgw_one_tunnel() -> None:
    """A virtual private gateway sends AWS-to-on-premises traffic over one tunnel at a time
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html)."""
    answer = queries.vpn_max_throughput_gbps(_vpn_net("vgw-1", 1), "vgw-1")
    assert answer.value == 1.25
    assert "vgw-one-tunnel" in answer.rules
    assert any("AWS documentation" in reason for reason in answer.because)
    down = _vpn_net("vgw-1", 1).with_failures(TunnelDown("vpn-1", 1), TunnelDown("vpn-1", 2))
    assert queries.vpn_max_throughput_gbps(down, "vgw-1").value == 0.0


def test_vgw_no_ecmp() -> None:
    """No ECMP on a virtual private gateway: three connections still give 1.25 Gbps
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html)."""
    answer = queries.vpn_max_throughput_gbps(_vpn_net("vgw-1", 3), "vgw-1")
    assert answer.value == 1.25
    assert "vgw-no-ecmp" in answer.rules


def test_vpn_routing_per_connection() -> None:
    """Static or dynamic routing is chosen per VPN connection
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNRoutingTypes.html)."""
    net = _vpn_net("tgw-1", 2)
    net.add_vpn_connection("vpn-2", "tgw-1", "cgw-1", "static")
    finding = vpn.connection_routing(net.vpn_connection("vpn-2"))
    assert finding.rule_id == "vpn-routing-per-connection"
    assert "static" in finding.text
    assert "vpn-routing-per-connection" in queries.vpn_max_throughput_gbps(net, "tgw-1").rules


def test_tgw_ecmp_support() -> None:
    """ECMP over VPN needs the transit gateway's VPN ECMP support option on
    (https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html)."""
    off = queries.vpn_max_throughput_gbps(_vpn_net("tgw-1", 3, ecmp=False), "tgw-1")
    assert off.value == 1.25
    # the cause is the option, not the routing: the BGP connections would join ECMP
    assert off.because[-1] == (
        "tgw-1 has VPN ECMP support off: it sends traffic over one tunnel: 1.25 Gbps "
        "(rule tgw-ecmp-support)"
    )
    assert off.rules[-1] == "tgw-ecmp-support" and "tgw-ecmp-needs-bgp" not in off.rules
    assert queries.vpn_max_throughput_gbps(_vpn_net("tgw-1", 3), "tgw-1").value == 7.5
    large = _vpn_net("tgw-1", 2, size="large", ecmp=False).with_failures(TunnelDown("vpn-1", 1))
    large_off = queries.vpn_max_throughput_gbps(large, "tgw-1")
    assert large_off.value == 5.0 and large_off.because[-1].startswith(
        "tgw-1 has VPN ECMP support off: it sends traffic over one tunnel: 5 Gbps"
    )


def test_tgw_ecmp_needs_bgp() -> None:
    """Static VPN connections take no part in ECMP
    (https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html)."""
    answer = queries.vpn_max_throughput_gbps(_vpn_net("tgw-1", 3, routing="static"), "tgw-1")
    assert answer.value == 1.25
    assert answer.because[-1] == (
        "with no ECMP path, tgw-1 sends traffic over one tunnel: 1.25 Gbps "
        "(rule tgw-ecmp-needs-bgp)"
    )
    assert answer.rules[-1] == "tgw-ecmp-needs-bgp"
    assert not any("support off" in reason for reason in answer.because)


def test_tgw_ecmp_bandwidth() -> None:
    """N BGP connections with ECMP give up to 2N x 1.25 Gbps
    (https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html)."""
    net = _vpn_net("tgw-1", 3)
    answer = queries.vpn_max_throughput_gbps(net, "tgw-1")
    assert answer.value == 7.5 and "tgw-ecmp-bandwidth" in answer.rules
    one_down = net.with_failures(TunnelDown("vpn-2", 1))
    assert queries.vpn_max_throughput_gbps(one_down, "tgw-1").value == 6.25


def test_tgw_multicast() -> None:
    """Multicast is routed by a transit gateway created with multicast support
    (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-multicast-overview.html)."""
    net = Network()
    net.add_transit_gateway("tgw-m", multicast=True)
    net.add_transit_gateway("tgw-plain")
    net.add_virtual_private_gateway("vgw-1")
    assert queries.multicast_capable(net, "tgw-m").value is True
    plain = queries.multicast_capable(net, "tgw-plain")
    assert plain.value is False and plain.rules == ["tgw-multicast"]
    not_a_tgw = queries.multicast_capable(net, "vgw-1")
    assert not_a_tgw.value is False
    assert not_a_tgw.because == [
        "vgw-1 is a virtual private gateway: only a transit gateway routes multicast "
        "(rule tgw-multicast)"
    ]
    net.add_internet_gateway("igw-1")
    assert (
        queries.multicast_capable(net, "igw-1")
        .because[0]
        .startswith("igw-1 is an internet gateway:")
    )


def test_tgw_sharing() -> None:
    """A transit gateway is shared with other accounts through AWS RAM
    (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-transit-gateways.html)."""
    net = Network()
    net.add_transit_gateway("tgw-1", shared_with=("111122223333",))
    assert queries.transit_gateway_shared_with(net, "tgw-1", "111122223333").value is True
    other = queries.transit_gateway_shared_with(net, "tgw-1", "444455556666")
    assert other.value is False and other.rules == ["tgw-sharing"]


def test_tgw_attachments() -> None:
    """A transit gateway attaches VPCs, VPN connections and Direct Connect gateways
    (https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html)."""
    net = _vpn_net("tgw-1", 1)
    net.add_subnet("attach-a", "a")
    net.transit_gateways["tgw-1"].vpc_attachments = ("attach-a",)
    net.transit_gateways["tgw-1"].direct_connect_gateway = "dxgw-1"
    answer = queries.transit_gateway_attachments(net, "tgw-1")
    assert answer.value == [
        "VPC subnet attach-a",
        "VPN connection vpn-1",
        "Direct Connect gateway dxgw-1",
    ]
    assert answer.rules == ["tgw-attachments"]
