"""Questions the generated scenarios ask that take several model queries to answer.

Each function here only asks :mod:`studytool.model.queries` and reads the values off their
answers (all of them true, one larger than another); the reasons and rule ids are the
queries' own. Templates use them as probes like any single query.
"""

from __future__ import annotations

from collections.abc import Iterable

from studytool.model import queries
from studytool.model.answer import Answer
from studytool.model.topology import Network


def combine(value: object, answers: Iterable[Answer], unit: str | None = None) -> Answer:
    """An answer whose reasons and rules are those of ``answers``, in order, without repeats."""
    because: list[str] = []
    rules: list[str] = []
    for answer in answers:
        because += [reason for reason in answer.because if reason not in because]
        rules += [rule_id for rule_id in answer.rules if rule_id not in rules]
    return Answer(value, because, rules, unit)


def egress_survives_any_az(net: Network, instances: tuple[str, ...]) -> Answer:
    """Do all ``instances`` have IPv4 egress now, and keep it whichever single AZ fails
    (except, of course, the instances of the failed AZ itself)?"""
    now = [queries.internet_egress(net, name) for name in instances]
    azs = net.azs()
    outages = [queries.lost_internet_if_az_fails(net, az) for az in azs]
    without = [name for name, answer in zip(instances, now, strict=True) if not answer.value]
    losing = [(az, answer) for az, answer in zip(azs, outages, strict=True) if answer.value]
    summary = [f"{name} has no internet egress at all (rule igw-route-target)" for name in without]
    summary += [
        f"when AZ {az} fails, {', '.join(answer.value)} "  # type: ignore[arg-type]
        f"{queries.agreeing(len(answer.value), 'lose')} internet egress "  # type: ignore[arg-type]
        "(rule nat-gateway-per-az)"
        for az, answer in losing
    ]
    if summary:
        failing = [answer for answer in now if not answer.value] + [a for _az, a in losing]
        return combine(False, [*failing, Answer(False, summary, ["nat-gateway-per-az"])])
    kept = (
        "every instance keeps internet egress whichever single AZ fails (rule nat-gateway-per-az)"
    )
    return combine(True, [*now[:1], *outages, Answer(True, [kept], ["nat-gateway-per-az"])])


def throughput_gain(
    before: Network, after: Network, gateway: str, after_gateway: str | None = None
) -> Answer:
    """Is the VPN ceiling of ``after_gateway`` (default ``gateway``) in ``after`` higher than
    that of ``gateway`` in ``before``?"""
    old = queries.vpn_max_throughput_gbps(before, gateway)
    new = queries.vpn_max_throughput_gbps(after, after_gateway or gateway)
    gained = float(new.value) > float(old.value) + 1e-9  # type: ignore[arg-type]
    rule_id = new.rules[-1] if new.rules else "tgw-ecmp-bandwidth"
    if abs(float(new.value) - float(old.value)) <= 1e-9:  # type: ignore[arg-type]
        text = f"the ceiling stays at {old.value:g} Gbps (rule {rule_id})"
    else:
        text = f"the ceiling goes from {old.value:g} Gbps to {new.value:g} Gbps (rule {rule_id})"
    return combine(gained, [new, Answer(gained, [text], [])])
