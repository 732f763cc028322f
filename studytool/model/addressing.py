"""IP networks and port sets: the arithmetic under routes, security groups and network ACLs.

Owns CIDR parsing (strict: host bits must be zero, as AWS requires), address-family checks
(an IPv4 rule never matches an IPv6 address), and :class:`PortSet`, an immutable set of TCP
ports kept as sorted inclusive ranges so that filters can be intersected and explained.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class _NetworkText:
    """Caches ``str()`` and ``hash()`` of a network: explanations print the same few networks
    many times, and memo keys hash them."""

    def __str__(self) -> str:
        text = self.__dict__.get("_text")
        if text is None:
            text = self.__dict__["_text"] = super().__str__()  # type: ignore[misc]
        return text

    def __hash__(self) -> int:
        found = self.__dict__.get("_hash")
        if found is None:
            found = self.__dict__["_hash"] = super().__hash__()  # type: ignore[misc]
        return found


class Cidr4(_NetworkText, ipaddress.IPv4Network):
    """An IPv4 network whose text is computed once."""


class Cidr6(_NetworkText, ipaddress.IPv6Network):
    """An IPv6 network whose text is computed once."""


class _AddressCache:
    """Caches ``str()`` and ``hash()`` of an address: explanations print the same few addresses
    many times, and memo keys hash them (subclasses hold the ``_hash`` and ``_text`` slots)."""

    __slots__ = ()

    def __hash__(self) -> int:
        try:
            return self._hash  # type: ignore[attr-defined,no-any-return]
        except AttributeError:
            self._hash: int = super().__hash__()
            return self._hash

    def __str__(self) -> str:
        try:
            return self._text  # type: ignore[attr-defined,no-any-return]
        except AttributeError:
            self._text: str = super().__str__()
            return self._text

    def __format__(self, spec: str) -> str:
        # f-strings call __format__, which ipaddress implements in Python before calling str()
        return self.__str__() if not spec else super().__format__(spec)


class Address4(_AddressCache, ipaddress.IPv4Address):
    """An IPv4 address whose text and hash are computed once."""

    __slots__ = ("_hash", "_text")


class Address6(_AddressCache, ipaddress.IPv6Address):
    """An IPv6 address whose text and hash are computed once."""

    __slots__ = ("_hash", "_text")


ANY_IPV4 = Cidr4("0.0.0.0/0")
ANY_IPV6 = Cidr6("::/0")

#: Public addresses tried, in order, as "a public IP that no narrower route covers".
PUBLIC_IPV4_CANDIDATES: tuple[Address4, ...] = tuple(
    Address4(text)
    for text in ("8.8.8.8", "1.1.1.1", "52.94.236.248", "151.101.1.69", "93.184.215.14")
)
PUBLIC_IPV6_CANDIDATES: tuple[Address6, ...] = tuple(
    Address6(text) for text in ("2001:4860:4860::8888", "2606:4700:4700::1111")
)

#: The ephemeral port range that replies come back on (AWS's recommendation for network ACLs).
EPHEMERAL_LOW = 1024
EPHEMERAL_HIGH = 65535


@lru_cache(maxsize=4096)
def parse_network(text: str) -> IPNetwork:
    """A CIDR block such as ``10.0.0.0/16`` or ``::/0``; ``ValueError`` with a readable reason.

    Results are shared (networks are immutable), so repeated texts cost one parse."""
    text = str(text).strip()
    if "/" not in text:
        raise ValueError(
            f"{text!r} is not a CIDR block (expected ADDRESS/PREFIX, like 10.0.0.0/16)"
        )
    try:
        return Cidr6(text, strict=True) if ":" in text else Cidr4(text, strict=True)
    except ValueError as error:
        if "host bits set" in str(error):
            raise ValueError(
                f"{text!r} has host bits set (the network address is expected)"
            ) from None
        raise ValueError(f"{text!r} is not a valid CIDR block") from None


@lru_cache(maxsize=4096)
def parse_address(text: str) -> IPAddress:
    """A single IPv4 or IPv6 address; ``ValueError`` with a readable reason."""
    text = str(text).strip()
    try:
        return Address6(text) if ":" in text else Address4(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a valid IP address") from None


def network_contains(network: IPNetwork, address: IPAddress) -> bool:
    """True when ``address`` lies in ``network`` (always False across address families)."""
    return address in network  # ipaddress compares the families first


def is_public_address(address: IPAddress) -> bool:
    """Routable on the internet: not private, loopback, link-local, multicast or reserved."""
    return address.is_global


class PortSet:
    """An immutable set of ports 0..65535, stored as sorted, merged inclusive ranges."""

    __slots__ = ("ranges",)

    def __init__(self, ranges: Iterable[tuple[int, int]] = ()) -> None:
        merged: list[tuple[int, int]] = []
        for low, high in sorted(ranges):
            if merged and low <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], high))
            else:
                merged.append((low, high))
        self.ranges: tuple[tuple[int, int], ...] = tuple(merged)

    @classmethod
    def _of(cls, ranges: tuple[tuple[int, int], ...]) -> PortSet:
        """A set from ranges already sorted, merged and non-adjacent (no re-sorting)."""
        made = object.__new__(cls)
        made.ranges = ranges
        return made

    @classmethod
    def single(cls, port: int) -> PortSet:
        return cls._of(((port, port),))

    @classmethod
    def between(cls, low: int, high: int) -> PortSet:
        return cls._of(((low, high),))  # one range: already sorted and merged

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PortSet) and self.ranges == other.ranges

    def __hash__(self) -> int:
        return hash(self.ranges)

    def __repr__(self) -> str:
        return f"PortSet({self})"

    def __str__(self) -> str:
        if not self.ranges:
            return "none"
        if self.ranges == ((0, 65535),):
            return "all"
        return ", ".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in self.ranges)

    def __contains__(self, port: int) -> bool:
        return any(low <= port <= high for low, high in self.ranges)

    def union(self, other: PortSet) -> PortSet:
        if not self.ranges or other.ranges == _ALL_RANGES:
            return other
        if not other.ranges or self.ranges == _ALL_RANGES:
            return self
        return PortSet(self.ranges + other.ranges)

    def intersection(self, other: PortSet) -> PortSet:
        # Both sides are sorted and merged, so the overlaps come out sorted and merged too.
        if self.ranges == _ALL_RANGES:
            return other
        if other.ranges == _ALL_RANGES:
            return self
        result: list[tuple[int, int]] = []
        for low_a, high_a in self.ranges:
            for low_b, high_b in other.ranges:
                low, high = max(low_a, low_b), min(high_a, high_b)
                if low <= high:
                    result.append((low, high))
        return PortSet._of(tuple(result))

    def difference(self, other: PortSet) -> PortSet:
        result = list(self.ranges)
        for cut_low, cut_high in other.ranges:
            next_result: list[tuple[int, int]] = []
            for low, high in result:
                if cut_high < low or cut_low > high:
                    next_result.append((low, high))
                    continue
                if low < cut_low:
                    next_result.append((low, cut_low - 1))
                if cut_high < high:
                    next_result.append((cut_high + 1, high))
            result = next_result
        # cutting pieces out of sorted, merged ranges leaves them sorted and merged
        return PortSet._of(tuple(result))

    def covers(self, other: PortSet) -> bool:
        """True when every port of ``other`` is in this set."""
        return not other.difference(self)

    def pick(self, preferred: Iterable[int] = (443, 80)) -> int | None:
        """A representative port: the first preferred one inside the set, else the lowest."""
        for port in preferred:
            if port in self:
                return port
        return self.ranges[0][0] if self.ranges else None


_ALL_RANGES = ((0, 65535),)
ALL_PORTS = PortSet.between(0, 65535)
NO_PORTS = PortSet()
EPHEMERAL_PORTS = PortSet.between(EPHEMERAL_LOW, EPHEMERAL_HIGH)
