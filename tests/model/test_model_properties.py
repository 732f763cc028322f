"""Property tests (hypothesis) for the rule model's promises:

- a NAT gateway per AZ with same-AZ routing: no single AZ outage costs another AZ its egress;
- without an attached internet gateway nothing has IPv4 egress;
- a cache TTL of 0 means backend calls equal requests;
- the ECMP ceiling grows (never shrinks) with up BGP tunnels and never exceeds tunnels x size;
- the shared verdict used by whole-VPC questions always agrees with the full path evaluation.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from studytool.model import queries
from studytool.model.failures import AzOutage, TunnelDown
from studytool.model.paths import egress_verdict, ipv4_egress
from studytool.model.topology import (
    TUNNEL_GBPS,
    ApiRequest,
    ApiStage,
    MethodSettings,
    Network,
    PortForward,
    Vpc,
)

AZ_NAMES = "abcdef"
SG_RULES = [
    "all 0.0.0.0/0",
    "tcp/443 0.0.0.0/0",
    "tcp/80 0.0.0.0/0",
    "all 10.0.0.0/16",
    "tcp/22 10.0.1.0/24",
]
ACL_RULES = [
    "100 allow all 0.0.0.0/0", "100 allow all 10.0.0.0/16", "110 allow tcp/1024-65535 0.0.0.0/0",
    "90 deny tcp/0-1023 0.0.0.0/0", "120 allow tcp/443 0.0.0.0/0", "80 deny all 10.0.2.0/25",
]  # fmt: skip


def _per_az_network(zones: int, per_zone: list[int]) -> Network:
    net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1"))
    net.add_route_table("rt-public", {"0.0.0.0/0": "igw-1"})
    for index, az in enumerate(AZ_NAMES[:zones]):
        net.add_subnet(f"public-{az}", az, "rt-public")
        net.add_nat_gateway(f"nat-{az}", f"public-{az}", f"eip-{az}")
        net.add_route_table(f"rt-{az}", {"0.0.0.0/0": f"nat-{az}"})
        net.add_subnet(f"private-{az}", az, f"rt-{az}")
        for number in range(per_zone[index]):
            net.add_instance(f"app-{az}{number}", f"private-{az}")
    return net


@settings(max_examples=40, deadline=None)
@given(
    zones=st.integers(1, 6),
    per_zone=st.lists(st.integers(0, 6), min_size=6, max_size=6),
    shared=st.booleans(),
)
def test_a_nat_gateway_per_az_survives_any_single_az_outage(
    zones: int, per_zone: list[int], shared: bool
) -> None:
    net = _per_az_network(zones, per_zone)
    for az in AZ_NAMES[:zones]:
        assert queries.lost_internet_if_az_fails(net, az).value == []
    if shared and zones > 1:  # the contrast: everyone routed to nat-a loses egress with AZ a
        for az in AZ_NAMES[1:zones]:
            net.add_route_table(f"rt-{az}", {"0.0.0.0/0": "nat-a"})
        outside = sorted(
            name for name, inst in net.instances.items() if not inst.subnet.endswith("-a")
        )
        assert queries.lost_internet_if_az_fails(net, "a").value == outside


@st.composite
def random_networks(draw: st.DrawFn, attached: bool = True) -> Network:
    """Random VPCs: public/private subnets, NAT gateways and instances, route targets,
    public IPs, security groups and network ACLs drawn from small pools."""
    net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1" if attached else None))
    net.add_internet_gateway("igw-spare")
    gateways = ["igw-1", "igw-spare"] if attached else ["igw-spare"]
    zones = AZ_NAMES[: draw(st.integers(1, 3))]
    for index, az in enumerate(zones):
        net.add_route_table(f"rt-public-{az}", {"0.0.0.0/0": draw(st.sampled_from(gateways))})
        net.add_subnet(f"public-{az}", az, f"rt-public-{az}", cidr=f"10.0.{index}.0/24")
        net.add_subnet(f"private-{az}", az, f"rt-private-{az}", cidr=f"10.0.{index + 10}.0/24")
        net.add_nat_gateway(
            f"nat-{az}",
            draw(st.sampled_from([f"public-{az}", f"private-{az}"])),
            draw(st.sampled_from([f"eip-{az}", None])),
            draw(st.sampled_from(["public", "private"])),
        )  # fmt: skip
        net.add_nat_instance(
            f"nati-{az}", f"public-{az}", public_ip=draw(st.booleans()),
            source_dest_check=draw(st.booleans()),
        )  # fmt: skip
    for az in zones:
        targets = [f"nat-{z}" for z in zones] + [f"nati-{z}" for z in zones] + gateways
        chosen = draw(st.sampled_from([None, *targets]))
        net.add_route_table(f"rt-private-{az}", {"0.0.0.0/0": chosen} if chosen else {})
    for number in range(draw(st.integers(1, 3))):
        net.add_security_group(
            f"sg-{number}", draw(st.lists(st.sampled_from(SG_RULES), max_size=2)),
            draw(st.lists(st.sampled_from(SG_RULES), max_size=2)),
        )  # fmt: skip
    subnets = list(net.subnets)
    acl_rules = st.lists(st.sampled_from(ACL_RULES), max_size=3, unique_by=lambda r: r.split()[0])
    for number in range(draw(st.integers(0, 2))):
        owned = draw(st.lists(st.sampled_from(subnets), max_size=2, unique=True))
        taken = {s for acl in net.network_acls.values() for s in acl.subnets}
        net.add_network_acl(
            f"acl-{number}", [s for s in owned if s not in taken],
            draw(acl_rules), draw(acl_rules),
        )  # fmt: skip
    groups = [None, (), *[(name,) for name in net.security_groups]]
    for number in range(draw(st.integers(1, 10))):
        net.add_instance(
            f"i-{number}", draw(st.sampled_from(subnets)), public_ip=draw(st.booleans()),
            elastic_ip=draw(st.sampled_from([None, f"eip-i{number}"])),
            security_groups=draw(st.sampled_from(groups)),
        )  # fmt: skip
    return net


@settings(max_examples=60, deadline=None)
@given(random_networks(attached=False))
def test_without_an_attached_internet_gateway_nothing_has_ipv4_egress(net: Network) -> None:
    for name in [*net.instances, *net.nat_instances]:
        answer = queries.internet_egress(net, name)
        assert answer.value is False, (name, answer.because)
        assert answer.because


@settings(max_examples=60, deadline=None)
@given(random_networks(), st.sampled_from(["", "a", "b"]))
def test_the_shared_verdict_agrees_with_the_full_path(net: Network, failed_az: str) -> None:
    if failed_az:
        net = net.with_failures(AzOutage(failed_az))
    for name in net.instances:
        full = ipv4_egress(net, name)
        assert egress_verdict(net, name) == (full.ok, full.devices), name


@settings(max_examples=30, deadline=None)
@given(random_networks())
def test_a_blocked_answer_always_names_a_blocking_rule(net: Network) -> None:
    net.add_nat_instance(
        "nat-x", "public-a", public_ip=True, port_forwards=[PortForward(22, "i-0")]
    )
    for name in net.instances:
        for answer in (queries.internet_egress(net, name), queries.internet_ingress(net, name, 22)):
            if answer.value is False:
                assert any("(rule " in reason for reason in answer.because)
                assert answer.rules


requests = st.lists(
    st.builds(
        ApiRequest,
        time=st.floats(0, 5000, allow_nan=False),
        method=st.sampled_from(["GET", "POST", "PUT"]),
        path=st.sampled_from(["/items", "/items/1", "/live"]),
        invalidate=st.booleans(),
    ),
    max_size=40,
)
overrides = st.dictionaries(
    st.sampled_from(["GET /items", "POST /items", "GET /live", "PUT /items/1"]),
    st.builds(MethodSettings, cache=st.sampled_from([None, True, False])),
    max_size=3,
)


@settings(max_examples=100, deadline=None)
@given(requests, overrides)
def test_ttl_zero_sends_every_request_to_the_backend(
    asked: list[ApiRequest], methods: dict[str, MethodSettings]
) -> None:
    stage = ApiStage(cache_enabled=True, ttl=0, methods=methods)
    assert queries.backend_calls_for(stage, asked).value == len(asked)


@settings(max_examples=100, deadline=None)
@given(requests, st.integers(1, 3600))
def test_backend_calls_never_exceed_requests_and_a_longer_ttl_never_adds_calls(
    asked: list[ApiRequest], ttl: int
) -> None:
    short = queries.backend_calls_for(ApiStage(cache_enabled=True, ttl=ttl), asked).value
    longer = queries.backend_calls_for(
        ApiStage(cache_enabled=True, ttl=min(3600, ttl * 2)), asked
    ).value
    assert 0 <= longer <= short <= len(asked)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["dynamic", "static"]), st.sampled_from(["standard", "large"])),
        min_size=1,
        max_size=6,
    ),
    st.randoms(use_true_random=False),
)
def test_ecmp_ceiling_grows_with_up_bgp_tunnels_and_stays_under_tunnels_times_size(
    connections: list[tuple[str, str]], rng: object
) -> None:
    net = Network()
    net.add_transit_gateway("tgw-1", vpn_ecmp=True)
    for number, (routing, size) in enumerate(connections):
        net.add_vpn_connection(f"vpn-{number}", "tgw-1", None, routing, size)
    tunnels = [(f"vpn-{n}", t) for n in range(len(connections)) for t in (1, 2)]
    rng.shuffle(tunnels)  # type: ignore[attr-defined]
    down = net.with_failures(*(TunnelDown(name, number) for name, number in tunnels))
    ceiling = queries.vpn_max_throughput_gbps(down, "tgw-1").value
    assert ceiling == 0
    for brought_up in range(1, len(tunnels) + 1):  # bring tunnels back up one at a time
        net_now = net.with_failures(
            *(TunnelDown(name, number) for name, number in tunnels[brought_up:])
        )
        now = queries.vpn_max_throughput_gbps(net_now, "tgw-1").value
        up = tunnels[:brought_up]
        sizes = [TUNNEL_GBPS[connections[int(name.split("-")[1])][1]] for name, _ in up]
        bgp_up = [
            s
            for (name, _), s in zip(up, sizes, strict=True)
            if connections[int(name.split("-")[1])][0] == "dynamic"
        ]
        assert now >= ceiling - 1e-9
        assert now <= sum(sizes) + 1e-9
        assert now == round(max(sum(bgp_up), max(sizes)), 3)
        ceiling = now
