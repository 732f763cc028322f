"""Rules about availability zones: what an AZ outage or a stop takes down, and what survives."""

from __future__ import annotations

from studytool.model.rulebook import docs
from studytool.model.rules import rule
from studytool.model.topology import Instance, NatGateway, NatInstance, Network

NAT_GW_NOTE = "NAT Gateway.md"


def _down_reason(net: Network, host: Instance | NatGateway) -> str | None:
    az = net.az_of_host(host)
    if az in net.failed_azs:
        return f"its availability zone {az} failed"
    if host.name in net.stopped_instances:
        return "it is stopped"
    return None


@rule(
    "instance-availability",
    "An instance runs in one availability zone: it is down while stopped or while its AZ is out.",
    docs.AZ,
    note=(
        "Route Tables and Filtering.md",
        "An AZ outage takes down the instances, NAT gateways and NAT instances",
    ),
)
def instance_running(net: Network, host: Instance) -> tuple:
    reason = _down_reason(net, host)
    if reason:
        return False, f"{host.name} is down: {reason}"
    return True, f"{host.name} is running in availability zone {net.az_of_host(host)}"


@rule(
    "nat-gateway-zonal",
    "A NAT gateway lives in one availability zone: when that AZ fails, every subnet routed to it "
    "loses internet egress, whatever AZ the subnet is in.",
    docs.NAT_GATEWAY,
    note=(NAT_GW_NOTE, "A NAT gateway is zonal: it is created in one Availability Zone"),
)
def nat_gateway_running(net: Network, nat: NatGateway) -> tuple:
    az = net.az_of_host(nat)
    if az in net.failed_azs:
        return False, f"{nat.name} is down: its availability zone {az} failed"
    return True, f"{nat.name} is up in availability zone {az}"


@rule(
    "nat-instance-single-point",
    "One NAT instance is a single point of failure: if it stops or its AZ fails, every subnet "
    "routed to it loses internet egress.",
    docs.NAT_INSTANCE,
    note=("NAT Instance.md", "One NAT instance is a single point of failure"),
)
def nat_instance_running(net: Network, nat: NatInstance) -> tuple:
    reason = _down_reason(net, nat)
    if reason:
        return False, f"NAT instance {nat.name} is down: {reason}"
    return True, f"NAT instance {nat.name} is running in availability zone {net.az_of_host(nat)}"


@rule(
    "regional-gateways",
    "Internet gateways, transit gateways and virtual private gateways are regional and "
    "redundant: an availability zone outage does not take them down.",
    docs.INTERNET_GATEWAY,
    note=(
        "Internet Gateway.md",
        "Scope: regional. It belongs to the VPC, not to one Availability Zone",
    ),
)
def regional_gateway(gateway: str, failed_azs: frozenset[str]) -> tuple:
    if failed_azs:
        zones = ", ".join(sorted(failed_azs))
        return (
            True,
            f"{gateway} is regional: the outage of availability zone {zones} does not affect it",
        )
    return True, f"{gateway} is regional: no single availability zone holds it"


@rule(
    "nat-gateway-per-az",
    "For AZ-independent egress, create one NAT gateway in each availability zone and route each "
    "AZ's private subnets to the NAT gateway in the same AZ.",
    docs.NAT_GATEWAY,
    note=(NAT_GW_NOTE, "create one NAT gateway in each Availability Zone"),
)
def same_az_nat(net: Network, subnet_name: str, nat: NatGateway) -> tuple:
    subnet_az = net.subnet(subnet_name).az
    nat_az = net.az_of_host(nat)
    if subnet_az == nat_az:
        return True, f"{subnet_name} (AZ {subnet_az}) uses {nat.name} in its own AZ"
    return False, (
        f"{subnet_name} in AZ {subnet_az} depends on {nat.name} in AZ {nat_az}: route each AZ's "
        "private subnets to a NAT gateway in the same AZ"
    )
