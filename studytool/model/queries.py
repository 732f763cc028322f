"""The public questions the model answers. Each returns an :class:`Answer` (value, reasons
citing rule ids, rule ids used). Build a :class:`~studytool.model.topology.Network` in code or
load a scenario file, then ask::

    internet_egress(net, "app-b")            -> Answer(value=False, because=[...], rules=[...])
    lost_internet_if_az_fails(net, "a")      -> Answer(value=["app-b", "app-c"], ...)
    vpn_max_throughput_gbps(net, "tgw-1")    -> Answer(value=7.5, unit="Gbps", ...)

:data:`QUESTIONS` maps the scenario format's question words to these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from studytool.model.addressing import IPAddress, parse_address
from studytool.model.answer import Answer, Finding
from studytool.model.failures import AzOutage
from studytool.model.paths import (
    device_running,
    egress_verdict,
    ipv4_egress,
    ipv4_ingress,
    ipv6_egress,
)
from studytool.model.problems import find_problems
from studytool.model.rulebook import apigateway, availability, nat, routing, vpn
from studytool.model.rules import fact
from studytool.model.topology import (
    ApiRequest,
    ApiStage,
    Instance,
    ModelError,
    NatGateway,
    Network,
    Subnet,
    TransitGateway,
    VpnConnection,
)

#: per-request reasons listed for backend-calls before the rest are summarised
MAX_REQUEST_REASONS = 25


def _address(ip: str | IPAddress | None) -> IPAddress | None:
    if ip is None or not isinstance(ip, str):
        return ip
    return parse_address(ip)


# --------------------------------------------------------------------------- subnets, internet
def subnet_type(net: Network, subnet: str) -> Answer:
    """``"public"`` or ``"private"``: does the subnet's route table reach the attached IGW?"""
    findings: list[Finding] = []
    verdict = _subnet_type_findings(net, net.subnet(subnet), findings)
    return Answer.from_findings(verdict.value, findings)


def _subnet_type_findings(net: Network, found: Subnet, findings: list[Finding]) -> Finding:
    """Add the findings that decide whether ``found`` is public; return the verdict's."""
    table_finding = routing.implicit_route_table(net, found)
    if found.route_table is None or not table_finding.ok:
        findings.append(table_finding)
    verdict = routing.subnet_type(net, found)
    findings.append(verdict)
    table, _ = net.route_table_of(found)
    for route in table.routes if table else ():
        if net.kind_of(route.target) == "internet-gateway" and not net.is_attached_igw(
            route.target
        ):
            findings.append(routing.igw_attached(net, route.target))
    return verdict


#: the name a NAT gateway being planned goes by in explanations
PLANNED_NAT_GATEWAY = "nat-new"


def public_nat_gateway_subnets(net: Network) -> Answer:
    """The subnets (in the network's order) where a new public NAT gateway would work: the
    rule nat-gateway-public-subnet applied to a planned gateway in each, after each subnet's
    type (the gateway is not added to ``net``)."""
    findings: list[Finding] = []
    working: list[str] = []
    for subnet in net.subnets.values():
        _subnet_type_findings(net, subnet, findings)
        planned = NatGateway(PLANNED_NAT_GATEWAY, subnet.name, "public", "eip-new")
        placed = nat.nat_gateway_subnet(net, planned)
        findings.append(placed)
        if placed.ok:
            working.append(subnet.name)
    return Answer.from_findings(working, findings)


def subnet_uses_main_table(net: Network, subnet: str) -> bool:
    return net.subnet(subnet).route_table is None


def internet_egress(net: Network, instance: str, ip: str | IPAddress | None = None) -> Answer:
    """Can the instance open an IPv4 connection to ``ip`` (default: a public address)?"""
    result = ipv4_egress(net, instance, _address(ip))
    return Answer.from_findings(result.ok, result.explanation())


def internet_egress_ipv6(net: Network, instance: str, ip: str | IPAddress | None = None) -> Answer:
    """Can the instance open an IPv6 connection to a public IPv6 address?"""
    result = ipv6_egress(net, instance, _address(ip))
    return Answer.from_findings(result.ok, result.explanation())


def internet_ingress(net: Network, instance: str, port: int) -> Answer:
    """Can a host on the internet open a TCP connection reaching the instance on ``port``?"""
    result = ipv4_ingress(net, instance, int(port))
    return Answer.from_findings(result.ok, result.explanation())


