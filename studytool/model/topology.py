"""The components of a modelled AWS network, and :class:`Network`, which holds them all.

Plain slotted classes (see :mod:`studytool.model.records` for why not dataclasses), built by
the scenario loader or in code::

    net = Network(Vpc(cidr="10.0.0.0/16", internet_gateway="igw-1"))
    net.add_route_table("rt-public", {"0.0.0.0/0": "igw-1"})
    net.add_subnet("public-a", az="a", route_table="rt-public")
    net.add_instance("web-a", subnet="public-a", public_ip=True)

Names are the user's own and unique across the network. Failures (AZ outages, tunnels down,
stopped instances) are not edited into the components: :meth:`Network.with_failures` returns a
copy that carries them, so one topology can be asked "before" and "after" questions.
Treat a network as read-only once queries run on it (lookups are cached).
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import NamedTuple

from studytool.model.addressing import IPAddress, IPNetwork, parse_address, parse_network
from studytool.model.failures import apply_failures
from studytool.model.filters import AclRule, SgRule, parse_acl_rule, parse_sg_rule
from studytool.model.records import Record

LOCAL = "local"
DEFAULT_VPC_CIDR = "10.0.0.0/16"
DEFAULT_TTL_SECONDS = 300
MAX_TTL_SECONDS = 3600
CACHE_SIZES_GB: tuple[float, ...] = (0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118.0, 237.0)
TUNNEL_GBPS = {"standard": 1.25, "large": 5.0}
ROUTING_TYPES = ("static", "dynamic")
NAT_GATEWAY_TYPES = ("public", "private")


#: each kind :meth:`Network.kind_of` names, as a sentence says it
KIND_PHRASES: dict[str, str] = {
    "local": "the VPC's local route",
    "internet-gateway": "an internet gateway",
    "egress-only-internet-gateway": "an egress-only internet gateway",
    "subnet": "a subnet",
    "route-table": "a route table",
    "nat-gateway": "a NAT gateway",
    "nat-instance": "a NAT instance",
    "instance": "an instance",
    "security-group": "a security group",
    "network-acl": "a network ACL",
    "transit-gateway": "a transit gateway",
    "virtual-private-gateway": "a virtual private gateway",
    "customer-gateway": "a customer gateway",
    "vpn-connection": "a VPN connection",
}


class ModelError(KeyError):
    """A name the network does not define, or a component that cannot exist."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "model error"


def _network(value: str | IPNetwork) -> IPNetwork:
    return parse_network(value) if isinstance(value, str) else value


class Vpc(Record):
    """The VPC: its IPv4 CIDR, the one attached internet gateway, and the main route table."""

    __slots__ = ("cidr", "egress_only_internet_gateway", "internet_gateway", "main_route_table")

    def __init__(
        self,
        cidr: ipaddress.IPv4Network | str = DEFAULT_VPC_CIDR,
        internet_gateway: str | None = None,
        egress_only_internet_gateway: str | None = None,
        main_route_table: str | None = None,
    ) -> None:
        network = _network(cidr)
        if network.version != 4:
            raise ModelError(f"the VPC CIDR must be IPv4, got {network}")
        self.cidr: ipaddress.IPv4Network = network  # type: ignore[assignment]
        self.internet_gateway = internet_gateway
        self.egress_only_internet_gateway = egress_only_internet_gateway
        self.main_route_table = main_route_table


class Subnet(Record):
    __slots__ = ("az", "cidr", "ipv6", "name", "route_table")

    def __init__(
        self,
        name: str,
        az: str,
        route_table: str | None = None,
        ipv6: bool = False,
        cidr: ipaddress.IPv4Network | None = None,
    ) -> None:
        self.name = name
        self.az = az
        self.route_table = route_table
        self.ipv6 = ipv6
        self.cidr = cidr


class Route(NamedTuple):
    destination: IPNetwork
    target: str


