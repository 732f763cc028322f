"""Following traffic between an instance and the internet, hop by hop, through the rulebook.

Every check on the path is made, even after one fails, so that a blocked path reports every
setting that blocks it. Results are memoised per network (networks are read-only once asked),
and so are the findings past a NAT device, which every path through it shares.
"""

from __future__ import annotations

from functools import lru_cache
from operator import itemgetter

from studytool.model.addressing import (
    ALL_PORTS,
    PUBLIC_IPV4_CANDIDATES,
    PUBLIC_IPV6_CANDIDATES,
    IPAddress,
    IPNetwork,
    PortSet,
    network_contains,
)
from studytool.model.answer import Finding
from studytool.model.records import Record
from studytool.model.rulebook import availability, filtering, nat, routing
from studytool.model.rulebook.filtering import Peer
from studytool.model.topology import (
    LOCAL,
    Instance,
    NatGateway,
    NatInstance,
    Network,
    Route,
    Subnet,
)

#: findings kept in a blocked path's explanation even though they hold (they say which path)
CONTEXT_RULES = frozenset(
    {
        "route-longest-prefix",
        "subnet-main-route-table",
        "nat-instance-port-forward",
        "nat-gateway-no-security-groups",
    }
)


#: a finding's ``ok`` (findings are tuples): ``all(map(_OK, findings))`` runs in C
_OK = itemgetter(1)
#: builds a Finding from a 4-tuple without the NamedTuple constructor's argument handling
_new_finding = tuple.__new__


class PathResult(Record):
    """Whether traffic gets through, and every finding made along the way (the list is the
    result's own: callers hand it over and do not change it afterwards)."""

    __slots__ = ("devices", "explained", "findings", "ok")

    def __init__(
        self,
        ok: bool,
        findings: list[Finding] | None = None,
        explained: bool = False,
        devices: tuple[str, ...] = (),
    ) -> None:
        self.ok = ok
        self.findings: list[Finding] = [] if findings is None else findings
        #: the findings are already an explanation (several candidate paths, each explained)
        self.explained = explained
        #: the zonal NAT devices (NAT gateways, NAT instances) the path goes through
        self.devices = devices

    @property
    def blockers(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.ok]

    def explanation(self) -> list[Finding]:
        """All findings when it gets through; else the path context and every blocker."""
        if self.ok or self.explained:
            return list(self.findings)
        context = [f for f in self.findings if f.ok and f.rule_id in CONTEXT_RULES]
        return context + self.blockers


class _Path:
    """Collects the findings of one candidate path; forward port sets are intersected."""

    def __init__(self, label: str | None = None) -> None:
        self.label = label
        self.findings: list[Finding] = []
        self.forward: list[tuple[str, PortSet]] = []
        self.devices: list[str] = []

    def add(self, finding: Finding) -> Finding:
        self.findings.append(finding)
        return finding

    def filter(self, finding: Finding, label: str) -> None:
        self.findings.append(finding)
        if finding.ok and isinstance(finding.value, PortSet):
            self.forward.append((label, finding.value))

    def result(self) -> PathResult:
        ok = all(map(_OK, self.findings))
        if ok and len(self.forward) > 1:
            together = filtering.common_ports(self.forward)
            if not together.ok:
                self.add(together)
                ok = False
        findings = self.findings
        if self.label:
            findings = [_labelled(finding, self.label) for finding in findings]
        return PathResult(ok, findings, devices=tuple(self.devices))


#: the default ACL's finding depends on the subnet's name only: shared by every path and
#: network (findings are immutable), since most paths pass a few default ACLs
_default_acl = lru_cache(maxsize=1024)(filtering.default_network_acl)


def _labelled(finding: Finding, label: str) -> Finding:
    rule_id, ok, text, value = finding
    return _new_finding(Finding, (rule_id, ok, f"{label}: {text}", value))


def _memo(net: Network) -> dict[tuple, object]:
    memo = net._path_memo
    if memo is None:
        memo = net._path_memo = {}
    return memo


