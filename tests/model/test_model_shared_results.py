"""Results the model shares between paths and networks (memos and caches keyed on complete
inputs): each must give exactly what a fresh evaluation gives, and follow changes and failures."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from studytool.model import queries
from studytool.model.addressing import parse_address, parse_network
from studytool.model.failures import AzOutage
from studytool.model.paths import default_destination, ipv4_egress
from studytool.model.topology import Network, Vpc

Builder = Callable[..., Network]


def _texts(net: Network, name: str) -> list[str]:
    return [finding.text for finding in ipv4_egress(net, name).findings]


def test_paths_through_one_nat_gateway_match_a_fresh_evaluation(two_az: Builder) -> None:
    shared = two_az()
    _texts(shared, "app-a")  # memoises nat-a's findings
    alone = two_az()
    assert _texts(shared, "app-b") == _texts(alone, "app-b")
    assert "public NAT gateway nat-a has the Elastic IP eip-a" in _texts(shared, "app-b")


def test_nat_findings_follow_failures_and_changes(two_az: Builder) -> None:
    net = two_az()
    assert ipv4_egress(net, "app-b").ok
    after = net.with_failures(AzOutage("a"))
    assert not ipv4_egress(after, "app-b").ok
    assert "nat-a is down: its availability zone a failed" in _texts(after, "app-b")
    assert ipv4_egress(net, "app-b").ok  # the copy's failure does not reach the original
    net.add_route_table("rt-public", {})  # nat-a's subnet loses its internet route
    answer = queries.internet_egress(net, "app-b")
    assert answer.value is False
    assert "nat-gateway-public-subnet" in answer.rules


def test_one_route_set_in_two_vpcs_keeps_each_vpc_local_route() -> None:
    def build(cidr: str) -> Network:
        net = Network(Vpc(cidr, internet_gateway="igw-1"))
        net.add_route_table("rt", {"0.0.0.0/0": "igw-1"})
        net.add_subnet("web", "a", "rt")
        net.add_instance("web-a", "web", public_ip=True)
        return net

    inside = queries.internet_egress(build("10.1.0.0/16"), "web-a", "10.1.0.5")
    outside = queries.internet_egress(build("10.0.0.0/16"), "web-a", "10.1.0.5")
    assert inside.value is False and "route-local" in inside.rules
    assert "rt of web sends 10.1.0.5 to local" in inside.because[0]
    assert "rt of web sends 10.1.0.5 to igw-1" in outside.because[0]


def test_default_destination_depends_on_each_networks_routes() -> None:
    narrow = Network()
    narrow.add_route_table("rt", {"0.0.0.0/0": "igw-1", "8.8.8.0/24": "nat-1"})
    plain = Network()
    plain.add_route_table("rt", {"0.0.0.0/0": "igw-1"})
    assert str(default_destination(narrow)) == "1.1.1.1"
    assert str(default_destination(plain)) == "8.8.8.8"
    plain.add_route_table("rt-2", {"1.0.0.0/8": "nat-1", "8.0.0.0/8": "nat-1"})
    assert str(default_destination(plain)) == "52.94.236.248"


def test_cached_hashes_and_texts_agree_with_ipaddress() -> None:
    address = parse_address("8.8.8.8")
    plain = ipaddress.IPv4Address("8.8.8.8")
    assert hash(address) == hash(plain) and {plain: "found"}[address] == "found"
    assert f"{address}|{address:s}|{address:X}" == "8.8.8.8|8.8.8.8|08080808"
    six = parse_address("2001:db8::1")
    assert hash(six) == hash(ipaddress.IPv6Address("2001:db8::1"))
    assert f"{six}" == "2001:db8::1"
    network = parse_network("10.0.0.0/16")
    assert hash(network) == hash(ipaddress.IPv4Network("10.0.0.0/16"))
    assert {ipaddress.IPv4Network("10.0.0.0/16"): "found"}[network] == "found"


def test_networks_of_one_shape_get_the_same_addresses_and_others_their_own() -> None:
    def build(cidr: str | None) -> Network:
        net = Network()
        net.add_subnet("one", "a")
        net.add_subnet("two", "a", cidr=cidr)
        net.add_instance("i-1", "one")
        net.add_instance("i-2", "two")
        net.add_instance("i-3", "two")
        return net

    first, second = build(None), build(None)
    assert [str(first.address_of(n)) for n in ("i-1", "i-2", "i-3")] == [
        "10.0.0.4", "10.0.1.4", "10.0.1.5"
    ]  # fmt: skip
    assert [second.address_of(n) for n in ("i-1", "i-2", "i-3")] == [
        first.address_of(n) for n in ("i-1", "i-2", "i-3")
    ]
    given = build("10.0.200.0/28")
    assert str(given.address_of("i-3")) == "10.0.200.5"
    assert str(given.address_of("i-1")) == "10.0.0.4"
