"""Configuration problems: each problem id of the scenario format, found by a rule.

| id | rule |
| --- | --- |
| igw-not-attached | igw-attached |
| nat-gateway-in-private-subnet | nat-gateway-public-subnet |
| nat-gateway-missing-eip | nat-gateway-eip |
| private-nat-gateway-with-eip | nat-gateway-private-no-eip |
| nat-instance-source-dest-check | nat-instance-source-dest-check |
| nat-instance-no-public-ip | nat-instance-public-ip |
| nat-instance-in-private-subnet | nat-instance-public-subnet |
| cache-ttl-out-of-range | apigw-ttl-range |
| large-tunnel-needs-transit-gateway | vpn-large-needs-tgw |
| cache-size-invalid (an addition) | apigw-cache-sizes |
"""

from __future__ import annotations

from collections.abc import Iterator

from studytool.model.answer import Finding
from studytool.model.rulebook import apigateway, nat, routing, vpn
from studytool.model.topology import Network

PROBLEM_IDS: tuple[str, ...] = (
    "igw-not-attached",
    "nat-gateway-in-private-subnet",
    "nat-gateway-missing-eip",
    "private-nat-gateway-with-eip",
    "nat-instance-source-dest-check",
    "nat-instance-no-public-ip",
    "nat-instance-in-private-subnet",
    "cache-ttl-out-of-range",
    "large-tunnel-needs-transit-gateway",
    "cache-size-invalid",
)


def find_problems(net: Network) -> list[tuple[str, Finding]]:
    """Every (problem id, failing finding) in the configuration, in a stable order."""
    return [(problem, finding) for problem, finding in _checks(net) if not finding.ok]


def _checks(net: Network) -> Iterator[tuple[str, Finding]]:
    yield from _igw_checks(net)
    for gateway in net.nat_gateways.values():
        if gateway.is_public:
            yield "nat-gateway-in-private-subnet", nat.nat_gateway_subnet(net, gateway)
            yield "nat-gateway-missing-eip", nat.nat_gateway_eip(gateway)
        else:
            yield "private-nat-gateway-with-eip", nat.private_nat_gateway_eip(gateway)
    for device in net.nat_instances.values():
        yield "nat-instance-source-dest-check", nat.nat_instance_source_dest(device)
        yield "nat-instance-no-public-ip", nat.nat_instance_public_ip(device)
        yield "nat-instance-in-private-subnet", nat.nat_instance_subnet(net, device)
    yield from _api_checks(net)
    for connection in net.vpn_connections.values():
        yield "large-tunnel-needs-transit-gateway", vpn.large_tunnel_gateway(net, connection)


def _igw_checks(net: Network) -> Iterator[tuple[str, Finding]]:
    reported: set[str] = set()
    for table in net.route_tables.values():
        for route in table.routes:
            target = route.target
            if target in reported or net.kind_of(target) != "internet-gateway":
                continue
            reported.add(target)
            finding = routing.igw_attached(net, target)
            if not finding.ok:
                users = [
                    t.name
                    for t in net.route_tables.values()
                    if any(r.target == target for r in t.routes)
                ]
                text = f"{finding.text}; route tables using it: {', '.join(users)}"
                yield "igw-not-attached", Finding(finding.rule_id, False, text)


def _api_checks(net: Network) -> Iterator[tuple[str, Finding]]:
    stage = net.api_stage
    if stage is None:
        return
    if stage.ttl is not None:
        yield "cache-ttl-out-of-range", apigateway.ttl_in_range(stage.ttl, "the stage")
    for key, settings in stage.methods.items():
        if settings.ttl is not None:
            yield "cache-ttl-out-of-range", apigateway.ttl_in_range(settings.ttl, key)
    if stage.cache_enabled:
        yield "cache-size-invalid", apigateway.cache_size(stage.cache_size_gb)
