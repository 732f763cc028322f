"""Network layouts several templates draw from: a VPC spread over availability zones, with a
public and a private subnet per zone, NAT devices, and instances."""

from __future__ import annotations

import random
from collections.abc import Hashable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from studytool.model.topology import Network, Vpc
from studytool.scenarios.templates.base import Contains
from studytool.scenarios.templates.describe import Situation

AZ_LETTERS = "abcdef"
#: the default of the mapping fields (shared, so read-only)
NOTHING: Mapping[str, object] = MappingProxyType({})


def pick_azs(rng: random.Random, low: int, high: int) -> list[str]:
    return list(AZ_LETTERS[: rng.randint(low, high)])


class AzLayout(NamedTuple):
    """Per AZ ``x``: subnet public-x (routed to igw-1) and private-x (routed to ``route_of[x]``).

    ``nat_gateways`` / ``nat_instances``: device name → the AZ whose public subnet holds it.
    ``hosts``: AZ → number of private instances (app-x1, app-x2...); ``web``: AZs with a public
    instance web-x. One route table per target: ``rt-private`` when every private subnet shares
    it, else one ``rt-private-x`` per AZ. Read-only; ``_replace`` makes a changed copy.
    """

    azs: tuple[str, ...]
    route_of: Mapping[str, str]
    nat_gateways: Mapping[str, str] = NOTHING  # type: ignore[assignment]
    nat_instances: Mapping[str, str] = NOTHING  # type: ignore[assignment]
    hosts: Mapping[str, int] = NOTHING  # type: ignore[assignment]
    web: tuple[str, ...] = ()
    secondary_eips: Mapping[str, tuple[str, ...]] = NOTHING  # type: ignore[assignment]
    private_public_ips: bool = False

    def build(self) -> Network:
        net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1"))
        net.add_route_table("rt-public", {"0.0.0.0/0": "igw-1"})
        shared = len(set(self.route_of.values())) == 1 and len(self.azs) > 1
        if shared:
            net.add_route_table("rt-private", {"0.0.0.0/0": next(iter(self.route_of.values()))})
        for az in self.azs:
            net.add_subnet(f"public-{az}", az, "rt-public")
        for az in self.azs:
            table = "rt-private" if shared else f"rt-private-{az}"
            if not shared:
                net.add_route_table(table, {"0.0.0.0/0": self.route_of[az]})
            net.add_subnet(f"private-{az}", az, table)
        for name, az in self.nat_gateways.items():
            net.add_nat_gateway(
                name, f"public-{az}", elastic_ip=f"eip-{name}",
                secondary_elastic_ips=self.secondary_eips.get(name, ()),
            )  # fmt: skip
        for name, az in self.nat_instances.items():
            net.add_nat_instance(name, f"public-{az}", public_ip=True, source_dest_check=False)
        for az in self.azs:
            for number in range(1, self.hosts.get(az, 0) + 1):
                net.add_instance(f"app-{az}{number}", f"private-{az}",
                                 public_ip=self.private_public_ips)  # fmt: skip
            if az in self.web:
                net.add_instance(f"web-{az}", f"public-{az}", public_ip=True)
        return net

    def key(self) -> Hashable:
        """Every field, hashable (mappings as their items, in order: the order of the
        devices is the order of the network's components)."""
        return (
            self.azs, tuple(self.route_of.items()), tuple(self.nat_gateways.items()),
            tuple(self.nat_instances.items()), tuple(self.hosts.items()), self.web,
            tuple(self.secondary_eips.items()), self.private_public_ips,
        )  # fmt: skip

    def situation(self) -> Situation:
        """The layout's network, described (see
        :class:`~studytool.scenarios.templates.describe.Situation`)."""
        return Situation(("az-layout", self.key()), self.build)

    def instances(self) -> tuple[str, ...]:
        names: list[str] = []
        hosts, web = self.hosts, self.web
        for az in self.azs:
            for number in range(1, hosts.get(az, 0) + 1):
                names.append(f"app-{az}{number}")
            if az in web:
                names.append(f"web-{az}")
        return tuple(names)

    def private_instances(self) -> tuple[str, ...]:
        return tuple(name for name in self.instances() if name.startswith("app-"))


def instance_az(name: str) -> str:
    """The AZ letter of an instance named by :class:`AzLayout` (app-b2 → b, web-c → c)."""
    return name[name.index("-") + 1]


_CONTAINS: dict[str, Contains] = {}


def contains(name: str) -> Contains:
    """``Contains(name)``, one per instance name (immutable, so shared across questions: a
    frozen dataclass costs more to make than to look up; names come from :class:`AzLayout`,
    a few dozen at most)."""
    found = _CONTAINS.get(name)
    if found is None:
        if len(_CONTAINS) >= 256:  # bounded, whatever names callers pass
            _CONTAINS.clear()
        found = _CONTAINS[name] = Contains(name)
    return found


def random_hosts(rng: random.Random, azs: list[str], low: int = 1, high: int = 2) -> dict[str, int]:
    return {az: rng.randint(low, high) for az in azs}