def lost_internet_if_az_fails(net: Network, az: str) -> Answer:
    """Sorted instances outside ``az`` that have IPv4 egress now and lose it if ``az`` fails.

    An outage stops what is zonal in the AZ; outside it, egress can only break where a path
    goes through a NAT gateway or NAT instance in that AZ (gateways are regional).
    """
    after = net.with_failures(AzOutage(az))
    users: dict[str, list[Instance]] = {}
    device_state: dict[str, Finding] = {}
    kept = 0
    for instance in net.instances.values():
        if net.az_of_host(instance) == az:
            continue
        has_egress, devices = egress_verdict(net, instance.name)
        if not has_egress:
            continue
        for device in devices:
            if device not in device_state:
                device_state[device] = device_running(after, device)
        broken = [device for device in devices if not device_state[device].ok]
        for device in broken:
            users.setdefault(device, []).append(instance)
        kept += not broken
    lost = sorted({instance.name for group in users.values() for instance in group})
    findings: list[Finding] = []
    for device, group in users.items():
        findings.append(device_state[device])
        if device in net.nat_gateways:
            for subnet in sorted({instance.subnet for instance in group}):
                findings.append(availability.same_az_nat(after, subnet, net.nat_gateways[device]))
        names = ", ".join(sorted(instance.name for instance in group))
        findings.append(
            fact("nat-gateway-zonal", f"egress through {device} is lost for: {names}", False)
        )
    findings.append(
        fact(
            "nat-gateway-zonal",
            f"outside availability zone {az}, {_count(len(lost), 'instance')} with egress "
            f"{agreeing(len(lost), 'lose')} it and {kept} {agreeing(kept, 'keep')} it: only paths "
            f"through a NAT device in {az} break",
        )
    )
    if net.vpc.internet_gateway:
        findings.append(availability.regional_gateway(net.vpc.internet_gateway, frozenset({az})))
    return Answer.from_findings(lost, findings)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def agreeing(number: int, verb: str) -> str:
    """``verb`` agreeing with ``number`` subjects: 1 instance loses, 0 or 2 instances lose."""
    return f"{verb}s" if number == 1 else verb


def min_nat_gateways_for_az_independence(net: Network) -> Answer:
    """How many NAT gateways AZ-independent egress needs: one per AZ holding a private subnet."""
    zones = sorted(
        {
            subnet.az
            for subnet in net.subnets.values()
            if routing.subnet_type(net, subnet).value == "private"
        }
    )
    if not zones:
        text = "no subnet is private: no NAT gateway is needed"
    else:
        where = _count(len(zones), "availability zone")
        text = (
            f"private subnets sit in {where} ({', '.join(zones)}): one NAT gateway in each, "
            "with each AZ's private subnets routed to their own"
        )
    return Answer.from_findings(len(zones), [fact("nat-gateway-per-az", text)])


def nat_gateway_eip_removable(net: Network, nat_gateway: str, elastic_ip: str) -> Answer:
    """Can this Elastic IP be disassociated from the NAT gateway? (only a secondary one)"""
    finding = nat.nat_gateway_eip_removable(net.nat_gateway(nat_gateway), elastic_ip)
    return Answer.from_findings(bool(finding.value), [finding])


# --------------------------------------------------------------------------- problems
def problems(net: Network) -> Answer:
    """Sorted problem ids (the scenario format's vocabulary) with the finding behind each."""
    found = find_problems(net)
    ids = sorted({problem for problem, _finding in found})
    findings = [finding for _problem, finding in found]
    if not findings:
        return Answer([], ["no problem found in the configuration"], [])
    return Answer.from_findings(ids, findings)


# --------------------------------------------------------------------------- VPN
def vpn_up(net: Network, connection: str) -> Answer:
    """Is at least one of the connection's two tunnels up?"""
    finding = vpn.vpn_tunnels(net, net.vpn_connection(connection))
    return Answer.from_findings(finding.ok, [finding])


def vpn_max_throughput_gbps(net: Network, gateway: str) -> Answer:
    """Ceiling (Gbps) for AWS-to-on-premises traffic over the gateway's VPN connections."""
    connections = [c for c in net.vpn_connections.values() if c.gateway == gateway]
    if gateway in net.virtual_private_gateways:
        return _vgw_throughput(net, gateway, connections)
    if gateway in net.transit_gateways:
        return _tgw_throughput(net, net.transit_gateways[gateway], connections)
    raise ModelError(f"no virtual private gateway or transit gateway named {gateway!r}")


