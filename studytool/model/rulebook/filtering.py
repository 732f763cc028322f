"""Rules about security groups (stateful, allow only) and network ACLs (stateless, numbered)."""

from __future__ import annotations

from typing import NamedTuple

from studytool.model.addressing import (
    ALL_PORTS,
    EPHEMERAL_PORTS,
    IPAddress,
    PortSet,
    network_contains,
)
from studytool.model.answer import Finding
from studytool.model.filters import AclDecision, SgRule, acl_tcp_decision, sg_tcp_ports
from studytool.model.rulebook import docs
from studytool.model.rules import rule
from studytool.model.topology import Instance, Network

IGW_NOTE = "Internet Gateway.md"


class Peer(NamedTuple):
    """The other end of a filtered packet: its address and how to call it in explanations."""

    address: IPAddress
    label: str = ""
    groups: frozenset[str] = frozenset()

    def __str__(self) -> str:
        return self.label or str(self.address)


def ports_phrase(ports: PortSet) -> str:
    if ports == ALL_PORTS:
        return "all TCP ports"
    if len(ports.ranges) == 1 and ports.ranges[0][0] == ports.ranges[0][1]:
        return f"TCP port {ports.ranges[0][0]}"
    return f"TCP ports {ports}"


def _toward(direction: str, peer: Peer) -> str:
    return f"outbound to {peer}" if direction == "outbound" else f"inbound from {peer}"


# --------------------------------------------------------------------------- security groups
def sg_allowed_ports(net: Network, host: Instance, direction: str, peer: Peer) -> PortSet:
    """TCP ports the host's security groups allow in ``direction`` for ``peer``."""
    if host.security_groups is None:
        if direction == "outbound" or network_contains(net.vpc.cidr, peer.address):  # type: ignore[arg-type]
            return ALL_PORTS
        return PortSet()
    rules: list[SgRule] = []
    for name in host.security_groups:
        group = net.security_groups.get(name)
        if group is not None:
            rules.extend(group.outbound if direction == "outbound" else group.inbound)
    return sg_tcp_ports(tuple(rules), peer.address, peer.groups)


def _groups_label(host: Instance) -> str:
    groups = ", ".join(host.security_groups or ()) or "none"
    return f"{host.name}'s security groups ({groups})"


@rule(
    "security-group-default",
    "An instance with no security groups of its own (the format's default) may send anything "
    "out and accepts inbound traffic only from inside the VPC.",
    docs.SECURITY_GROUPS,
    note=(
        "Route Tables and Filtering.md",
        "The default security group allows inbound traffic only from resources",
    ),
)
def default_security_group(
    net: Network, host: Instance, direction: str, peer: Peer, requested: PortSet
) -> tuple:
    allowed = sg_allowed_ports(net, host, direction, peer).intersection(requested)
    if direction == "outbound":
        return (
            True,
            f"{host.name} has no security groups listed: the default allows all outbound traffic",
            allowed,
        )
    if allowed:
        return (
            True,
            f"{host.name} has no security groups listed: the default accepts {peer}, inside "
            "the VPC",
            allowed,
        )
    return (
        False,
        (
            f"{host.name} has no security groups listed: the default accepts inbound traffic only "
            f"from inside the VPC, not from {peer}"
        ),
        allowed,
    )


@rule(
    "security-group-stateful",
    "Security groups hold allow rules only and are stateful: traffic no rule allows is dropped, "
    "and replies to allowed traffic are allowed automatically.",
    docs.SECURITY_GROUPS,
    note=(IGW_NOTE, "Security groups are stateful: the reply to an allowed connection is allowed"),
)
def security_group_rules(
    net: Network, host: Instance, direction: str, peer: Peer, requested: PortSet
) -> tuple:
    allowed = sg_allowed_ports(net, host, direction, peer).intersection(requested)
    label = _groups_label(host)
    if allowed:
        return (
            True,
            (
                f"{label} allow {_toward(direction, peer)} on {ports_phrase(allowed)}; "
                "the replies are allowed automatically (stateful)"
            ),
            allowed,
        )
    wanted = "" if requested == ALL_PORTS else f" on {ports_phrase(requested)}"
    return False, f"{label} allow no TCP {_toward(direction, peer)}{wanted}", allowed


def host_security_groups(
    net: Network, host: Instance, direction: str, peer: Peer, requested: PortSet
) -> Finding:
    """The security group finding for a host: the format's default, or its own groups."""
    if host.security_groups is None:
        return default_security_group(net, host, direction, peer, requested)
    return security_group_rules(net, host, direction, peer, requested)


