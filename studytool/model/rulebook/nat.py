"""Rules about NAT gateways (public and private) and NAT instances."""

from __future__ import annotations

from studytool.model.addressing import IPAddress, PortSet
from studytool.model.rulebook import docs
from studytool.model.rulebook.filtering import Peer, ports_phrase, sg_allowed_ports
from studytool.model.rulebook.routing import matching_route
from studytool.model.rules import rule
from studytool.model.topology import NatGateway, NatInstance, Network, PortForward

NAT_GW_NOTE = "NAT Gateway.md"
NAT_I_NOTE = "NAT Instance.md"

PUBLIC_SUBNET_PRECISION = (
    "AWS documentation: only a public NAT gateway must sit in a public subnet; a private NAT "
    "gateway can sit in any subnet"
)
PRIMARY_EIP_PRECISION = (
    "AWS documentation: only the primary Elastic IP is fixed for the gateway's life; secondary "
    "Elastic IPs can be associated and disassociated at any time"
)


def routes_to_attached_igw(
    net: Network, subnet_name: str, destination: IPAddress | None
) -> tuple[bool, str]:
    """Does the subnet route ``destination`` (or, when None, anything) to the attached IGW?"""
    subnet = net.subnet(subnet_name)
    table, _implicit = net.route_table_of(subnet)
    attached = net.vpc.internet_gateway
    if destination is None:
        routes = table.routes if table else ()
        if attached and any(route.target == attached for route in routes):
            return (
                True,
                f"its subnet {subnet_name} routes to the attached internet gateway {attached}",
            )
        return False, f"its subnet {subnet_name} has no route to an attached internet gateway"
    route = matching_route(net, table, destination)
    if route is None:
        return False, f"its subnet {subnet_name} has no route for {destination}"
    if attached and route.target == attached:
        return (
            True,
            f"its subnet {subnet_name} sends {destination} to the attached internet gateway "
            f"{attached}",
        )
    return (
        False,
        f"its subnet {subnet_name} sends {destination} to {route.target}, not to an attached "
        "internet gateway",
    )


@rule(
    "nat-gateway-public-subnet",
    "A public NAT gateway must sit in a public subnet, one that routes to the attached internet "
    "gateway (a private NAT gateway need not).",
    docs.NAT_GATEWAY,
    note=(NAT_GW_NOTE, "A public NAT gateway must be created in a public subnet"),
    docs_precision=PUBLIC_SUBNET_PRECISION,
)
def nat_gateway_subnet(
    net: Network, nat: NatGateway, destination: IPAddress | None = None
) -> tuple:
    if not nat.is_public:
        return (
            True,
            f"{nat.name} is a private NAT gateway, so its subnet need not be public "
            f"({PUBLIC_SUBNET_PRECISION})",
        )
    ok, where = routes_to_attached_igw(net, nat.subnet, destination)
    if ok:
        return True, f"public NAT gateway {nat.name}: {where}"
    return False, f"public NAT gateway {nat.name} is in a private subnet: {where}"


@rule(
    "nat-gateway-eip",
    "A public NAT gateway needs an Elastic IP address, associated when it is created.",
    docs.NAT_GATEWAY,
    note=(NAT_GW_NOTE, "It needs an Elastic IP address, associated when you create it"),
)
def nat_gateway_eip(nat: NatGateway) -> tuple:
    if not nat.is_public:
        return True, f"{nat.name} is a private NAT gateway: it needs no Elastic IP"
    if nat.elastic_ip:
        return True, f"public NAT gateway {nat.name} has the Elastic IP {nat.elastic_ip}"
    return False, f"public NAT gateway {nat.name} has no Elastic IP address"


@rule(
    "nat-gateway-primary-eip",
    "Only a NAT gateway's primary Elastic IP is fixed for its life; secondary Elastic IPs can be "
    "added and removed.",
    docs.NAT_GATEWAY_EIPS,
    note=(NAT_GW_NOTE, "Only the primary Elastic IP address is fixed for the life of the gateway"),
    docs_precision=PRIMARY_EIP_PRECISION,
)
def nat_gateway_eip_removable(nat: NatGateway, eip: str) -> tuple:
    if eip == nat.elastic_ip:
        return (
            False,
            f"{eip} is {nat.name}'s primary Elastic IP: it stays for the gateway's life",
            False,
        )
    if eip in nat.secondary_elastic_ips:
        return (
            True,
            f"{eip} is a secondary Elastic IP of {nat.name}: it can be removed "
            f"({PRIMARY_EIP_PRECISION})",
            True,
        )
    return False, f"{eip} is not associated with {nat.name}", False


@rule(
    "nat-gateway-private-no-eip",
    "A private NAT gateway cannot have an Elastic IP address.",
    docs.NAT_GATEWAY,
    note=(NAT_GW_NOTE, "A private NAT gateway cannot have an Elastic IP address"),
)
def private_nat_gateway_eip(nat: NatGateway) -> tuple:
    addresses = [a for a in (nat.elastic_ip, *nat.secondary_elastic_ips) if a]
    if nat.is_public or not addresses:
        return True, f"{nat.name} has no Elastic IP it should not have"
    return False, f"private NAT gateway {nat.name} is given the Elastic IP {', '.join(addresses)}"