def _vgw_throughput(net: Network, gateway: str, connections: list[VpnConnection]) -> Answer:
    findings: list[Finding] = []
    up_count = 0
    for connection in connections:
        tunnels = vpn.vpn_tunnels(net, connection)
        findings.append(tunnels)
        up_count += len(tunnels.value)  # type: ignore[arg-type]
        size_check = vpn.large_tunnel_gateway(net, connection)
        if not size_check.ok:
            findings.append(size_check)
    ceiling = vpn.vgw_single_tunnel(gateway, up_count)
    findings.append(ceiling)
    if len(connections) > 1 and up_count:
        findings.append(vpn.vgw_extra_connections(gateway, len(connections)))
    return Answer.from_findings(float(ceiling.value), findings, unit="Gbps")  # type: ignore[arg-type]


def _tunnel_size_finding(connection: VpnConnection) -> Finding:
    if connection.tunnel_size == "large":
        return vpn.large_tunnel(connection)
    return vpn.standard_tunnel(connection)


def _tgw_throughput(
    net: Network, gateway: TransitGateway, connections: list[VpnConnection]
) -> Answer:
    # support off is the cause of the ceiling: said last, with the ceiling it leaves
    findings: list[Finding] = [vpn.tgw_ecmp_option(gateway)] if gateway.vpn_ecmp else []
    ecmp_tunnels: list[tuple[str, int, float]] = []
    all_up: list[float] = []
    for connection in connections:
        tunnels = vpn.vpn_tunnels(net, connection)
        findings += [tunnels, vpn.connection_routing(connection), _tunnel_size_finding(connection)]
        member = vpn.ecmp_member(connection)
        if not member.ok:
            findings.append(member)
        for number in tunnels.value:  # type: ignore[union-attr]
            all_up.append(connection.tunnel_gbps)
            if member.ok:
                ecmp_tunnels.append((connection.name, number, connection.tunnel_gbps))
    single = max(all_up, default=0.0)
    if gateway.vpn_ecmp and ecmp_tunnels:
        spread = vpn.ecmp_ceiling(gateway.name, ecmp_tunnels)
        findings.append(spread)
        value = max(float(spread.value), single)  # type: ignore[arg-type]
    elif not all_up:
        if not gateway.vpn_ecmp:
            findings.append(vpn.tgw_ecmp_option(gateway))
        findings.append(
            fact("vpn-two-tunnels", f"{gateway.name} has no VPN tunnel up: 0 Gbps", False)
        )
        value = 0.0
    elif not gateway.vpn_ecmp:
        findings.append(vpn.tgw_ecmp_option(gateway, single))
        value = single
    else:
        findings.append(
            fact(
                "tgw-ecmp-needs-bgp",
                f"with no ECMP path, {gateway.name} sends traffic over one tunnel: {single:g} Gbps",
            )
        )
        value = single
    return Answer.from_findings(round(value, 3), findings, unit="Gbps")


def vpn_connections_needed(
    target_gbps: float,
    gateway: str = "transit-gateway",
    routing_type: str = "dynamic",
    tunnel_size: str = "standard",
    vpn_ecmp: bool = True,
    limit: int = 200,
) -> Answer:
    """The fewest VPN connections whose ceiling reaches ``target_gbps`` (None if none does).

    ``gateway`` is "transit-gateway" or "virtual-private-gateway"; computed by asking
    :func:`vpn_max_throughput_gbps` on networks with 1, 2, ... connections.
    """
    previous: Answer | None = None
    for count in range(1, limit + 1):
        trial = _vpn_network(count, gateway, routing_type, tunnel_size, vpn_ecmp)
        answer = vpn_max_throughput_gbps(trial, "gw")
        if float(answer.value) >= target_gbps:  # type: ignore[arg-type]
            return Answer(count, answer.because, answer.rules, unit="connections")
        if previous is not None and answer.value == previous.value:
            ceiling = f"{answer.value:g} Gbps"
            text = f"adding connections leaves the ceiling at {ceiling}, below {target_gbps:g} Gbps"
            extra = Answer.from_findings(None, [fact(answer.rules[-1], text)])
            return Answer(None, [*answer.because, *extra.because], answer.rules, unit="connections")
        previous = answer
    return Answer(None, [f"more than {limit} connections would be needed"], [], unit="connections")


def _vpn_network(
    count: int, gateway: str, routing_type: str, tunnel_size: str, vpn_ecmp: bool
) -> Network:
    net = Network()
    if gateway == "virtual-private-gateway":
        net.add_virtual_private_gateway("gw")
    else:
        net.add_transit_gateway("gw", vpn_ecmp=vpn_ecmp)
    for index in range(1, count + 1):
        net.add_vpn_connection(f"vpn-{index}", "gw", routing=routing_type, tunnel_size=tunnel_size)
    return net


