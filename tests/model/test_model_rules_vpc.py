"""One test per routing, internet gateway, filtering and availability rule, on hand-built
topologies. Each docstring names the AWS documentation the expected answer comes from."""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import ip_address

from studytool.model import queries
from studytool.model.addressing import ALL_PORTS, PortSet
from studytool.model.failures import AzOutage, InstanceStopped
from studytool.model.rulebook import availability, filtering, routing
from studytool.model.rulebook.filtering import Peer
from studytool.model.topology import Network, Vpc

Builder = Callable[..., Network]


# --------------------------------------------------------------------------- routing
def test_route_longest_prefix(two_az: Builder) -> None:
    """VPC route tables: route priority, the most specific route wins
    (https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html)."""
    net = two_az()
    net.add_transit_gateway("tgw-1")
    net.route_tables["rt-private-b"] = net.add_route_table(
        "rt-private-b", {"0.0.0.0/0": "nat-a", "203.0.113.0/24": "tgw-1"}
    )
    subnet = net.subnet("private-b")
    finding = routing.route_lookup(net, subnet, ip_address("203.0.113.9"))
    assert finding.rule_id == "route-longest-prefix"
    assert finding.value.target == "tgw-1"
    assert "most specific of 2" in finding.text
    assert routing.route_lookup(net, subnet, ip_address("8.8.8.8")).value.target == "nat-a"
    answer = queries.internet_egress(net, "app-b", "203.0.113.9")
    assert answer.value is False
    assert "igw-route-target" in answer.rules


def test_route_local(two_az: Builder) -> None:
    """Every route table has a local route for the VPC CIDR
    (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html)."""
    net = two_az()
    finding = routing.route_lookup(net, net.subnet("public-a"), ip_address("10.0.11.7"))
    assert finding.value.target == "local"
    answer = queries.internet_egress(net, "web-a", "10.0.11.7")
    assert answer.value is False
    assert "route-local" in answer.rules


def test_subnet_main_route_table(two_az: Builder) -> None:
    """A subnet with no explicit association uses the main route table
    (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html)."""
    net = two_az()
    net.vpc.main_route_table = "rt-public"
    net.add_subnet("loose-a", "a")
    finding = routing.implicit_route_table(net, net.subnet("loose-a"))
    assert finding.rule_id == "subnet-main-route-table"
    assert finding.ok and "main route table rt-public" in finding.text
    answer = queries.subnet_type(net, "loose-a")
    assert answer.value == "public"
    assert answer.rules[0] == "subnet-main-route-table"


def test_subnet_public_route(two_az: Builder) -> None:
    """A public subnet has a route to an internet gateway
    (https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html)."""
    net = two_az()
    assert queries.subnet_type(net, "public-a").value == "public"
    answer = queries.subnet_type(net, "private-b")
    assert answer.value == "private"
    assert answer.rules == ["subnet-public-route"]


def test_igw_attached(two_az: Builder) -> None:
    """A route to an internet gateway that is not attached is a blackhole
    (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html)."""
    net = two_az()
    net.add_internet_gateway("igw-old")
    net.add_route_table("rt-old", {"0.0.0.0/0": "igw-old"})
    net.add_subnet("stale-a", "a", "rt-old")
    net.add_instance("old-a", "stale-a", public_ip=True)
    assert routing.igw_attached(net, "igw-1").ok
    assert not routing.igw_attached(net, "igw-old").ok
    answer = queries.subnet_type(net, "stale-a")
    assert answer.value == "private"
    assert "igw-attached" in answer.rules
    assert queries.internet_egress(net, "old-a").value is False


def test_igw_one_per_vpc(two_az: Builder) -> None:
    """A VPC can have only one internet gateway attached
    (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html)."""
    net = two_az()
    finding = routing.igw_one_per_vpc(net, "igw-2")
    assert finding.rule_id == "igw-one-per-vpc"
    assert "igw-1" in finding.text
    try:
        net.add_internet_gateway("igw-2", attached=True)
    except KeyError as error:
        assert "at most one" in str(error)
    else:
        raise AssertionError("a second attached internet gateway was accepted")


def test_igw_public_ip(two_az: Builder) -> None:
    """IPv4 internet access through an internet gateway needs a public IPv4 or Elastic IP
    (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html)."""
    net = two_az()
    net.add_instance("bare-a", "public-a")
    net.add_instance("eip-a", "public-a", elastic_ip="eip-9")
    assert queries.internet_egress(net, "web-a").value is True
    assert queries.internet_egress(net, "eip-a").value is True
    answer = queries.internet_egress(net, "bare-a")
    assert answer.value is False
    assert answer.rules[-1] == "igw-public-ip" or "igw-public-ip" in answer.rules


