"""One test per NAT gateway and NAT instance rule. Expected answers follow the AWS VPC User
Guide pages named in each docstring."""

from __future__ import annotations

from collections.abc import Callable

from studytool.model import queries
from studytool.model.rulebook import nat
from studytool.model.topology import Network, PortForward

Builder = Callable[..., Network]


def test_nat_gateway_public_subnet(two_az: Builder) -> None:
    """A public NAT gateway must be created in a public subnet; a private one need not
    (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html)."""
    net = two_az()
    net.add_nat_gateway("nat-bad", "private-a", "eip-x")
    net.add_nat_gateway("nat-p", "private-a", connectivity="private")
    assert nat.nat_gateway_subnet(net, net.nat_gateway("nat-a")).ok
    bad = nat.nat_gateway_subnet(net, net.nat_gateway("nat-bad"))
    assert not bad.ok and "in a private subnet" in bad.text
    private = nat.nat_gateway_subnet(net, net.nat_gateway("nat-p"))
    assert private.ok and "AWS documentation" in private.text
    net.add_route_table("rt-private-b", {"0.0.0.0/0": "nat-bad"})
    answer = queries.internet_egress(net, "app-b")
    assert answer.value is False
    assert "nat-gateway-public-subnet" in answer.rules


def test_nat_gateway_eip(two_az: Builder) -> None:
    """A public NAT gateway needs an Elastic IP at creation
    (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html)."""
    net = two_az()
    net.add_nat_gateway("nat-a", "public-a")
    answer = queries.internet_egress(net, "app-b")
    assert answer.value is False
    assert (
        "public NAT gateway nat-a has no Elastic IP address (rule nat-gateway-eip)"
        in answer.because
    )
    assert "nat-gateway-eip" in answer.rules
    assert queries.problems(net).value == ["nat-gateway-missing-eip"]


def test_nat_gateway_primary_eip(two_az: Builder) -> None:
    """Only secondary Elastic IPs can be disassociated; the primary stays
    (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisassociateNatGatewayAddress.html)."""
    net = two_az()
    net.add_nat_gateway("nat-a", "public-a", "eip-a", secondary_elastic_ips=["eip-2", "eip-3"])
    primary = queries.nat_gateway_eip_removable(net, "nat-a", "eip-a")
    assert primary.value is False and primary.rules == ["nat-gateway-primary-eip"]
    secondary = queries.nat_gateway_eip_removable(net, "nat-a", "eip-3")
    assert secondary.value is True
    assert "AWS documentation" in secondary.because[0]
    assert queries.nat_gateway_eip_removable(net, "nat-a", "eip-9").value is False


def test_nat_gateway_private_no_eip(two_az: Builder) -> None:
    """A private NAT gateway cannot have an Elastic IP
    (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html)."""
    net = two_az()
    net.add_nat_gateway("nat-p", "private-a", "eip-p", connectivity="private")
    finding = nat.private_nat_gateway_eip(net.nat_gateway("nat-p"))
    assert finding.rule_id == "nat-gateway-private-no-eip" and not finding.ok
    assert queries.problems(net).value == ["private-nat-gateway-with-eip"]


def test_nat_gateway_private_no_internet(two_az: Builder) -> None:
    """Traffic from a private NAT gateway routed to an internet gateway is dropped
    (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html)."""
    net = two_az()
    net.add_nat_gateway("nat-p", "public-a", connectivity="private")
    net.add_route_table("rt-private-b", {"0.0.0.0/0": "nat-p"})
    answer = queries.internet_egress(net, "app-b")
    assert answer.value is False
    assert "nat-gateway-private-no-internet" in answer.rules
    assert queries.problems(net).value == []  # a private NAT gateway without EIP is valid


def test_nat_gateway_no_inbound(two_az: Builder) -> None:
    """External services cannot start a connection through a NAT gateway
    (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html)."""
    answer = queries.internet_ingress(two_az(), "app-b", 443)
    assert answer.value is False
    assert "nat-gateway-no-inbound" in answer.rules
    expected = "nat-a is a NAT gateway: it never accepts connections started from the internet"
    assert f"{expected} (rule nat-gateway-no-inbound)" in answer.because


