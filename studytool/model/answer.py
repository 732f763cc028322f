"""What rules and queries return: a :class:`Finding` per rule applied, an :class:`Answer` per
query (the value, the reasons a person reads, and the ids of the rules used)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from studytool.model.records import Record

#: the count units answers use (plural, as ``Answer.unit`` holds them) and their singular, for
#: "1 call" and "1 NAT gateway"; measures ("Gbps") read the same for every number
SINGULAR_UNITS: dict[str, str] = {
    "calls": "call",
    "connections": "connection",
    "NAT gateways": "NAT gateway",
}


def unit_for(value: object, unit: str) -> str:
    """``unit`` as it reads after ``value``: singular after exactly 1, else as given."""
    if value == 1 and not isinstance(value, bool):
        return SINGULAR_UNITS.get(unit, unit)
    return unit


class Finding(NamedTuple):
    """One rule applied to one situation: did it hold (``ok``), and why, in words."""

    rule_id: str
    ok: bool
    text: str
    value: object = None

    def reason(self) -> str:
        return f"{self.text} (rule {self.rule_id})"


class Answer(Record):
    """A query's answer: ``value`` (bool, str, int, float, list or None), the reasons, the rules.

    ``because`` is ordered: the path or computation first, then every blocking setting.
    ``unit`` names the unit of a number ("Gbps", "calls"), else None.
    """

    __slots__ = ("because", "rules", "unit", "value")

    def __init__(
        self,
        value: object,
        because: list[str] | None = None,
        rules: list[str] | None = None,
        unit: str | None = None,
    ) -> None:
        self.value = value
        self.because: list[str] = list(because or ())
        self.rules: list[str] = list(rules or ())
        self.unit = unit

    @classmethod
    def from_findings(
        cls, value: object, findings: Iterable[Finding], unit: str | None = None
    ) -> Answer:
        """Reasons in order, without repeats; rule ids in first-use order, without repeats
        (kept as dict keys: setting a key that is already there leaves it in its place)."""
        because: dict[str, None] = {}
        rules: dict[str, None] = {}
        for rule_id, _ok, text, _value in findings:
            because[f"{text} (rule {rule_id})"] = None  # Finding.reason(), inlined
            rules[rule_id] = None
        answer = object.__new__(cls)
        answer.value, answer.because, answer.rules, answer.unit = (
            value, list(because), list(rules), unit
        )  # fmt: skip
        return answer

    def to_json(self) -> dict[str, object]:
        return {"answer": self.value, "because": list(self.because), "rules": list(self.rules)}