class RouteTable(Record):
    __slots__ = ("_by_specificity", "name", "routes")

    def __init__(self, name: str, routes: tuple[Route, ...] = ()) -> None:
        self.name = name
        self.routes = tuple(routes)
        self._by_specificity: tuple[Route, ...] | None = None

    @classmethod
    def from_mapping(cls, name: str, routes: Mapping[str, str]) -> RouteTable:
        table = object.__new__(cls)
        table.name = name
        table.routes, table._by_specificity = _parsed_routes(tuple(routes.items()))
        return table

    @property
    def by_specificity(self) -> tuple[Route, ...]:
        """Routes, most specific (longest prefix) first."""
        if self._by_specificity is None:
            self._by_specificity = _most_specific_first(self.routes)
        return self._by_specificity


def _most_specific_first(routes: tuple[Route, ...]) -> tuple[Route, ...]:
    return tuple(sorted(routes, key=lambda route: -route.destination.prefixlen))


@lru_cache(maxsize=1024)
def _parsed_routes(
    routes: tuple[tuple[str, str], ...],
) -> tuple[tuple[Route, ...], tuple[Route, ...]]:
    """(destination text, target) pairs as routes, and the same most specific first; shared,
    since routes are immutable and generated networks repeat the same few route sets."""
    parsed = tuple(Route(parse_network(dest), target) for dest, target in routes)
    return parsed, _most_specific_first(parsed)