def test_igw_route_target(two_az: Builder) -> None:
    """Internet-bound traffic needs a route to an internet gateway
    (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html)."""
    net = two_az()
    net.add_virtual_private_gateway("vgw-1")
    net.add_route_table("rt-vpn", {"0.0.0.0/0": "vgw-1"})
    net.add_subnet("vpn-only", "a", "rt-vpn")
    net.add_instance("corp-a", "vpn-only", public_ip=True)
    answer = queries.internet_egress(net, "corp-a")
    assert answer.value is False
    assert "igw-route-target" in answer.rules
    assert any("vgw-1, a virtual private gateway" in reason for reason in answer.because)


def test_eigw_outbound_only_ipv6() -> None:
    """An egress-only internet gateway is IPv6 only and outbound only
    (https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html)."""
    net = Network(
        Vpc("10.0.0.0/16", internet_gateway="igw-1", egress_only_internet_gateway="eigw-1")
    )
    net.add_route_table("rt-v6", {"::/0": "eigw-1", "0.0.0.0/0": "eigw-1"})
    net.add_subnet("private-a", "a", "rt-v6", ipv6=True)
    net.add_instance("app-a", "private-a", public_ip=True, ipv6=True)
    assert queries.internet_egress_ipv6(net, "app-a").value is True
    answer_v4 = queries.internet_egress(net, "app-a")
    assert answer_v4.value is False
    assert "eigw-outbound-only-ipv6" in answer_v4.rules
    assert routing.egress_only_gateway("eigw-1", 6, inbound=True).ok is False


def test_ipv6_address() -> None:
    """IPv6 traffic needs an IPv6 address in a subnet with an IPv6 CIDR
    (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-migrate-ipv6.html)."""
    net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1"))
    net.add_route_table("rt", {"::/0": "igw-1", "0.0.0.0/0": "igw-1"})
    net.add_subnet("v4-only", "a", "rt")
    net.add_subnet("dual", "a", "rt", ipv6=True)
    net.add_instance("old", "v4-only", ipv6=True)
    net.add_instance("new", "dual", ipv6=True)
    net.add_instance("plain", "dual")
    assert queries.internet_egress_ipv6(net, "new").value is True
    for name in ("old", "plain"):
        answer = queries.internet_egress_ipv6(net, name)
        assert answer.value is False
        assert "ipv6-address" in answer.rules


# --------------------------------------------------------------------------- filtering
def test_security_group_default(two_az: Builder) -> None:
    """Scenario-format default (like the default security group): all outbound, inbound only
    from inside the VPC (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html)."""
    net = two_az()
    host = net.host("web-a")
    outbound = filtering.default_security_group(
        net, host, "outbound", Peer(ip_address("8.8.8.8")), ALL_PORTS
    )
    inside = filtering.default_security_group(
        net, host, "inbound", Peer(ip_address("10.0.11.4")), ALL_PORTS
    )
    outside = filtering.default_security_group(
        net, host, "inbound", Peer(ip_address("8.8.8.8")), ALL_PORTS
    )
    assert (outbound.ok, inside.ok, outside.ok) == (True, True, False)
    answer = queries.internet_ingress(net, "web-a", 443)
    assert answer.value is False
    assert answer.rules == ["route-longest-prefix", "security-group-default"]


def test_security_group_stateful(two_az: Builder) -> None:
    """Security groups allow only what their rules allow; replies are automatic
    (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html)."""
    net = two_az()
    net.add_security_group("sg-web", inbound=["tcp/443 0.0.0.0/0"], outbound=["tcp/80 10.0.0.0/16"])
    net.host("web-a").security_groups = ("sg-web",)
    assert queries.internet_ingress(net, "web-a", 443).value is True
    blocked = queries.internet_ingress(net, "web-a", 22)
    assert blocked.value is False and "security-group-stateful" in blocked.rules
    egress = queries.internet_egress(net, "web-a")
    assert egress.value is False
    assert any("allow no TCP outbound to 8.8.8.8" in reason for reason in egress.because)


def test_network_acl_default(two_az: Builder) -> None:
    """The default network ACL allows all traffic
    (https://docs.aws.amazon.com/vpc/latest/userguide/default-network-acl.html)."""
    net = two_az()
    finding = filtering.subnet_acl_forward(
        net, "public-a", "inbound", Peer(ip_address("8.8.8.8")), ALL_PORTS
    )
    assert finding.rule_id == "network-acl-default" and finding.ok
    assert "network-acl-default" in queries.internet_egress(net, "web-a").rules


def test_network_acl_rule_order(two_az: Builder) -> None:
    """Network ACL rules are evaluated lowest number first; first match wins; the rest is
    denied (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html)."""
    net = two_az()
    net.add_network_acl(
        "acl-1", ["public-a"],
        inbound=["100 deny tcp/443 0.0.0.0/0", "200 allow tcp/443 0.0.0.0/0",
                 "210 allow tcp/1024-65535 0.0.0.0/0"],
        outbound=["100 allow all 0.0.0.0/0"],
    )  # fmt: skip
    net.add_security_group("sg-web", inbound=["tcp/443 0.0.0.0/0", "tcp/22 0.0.0.0/0"])
    net.host("web-a").security_groups = ("sg-web",)
    answer = queries.internet_ingress(net, "web-a", 443)
    assert answer.value is False
    assert any(
        "rule 100" in reason and "denies TCP port 443" in reason for reason in answer.because
    )
    ssh = queries.internet_ingress(net, "web-a", 22)
    assert ssh.value is False
    assert any("final * rule" in reason for reason in ssh.because)
    assert "network-acl-rule-order" in ssh.rules