def multicast_capable(net: Network, gateway: str) -> Answer:
    """Can this gateway route IP multicast? Only a transit gateway created with multicast."""
    finding = vpn.tgw_multicast(net, gateway)
    return Answer.from_findings(finding.ok, [finding])


def transit_gateway_shared_with(net: Network, transit_gateway: str, account: str) -> Answer:
    finding = vpn.tgw_shared(_tgw(net, transit_gateway), account)
    return Answer.from_findings(finding.ok, [finding])


def transit_gateway_attachments(net: Network, transit_gateway: str) -> Answer:
    finding = vpn.tgw_attachment_list(net, _tgw(net, transit_gateway))
    return Answer.from_findings(list(finding.value), [finding])  # type: ignore[arg-type]


def _tgw(net: Network, name: str) -> TransitGateway:
    try:
        return net.transit_gateways[name]
    except KeyError:
        raise ModelError(f"no transit gateway named {name!r}") from None


# --------------------------------------------------------------------------- API Gateway
def backend_calls(net: Network) -> Answer:
    """How many of the network's API requests reach the backend."""
    return backend_calls_for(net.api_stage, net.api_requests)


def backend_calls_for(stage: ApiStage | None, requests: Iterable[ApiRequest]) -> Answer:
    """How many ``requests`` (taken in time order) reach the backend through ``stage``."""
    ordered = sorted(requests, key=lambda request: request.time)
    if stage is None or not stage.cache_enabled:
        text = "caching is not enabled on the stage: every request reaches the backend"
        finding = fact("apigw-cache-per-stage", text, False)
        return Answer.from_findings(len(ordered), [finding], unit="calls")
    findings: list[Finding] = [apigateway.stage_cache(stage)]
    settings: dict[str, apigateway.MethodCache] = {}
    stored: dict[str, float] = {}
    calls = 0
    for index, request in enumerate(ordered):
        key = request.key
        method = settings.get(key)
        if method is None:
            method = apigateway.method_cache(stage, request.method, request.resource)
            settings[key] = method
            findings.extend(method.findings)
        verbose = index < MAX_REQUEST_REASONS
        if verbose and method.cached and "?" in request.path:
            findings.append(apigateway.query_string_not_in_key(request))
        calls += _serve(request, key, method, stored, findings if verbose else [])
    if len(ordered) > MAX_REQUEST_REASONS:
        more = len(ordered) - MAX_REQUEST_REASONS
        findings.append(fact("apigw-cache-hit", f"... {more} more requests follow the same rules"))
    summary = f"{calls} of {len(ordered)} requests reach the backend"
    findings.append(fact("apigw-cache-hit", summary))
    return Answer.from_findings(calls, findings, unit="calls")


def _serve(
    request: ApiRequest,
    key: str,
    method: apigateway.MethodCache,
    stored: dict[str, float],
    findings: list[Finding],
) -> int:
    """Serve one request (``key``: its ``request.key``); 1 when it calls the backend."""
    if not method.cached:
        return 1
    if method.ttl == 0:
        findings.append(apigateway.ttl_zero(key))
        return 1
    if request.invalidate:
        findings.append(apigateway.invalidation(request))
        stored[key] = request.time
        return 1
    lookup = apigateway.cache_lookup(request, stored.get(key), method.ttl)
    findings.append(lookup)
    if lookup.value:
        return 0
    stored[key] = request.time
    return 1


def cache_ttl_valid(ttl: float) -> Answer:
    """Is ``ttl`` (seconds) a TTL API Gateway accepts? (0..3600; 0 is valid and disables)"""
    finding = apigateway.ttl_in_range(ttl)
    findings = [finding]
    if ttl == 0:
        findings.append(apigateway.ttl_zero("a stage"))
    return Answer.from_findings(finding.ok, findings)


def cache_size_valid(size_gb: float) -> Answer:
    """Is ``size_gb`` one of the cache capacities API Gateway offers?"""
    finding = apigateway.cache_size(size_gb)
    return Answer.from_findings(finding.ok, [finding])


# --------------------------------------------------------------------------- NAT gateway setup
class SetupStep(NamedTuple):
    """One step of setting up a NAT gateway: what to do, what it is called in a sentence
    ("creating the NAT gateway"), the steps that must come first, and the rule that says so."""

    text: str
    doing: str
    before: tuple[str, ...]
    rule_id: str