# --------------------------------------------------------------------------- helpers
def default_destination(net: Network, version: int = 4) -> IPAddress:
    """A public address that no route narrower than a default route covers, in any table."""
    memo = _memo(net)
    key = ("default-destination", version)
    found = memo.get(key)
    if found is None:
        routes = tuple(table.routes for table in net.route_tables.values())
        found = memo[key] = _uncovered_candidate(routes, version)
    return found  # type: ignore[return-value]


@lru_cache(maxsize=1024)
def _uncovered_candidate(routes: tuple[tuple[Route, ...], ...], version: int) -> IPAddress:
    """:func:`default_destination` on its complete input, every table's routes: shared, since
    routes are immutable and generated networks repeat the same few route sets."""
    narrower = [
        route.destination
        for table_routes in routes
        for route in table_routes
        if route.destination.version == version and route.destination.prefixlen > 0
    ]
    candidates = PUBLIC_IPV4_CANDIDATES if version == 4 else PUBLIC_IPV6_CANDIDATES
    for candidate in candidates:
        if not any(network_contains(cidr, candidate) for cidr in narrower):
            return candidate
    return candidates[0]


def device_running(net: Network, name: str) -> Finding:
    """Is this NAT gateway or NAT instance up?"""
    if name in net.nat_gateways:
        return availability.nat_gateway_running(net, net.nat_gateways[name])
    return availability.nat_instance_running(net, net.nat_instances[name])


def host_running(net: Network, host: Instance) -> Finding:
    if isinstance(host, NatInstance):
        return availability.nat_instance_running(net, host)
    return availability.instance_running(net, host)


def _host_peer(net: Network, host: Instance) -> Peer:
    return Peer(net.address_of(host.name), host.name, net.groups_of(host))


def _route_context(path: _Path, net: Network, subnet: Subnet, destination: IPAddress) -> Finding:
    table, implicit = net.route_table_of(subnet)
    if table is None or implicit:  # the main table used, or no table at all: say which
        path.add(routing.implicit_route_table(net, subnet))
    return path.add(routing.route_lookup(net, subnet, destination))


def _subnet_acls(
    path: _Path, net: Network, subnet: str, outward: str, peer: Peer, ports: PortSet
) -> None:
    """The ACL checks for a connection leaving ``subnet`` towards ``peer`` (``outward`` is the
    direction of the first packet) and for its replies."""
    label = f"network ACL of {subnet} ({outward})"
    if net.acl_of(subnet) is None:  # the default ACL allows both ways: one finding says so
        default = _default_acl(subnet)
        path.filter(default, label)
        path.add(default)
        return
    back = "inbound" if outward == "outbound" else "outbound"
    path.filter(filtering.subnet_acl_forward(net, subnet, outward, peer, ports), label)
    path.add(filtering.subnet_acl_return(net, subnet, back, peer))


def _regional(findings: list[Finding], net: Network, gateway: str) -> None:
    """During an outage, say that ``gateway`` (an internet gateway) is regional."""
    if net.failed_azs:
        findings.append(availability.regional_gateway(gateway, net.failed_azs))


# --------------------------------------------------------------------------- egress
def egress_verdict(net: Network, name: str) -> tuple[bool, tuple[str, ...]]:
    """(can ``name`` reach a public address over IPv4, the NAT devices on its path).

    The same as :func:`ipv4_egress` without the explanation, shared between instances whose
    paths cannot differ: same subnet, security groups, public IPv4, kind and state, and no
    filter rule that tells their addresses apart. Whole-VPC questions use it.
    """
    memo = _memo(net)
    named = ("verdict-of", name)
    found = memo.get(named)
    if found is None:
        key = _path_key(net, net.host(name))
        found = memo.get(key)
        if found is None:
            result = ipv4_egress(net, name)
            found = memo[key] = (result.ok, result.devices)
        memo[named] = found
    return found  # type: ignore[return-value]


def _path_key(net: Network, host: Instance) -> tuple[object, ...]:
    """What decides a host's egress verdict (see :func:`egress_verdict`), as a memo key."""
    address = None if host.subnet in _uniform_subnets(net) else net.address_of(host.name)
    return (
        "verdict", host.subnet, host.security_groups, host.has_public_ipv4, type(host),
        host.name in net.stopped_instances, address, host.name in net.nat_instances,
    )  # fmt: skip