def test_network_acl_return_traffic(two_az: Builder) -> None:
    """Network ACLs are stateless: replies need ephemeral ports 1024-65535 allowed
    (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html)."""
    net = two_az()
    net.add_network_acl(
        "acl-1",
        ["public-a"],
        inbound=["100 allow tcp/443 0.0.0.0/0"],
        outbound=["100 allow all 0.0.0.0/0"],
    )
    answer = queries.internet_egress(net, "web-a")
    assert answer.value is False
    assert "network-acl-return-traffic" in answer.rules
    net.add_network_acl(
        "acl-1", ["public-a"],
        inbound=["100 allow tcp/443 0.0.0.0/0", "110 allow tcp/1024-65535 0.0.0.0/0"],
        outbound=["100 allow all 0.0.0.0/0"],
    )  # fmt: skip
    assert queries.internet_egress(net, "web-a").value is True


def test_filters_must_allow(two_az: Builder) -> None:
    """Traffic must pass every security group and network ACL on its path
    (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html)."""
    net = two_az()
    net.add_security_group("sg-80", outbound=["tcp/80 0.0.0.0/0"])
    net.host("web-a").security_groups = ("sg-80",)
    net.add_network_acl(
        "acl-443", ["public-a"],
        inbound=["100 allow tcp/1024-65535 0.0.0.0/0"], outbound=["100 allow tcp/443 0.0.0.0/0"],
    )  # fmt: skip
    answer = queries.internet_egress(net, "web-a")
    assert answer.value is False
    assert "filters-must-allow" in answer.rules
    finding = filtering.common_ports([("a", PortSet.single(80)), ("b", PortSet.single(80))])
    assert finding.ok and finding.value == PortSet.single(80)


# --------------------------------------------------------------------------- availability
def test_instance_availability(two_az: Builder) -> None:
    """An instance lives in one AZ and stops with it
    (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html)."""
    net = two_az()
    assert availability.instance_running(net, net.host("web-a")).ok
    down = net.with_failures(AzOutage("a"))
    finding = availability.instance_running(down, down.host("web-a"))
    assert not finding.ok and finding.text == "web-a is down: its availability zone a failed"
    stopped = net.with_failures(InstanceStopped("web-a"))
    assert queries.internet_egress(stopped, "web-a").rules[-1] == "instance-availability"


def test_nat_gateway_zonal(two_az: Builder) -> None:
    """A NAT gateway is zonal: if its AZ fails, subnets routed to it lose egress
    (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html)."""
    net = two_az()
    assert queries.internet_egress(net, "app-b").value is True
    failed = net.with_failures(AzOutage("a"))
    answer = queries.internet_egress(failed, "app-b")
    assert answer.value is False
    assert (
        "nat-a is down: its availability zone a failed (rule nat-gateway-zonal)" in answer.because
    )
    assert "nat-gateway-zonal" in answer.rules


def test_nat_gateway_per_az(two_az: Builder) -> None:
    """One NAT gateway per AZ, each AZ routed to its own, keeps egress AZ-independent
    (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html)."""
    shared = queries.lost_internet_if_az_fails(two_az(), "a")
    assert shared.value == ["app-b"]
    assert "nat-gateway-per-az" in shared.rules
    per_az = queries.lost_internet_if_az_fails(two_az(per_az_nat=True), "a")
    assert per_az.value == []


def test_nat_instance_single_point(two_az: Builder) -> None:
    """One NAT instance is a single point of failure
    (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_NAT_Instance.html)."""
    net = two_az()
    net.add_nat_instance("nat-i", "public-a", public_ip=True, source_dest_check=False)
    net.add_route_table("rt-private-b", {"0.0.0.0/0": "nat-i"})
    assert queries.internet_egress(net, "app-b").value is True
    stopped = queries.internet_egress(net.with_failures(InstanceStopped("nat-i")), "app-b")
    assert stopped.value is False
    assert "nat-instance-single-point" in stopped.rules
    assert queries.lost_internet_if_az_fails(net, "a").value == ["app-b"]


def test_regional_gateways(two_az: Builder) -> None:
    """Internet gateways are regional: an AZ outage does not take them down
    (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html)."""
    net = two_az()
    net.add_instance("web-b", "public-b", public_ip=True)
    answer = queries.internet_egress(net.with_failures(AzOutage("a")), "web-b")
    assert answer.value is True
    assert "regional-gateways" in answer.rules
    assert "web-b" not in queries.lost_internet_if_az_fails(net, "a").value
