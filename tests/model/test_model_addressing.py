"""CIDR parsing, port sets, and the security group / network ACL rule syntax."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from studytool.model.addressing import (
    EPHEMERAL_PORTS,
    PortSet,
    network_contains,
    parse_address,
    parse_network,
)
from studytool.model.filters import (
    FilterSyntaxError,
    acl_tcp_decision,
    parse_acl_rule,
    parse_sg_rule,
    sg_tcp_ports,
)
from studytool.model.topology import Network, Vpc


def test_cidr_parsing_is_strict_and_readable() -> None:
    assert str(parse_network("10.0.0.0/16")) == "10.0.0.0/16"
    assert parse_network("::/0").version == 6
    with pytest.raises(ValueError, match="host bits set"):
        parse_network("10.0.0.1/16")
    with pytest.raises(ValueError, match="not a CIDR block"):
        parse_network("10.0.0.0")
    with pytest.raises(ValueError, match="not a valid CIDR"):
        parse_network("10.0.0.0/40")
    with pytest.raises(ValueError, match="not a valid IP address"):
        parse_address("10.0.0.300")


def test_families_never_match_each_other() -> None:
    assert network_contains(parse_network("0.0.0.0/0"), parse_address("8.8.8.8"))
    assert not network_contains(parse_network("::/0"), parse_address("8.8.8.8"))
    assert not network_contains(parse_network("0.0.0.0/0"), parse_address("2001:db8::1"))


def test_port_set_arithmetic() -> None:
    web = PortSet([(443, 443), (80, 80), (81, 90)])
    assert str(web) == "80-90, 443"
    assert web.intersection(PortSet.between(85, 500)) == PortSet([(85, 90), (443, 443)])
    assert str(PortSet.between(0, 65535).difference(web)) == "0-79, 91-442, 444-65535"
    assert EPHEMERAL_PORTS.covers(PortSet.between(2000, 3000))
    assert not EPHEMERAL_PORTS.covers(PortSet.single(80))
    assert web.pick() == 443 and PortSet.single(22).pick() == 22 and PortSet().pick() is None
    assert not PortSet() and str(PortSet()) == "none"


def test_security_group_rule_syntax() -> None:
    rule = parse_sg_rule("tcp/1024-65535 10.0.0.0/16")
    assert (rule.protocol, str(rule.ports), str(rule.cidr), rule.group) == (
        "tcp",
        "1024-65535",
        "10.0.0.0/16",
        None,
    )
    assert parse_sg_rule("tcp/22 sg-bastion").group == "sg-bastion"
    assert str(parse_sg_rule("all 0.0.0.0/0").ports) == "all"
    assert parse_sg_rule("icmp 0.0.0.0/0").carries_tcp() is False
    for bad in (
        "tcp/443",
        "gre 0.0.0.0/0",
        "tcp/70000 0.0.0.0/0",
        "tcp/90-80 0.0.0.0/0",
        "all/22 0.0.0.0/0",
    ):
        with pytest.raises(FilterSyntaxError):
            parse_sg_rule(bad)


def test_network_acl_rule_syntax() -> None:
    rule = parse_acl_rule("110 deny tcp/22 203.0.113.0/24")
    assert (rule.number, rule.allow, rule.action, str(rule.ports)) == (110, False, "deny", "22")
    for bad in ("allow all 0.0.0.0/0", "x allow all 0.0.0.0/0", "0 allow all 0.0.0.0/0",
                "100 permit all 0.0.0.0/0", "100 allow all nowhere"):  # fmt: skip
        with pytest.raises(FilterSyntaxError):
            parse_acl_rule(bad)


def test_first_matching_acl_rule_decides_each_port() -> None:
    texts = ("200 allow all 0.0.0.0/0", "100 deny tcp/22 0.0.0.0/0", "150 allow udp/53 0.0.0.0/0")
    rules = tuple(sorted((parse_acl_rule(text) for text in texts), key=lambda rule: rule.number))
    decision = acl_tcp_decision(rules, ip_address("8.8.8.8"), PortSet.between(0, 65535))
    assert decision.allowed == PortSet([(0, 21), (23, 65535)])
    assert [(r.number if r else None, str(p)) for r, p in decision.denials] == [(100, "22")]
    nothing = acl_tcp_decision((), ip_address("8.8.8.8"), PortSet.single(443))
    assert not nothing.allowed and nothing.denials == ((None, PortSet.single(443)),)


def test_security_group_ports_are_a_union_of_matching_rules() -> None:
    rules = (
        parse_sg_rule("tcp/443 0.0.0.0/0"),
        parse_sg_rule("tcp/22 10.0.0.0/8"),
        parse_sg_rule("tcp/80 sg-lb"),
    )
    assert sg_tcp_ports(rules, ip_address("8.8.8.8")) == PortSet.single(443)
    assert sg_tcp_ports(rules, ip_address("10.1.2.3"), frozenset({"sg-lb"})) == PortSet(
        [(22, 22), (80, 80), (443, 443)]
    )


def test_subnets_without_a_cidr_get_distinct_blocks_and_hosts_distinct_addresses() -> None:
    net = Network(Vpc("10.20.0.0/16"))
    net.add_subnet("given", "a", cidr="10.20.0.0/24")
    for name in ("s1", "s2", "s3"):
        net.add_subnet(name, "a")
        net.add_instance(f"{name}-i1", name)
        net.add_instance(f"{name}-i2", name)
    cidrs = [net.subnet_cidr(name) for name in ("given", "s1", "s2", "s3")]
    assert len({str(c) for c in cidrs}) == 4
    assert not any(a.overlaps(b) for i, a in enumerate(cidrs) for b in cidrs[i + 1 :])
    addresses = {net.address_of(name) for name in net.instances}
    assert len(addresses) == 6
    assert all(net.address_of(f"{name}-i1") in net.subnet_cidr(name) for name in ("s1", "s2", "s3"))