# --------------------------------------------------------------------------- network ACLs
def _denial_phrase(decision: AclDecision) -> str:
    parts = []
    for acl_rule, ports in decision.denials[:3]:
        if acl_rule is None:
            single = len(ports.ranges) == 1 and ports.ranges[0][0] == ports.ranges[0][1]
            verbs = "matches no rule and falls" if single else "match no rule and fall"
            parts.append(f"{ports_phrase(ports)} {verbs} to the final * rule (deny)")
        else:
            parts.append(f"rule {acl_rule.number} ({acl_rule.text}) denies {ports_phrase(ports)}")
    return "; ".join(parts)


@rule(
    "network-acl-default",
    "A subnet with no custom network ACL uses the VPC's default network ACL, which allows all "
    "inbound and outbound traffic.",
    docs.DEFAULT_NETWORK_ACL,
    note=(
        "Route Tables and Filtering.md",
        "The VPC's default network ACL allows all inbound and outbound traffic",
    ),
)
def default_network_acl(subnet_name: str) -> tuple:
    return True, f"{subnet_name} uses the default network ACL, which allows all traffic"


@rule(
    "network-acl-rule-order",
    "Network ACL rules are evaluated lowest number first; the first rule that matches decides, "
    "and traffic no rule matches is denied.",
    docs.NETWORK_ACL_RULES,
    note=(IGW_NOTE, "Network ACL rules are evaluated in order, lowest rule number first"),
)
def network_acl_rules(
    net: Network, subnet_name: str, direction: str, peer: Peer, requested: PortSet
) -> tuple:
    acl = net.acl_of(subnet_name)
    assert acl is not None
    rules = acl.outbound if direction == "outbound" else acl.inbound
    decision = acl_tcp_decision(rules, peer.address, requested)
    where = f"network ACL {acl.name} of {subnet_name}"
    if decision.allowed:
        numbers = ", ".join(str(r.number) for r in decision.allowing)
        return (
            True,
            (
                f"{where} allows {_toward(direction, peer)} on {ports_phrase(decision.allowed)} "
                f"(rule {numbers})"
            ),
            decision.allowed,
        )
    return (
        False,
        f"{where} blocks {_toward(direction, peer)}: {_denial_phrase(decision)}",
        decision.allowed,
    )


@rule(
    "network-acl-return-traffic",
    "Network ACLs are stateless: the reply traffic needs its own rule, on the ephemeral ports "
    "1024-65535.",
    docs.NETWORK_ACLS,
    note=(IGW_NOTE, "allow the return traffic on the ephemeral ports 1024-65535"),
)
def network_acl_return(net: Network, subnet_name: str, direction: str, peer: Peer) -> tuple:
    acl = net.acl_of(subnet_name)
    assert acl is not None
    rules = acl.outbound if direction == "outbound" else acl.inbound
    decision = acl_tcp_decision(rules, peer.address, EPHEMERAL_PORTS)
    where = f"network ACL {acl.name} of {subnet_name}"
    if decision.allowed.covers(EPHEMERAL_PORTS):
        return (
            True,
            f"{where} allows the return traffic {_toward(direction, peer)} on ephemeral ports "
            "1024-65535",
        )
    return False, (
        f"{where} blocks the return traffic {_toward(direction, peer)} on ephemeral ports "
        f"1024-65535 (network ACLs are stateless): {_denial_phrase(decision)}"
    )


def subnet_acl_forward(
    net: Network, subnet_name: str, direction: str, peer: Peer, requested: PortSet
) -> Finding:
    """The network ACL finding for traffic that starts a connection."""
    if net.acl_of(subnet_name) is None:
        return default_network_acl(subnet_name)
    return network_acl_rules(net, subnet_name, direction, peer, requested)


def subnet_acl_return(net: Network, subnet_name: str, direction: str, peer: Peer) -> Finding:
    """The network ACL finding for the replies of a connection."""
    if net.acl_of(subnet_name) is None:
        return default_network_acl(subnet_name)
    return network_acl_return(net, subnet_name, direction, peer)


@rule(
    "filters-must-allow",
    "Traffic must be allowed by every security group and network ACL on its path: the ports "
    "that get through are those all of them allow.",
    docs.SECURITY_GROUP_RULES,
    note=(IGW_NOTE, "security groups and network ACLs that allow the traffic"),
)
def common_ports(allowed: list[tuple[str, PortSet]]) -> tuple:
    together = ALL_PORTS
    for _label, ports in allowed:
        together = together.intersection(ports)
    if together:
        return True, f"every filter on the path allows {ports_phrase(together)}", together
    listed = "; ".join(f"{label} allows {ports}" for label, ports in allowed)
    return False, f"no TCP port is allowed by every filter on the path: {listed}", together