#: step id -> the step, in an order that works
NAT_GATEWAY_STEPS: dict[str, SetupStep] = {
    "attach-internet-gateway": SetupStep(
        "Attach an internet gateway to the VPC",
        "attaching the internet gateway",
        (),
        "igw-attached",
    ),
    "route-public-subnet": SetupStep(
        "In the public subnet's route table, send 0.0.0.0/0 to the internet gateway",
        "routing the public subnet to the internet gateway",
        ("attach-internet-gateway",),
        "subnet-public-route",
    ),
    "allocate-elastic-ip": SetupStep(
        "Allocate an Elastic IP address", "allocating the Elastic IP", (), "nat-gateway-eip"
    ),
    "create-nat-gateway": SetupStep(
        "Create the NAT gateway in the public subnet with the Elastic IP",
        "creating the NAT gateway",
        ("route-public-subnet", "allocate-elastic-ip"),
        "nat-gateway-public-subnet",
    ),
    "route-private-subnets": SetupStep(
        "In the private subnets' route table, send 0.0.0.0/0 to the NAT gateway",
        "routing the private subnets to the NAT gateway",
        ("create-nat-gateway",),
        "igw-route-target",
    ),
}


def nat_gateway_setup_order(order: Iterable[str] | None = None) -> Answer:
    """With no ``order``: a valid order of :data:`NAT_GATEWAY_STEPS`. With one: is it valid?"""
    if order is None:
        steps = list(NAT_GATEWAY_STEPS)
        findings = [_step_fact(step) for step in steps]
        return Answer.from_findings(steps, findings)
    steps = list(order)
    unknown = [step for step in steps if step not in NAT_GATEWAY_STEPS]
    if unknown:
        raise ValueError(f"unknown NAT gateway setup steps: {', '.join(unknown)}")
    findings = []
    valid = sorted(steps) == sorted(NAT_GATEWAY_STEPS)
    seen: set[str] = set()
    for step in steps:
        setup = NAT_GATEWAY_STEPS[step]
        missing = [need for need in setup.before if need not in seen]
        if missing:
            valid = False
            text = f"{setup.doing} needs {_doing(missing)} first"
            findings.append(fact(setup.rule_id, text, False))
        seen.add(step)
    if not findings:
        findings = [_step_fact(step) for step in steps]
    return Answer.from_findings(valid, findings)


def _doing(steps: Iterable[str]) -> str:
    return " and ".join(NAT_GATEWAY_STEPS[step].doing for step in steps)


def _step_fact(step: str) -> Finding:
    setup = NAT_GATEWAY_STEPS[step]
    after = f" (after {_doing(setup.before)})" if setup.before else ""
    return fact(setup.rule_id, f"{setup.text}{after}")


# --------------------------------------------------------------------------- question words
class QuestionKind(NamedTuple):
    """A scenario question word: its parameters (by kind of name) and the query it runs.

    Parameter kinds: "subnet", "host" (instance or NAT instance), "instance", "az",
    "vpn-connection", "vpn-gateway", "port", "ipv4". ``optional`` trailing ones may be left out.
    """

    word: str
    params: tuple[str, ...]
    run: Callable[..., Answer]
    optional: int = 0
    description: str = ""


QUESTIONS: dict[str, QuestionKind] = {
    kind.word: kind
    for kind in (
        QuestionKind("subnet-type", ("subnet",), subnet_type, 0, '"public" or "private"'),
        QuestionKind(
            "internet-egress", ("host", "ipv4"), internet_egress, 1, "IPv4 egress: true/false"
        ),
        QuestionKind(
            "internet-egress-ipv6", ("host",), internet_egress_ipv6, 0, "IPv6 egress: true/false"
        ),
        QuestionKind(
            "internet-ingress", ("host", "port"), internet_ingress, 0, "reachable from the internet"
        ),
        QuestionKind(
            "lost-internet-if-az-fails", ("az",), lost_internet_if_az_fails, 0, "instances"
        ),
        QuestionKind("vpn-up", ("vpn-connection",), vpn_up, 0, "true/false"),
        QuestionKind(
            "vpn-max-throughput-gbps", ("vpn-gateway",), vpn_max_throughput_gbps, 0, "Gbps"
        ),
        QuestionKind("backend-calls", (), backend_calls, 0, "integer"),
        QuestionKind("problems", (), problems, 0, "problem ids"),
    )
}


def ask(net: Network, word: str, *args: object) -> Answer:
    """Run the question ``word`` (a key of :data:`QUESTIONS`) with already-checked arguments."""
    try:
        kind = QUESTIONS[word]
    except KeyError:
        raise ModelError(f"unknown question {word!r}") from None
    return kind.run(net, *args)
