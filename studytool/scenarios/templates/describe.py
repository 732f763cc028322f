"""A modelled network in plain English, one bullet per component, for question texts.

The text is read off the :class:`~studytool.model.topology.Network` the model answers on, so
what the user reads is exactly what the model was asked about. Templates add the failures and
the question themselves (they know which facts matter for the question).

:class:`Situation` describes a network once per situation, and builds it only when needed:
templates draw the same few situations again and again, and building plus describing is most
of a draw's time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence

from studytool.model.answer import Answer
from studytool.model.failures import AzOutage, InstanceStopped
from studytool.model.topology import (
    Instance,
    NatGateway,
    NatInstance,
    Network,
    SecurityGroup,
    TransitGateway,
    VpnConnection,
)
from studytool.scenarios.templates.base import Probe

BULLET = "- "


def bullets(lines: Iterable[str]) -> str:
    return "\n".join(BULLET + line for line in lines)


def question_text(intro: str, lines: Sequence[str], ask: str) -> str:
    """``intro``, the bullets, then the question on its own line."""
    if not lines:
        return f"{intro}\n\n{ask}"
    body = "\n- ".join(lines)
    return f"{intro}\n- {body}\n\n{ask}"


def describe_network(net: Network) -> list[str]:
    """Every component of the VPC side of ``net``, in a stable reading order."""
    vpc = net.vpc
    lines = [vpc_line(net)]
    if len(net.internet_gateways) > (vpc.internet_gateway in net.internet_gateways):
        lines += [
            f"internet gateway {name} exists but is not attached to the VPC"
            for name in sorted(net.internet_gateways)
            if name != vpc.internet_gateway
        ]
    if vpc.egress_only_internet_gateway:
        lines.append(f"egress-only internet gateway {vpc.egress_only_internet_gateway}")
    for name in net.route_tables:
        lines.append(route_table_line(net, name))
    for name in net.subnets:
        lines.append(subnet_line(net, name))
    for gateway in net.nat_gateways.values():
        lines.append(nat_gateway_line(gateway))
    for device in net.nat_instances.values():
        lines.append(nat_instance_line(device))
    for host in net.instances.values():
        lines.append(instance_line(host))
    if _uses_default_group(net):
        lines.append(DEFAULT_GROUP_LINE)
    for group in net.security_groups.values():
        lines.append(security_group_line(group))
    for name in net.network_acls:
        lines.append(network_acl_line(net, name))
    return lines


#: the first item of the key of a probe on a :class:`Situation`'s network
SITUATION = "<situation>"
#: (situation key, describe) -> the description, least recently used first (an OrderedDict:
#: evicting the oldest entry of a plain dict whose entries keep leaving and re-entering means
#: scanning past the holes they leave at its front)
_LINES: OrderedDict[Hashable, tuple[str, ...]] = OrderedDict()
LINES_CACHE_SIZE = 1024


class Situation:
    """A drawn network: its description, and the network itself, built when first needed.

    ``key`` names the network completely (what ``build`` depends on, plus a word naming
    ``build`` itself). The description is kept between draws: questions that draw the same
    situation read it without building anything. The network is not kept (a network kept
    alive costs the garbage collector more than building it again): it is built at most once
    per draw, to describe it the first time or when the model is asked (:meth:`probe`)."""

    __slots__ = ("_build", "_net", "key", "lines")

    def __init__(
        self,
        key: Hashable,
        build: Callable[[], Network],
        describe: Callable[[Network], list[str]] = describe_network,
    ) -> None:
        self.key = key
        self._build = build
        self._net: Network | None = None
        slot = (key, describe)
        lines = _LINES.get(slot)
        if lines is None:
            self._net = build()
            lines = _LINES[slot] = tuple(describe(self._net))
            if len(_LINES) > LINES_CACHE_SIZE:
                _LINES.popitem(last=False)
        else:
            _LINES.move_to_end(slot)
        self.lines: tuple[str, ...] = lines

    def network(self) -> Network:
        """The network (built on the first call)."""
        net = self._net
        if net is None:
            net = self._net = self._build()
        return net

    def probe(
        self, query: Callable[..., Answer], *args: Hashable, failures: tuple[Hashable, ...] = ()
    ) -> Probe:
        """``query(network, *args)``, the network with ``failures`` in effect (see
        :func:`failure_line`); keyed by the situation, so the network is built only if no
        question asked the model this before."""

        def arguments() -> tuple[object, ...]:
            net = self.network()
            return (net.with_failures(*failures) if failures else net, *args)

        return Probe(query, make=arguments, key=(SITUATION, self.key, failures, *args))


def describe_vpn(net: Network) -> list[str]:
    """Gateways and VPN connections (the on-premises side of ``net``)."""
    lines = [transit_gateway_line(gateway) for gateway in net.transit_gateways.values()]
    lines += [f"virtual private gateway {name}" for name in net.virtual_private_gateways]
    lines += [vpn_line(net, connection) for connection in net.vpn_connections.values()]
    return lines


def vpc_line(net: Network) -> str:
    attached = net.vpc.internet_gateway
    gateway = (
        f"internet gateway {attached} attached" if attached else "no internet gateway attached"
    )
    return f"VPC {net.vpc.cidr}, {gateway}"


def route_table_line(net: Network, name: str) -> str:
    table = net.route_tables[name]
    main = " (the main route table)" if name == net.vpc.main_route_table else ""
    routes = table.routes
    if not routes:
        listed = "nothing beyond the local route"
    elif len(routes) == 1:
        listed = f"{routes[0].destination} → {routes[0].target}"
    else:
        listed = "; ".join([f"{route.destination} → {route.target}" for route in routes])
    return f"route table {name}{main}: {listed}"


def subnet_line(net: Network, name: str) -> str:
    subnet = net.subnets[name]
    if subnet.route_table is not None:
        table = f"route table {subnet.route_table}"
    elif net.vpc.main_route_table:
        table = "no route table of its own (so the main route table)"
    else:
        table = "no route table"
    ipv6 = ", with an IPv6 CIDR block" if subnet.ipv6 else ""
    return f"subnet {name} in AZ {subnet.az}: {table}{ipv6}"


def nat_gateway_line(gateway: NatGateway) -> str:
    if not gateway.is_public:
        address = f", Elastic IP {gateway.elastic_ip}" if gateway.elastic_ip else ""
        return f"private NAT gateway {gateway.name} in subnet {gateway.subnet}{address}"
    address = f"Elastic IP {gateway.elastic_ip}" if gateway.elastic_ip else "no Elastic IP"
    if gateway.secondary_elastic_ips:
        address += " (primary), secondary " + ", ".join(gateway.secondary_elastic_ips)
    return f"public NAT gateway {gateway.name} in subnet {gateway.subnet}, {address}"


def _address_phrase(host: Instance) -> str:
    if host.elastic_ip:
        return f"Elastic IP {host.elastic_ip}"
    return "a public IPv4 address" if host.public_ip else "no public IPv4 address"


#: what an instance with no security group of its own may do (the scenario format's default,
#: not AWS's default security group, which accepts inbound only from its own members): said
#: once, after the instances it applies to
DEFAULT_GROUP_LINE = (
    "no security group of its own: all outbound allowed; inbound only from inside the VPC"
)


def _uses_default_group(net: Network) -> bool:
    hosts = (*net.nat_instances.values(), *net.instances.values())
    return any(host.security_groups is None for host in hosts)


def _groups_phrase(host: Instance) -> str:
    if host.security_groups is None:
        return "no security group of its own"
    if not host.security_groups:
        return "no security group rules at all"
    return "security groups " + ", ".join(host.security_groups)


def instance_line(host: Instance) -> str:
    ipv6 = ", an IPv6 address" if host.ipv6 else ""
    return (
        f"instance {host.name} in subnet {host.subnet}: {_address_phrase(host)}{ipv6}, "
        f"{_groups_phrase(host)}"
    )


def nat_instance_line(device: NatInstance) -> str:
    check = "on" if device.source_dest_check else "off"
    line = (
        f"NAT instance {device.name} in subnet {device.subnet}: {_address_phrase(device)}, "
        f"source/destination check {check}, {_groups_phrase(device)}"
    )
    for forward in device.port_forwards:
        line += (
            f"; forwards connections on its port {forward.port} to {forward.to} port "
            f"{forward.target_port}"
        )
    return line


def _sg_rules(rules: Iterable[object], word: str) -> str:
    texts = []
    for rule in rules:
        what, _, peer = rule.text.partition(" ")  # type: ignore[attr-defined]
        texts.append(f"{what} {word} {peer}")
    return ", ".join(texts) if texts else "nothing"


def security_group_line(group: SecurityGroup) -> str:
    inbound = _sg_rules(group.inbound, "from")
    outbound = _sg_rules(group.outbound, "to")
    return f"security group {group.name}: allows inbound {inbound}; outbound {outbound}"


def network_acl_line(net: Network, name: str) -> str:
    acl = net.network_acls[name]
    inbound = ", ".join(rule.text for rule in acl.inbound) or "no rules"
    outbound = ", ".join(rule.text for rule in acl.outbound) or "no rules"
    subnets = ", ".join(acl.subnets) or "no subnet"
    return (
        f"network ACL {name} on {subnets}: inbound [{inbound}], outbound [{outbound}] "
        "(then the final * rule denies the rest)"
    )


def transit_gateway_line(gateway: TransitGateway) -> str:
    ecmp = "on" if gateway.vpn_ecmp else "off"
    multicast = "on" if gateway.multicast else "off"
    line = f"transit gateway {gateway.name}: VPN ECMP support {ecmp}, multicast support {multicast}"
    if gateway.vpc_attachments:
        line += "; VPC attachments in subnets " + ", ".join(gateway.vpc_attachments)
    if gateway.direct_connect_gateway:
        line += f"; Direct Connect gateway {gateway.direct_connect_gateway} attached"
    if gateway.shared_with:
        line += "; shared through AWS RAM with accounts " + ", ".join(gateway.shared_with)
    return line


def vpn_line(net: Network, connection: VpnConnection) -> str:
    routing = "dynamic (BGP)" if connection.routing == "dynamic" else "static"
    customer = (
        f" to customer gateway {connection.customer_gateway}" if connection.customer_gateway else ""
    )
    line = (
        f"VPN connection {connection.name} from {connection.gateway}{customer}: {routing} "
        f"routing, {connection.tunnel_size} tunnels"
    )
    down = sorted(connection.tunnels_down)
    down += sorted(n for name, n in net.down_tunnels if name == connection.name and n not in down)
    if len(down) == 2:
        line += ", both tunnels down"
    elif down:
        line += f", tunnel {down[0]} down"
    return line


def failure_lines(net: Network) -> list[str]:
    """The failures in effect on ``net``, in words."""
    lines = [outage_line(az) for az in sorted(net.failed_azs)]
    lines += [stopped_line(name) for name in sorted(net.stopped_instances)]
    return lines


def failure_line(failure: AzOutage | InstanceStopped) -> str:
    """One failure in words, as :func:`failure_lines` says it once it is in effect."""
    if isinstance(failure, AzOutage):
        return outage_line(failure.az)
    return stopped_line(failure.instance)


def outage_line(az: str) -> str:
    """An availability zone outage in words (what :func:`failure_lines` says of it)."""
    return f"availability zone {az} fails"


def stopped_line(name: str) -> str:
    """A stopped instance in words (what :func:`failure_lines` says of it)."""
    return f"{name} is stopped"
