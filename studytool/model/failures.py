"""Failures the model can apply: an availability zone outage, a VPN tunnel down, an instance
stopped. They are text in scenario files (``az a``, ``tunnel vpn-1/1``, ``instance nat-i``)
and named tuples in code; :func:`apply_failures` returns a copy of a network with them in effect.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from studytool.model.topology import Network


class AzOutage(NamedTuple):
    """Everything zonal in the AZ goes down: instances, NAT instances, NAT gateways."""

    az: str

    def __str__(self) -> str:
        return f"az {self.az}"


class TunnelDown(NamedTuple):
    """Tunnel 1 or 2 of a VPN connection is down."""

    connection: str
    tunnel: int

    def __str__(self) -> str:
        return f"tunnel {self.connection}/{self.tunnel}"


class InstanceStopped(NamedTuple):
    """An instance or NAT instance is stopped."""

    instance: str

    def __str__(self) -> str:
        return f"instance {self.instance}"


Failure = AzOutage | TunnelDown | InstanceStopped

FAILURE_SYNTAX = "'az NAME', 'tunnel CONNECTION/1|2' or 'instance NAME'"


class FailureSyntaxError(ValueError):
    """A failure text that is not one of the known forms."""


def parse_failure(text: str) -> Failure:
    """``"az a"`` → AzOutage("a"); ``"tunnel vpn-1/2"`` → TunnelDown("vpn-1", 2); ..."""
    parts = str(text).split()
    if len(parts) != 2:
        raise FailureSyntaxError(f"failure {text!r} should be {FAILURE_SYNTAX}")
    kind, subject = parts[0].lower(), parts[1]
    if kind == "az":
        return AzOutage(subject)
    if kind in ("instance", "stop", "nat-instance"):
        return InstanceStopped(subject)
    if kind == "tunnel":
        connection, slash, number = subject.rpartition("/")
        if not slash or number not in ("1", "2") or not connection:
            raise FailureSyntaxError(
                f"tunnel {subject!r} should be CONNECTION/1 or CONNECTION/2 (each VPN "
                "connection has two tunnels)"
            )
        return TunnelDown(connection, int(number))
    raise FailureSyntaxError(f"unknown failure {kind!r}: expected {FAILURE_SYNTAX}")


def apply_failures(net: Network, failures: Iterable[Failure]) -> Network:
    """A copy of ``net`` with these failures added to those already in effect."""
    azs = set(net.failed_azs)
    stopped = set(net.stopped_instances)
    tunnels = set(net.down_tunnels)
    for failure in failures:
        if isinstance(failure, AzOutage):
            azs.add(failure.az)
        elif isinstance(failure, InstanceStopped):
            stopped.add(failure.instance)
        elif isinstance(failure, TunnelDown):
            tunnels.add((failure.connection, failure.tunnel))
        else:
            raise TypeError(f"not a failure: {failure!r}")
    return net.copy_with(
        failed_azs=frozenset(azs),
        stopped_instances=frozenset(stopped),
        down_tunnels=frozenset(tunnels),
    )