def test_nat_gateway_no_security_groups(two_az: Builder) -> None:
    """A NAT gateway has no security groups; its subnet's network ACL filters it
    (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html)."""
    net = two_az()
    net.add_network_acl(
        "acl-pub",
        ["public-a"],
        inbound=["100 allow all 10.0.0.0/16"],
        outbound=["100 allow all 0.0.0.0/0"],
    )
    answer = queries.internet_egress(net, "app-b")
    assert answer.value is False  # the replies from the internet are not allowed back in
    assert "nat-gateway-no-security-groups" in answer.rules
    assert "network-acl-return-traffic" in answer.rules


def test_nat_instance_source_dest_check(two_az: Builder) -> None:
    """A NAT instance must have source/destination checking disabled
    (https://docs.aws.amazon.com/vpc/latest/userguide/work-with-nat-instances.html)."""
    net = two_az()
    net.add_nat_instance("nat-i", "public-a", public_ip=True)
    net.add_route_table("rt-private-b", {"0.0.0.0/0": "nat-i"})
    answer = queries.internet_egress(net, "app-b")
    assert answer.value is False
    assert "nat-instance-source-dest-check" in answer.rules
    assert queries.problems(net).value == ["nat-instance-source-dest-check"]


def test_nat_instance_public_ip(two_az: Builder) -> None:
    """A NAT instance needs a public IPv4 address or an Elastic IP
    (https://docs.aws.amazon.com/vpc/latest/userguide/work-with-nat-instances.html)."""
    net = two_az()
    net.add_nat_instance("nat-i", "public-a", source_dest_check=False)
    net.add_route_table("rt-private-b", {"0.0.0.0/0": "nat-i"})
    answer = queries.internet_egress(net, "app-b")
    assert answer.value is False
    assert "nat-instance-public-ip" in answer.rules
    net.add_nat_instance("nat-i", "public-a", elastic_ip="eip-i", source_dest_check=False)
    assert queries.internet_egress(net, "app-b").value is True


def test_nat_instance_public_subnet(two_az: Builder) -> None:
    """A NAT instance must be launched in a public subnet
    (https://docs.aws.amazon.com/vpc/latest/userguide/work-with-nat-instances.html)."""
    net = two_az()
    net.add_nat_instance("nat-i", "private-a", public_ip=True, source_dest_check=False)
    net.add_route_table("rt-private-b", {"0.0.0.0/0": "nat-i"})
    answer = queries.internet_egress(net, "app-b")
    assert answer.value is False
    assert "nat-instance-public-subnet" in answer.rules
    assert queries.problems(net).value == ["nat-instance-in-private-subnet"]


def test_nat_instance_security_groups(two_az: Builder) -> None:
    """A NAT instance's security groups must allow the private subnets' traffic in
    (https://docs.aws.amazon.com/vpc/latest/userguide/work-with-nat-instances.html)."""
    net = two_az()
    net.add_security_group("sg-nat", inbound=["tcp/443 10.0.10.0/24"], outbound=["all 0.0.0.0/0"])
    net.add_nat_instance(
        "nat-i", "public-a", public_ip=True, source_dest_check=False, security_groups=["sg-nat"]
    )
    net.add_route_table("rt-private-a", {"0.0.0.0/0": "nat-i"})
    net.add_route_table("rt-private-b", {"0.0.0.0/0": "nat-i"})
    assert queries.internet_egress(net, "app-a").value is True  # 10.0.10.x is allowed on 443
    answer = queries.internet_egress(net, "app-b")  # 10.0.11.x is not
    assert answer.value is False
    assert "nat-instance-security-groups" in answer.rules


def test_nat_instance_port_forward(two_az: Builder) -> None:
    """A NAT instance can forward a port so the internet reaches a private instance
    (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_NAT_Instance.html)."""
    net = two_az()
    net.add_security_group("sg-nat", inbound=["tcp/2222 0.0.0.0/0"], outbound=["all 0.0.0.0/0"])
    net.add_nat_instance(
        "nat-i", "public-a", public_ip=True, source_dest_check=False, security_groups=["sg-nat"],
        port_forwards=[PortForward(2222, "app-b", 22)],
    )  # fmt: skip
    answer = queries.internet_ingress(net, "app-b", 22)
    assert answer.value is True
    assert "nat-instance-port-forward" in answer.rules
    assert queries.internet_ingress(net, "app-b", 2222).value is False
    assert queries.internet_ingress(net, "app-a", 22).value is False