class NatGateway(Record):
    __slots__ = ("connectivity", "elastic_ip", "name", "secondary_elastic_ips", "subnet")

    def __init__(
        self,
        name: str,
        subnet: str,
        connectivity: str = "public",
        elastic_ip: str | None = None,
        secondary_elastic_ips: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.subnet = subnet
        self.connectivity = connectivity
        self.elastic_ip = elastic_ip
        self.secondary_elastic_ips = tuple(secondary_elastic_ips)

    @property
    def is_public(self) -> bool:
        return self.connectivity == "public"


class PortForward(NamedTuple):
    """Connections to ``port`` on the NAT instance go on to ``to`` (on ``to_port``, default "
    "same)."""

    port: int
    to: str
    to_port: int | None = None

    @property
    def target_port(self) -> int:
        return self.port if self.to_port is None else self.to_port


class Instance(Record):
    """An EC2 instance. ``security_groups=None`` means the default behaviour of the format:
    anything out, inbound only from inside the VPC."""

    __slots__ = ("elastic_ip", "ipv6", "name", "public_ip", "security_groups", "subnet")

    def __init__(
        self,
        name: str,
        subnet: str,
        public_ip: bool = False,
        elastic_ip: str | None = None,
        ipv6: bool = False,
        security_groups: tuple[str, ...] | None = None,
    ) -> None:
        self.name = name
        self.subnet = subnet
        self.public_ip = public_ip
        self.elastic_ip = elastic_ip
        self.ipv6 = ipv6
        self.security_groups = None if security_groups is None else tuple(security_groups)

    @property
    def has_public_ipv4(self) -> bool:
        return self.public_ip or self.elastic_ip is not None

    @property
    def is_nat_instance(self) -> bool:
        return False


class NatInstance(Instance):
    """An instance running NAT software; the source/destination check is on unless turned off."""

    __slots__ = ("port_forwards", "source_dest_check")

    def __init__(
        self,
        name: str,
        subnet: str,
        public_ip: bool = False,
        elastic_ip: str | None = None,
        ipv6: bool = False,
        security_groups: tuple[str, ...] | None = None,
        source_dest_check: bool = True,
        port_forwards: tuple[PortForward, ...] = (),
    ) -> None:
        super().__init__(name, subnet, public_ip, elastic_ip, ipv6, security_groups)
        self.source_dest_check = source_dest_check
        self.port_forwards = tuple(port_forwards)

    @property
    def is_nat_instance(self) -> bool:
        return True


class SecurityGroup(Record):
    __slots__ = ("inbound", "name", "outbound")

    def __init__(
        self, name: str, inbound: tuple[SgRule, ...] = (), outbound: tuple[SgRule, ...] = ()
    ) -> None:
        self.name = name
        self.inbound = tuple(inbound)
        self.outbound = tuple(outbound)

    @classmethod
    def from_strings(
        cls, name: str, inbound: Iterable[str] = (), outbound: Iterable[str] = ()
    ) -> SecurityGroup:
        return cls(name, tuple(map(parse_sg_rule, inbound)), tuple(map(parse_sg_rule, outbound)))


class NetworkAcl(Record):
    """A custom network ACL; rules are kept sorted by number (the order AWS evaluates them)."""

    __slots__ = ("inbound", "name", "outbound", "subnets")

    def __init__(
        self,
        name: str,
        subnets: tuple[str, ...] = (),
        inbound: tuple[AclRule, ...] = (),
        outbound: tuple[AclRule, ...] = (),
    ) -> None:
        self.name = name
        self.subnets = tuple(subnets)
        self.inbound = tuple(sorted(inbound, key=lambda rule: rule.number))
        self.outbound = tuple(sorted(outbound, key=lambda rule: rule.number))

    @classmethod
    def from_strings(
        cls,
        name: str,
        subnets: Iterable[str] = (),
        inbound: Iterable[str] = (),
        outbound: Iterable[str] = (),
    ) -> NetworkAcl:
        return cls(
            name, tuple(subnets), tuple(map(parse_acl_rule, inbound)),
            tuple(map(parse_acl_rule, outbound)),
        )  # fmt: skip


class TransitGateway(Record):
    """``vpn_ecmp`` defaults to on and ``multicast`` to off, as when AWS creates one."""

    __slots__ = (
        "direct_connect_gateway",
        "multicast",
        "name",
        "shared_with",
        "vpc_attachments",
        "vpn_ecmp"
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        vpn_ecmp: bool = True,
        multicast: bool = False,
        vpc_attachments: tuple[str, ...] = (),
        direct_connect_gateway: str | None = None,
        shared_with: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.vpn_ecmp = vpn_ecmp
        self.multicast = multicast
        self.vpc_attachments = tuple(vpc_attachments)
        self.direct_connect_gateway = direct_connect_gateway
        self.shared_with = tuple(shared_with)


class VirtualPrivateGateway(Record):
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class CustomerGateway(Record):
    __slots__ = ("bgp_asn", "ip", "name")

    def __init__(self, name: str, ip: IPAddress | None = None, bgp_asn: int | None = None) -> None:
        self.name = name
        self.ip = ip
        self.bgp_asn = bgp_asn


class VpnConnection(Record):
    """Two tunnels (1 and 2). ``routing``: static or dynamic (BGP, AWS's default)."""

    __slots__ = ("customer_gateway", "gateway", "name", "routing", "tunnel_size", "tunnels_down")

    def __init__(
        self,
        name: str,
        gateway: str,
        customer_gateway: str | None = None,
        routing: str = "dynamic",
        tunnel_size: str = "standard",
        tunnels_down: frozenset[int] = frozenset(),
    ) -> None:
        self.name = name
        self.gateway = gateway
        self.customer_gateway = customer_gateway
        self.routing = routing
        self.tunnel_size = tunnel_size
        self.tunnels_down = frozenset(tunnels_down)

    @property
    def tunnel_gbps(self) -> float:
        return TUNNEL_GBPS[self.tunnel_size]


class MethodSettings(Record):
    """A per-method override of the stage cache (None = inherit from the stage)."""

    __slots__ = ("cache", "ttl")

    def __init__(self, cache: bool | None = None, ttl: int | None = None) -> None:
        self.cache = cache
        self.ttl = ttl


class ApiStage(Record):
    """An API Gateway REST API stage's cache settings; method keys are ``"GET /path"``.

    ``ttl=None`` means the stage keeps AWS's default TTL (300 seconds)."""

    __slots__ = ("cache_enabled", "cache_size_gb", "methods", "ttl")

    def __init__(
        self,
        cache_enabled: bool = False,
        ttl: int | None = None,
        cache_size_gb: float = 0.5,
        methods: dict[str, MethodSettings] | None = None,
    ) -> None:
        self.cache_enabled = cache_enabled
        self.ttl = ttl
        self.cache_size_gb = cache_size_gb
        self.methods: dict[str, MethodSettings] = dict(methods or {})


class ApiRequest(NamedTuple):
    time: float
    method: str
    path: str
    invalidate: bool = False

    @property
    def resource(self) -> str:
        """The path without its query string (``/items?x=1`` → ``/items``)."""
        return self.path.partition("?")[0]

    @property
    def key(self) -> str:
        """What the stage cache stores the response under: the method and the resource path
        (no cache key parameters are modelled, so a query string is never part of it)."""
        return f"{self.method} {self.resource}"


class Network:
    """A VPC with everything in and around it, plus the failures currently in effect.

    Components live in dictionaries by name; build with the ``add_*`` methods (or fill the
    dictionaries and call :meth:`invalidate`).
    """

    def __init__(self, vpc: Vpc | None = None) -> None:
        self.vpc = vpc or Vpc()
        self.internet_gateways: set[str] = set()
        self.subnets: dict[str, Subnet] = {}
        self.route_tables: dict[str, RouteTable] = {}
        self.nat_gateways: dict[str, NatGateway] = {}
        self.nat_instances: dict[str, NatInstance] = {}
        self.instances: dict[str, Instance] = {}
        self.security_groups: dict[str, SecurityGroup] = {}
        self.network_acls: dict[str, NetworkAcl] = {}
        self.transit_gateways: dict[str, TransitGateway] = {}
        self.virtual_private_gateways: dict[str, VirtualPrivateGateway] = {}
        self.customer_gateways: dict[str, CustomerGateway] = {}
        self.vpn_connections: dict[str, VpnConnection] = {}
        self.api_stage: ApiStage | None = None
        self.api_requests: tuple[ApiRequest, ...] = ()
        self.failed_azs: frozenset[str] = frozenset()
        self.stopped_instances: frozenset[str] = frozenset()
        self.down_tunnels: frozenset[tuple[str, int]] = frozenset()
        self._addresses: dict[str, ipaddress.IPv4Address] | None = None
        self._acl_by_subnet: dict[str, NetworkAcl] | None = None
        self._carved: dict[str, IPNetwork] | None = None
        #: answers memoised by :mod:`studytool.model.paths` (None until the first query)
        self._path_memo: dict[tuple, object] | None = None
        if self.vpc.internet_gateway:
            self.internet_gateways.add(self.vpc.internet_gateway)

    def __repr__(self) -> str:
        sizes = f"{len(self.subnets)} subnets, {len(self.instances)} instances"
        return f"Network(vpc={self.vpc!r}, {sizes})"

    # ----------------------------------------------------------------- building
    def _changed(self) -> None:
        self._addresses = self._acl_by_subnet = self._carved = self._path_memo = None

    def invalidate(self) -> None:
        """Forget cached lookups and answers after editing components in place."""
        self._changed()

    def add_internet_gateway(self, name: str, attached: bool = False) -> None:
        """Add an internet gateway; ``attached=True`` makes it the VPC's (at most one)."""
        self._changed()
        self.internet_gateways.add(name)
        if attached:
            if self.vpc.internet_gateway not in (None, name):
                raise ModelError(
                    f"the VPC already has {self.vpc.internet_gateway} attached (at most one)"
                )
            self.vpc.internet_gateway = name

    def add_subnet(
        self,
        name: str,
        az: str,
        route_table: str | None = None,
        ipv6: bool = False,
        cidr: str | None = None,
    ) -> Subnet:
        subnet = Subnet(name, str(az), route_table, ipv6, parse_network(cidr) if cidr else None)
        self.subnets[name] = subnet
        self._changed()
        return subnet

    def add_route_table(self, name: str, routes: Mapping[str, str] | None = None) -> RouteTable:
        table = RouteTable.from_mapping(name, routes or {})
        self.route_tables[name] = table
        self._changed()
        return table

    def add_nat_gateway(
        self,
        name: str,
        subnet: str,
        elastic_ip: str | None = None,
        connectivity: str = "public",
        secondary_elastic_ips: Iterable[str] = (),
    ) -> NatGateway:
        if connectivity not in NAT_GATEWAY_TYPES:
            raise ModelError(f"NAT gateway type must be public or private, got {connectivity!r}")
        gateway = NatGateway(name, subnet, connectivity, elastic_ip, tuple(secondary_elastic_ips))
        self.nat_gateways[name] = gateway
        self._changed()
        return gateway

    def add_instance(
        self,
        name: str,
        subnet: str,
        public_ip: bool = False,
        elastic_ip: str | None = None,
        ipv6: bool = False,
        security_groups: Iterable[str] | None = None,
    ) -> Instance:
        groups = None if security_groups is None else tuple(security_groups)
        instance = Instance(name, subnet, public_ip, elastic_ip, ipv6, groups)
        self.instances[name] = instance
        self._changed()
        return instance

    def add_nat_instance(
        self,
        name: str,
        subnet: str,
        public_ip: bool = False,
        elastic_ip: str | None = None,
        source_dest_check: bool = True,
        security_groups: Iterable[str] | None = None,
        port_forwards: Iterable[PortForward] = (),
    ) -> NatInstance:
        groups = None if security_groups is None else tuple(security_groups)
        nat = NatInstance(
            name, subnet, public_ip, elastic_ip, False, groups,
            source_dest_check=source_dest_check, port_forwards=tuple(port_forwards),
        )  # fmt: skip
        self.nat_instances[name] = nat
        self._changed()
        return nat

    def add_security_group(
        self, name: str, inbound: Iterable[str] = (), outbound: Iterable[str] = ()
    ) -> SecurityGroup:
        group = SecurityGroup.from_strings(name, inbound, outbound)
        self.security_groups[name] = group
        self._changed()
        return group

    def add_network_acl(
        self,
        name: str,
        subnets: Iterable[str] = (),
        inbound: Iterable[str] = (),
        outbound: Iterable[str] = (),
    ) -> NetworkAcl:
        acl = NetworkAcl.from_strings(name, subnets, inbound, outbound)
        self.network_acls[name] = acl
        self._changed()
        return acl

    def add_transit_gateway(
        self, name: str, vpn_ecmp: bool = True, multicast: bool = False, **options: object
    ) -> TransitGateway:
        gateway = TransitGateway(name, vpn_ecmp, multicast, **options)  # type: ignore[arg-type]
        self.transit_gateways[name] = gateway
        self._changed()
        return gateway

    def add_virtual_private_gateway(self, name: str) -> VirtualPrivateGateway:
        gateway = VirtualPrivateGateway(name)
        self.virtual_private_gateways[name] = gateway
        self._changed()
        return gateway

    def add_customer_gateway(
        self, name: str, ip: str | None = None, bgp_asn: int | None = None
    ) -> CustomerGateway:
        gateway = CustomerGateway(name, parse_address(ip) if ip else None, bgp_asn)
        self.customer_gateways[name] = gateway
        self._changed()
        return gateway

    def add_vpn_connection(
        self,
        name: str,
        gateway: str,
        customer_gateway: str | None = None,
        routing: str = "dynamic",
        tunnel_size: str = "standard",
        tunnels_down: Iterable[int] = (),
    ) -> VpnConnection:
        if routing not in ROUTING_TYPES:
            raise ModelError(f"VPN routing must be static or dynamic, got {routing!r}")
        if tunnel_size not in TUNNEL_GBPS:
            raise ModelError(f"tunnel size must be standard or large, got {tunnel_size!r}")
        connection = VpnConnection(
            name, gateway, customer_gateway, routing, tunnel_size, frozenset(tunnels_down)
        )
        self.vpn_connections[name] = connection
        self._changed()
        return connection

    def set_api_stage(
        self,
        cache_enabled: bool = True,
        ttl: int | None = None,
        cache_size_gb: float = 0.5,
        methods: Mapping[str, MethodSettings] | None = None,
        requests: Iterable[ApiRequest] = (),
    ) -> ApiStage:
        self.api_stage = ApiStage(cache_enabled, ttl, cache_size_gb, dict(methods or {}))
        self.api_requests = tuple(requests)
        self._changed()
        return self.api_stage

    # ----------------------------------------------------------------- failures
    def with_failures(self, *failures: object) -> Network:
        """A copy with these failures (see :mod:`studytool.model.failures`) in effect too."""
        return apply_failures(self, failures)

    def copy_with(self, **changes: object) -> Network:
        """A shallow copy sharing the components (which queries never change); cached
        answers are not shared, since ``changes`` may alter them."""
        copy = object.__new__(Network)
        state = copy.__dict__  # plain attributes: written straight into the copy's dict
        state.update(self.__dict__)
        state["_path_memo"] = None
        for name, value in changes.items():
            if name not in state:
                raise AttributeError(f"Network has no attribute {name!r}")
            state[name] = value
        return copy

    # ----------------------------------------------------------------- lookups
    def kind_of(self, name: str) -> str | None:
        """What a name refers to: "internet-gateway", "nat-gateway", "instance", ..."""
        if name == LOCAL:
            return "local"
        if name in self.internet_gateways:
            return "internet-gateway"
        if name == self.vpc.egress_only_internet_gateway:
            return "egress-only-internet-gateway"
        # the order of _named_tables, spelled out for the route targets asked most
        if name in self.subnets:
            return "subnet"
        if name in self.route_tables:
            return "route-table"
        if name in self.nat_gateways:
            return "nat-gateway"
        if name in self.nat_instances:
            return "nat-instance"
        for kind, table in self._named_tables()[4:]:
            if name in table:
                return kind
        return None

    def _named_tables(self) -> tuple[tuple[str, Mapping[str, object]], ...]:
        return (
            ("subnet", self.subnets),
            ("route-table", self.route_tables),
            ("nat-gateway", self.nat_gateways),
            ("nat-instance", self.nat_instances),
            ("instance", self.instances),
            ("security-group", self.security_groups),
            ("network-acl", self.network_acls),
            ("transit-gateway", self.transit_gateways),
            ("virtual-private-gateway", self.virtual_private_gateways),
            ("customer-gateway", self.customer_gateways),
            ("vpn-connection", self.vpn_connections),
        )

    def kind_phrase(self, name: str) -> str:
        """What a name refers to, in words with its article: "a NAT gateway", "an instance"."""
        return KIND_PHRASES.get(self.kind_of(name) or "", "an unknown name")

    def host(self, name: str) -> Instance:
        """An instance or a NAT instance by name."""
        found = self.instances.get(name) or self.nat_instances.get(name)
        if found is None:
            raise ModelError(f"no instance or NAT instance named {name!r}")
        return found

    def subnet(self, name: str) -> Subnet:
        try:
            return self.subnets[name]
        except KeyError:
            raise ModelError(f"no subnet named {name!r}") from None

    def nat_gateway(self, name: str) -> NatGateway:
        try:
            return self.nat_gateways[name]
        except KeyError:
            raise ModelError(f"no NAT gateway named {name!r}") from None

    def vpn_connection(self, name: str) -> VpnConnection:
        try:
            return self.vpn_connections[name]
        except KeyError:
            raise ModelError(f"no VPN connection named {name!r}") from None

    def route_table_of(self, subnet: Subnet) -> tuple[RouteTable | None, bool]:
        """The subnet's route table and whether it is the main one (implicit association)."""
        if subnet.route_table is not None:
            return self.route_tables.get(subnet.route_table), False
        main = self.vpc.main_route_table
        return (self.route_tables.get(main) if main else None), True

    def acl_of(self, subnet_name: str) -> NetworkAcl | None:
        """The custom network ACL associated with a subnet, None for the default ACL."""
        if not self.network_acls:
            return None
        if self._acl_by_subnet is None:
            self._acl_by_subnet = {
                subnet: acl for acl in self.network_acls.values() for subnet in acl.subnets
            }
        return self._acl_by_subnet.get(subnet_name)

    def groups_of(self, host: Instance) -> frozenset[str]:
        return frozenset(host.security_groups or ())

    def azs(self) -> list[str]:
        """The availability zones that hold at least one subnet, sorted."""
        return sorted({subnet.az for subnet in self.subnets.values()})

    def az_of_host(self, host: Instance | NatGateway) -> str:
        return self.subnet(host.subnet).az

    def is_attached_igw(self, name: str) -> bool:
        return name is not None and name == self.vpc.internet_gateway

    # ----------------------------------------------------------------- addresses
    def address_of(self, name: str) -> ipaddress.IPv4Address:
        """A private IPv4 address for an instance, NAT instance or NAT gateway (stable)."""
        if self._addresses is None:
            self._addresses = self._assign_addresses()
        try:
            return self._addresses[name]
        except KeyError:
            raise ModelError(f"{name!r} has no address: not an instance or NAT gateway") from None

    def subnet_cidr(self, name: str) -> ipaddress.IPv4Network:
        """The subnet's CIDR: the one given, or a block carved from the VPC CIDR in order."""
        subnet = self.subnet(name)
        if subnet.cidr is not None:
            return subnet.cidr
        return self._carved_cidrs[name]

    @property
    def _carved_cidrs(self) -> dict[str, IPNetwork]:
        if self._carved is None:
            self._carved = _carve_subnets(self.vpc.cidr, list(self.subnets.values()))  # type: ignore[arg-type]
        return self._carved

    def _assign_addresses(self) -> dict[str, ipaddress.IPv4Address]:
        spans = _host_spans(self.vpc.cidr, tuple(subnet.cidr for subnet in self.subnets.values()))
        first = dict(zip(self.subnets, spans, strict=True))
        used: dict[str, int] = {}
        addresses: dict[str, ipaddress.IPv4Address] = {}
        hosts: list[Instance | NatGateway] = [
            *self.instances.values(), *self.nat_instances.values(), *self.nat_gateways.values()
        ]  # fmt: skip
        for host in hosts:
            start = first.get(host.subnet)
            if start is None:
                continue
            index = used.get(host.subnet, 0)
            used[host.subnet] = index + 1
            base, usable = start
            addresses[host.name] = _address_at(base + 4 + index % usable)
        return addresses


@lru_cache(maxsize=1024)
def _host_spans(
    vpc_cidr: ipaddress.IPv4Network, cidrs: tuple[IPNetwork | None, ...]
) -> tuple[tuple[int, int], ...]:
    """Per subnet (its given CIDR, or None to carve one): (the block's first address as an
    integer, how many addresses its hosts cycle through). Keyed like :func:`_carved_blocks`:
    generated networks repeat the same few shapes."""
    carved = iter(_carved_blocks(vpc_cidr, cidrs))
    blocks = [cidr if cidr is not None else next(carved) for cidr in cidrs]
    return tuple((int(block.network_address), max(block.num_addresses - 5, 1)) for block in blocks)


@lru_cache(maxsize=4096)
def _address_at(value: int) -> ipaddress.IPv4Address:
    """The address with this integer value (addresses are immutable: shared)."""
    return ipaddress.IPv4Address(value)


def _carve_subnets(vpc_cidr: ipaddress.IPv4Network, subnets: list[Subnet]) -> dict[str, IPNetwork]:
    """Give each subnet without a CIDR the next free block of the VPC (/24 where it fits)."""
    pending = [subnet.name for subnet in subnets if subnet.cidr is None]
    if not pending:
        return {}
    blocks = _carved_blocks(vpc_cidr, tuple(subnet.cidr for subnet in subnets))
    return dict(zip(pending, blocks, strict=True))


@lru_cache(maxsize=1024)
def _carved_blocks(
    vpc_cidr: ipaddress.IPv4Network, cidrs: tuple[IPNetwork | None, ...]
) -> tuple[IPNetwork, ...]:
    """The blocks of the subnets without a CIDR (None in ``cidrs``, in order): only the
    subnets' order and given CIDRs matter, and generated networks repeat them, so the blocks
    are computed once per shape."""
    explicit = [cidr for cidr in cidrs if cidr is not None]
    needed_bits = math.ceil(math.log2(len(cidrs) + 1))
    prefix = min(28, max(24, vpc_cidr.prefixlen + needed_bits))
    if prefix < vpc_cidr.prefixlen:
        prefix = vpc_cidr.prefixlen
    carved: list[IPNetwork] = []
    blocks = vpc_cidr.subnets(new_prefix=prefix)
    for _pending in range(len(cidrs) - len(explicit)):
        for block in blocks:
            if not any(block.overlaps(other) for other in explicit):
                carved.append(block)
                break
        else:
            carved.append(vpc_cidr)
    return tuple(carved)
