"""Security group and network ACL rules: their text syntax and how they filter TCP traffic.

Syntax (the scenario format's)::

    security group rule:  "tcp/443 0.0.0.0/0"   "tcp/1024-65535 10.0.0.0/16"   "all 0.0.0.0/0"
                          "tcp/22 sg-bastion"     (peer = members of another security group)
    network ACL rule:     "100 allow tcp/443 0.0.0.0/0"    "90 deny all 203.0.113.0/24"

Protocols: ``tcp``, ``udp``, ``icmp``, ``all``; ports: ``N``, ``N-M`` or ``all`` (a bare
protocol means all of its ports). The model asks only about TCP connections, so evaluation
looks at ``tcp`` and ``all`` rules. Security groups allow (union of allow rules); network ACLs
take the lowest-numbered matching rule per port, and whatever no rule matches is denied.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from studytool.model.addressing import (
    ALL_PORTS,
    NO_PORTS,
    IPAddress,
    IPNetwork,
    PortSet,
    network_contains,
    parse_network,
)

PROTOCOLS = ("tcp", "udp", "icmp", "all")
ACL_RULE_NUMBER_MAX = 32766


#: the protocols whose rules apply to TCP traffic
_TCP_CARRIERS = frozenset({"tcp", "all"})


class FilterSyntaxError(ValueError):
    """A security group or network ACL rule that does not follow the syntax."""


class SgRule(NamedTuple):
    """One allow rule of a security group: protocol, ports and a CIDR or security group peer."""

    protocol: str
    ports: PortSet
    cidr: IPNetwork | None
    group: str | None
    text: str

    def carries_tcp(self) -> bool:
        return self.protocol in _TCP_CARRIERS

    def matches_peer(self, address: IPAddress, groups: frozenset[str]) -> bool:
        if self.group is not None:
            return self.group in groups
        return self.cidr is not None and network_contains(self.cidr, address)


class AclRule(NamedTuple):
    """One numbered network ACL rule."""

    number: int
    allow: bool
    protocol: str
    ports: PortSet
    cidr: IPNetwork
    text: str

    def carries_tcp(self) -> bool:
        return self.protocol in _TCP_CARRIERS

    @property
    def action(self) -> str:
        return "allow" if self.allow else "deny"


def parse_protocol_ports(text: str) -> tuple[str, PortSet]:
    """``tcp/443`` → ("tcp", {443}); ``all`` → ("all", all ports)."""
    protocol, _, ports_text = text.lower().partition("/")
    if protocol == "-1":
        protocol = "all"
    if protocol not in PROTOCOLS:
        raise FilterSyntaxError(
            f"unknown protocol {protocol!r} (expected one of {', '.join(PROTOCOLS)})"
        )
    if protocol in ("all", "icmp"):
        if ports_text and ports_text != "all":
            raise FilterSyntaxError(f"protocol {protocol} takes no port range ({text!r})")
        return protocol, ALL_PORTS
    if not ports_text or ports_text == "all":
        return protocol, ALL_PORTS
    return protocol, _parse_port_range(ports_text)


def _parse_port_range(text: str) -> PortSet:
    low_text, dash, high_text = text.partition("-")
    try:
        low = int(low_text)
        high = int(high_text) if dash else low
    except ValueError:
        raise FilterSyntaxError(f"bad port range {text!r} (expected N or N-M)") from None
    if not (0 <= low <= high <= 65535):
        raise FilterSyntaxError(f"bad port range {text!r} (ports go from 0 to 65535, low first)")
    return PortSet.between(low, high)


def parse_sg_rule(text: str) -> SgRule:
    """Parse ``"PROTOCOL[/PORTS] PEER"`` where PEER is a CIDR block or a security group name.

    Rules are immutable, so a text parsed before gives the same shared rule."""
    return _parse_sg_rule(str(text))


@lru_cache(maxsize=2048)
def _parse_sg_rule(text: str) -> SgRule:
    parts = text.split()
    if len(parts) != 2:
        raise FilterSyntaxError(
            f"security group rule {text!r} should be 'PROTOCOL[/PORTS] SOURCE', "
            "like 'tcp/443 0.0.0.0/0'"
        )
    protocol, ports = parse_protocol_ports(parts[0])
    peer = parts[1]
    if "/" in peer or peer[:1].isdigit() or ":" in peer:
        try:
            return SgRule(protocol, ports, parse_network(peer), None, text)
        except ValueError as error:
            raise FilterSyntaxError(str(error)) from None
    return SgRule(protocol, ports, None, peer, text)


def parse_acl_rule(text: str) -> AclRule:
    """Parse ``"NUMBER allow|deny PROTOCOL[/PORTS] CIDR"`` (shared like security group rules)."""
    return _parse_acl_rule(str(text))


@lru_cache(maxsize=2048)
def _parse_acl_rule(text: str) -> AclRule:
    parts = text.split()
    if len(parts) != 4:
        raise FilterSyntaxError(
            f"network ACL rule {text!r} should be 'NUMBER allow|deny PROTOCOL[/PORTS] CIDR', "
            "like '100 allow tcp/443 0.0.0.0/0'"
        )
    number_text, action, protocol_ports, cidr_text = parts
    try:
        number = int(number_text)
    except ValueError:
        raise FilterSyntaxError(f"rule number {number_text!r} is not a whole number") from None
    if not 1 <= number <= ACL_RULE_NUMBER_MAX:
        raise FilterSyntaxError(f"rule number {number} is outside 1..{ACL_RULE_NUMBER_MAX}")
    if action.lower() not in ("allow", "deny"):
        raise FilterSyntaxError(f"action {action!r} should be allow or deny")
    protocol, ports = parse_protocol_ports(protocol_ports)
    try:
        cidr = parse_network(cidr_text)
    except ValueError as error:
        raise FilterSyntaxError(str(error)) from None
    return AclRule(number, action.lower() == "allow", protocol, ports, cidr, text)


def sg_tcp_ports(
    rules: tuple[SgRule, ...], peer: IPAddress, peer_groups: frozenset[str] = frozenset()
) -> PortSet:
    """The TCP ports that security group rules allow to/from ``peer`` (a union)."""
    allowed = NO_PORTS
    for rule in rules:
        # carries_tcp() and matches_peer(), inlined: this loop runs for every group check
        if rule.protocol not in _TCP_CARRIERS:
            continue
        group = rule.group
        if group is not None:
            if group not in peer_groups:
                continue
        elif rule.cidr is None or peer not in rule.cidr:
            continue
        allowed = allowed.union(rule.ports)
    return allowed


class AclDecision(NamedTuple):
    """What one direction of a network ACL does with TCP traffic to/from one peer."""

    allowed: PortSet
    #: (deciding deny rule or None for the implicit final deny, the ports it denies)
    denials: tuple[tuple[AclRule | None, PortSet], ...]
    #: the allow rules that decided some of the ports
    allowing: tuple[AclRule, ...]


def acl_tcp_decision(rules: tuple[AclRule, ...], peer: IPAddress, ports: PortSet) -> AclDecision:
    """First match wins, lowest number first; ports no rule matches fall to the implicit deny."""
    remaining = ports
    allowed = NO_PORTS
    denials: list[tuple[AclRule | None, PortSet]] = []
    allowing: list[AclRule] = []
    for rule in rules:
        if not remaining:
            break
        # carries_tcp() and network_contains(), inlined: this loop runs for every ACL check
        if rule.protocol not in _TCP_CARRIERS or peer not in rule.cidr:
            continue
        decided = remaining.intersection(rule.ports)
        if not decided:
            continue
        remaining = remaining.difference(decided)
        if rule.allow:
            allowed = allowed.union(decided)
            allowing.append(rule)
        else:
            denials.append((rule, decided))
    if remaining:
        denials.append((None, remaining))
    return AclDecision(allowed, tuple(denials), tuple(allowing))
