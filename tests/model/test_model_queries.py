"""The public queries: every blocking setting listed, explicit destinations, port-forward legs,
whole-VPC questions, and the helper queries the generated questions build on."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from studytool.model import queries
from studytool.model.failures import AzOutage, InstanceStopped, TunnelDown, parse_failure
from studytool.model.paths import default_destination, egress_verdict, ipv4_egress
from studytool.model.problems import PROBLEM_IDS
from studytool.model.topology import ModelError, Network, PortForward, Vpc

Builder = Callable[..., Network]


def test_every_blocking_setting_is_listed() -> None:
    """Four independent mistakes, four reasons: unattached gateway, no public IP, a security
    group and a network ACL that block (each from the VPC User Guide's internet access list)."""
    net = Network(Vpc("10.0.0.0/16"))
    net.add_internet_gateway("igw-old")
    net.add_route_table("rt", {"0.0.0.0/0": "igw-old"})
    net.add_subnet("web", "a", "rt")
    net.add_security_group("sg-closed", outbound=["tcp/5432 10.0.0.0/16"])
    net.add_network_acl(
        "acl-closed",
        ["web"],
        inbound=["100 allow all 10.0.0.0/16"],
        outbound=["100 allow all 10.0.0.0/16"],
    )
    net.add_instance("web-a", "web", security_groups=["sg-closed"])
    answer = queries.internet_egress(net, "web-a")
    assert answer.value is False
    for rule_id in ("igw-attached", "igw-public-ip", "security-group-stateful",
                    "network-acl-rule-order", "network-acl-return-traffic"):  # fmt: skip
        assert rule_id in answer.rules, rule_id
    assert answer.because[0].startswith("rt of web sends 8.8.8.8 to igw-old")


def test_egress_to_an_address_a_narrower_route_covers(two_az: Builder) -> None:
    net = two_az()
    net.add_transit_gateway("tgw-1")
    net.add_route_table("rt-public", {"0.0.0.0/0": "igw-1", "8.0.0.0/8": "tgw-1"})
    assert str(default_destination(net)) == "1.1.1.1"  # no narrower route covers it
    assert queries.internet_egress(net, "web-a").value is True
    assert queries.internet_egress(net, "web-a", "8.8.4.4").value is False
    assert queries.internet_egress(net, "web-a", "192.168.1.1").value is False


def test_ingress_lists_both_the_direct_and_the_forwarded_path(two_az: Builder) -> None:
    net = two_az()
    net.add_nat_instance(
        "nat-i", "public-a", public_ip=True, port_forwards=[PortForward(22, "app-b")]
    )
    answer = queries.internet_ingress(net.with_failures(InstanceStopped("nat-i")), "app-b", 22)
    assert answer.value is False
    assert any(reason.startswith("directly: app-b has no public IPv4") for reason in answer.because)
    stopped = "through nat-i's port forward: NAT instance nat-i is down: it is stopped"
    assert any(reason.startswith(stopped)
               for reason in answer.because)  # fmt: skip
    working = queries.internet_ingress(net, "app-b", 22)
    assert working.value is False  # nat-i's default security group accepts only the VPC
    net.add_security_group("sg-nat", inbound=["tcp/22 0.0.0.0/0"], outbound=["all 0.0.0.0/0"])
    net.nat_instances["nat-i"].security_groups = ("sg-nat",)
    net.invalidate()
    assert queries.internet_ingress(net, "app-b", 22).value is True


def test_lost_internet_counts_only_outside_instances_that_had_egress(two_az: Builder) -> None:
    net = two_az()
    net.add_instance("app-b2", "private-b")
    net.add_instance("dark-b", "private-b", security_groups=())  # no rules: no egress at all
    answer = queries.lost_internet_if_az_fails(net, "a")
    assert answer.value == ["app-b", "app-b2"]
    assert (
        "egress through nat-a is lost for: app-b, app-b2 (rule nat-gateway-zonal)" in answer.because
    )
    assert answer.because[-2] == (
        "outside availability zone a, 2 instances with egress lose it and 0 keep it: only "
        "paths through a NAT device in a break (rule nat-gateway-zonal)"
    )
    assert queries.lost_internet_if_az_fails(net, "b").value == []


def test_lost_internet_summary_agrees_with_its_numbers(two_az: Builder) -> None:
    net = two_az()
    net.add_instance("web-b", "public-b", public_ip=True)  # egress of its own: it keeps it
    summary = queries.lost_internet_if_az_fails(net, "a").because[-2]
    assert "1 instance with egress loses it and 1 keeps it" in summary


def test_min_nat_gateways_for_az_independence(two_az: Builder) -> None:
    net = two_az()
    net.add_subnet("private-c", "c", "rt-private-b")
    answer = queries.min_nat_gateways_for_az_independence(net)
    assert answer.value == 3
    assert answer.rules == ["nat-gateway-per-az"]
    assert answer.because[0].startswith("private subnets sit in 3 availability zones (a, b, c):")
    only_public = Network(Vpc(cidr="10.0.0.0/16", internet_gateway="igw-1"))
    only_public.add_route_table("rt-public", {"0.0.0.0/0": "igw-1"})
    only_public.add_subnet("public-a", "a", "rt-public")
    none_needed = queries.min_nat_gateways_for_az_independence(only_public)
    assert none_needed.value == 0
    assert none_needed.because[0].startswith("no subnet is private")


@pytest.mark.parametrize(
    ("target", "gateway", "routing", "size", "expected"),
    [
        (2.5, "transit-gateway", "dynamic", "standard", 1),
        (5.0, "transit-gateway", "dynamic", "standard", 2),
        (7.5, "transit-gateway", "dynamic", "standard", 3),
        (20.0, "transit-gateway", "dynamic", "large", 2),
        (1.25, "virtual-private-gateway", "dynamic", "standard", 1),
        (2.0, "virtual-private-gateway", "dynamic", "standard", None),
        (2.0, "transit-gateway", "static", "standard", None),
    ],
)
def test_vpn_connections_needed(
    target: float, gateway: str, routing: str, size: str, expected: int | None
) -> None:
    answer = queries.vpn_connections_needed(target, gateway, routing, size)
    assert answer.value == expected
    assert answer.rules


def test_nat_gateway_setup_order() -> None:
    default = queries.nat_gateway_setup_order()
    assert default.value[0] == "attach-internet-gateway"
    assert queries.nat_gateway_setup_order(default.value).value is True
    wrong = ["create-nat-gateway", "attach-internet-gateway", "route-public-subnet",
             "allocate-elastic-ip", "route-private-subnets"]  # fmt: skip
    answer = queries.nat_gateway_setup_order(wrong)
    assert answer.value is False
    assert "nat-gateway-public-subnet" in answer.rules
    assert answer.because[0] == (
        "creating the NAT gateway needs routing the public subnet to the internet gateway and "
        "allocating the Elastic IP first (rule nat-gateway-public-subnet)"
    )
    assert default.because[3] == (
        "Create the NAT gateway in the public subnet with the Elastic IP (after routing the "
        "public subnet to the internet gateway and allocating the Elastic IP) "
        "(rule nat-gateway-public-subnet)"
    )
    assert queries.nat_gateway_setup_order(default.value[:-1]).value is False


def test_problems_report_each_id_once_with_every_offender(two_az: Builder) -> None:
    net = two_az()
    net.add_internet_gateway("igw-old")
    net.add_route_table("rt-old-1", {"0.0.0.0/0": "igw-old"})
    net.add_route_table("rt-old-2", {"0.0.0.0/0": "igw-old"})
    net.add_nat_instance("nat-1", "private-a")
    net.add_nat_instance("nat-2", "private-b")
    answer = queries.problems(net)
    expected = ["igw-not-attached", "nat-instance-source-dest-check", "nat-instance-no-public-ip",
                "nat-instance-in-private-subnet"]  # fmt: skip
    assert answer.value == sorted(expected)
    assert any("rt-old-1, rt-old-2" in reason for reason in answer.because)
    assert sum("nat-1" in reason for reason in answer.because) == 3
    assert sum("nat-2" in reason for reason in answer.because) == 3
    assert set(answer.value) <= set(PROBLEM_IDS)
    assert queries.problems(two_az()).value == []


def test_api_cache_problems() -> None:
    net = Network()
    net.set_api_stage(
        ttl=-5, cache_size_gb=2.0, methods={"GET /a": queries.apigateway.MethodSettings(ttl=9000)}
    )
    answer = queries.problems(net)
    assert answer.value == ["cache-size-invalid", "cache-ttl-out-of-range"]
    assert len([r for r in answer.because if "outside 0..3600" in r]) == 2


def test_failures_make_copies_and_do_not_touch_the_original(two_az: Builder) -> None:
    net = two_az()
    failed = net.with_failures(AzOutage("a"), TunnelDown("vpn-x", 1), InstanceStopped("web-a"))
    assert net.failed_azs == frozenset() and failed.failed_azs == {"a"}
    assert failed.down_tunnels == {("vpn-x", 1)} and failed.stopped_instances == {"web-a"}
    assert failed.subnets is net.subnets
    assert queries.internet_egress(net, "app-b").value is True
    assert queries.internet_egress(failed, "app-b").value is False


def test_parse_failure_forms() -> None:
    assert parse_failure("az a") == AzOutage("a")
    assert parse_failure("tunnel vpn-1/2") == TunnelDown("vpn-1", 2)
    assert parse_failure("instance nat-i") == InstanceStopped("nat-i")
    for bad in ("az", "tunnel vpn-1/3", "tunnel vpn-1", "explode x"):
        with pytest.raises(ValueError):
            parse_failure(bad)


def test_answers_are_forgotten_when_the_network_changes(two_az: Builder) -> None:
    net = two_az()
    assert queries.internet_egress(net, "app-b").value is True
    net.add_route_table("rt-private-b", {})
    assert queries.internet_egress(net, "app-b").value is False


def test_ask_dispatches_question_words(two_az: Builder) -> None:
    net = two_az()
    assert queries.ask(net, "subnet-type", "public-b").value == "public"
    assert queries.ask(net, "internet-ingress", "web-a", 443).value is False
    with pytest.raises(ModelError):
        queries.ask(net, "teleport", "web-a")
    with pytest.raises(ModelError):
        queries.internet_egress(net, "nobody")


def test_question_words_are_those_of_the_format() -> None:
    assert list(queries.QUESTIONS) == [
        "subnet-type", "internet-egress", "internet-egress-ipv6", "internet-ingress",
        "lost-internet-if-az-fails", "vpn-up", "vpn-max-throughput-gbps", "backend-calls",
        "problems",
    ]  # fmt: skip


def test_egress_verdict_tells_apart_instances_a_rule_splits(two_az: Builder) -> None:
    """Hosts in one subnet share a verdict unless a filter rule covers only part of it."""
    net = two_az()
    net.add_network_acl(
        "acl-nat", ["public-a"],
        inbound=["100 allow all 10.0.11.0/25", "110 allow tcp/1024-65535 8.0.0.0/8"],
        outbound=["100 allow all 0.0.0.0/0"],
    )  # fmt: skip
    for number in range(130):
        net.add_instance(f"many-{number}", "private-b")
    for name in net.instances:
        assert egress_verdict(net, name) == (
            ipv4_egress(net, name).ok,
            ipv4_egress(net, name).devices,
        ), name
    verdicts = {egress_verdict(net, name)[0] for name in net.instances if name.startswith("many-")}
    assert verdicts == {True, False}  # addresses past 10.0.11.127 fall outside rule 100


# --------------------------------------------------------------------------- NAT placement
def _placement_network(kinds: dict[str, str]) -> Network:
    """Subnets routed as ``kinds`` says: public, private (no route), nat, unattached, main."""
    net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1", main_route_table="rt-main"))
    net.add_internet_gateway("igw-old")
    net.add_route_table(
        "rt-main", {"0.0.0.0/0": "igw-1"} if "main-public" in kinds.values() else {}
    )
    routes = {
        "public": {"0.0.0.0/0": "igw-1"},
        "narrow": {"203.0.113.0/24": "igw-1"},
        "private": {},
        "nat": {"0.0.0.0/0": "nat-1"},
        "unattached": {"0.0.0.0/0": "igw-old"},
    }
    for index, (name, kind) in enumerate(kinds.items()):
        if kind.startswith("main"):
            net.add_subnet(name, "ab"[index % 2])
        else:
            net.add_route_table(f"rt-{name}", routes[kind])
            net.add_subnet(name, "ab"[index % 2], f"rt-{name}")
    net.add_nat_gateway("nat-1", next(iter(kinds)), elastic_ip="eip-1")
    return net


@pytest.mark.parametrize(
    "kinds",
    [
        {"web": "public", "app": "private", "db": "nat"},
        {"web": "public", "old": "unattached", "edge": "narrow", "core": "main"},
        {"web": "main-public", "app": "nat", "data": "private"},
    ],
)
def test_nat_gateway_placement_agrees_with_creating_one_and_listing_problems(
    kinds: dict[str, str],
) -> None:
    """The one-query answer is the what-if asked subnet by subnet: create a public NAT
    gateway there, and it works where the problems do not include a private subnet."""
    net = _placement_network(kinds)
    answer = queries.public_nat_gateway_subnets(net)
    for subnet in kinds:
        trial = net.copy_with(nat_gateways=dict(net.nat_gateways))
        trial.add_nat_gateway(queries.PLANNED_NAT_GATEWAY, subnet, elastic_ip="eip-new")
        works = "nat-gateway-in-private-subnet" not in queries.problems(trial).value  # type: ignore[operator]
        assert (subnet in answer.value) is works, subnet  # type: ignore[operator]
        assert queries.subnet_type(net, subnet).because[-1] in answer.because
    assert "nat-gateway-public-subnet" in answer.rules


def test_nat_gateway_placement_explains_every_subnet() -> None:
    net = _placement_network({"web": "public", "old": "unattached"})
    answer = queries.public_nat_gateway_subnets(net)
    assert answer.value == ["web"]
    assert "igw-attached" in answer.rules and "subnet-public-route" in answer.rules
    assert any(reason.startswith("public NAT gateway nat-new is in a private subnet: its "
                                 "subnet old") for reason in answer.because)  # fmt: skip