def _uniform_subnets(net: Network) -> frozenset[str]:
    """Subnets that every security group and network ACL rule either covers whole or misses
    entirely: all their instances meet the same filter decisions."""
    memo = _memo(net)
    found = memo.get("uniform-subnets")
    if found is None:
        cidrs = {
            rule.cidr for acl in net.network_acls.values() for rule in (*acl.inbound, *acl.outbound)
        }
        cidrs |= {
            rule.cidr
            for group in net.security_groups.values()
            for rule in (*group.inbound, *group.outbound)
            if rule.cidr is not None
        }
        # 0.0.0.0/0 covers every subnet whole: only narrower IPv4 blocks can split one
        cidrs = {cidr for cidr in cidrs if cidr.version == 4 and cidr.prefixlen}
        found = frozenset(
            name
            for name in net.subnets
            if not cidrs or all(_whole_or_apart(net.subnet_cidr(name), cidr) for cidr in cidrs)
        )
        memo["uniform-subnets"] = found
    return found  # type: ignore[return-value]


def _whole_or_apart(subnet: IPNetwork, cidr: IPNetwork) -> bool:
    return subnet.subnet_of(cidr) or not subnet.overlaps(cidr)  # type: ignore[arg-type]


def ipv4_egress(net: Network, name: str, destination: IPAddress | None = None) -> PathResult:
    """Can ``name`` open a TCP connection to ``destination`` (default: a public address)?"""
    memo = _memo(net)
    key = ("egress4", name, destination)
    cached = memo.get(key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    result = _ipv4_egress(net, name, destination or default_destination(net, 4))
    memo[key] = result
    return result


def _ipv4_egress(net: Network, name: str, destination: IPAddress) -> PathResult:
    host = net.host(name)
    subnet = net.subnet(host.subnet)
    path = _Path()
    path.add(host_running(net, host))
    route = _route_context(path, net, subnet, destination).value
    outside = Peer(destination)
    path.filter(
        filtering.host_security_groups(net, host, "outbound", outside, ALL_PORTS),
        f"{host.name}'s security groups",
    )
    _subnet_acls(path, net, subnet.name, "outbound", outside, ALL_PORTS)
    if route is not None and route.target == LOCAL:
        path.add(routing.local_route(net, destination))
    elif not destination.is_global:
        path.add(routing.not_internet_bound(net, route, destination))
    elif route is None:
        pass  # the route lookup itself is the blocker
    else:
        _egress_via(path, net, host, route, destination)
    return path.result()


def _egress_via(
    path: _Path, net: Network, host: Instance, route: object, destination: IPAddress
) -> None:
    target = route.target  # type: ignore[attr-defined]
    kind = net.kind_of(target)
    if kind == "internet-gateway":
        path.add(routing.igw_attached(net, target))
        path.add(routing.public_ipv4(host))
        _regional(path.findings, net, target)
    elif kind == "nat-gateway":
        _via_nat_gateway(path, net, host, net.nat_gateways[target], destination)
    elif kind == "nat-instance" and target != host.name:
        _via_nat_instance(path, net, host, net.nat_instances[target], destination)
    elif kind == "egress-only-internet-gateway":
        path.add(routing.egress_only_gateway(target, 4))
    else:
        path.add(routing.not_internet_bound(net, route, destination))  # type: ignore[arg-type]


def _via_nat_gateway(
    path: _Path, net: Network, host: Instance, gateway: NatGateway, destination: IPAddress
) -> None:
    path.devices.append(gateway.name)
    running, upstream = _nat_gateway_hop(net, gateway, destination)
    path.add(running)
    if not running.ok and net.az_of_host(gateway) != net.az_of_host(host):
        path.add(availability.same_az_nat(net, host.subnet, gateway))
    path.findings.extend(upstream)
    before = len(path.findings)
    _nat_hop_acls(path, net, host, gateway.name, gateway.subnet, destination)
    if not all(map(_OK, path.findings[before:])):
        path.add(nat.nat_gateway_filters(gateway))


def _nat_gateway_hop(
    net: Network, gateway: NatGateway, destination: IPAddress
) -> tuple[Finding, tuple[Finding, ...]]:
    """(is the gateway up, the findings past it: Elastic IP, its subnet's route, the internet
    gateway): the same for every path through the gateway, so memoised per network."""
    memo = _memo(net)
    key = ("nat-gateway-hop", gateway.name, destination)
    found = memo.get(key)
    if found is None:
        running = availability.nat_gateway_running(net, gateway)
        if gateway.is_public:
            upstream = [nat.nat_gateway_eip(gateway)]
            placed = nat.nat_gateway_subnet(net, gateway, destination)
            upstream.append(placed)
            if placed.ok and net.vpc.internet_gateway:
                _regional(upstream, net, net.vpc.internet_gateway)
        else:
            upstream = [nat.private_nat_gateway_internet(gateway)]
        found = memo[key] = (running, tuple(upstream))
    return found  # type: ignore[return-value]


def _via_nat_instance(
    path: _Path, net: Network, host: Instance, device: NatInstance, destination: IPAddress
) -> None:
    path.devices.append(device.name)
    upstream, outbound = _nat_instance_hop(net, device, destination)
    path.findings.extend(upstream)
    path.filter(
        nat.nat_instance_security_groups(net, device, "inbound", _host_peer(net, host), ALL_PORTS),
        f"{device.name}'s security groups (inbound)",
    )
    path.filter(outbound, f"{device.name}'s security groups (outbound)")
    _nat_hop_acls(path, net, host, device.name, device.subnet, destination)


def _nat_instance_hop(
    net: Network, device: NatInstance, destination: IPAddress
) -> tuple[tuple[Finding, ...], Finding]:
    """(the NAT instance's own findings: running, source/destination check, public IP, its
    subnet's route, the internet gateway; its security groups outbound to ``destination``):
    the same for every path through the device, so memoised per network."""
    memo = _memo(net)
    key = ("nat-instance-hop", device.name, destination)
    found = memo.get(key)
    if found is None:
        upstream = [
            availability.nat_instance_running(net, device),
            nat.nat_instance_source_dest(device),
            nat.nat_instance_public_ip(device),
        ]
        placed = nat.nat_instance_subnet(net, device, destination)
        upstream.append(placed)
        if placed.ok and net.vpc.internet_gateway:
            _regional(upstream, net, net.vpc.internet_gateway)
        outbound = nat.nat_instance_security_groups(
            net, device, "outbound", Peer(destination), ALL_PORTS
        )
        found = memo[key] = (tuple(upstream), outbound)
    return found  # type: ignore[return-value]


def _nat_hop_acls(
    path: _Path,
    net: Network,
    host: Instance,
    device: str,
    device_subnet: str,
    destination: IPAddress,
) -> None:
    if device_subnet != host.subnet:
        if net.acl_of(device_subnet) is None:  # the default ACL: no need for the host's address
            path.add(_default_acl(device_subnet))
        else:
            _subnet_acls(path, net, device_subnet, "inbound", _host_peer(net, host), ALL_PORTS)
    _subnet_acls(path, net, device_subnet, "outbound", Peer(destination), ALL_PORTS)


def ipv6_egress(net: Network, name: str, destination: IPAddress | None = None) -> PathResult:
    """Can ``name`` open an IPv6 TCP connection to a public IPv6 address?"""
    memo = _memo(net)
    key = ("egress6", name, destination)
    cached = memo.get(key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    destination = destination or default_destination(net, 6)
    host = net.host(name)
    subnet = net.subnet(host.subnet)
    path = _Path()
    path.add(host_running(net, host))
    path.add(routing.ipv6_address(net, host))
    route = _route_context(path, net, subnet, destination).value
    path.filter(
        filtering.host_security_groups(net, host, "outbound", Peer(destination), ALL_PORTS),
        f"{host.name}'s security groups",
    )
    _subnet_acls(path, net, subnet.name, "outbound", Peer(destination), ALL_PORTS)
    if route is not None:
        kind = net.kind_of(route.target)
        if kind == "internet-gateway":
            path.add(routing.igw_attached(net, route.target))
            _regional(path.findings, net, route.target)
        elif kind == "egress-only-internet-gateway":
            path.add(routing.egress_only_gateway(route.target, 6))
            _regional(path.findings, net, route.target)
        else:
            path.add(routing.not_internet_bound(net, route, destination))
    result = path.result()
    memo[key] = result
    return result


# --------------------------------------------------------------------------- ingress
def ipv4_ingress(net: Network, name: str, port: int) -> PathResult:
    """Can a host on the internet open a TCP connection that reaches ``name`` on ``port``?"""
    memo = _memo(net)
    key = ("ingress4", name, port)
    cached = memo.get(key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    host = net.host(name)
    remote = default_destination(net, 4)
    forwards = [
        (device, forward)
        for device in net.nat_instances.values()
        for forward in device.port_forwards
        if forward.to == name and forward.target_port == port and device.name != name
    ]
    label = "directly" if forwards else None
    legs = [_direct_ingress(net, host, port, remote, label)]
    legs += [_forwarded_ingress(net, host, port, remote, device, fwd) for device, fwd in forwards]
    working = next((leg for leg in legs if leg.ok), None)
    if working is not None:
        result = working
    else:
        explained = [finding for leg in legs for finding in leg.explanation()]
        result = PathResult(False, explained, explained=True)
    memo[key] = result
    return result


def _direct_ingress(
    net: Network, host: Instance, port: int, remote: IPAddress, label: str | None
) -> PathResult:
    subnet = net.subnet(host.subnet)
    path = _Path(label)
    path.add(host_running(net, host))
    path.add(routing.public_ipv4(host))
    route = _route_context(path, net, subnet, remote).value
    attached = net.vpc.internet_gateway
    if route is not None and attached and route.target == attached:
        path.add(routing.igw_attached(net, attached))
        _regional(path.findings, net, attached)
    else:
        path.add(routing.subnet_type(net, subnet))
        kind = net.kind_of(route.target) if route is not None else None
        if kind == "nat-gateway":
            path.add(nat.nat_gateway_inbound(net.nat_gateways[route.target]))  # type: ignore[union-attr]
        elif kind == "internet-gateway":
            path.add(routing.igw_attached(net, route.target))  # type: ignore[union-attr]
        elif kind == "egress-only-internet-gateway":
            path.add(routing.egress_only_gateway(route.target, 4, inbound=True))  # type: ignore[union-attr]
    wanted = PortSet.single(port)
    path.add(filtering.host_security_groups(net, host, "inbound", Peer(remote), wanted))
    _subnet_acls(path, net, subnet.name, "inbound", Peer(remote), wanted)
    return path.result()


def _forwarded_ingress(
    net: Network, host: Instance, port: int, remote: IPAddress, device: NatInstance, forward: object
) -> PathResult:
    path = _Path(f"through {device.name}'s port forward")
    path.add(nat.nat_instance_forward(device, forward))  # type: ignore[arg-type]
    path.add(availability.nat_instance_running(net, device))
    path.add(nat.nat_instance_public_ip(device))
    path.add(nat.nat_instance_subnet(net, device, remote))
    outer = PortSet.single(forward.port)  # type: ignore[attr-defined]
    inner = PortSet.single(port)
    path.add(nat.nat_instance_security_groups(net, device, "inbound", Peer(remote), outer))
    _subnet_acls(path, net, device.subnet, "inbound", Peer(remote), outer)
    host_peer = _host_peer(net, host)
    device_peer = _host_peer(net, device)
    path.add(nat.nat_instance_security_groups(net, device, "outbound", host_peer, inner))
    if device.subnet != host.subnet:
        _subnet_acls(path, net, device.subnet, "outbound", host_peer, inner)
        _subnet_acls(path, net, host.subnet, "inbound", device_peer, inner)
    path.add(host_running(net, host))
    path.add(filtering.host_security_groups(net, host, "inbound", device_peer, inner))
    return path.result()