@rule(
    "nat-gateway-private-no-internet",
    "A private NAT gateway never reaches the internet: if its traffic is routed to an internet "
    "gateway, the internet gateway drops it.",
    docs.NAT_GATEWAY,
    note=(NAT_GW_NOTE, "If a private NAT gateway's traffic is routed to an internet gateway"),
)
def private_nat_gateway_internet(nat: NatGateway) -> tuple:
    return False, (
        f"{nat.name} is a private NAT gateway: the internet gateway drops its traffic, "
        "so it never reaches the internet"
    )


@rule(
    "nat-gateway-no-inbound",
    "A NAT gateway lets private instances start connections out; the internet can never start a "
    "connection to them through it.",
    docs.NAT_GATEWAY,
    note=(NAT_GW_NOTE, "external services cannot start a connection with those instances"),
)
def nat_gateway_inbound(nat: NatGateway) -> tuple:
    return (
        False,
        f"{nat.name} is a NAT gateway: it never accepts connections started from the internet",
    )


@rule(
    "nat-gateway-no-security-groups",
    "A NAT gateway has no security groups; only the network ACL of its subnet filters it.",
    docs.NAT_GATEWAY,
    note=(NAT_GW_NOTE, "cannot associate security groups with a NAT gateway"),
)
def nat_gateway_filters(nat: NatGateway) -> tuple:
    return (
        True,
        f"{nat.name} has no security groups: only the network ACL of {nat.subnet} filters it",
    )


@rule(
    "nat-instance-source-dest-check",
    "A NAT instance must have its source/destination check turned off, since it forwards "
    "traffic that is neither from nor to itself.",
    docs.NAT_INSTANCE_WORK,
    note=(NAT_I_NOTE, "Disable the source/destination check on the NAT instance"),
)
def nat_instance_source_dest(nat: NatInstance) -> tuple:
    if nat.source_dest_check:
        return False, (
            f"NAT instance {nat.name} has its source/destination check on: it drops the traffic "
            "it should forward"
        )
    return True, f"NAT instance {nat.name} has its source/destination check off"


@rule(
    "nat-instance-public-ip",
    "A NAT instance needs a public IPv4 address or an Elastic IP.",
    docs.NAT_INSTANCE_WORK,
    note=(NAT_I_NOTE, "Give it a public IPv4 address or an Elastic IP address"),
)
def nat_instance_public_ip(nat: NatInstance) -> tuple:
    if nat.elastic_ip:
        return True, f"NAT instance {nat.name} has the Elastic IP {nat.elastic_ip}"
    if nat.public_ip:
        return True, f"NAT instance {nat.name} has a public IPv4 address"
    return False, f"NAT instance {nat.name} has no public IPv4 address or Elastic IP"


@rule(
    "nat-instance-public-subnet",
    "A NAT instance must sit in a public subnet, one that routes to the attached internet gateway.",
    docs.NAT_INSTANCE_WORK,
    note=(NAT_I_NOTE, "Launch it in a public subnet"),
)
def nat_instance_subnet(
    net: Network, nat: NatInstance, destination: IPAddress | None = None
) -> tuple:
    ok, where = routes_to_attached_igw(net, nat.subnet, destination)
    if ok:
        return True, f"NAT instance {nat.name}: {where}"
    return False, f"NAT instance {nat.name} is in a private subnet: {where}"


@rule(
    "nat-instance-security-groups",
    "A NAT instance's security groups apply to what it forwards: inbound they must allow the "
    "traffic from the private instances, outbound the traffic to its destination.",
    docs.NAT_INSTANCE_WORK,
    note=(NAT_I_NOTE, "A NAT instance has security groups, like any EC2 instance"),
)
def nat_instance_security_groups(
    net: Network, nat: NatInstance, direction: str, peer: Peer, requested: PortSet
) -> tuple:
    allowed = sg_allowed_ports(net, nat, direction, peer).intersection(requested)
    groups = ", ".join(nat.security_groups) if nat.security_groups is not None else "default"
    toward = f"outbound to {peer}" if direction == "outbound" else f"inbound from {peer}"
    if allowed:
        return (
            True,
            f"NAT instance {nat.name}'s security groups ({groups}) allow {toward} on "
            f"{ports_phrase(allowed)}",
            allowed,
        )
    return (
        False,
        f"NAT instance {nat.name}'s security groups ({groups}) allow no TCP {toward}",
        allowed,
    )


@rule(
    "nat-instance-port-forward",
    "A NAT instance can forward a port to an instance in a private subnet, so that instance can "
    "accept connections from the internet (a NAT gateway cannot).",
    docs.NAT_INSTANCE,
    note=(NAT_I_NOTE, "a port forward sends connections that arrive on one of its ports"),
)
def nat_instance_forward(nat: NatInstance, forward: PortForward) -> tuple:
    return True, (
        f"NAT instance {nat.name} forwards its port {forward.port} to {forward.to} port "
        f"{forward.target_port} (it rewrites the source to its own address)"
    )
