"""Scenario cards in the study loop (pure): the question a due card poses, hints and grades.

A scenario card is one of two things, told apart by its ``extra`` text:

- a **template card** (``extra`` = ``{"template": "nat-gateway/min-count"}``, see
  :func:`template_extra`): every showing draws a fresh situation with
  ``generate(template_id, seed)``, so the answer cannot be memorised. The seed comes from the
  card id, its review count and the moment it is shown (:func:`question_seed`); the study app
  can be handed another seed source (tests make questions deterministic that way).
- a **note-block card** (``extra`` = the YAML of a fenced ```` ```scenario ```` block): the
  user wrote the situation and the questions (``ask``), the model computes the answers. One
  ask is posed per showing, in turn: ask number ``reps % len(asks)``, so every ask comes round
  and a same-day repeat after a wrong answer asks the next one about the same situation.
  Each ask becomes a question of the matching kind (:func:`note_question`): ``subnet-type``
  a choice between public and private, the true/false asks yes/no, ``lost-internet-if-az-fails``
  and ``problems`` several choices, the throughput and ``backend-calls`` a number.

Grades (:func:`suggested_grade`): right on the first try 5, or 4 when slower than
:func:`slow_after_seconds` (20 s plus 0.3 s per word of the question and its choices, the time
to read it); right after a hint 3; wrong (or revealed without an answer) 1. The user may give
any other grade before moving on.

Hints (:func:`hint_for`): a choice or several-choice question loses one wrong option; an
order question shows the first step of an order that works; a yes/no or number question shows
one of the model's reasons (from the middle of the explanation: the first ones set the scene, the
last one often states the answer). One hint per question.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from studytool.scenarios.answer_check import CheckResult, label
from studytool.scenarios.templates.base import Question

#: seeds are drawn from 0 .. QUESTION_SEEDS - 1 (as the generator's own)
QUESTION_SEEDS = 2**31

TEMPLATE = "template"
NOTE = "note"

RIGHT_GRADE = 5
SLOW_GRADE = 4
HINT_GRADE = 3
WRONG_GRADE = 1
#: an answer is slow after this many seconds plus SECONDS_PER_WORD per word read
SLOW_BASE_SECONDS = 20.0
SECONDS_PER_WORD = 0.3

#: options a note block's ``problems`` question shows, at the least (found ones plus distractors)
PROBLEM_CHOICES = 5


class ScenarioCardError(ValueError):
    """A scenario card that cannot pose a question (``FILE:LINE: what`` when it has a place)."""


# --------------------------------------------------------------------------- card data
def template_extra(template_id: str) -> str:
    """The ``extra`` text of a template card."""
    return json.dumps({TEMPLATE: template_id}, separators=(",", ":"))


def template_of(extra: str | None) -> str | None:
    """The template id of a template card's ``extra``, or None (a note block's YAML)."""
    if not extra or not extra.lstrip().startswith("{"):
        return None
    try:
        data = json.loads(extra)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get(TEMPLATE), str) and len(data) == 1:
        return str(data[TEMPLATE])
    return None


def question_seed(card_id: int, reps: int, now: datetime) -> int:
    """A fresh seed for one showing of a card: its id, review count and the moment."""
    material = f"{card_id}:{reps}:{now.timestamp():.6f}".encode()
    digest = hashlib.sha256(material).digest()
    return int.from_bytes(digest[:8], "big") % QUESTION_SEEDS


# --------------------------------------------------------------------------- posing
@dataclass(frozen=True)
class PosedQuestion:
    """The question one showing of a scenario card asks, and where it comes from.

    ``source`` is :data:`TEMPLATE` or :data:`NOTE`. For a note block, ``situation`` is the
    block's text without its ``title`` and ``ask`` entries, ``ask`` the ask posed, ``ask_index``
    / ``ask_count`` its place among the block's asks and ``line`` the ask's line in the note.
    """

    question: Question
    source: str
    title: str
    seed: int
    template: str | None = None
    situation: str | None = None
    ask: str | None = None
    ask_index: int = 0
    ask_count: int = 1
    note: str | None = None
    line: int = 0


def pose(
    extra: str | None,
    seed: int,
    reps: int = 0,
    note: str = "",
    line: int = 0,
    title: str = "",
) -> PosedQuestion:
    """The question a scenario card poses now (raises :class:`ScenarioCardError`).

    ``extra``, ``note``, ``line`` and ``title`` (the card's prompt) come from the card,
    ``reps`` is how often it was graded (which ask of a note block comes next).
    """
    template_id = template_of(extra)
    if template_id is not None:
        return pose_template(template_id, seed)
    if not extra or not extra.strip():
        raise ScenarioCardError(f"{note or '<card>'}:{line}: the scenario card has no scenario")
    return pose_note_block(extra, seed, reps, note, line, title)


def pose_template(template_id: str, seed: int) -> PosedQuestion:
    """A fresh question from the template ``template_id`` for ``seed``."""
    from studytool.scenarios.generator import UnknownTemplateError, generate

    try:
        question = generate(template_id, seed)
    except UnknownTemplateError as error:
        raise ScenarioCardError(f"{error}: the template was removed from studytool") from None
    return PosedQuestion(
        question=question, source=TEMPLATE, title=question.title, seed=seed, template=template_id
    )


def pose_note_block(
    source: str, seed: int, reps: int = 0, note: str = "", line: int = 0, title: str = ""
) -> PosedQuestion:
    """The next ask of a note's scenario block (``line``: the block's first line in the note)."""
    from studytool.scenarios.scenario_file import ScenarioError, load_scenario

    filename = note or "<scenario>"
    try:
        scenario = load_scenario(source, filename=filename, line_offset=max(0, line - 1))
    except ScenarioError as error:
        raise ScenarioCardError(str(error)) from None
    if not scenario.questions:
        raise ScenarioCardError(f"{filename}:{line}: the scenario block asks nothing (no `ask`)")
    index = reps % len(scenario.questions)
    shown_title = scenario.title or title or "Scenario"
    question = note_question(scenario, index, seed, shown_title)
    return PosedQuestion(
        question=question, source=NOTE, title=shown_title, seed=seed,
        situation=situation_text(source), ask=scenario.questions[index].text, ask_index=index,
        ask_count=len(scenario.questions), note=note or None,
        line=scenario.questions[index].line,
    )  # fmt: skip


def note_question(scenario: Any, index: int, seed: int, title: str = "Scenario") -> Question:
    """Ask ``index`` of a loaded scenario as a question of the matching kind, model-answered."""
    from studytool.scenarios.scenario_file import ScenarioError, answer_question

    asked = scenario.questions[index]
    try:
        answered = answer_question(scenario, asked)
    except ScenarioError as error:
        raise ScenarioCardError(str(error)) from None
    word, args = asked.word, asked.args
    kind, text, choices, answer, unit = _note_ask(scenario.network, word, args, answered, seed)
    return Question(
        template="", topic="", title=title, question=text, kind=kind, choices=choices,
        answer=answer, unit=unit, because=list(answered.because), rules=list(answered.rules),
        seed=seed,
    )  # fmt: skip


def _note_ask(
    network: Any, word: str, args: tuple[object, ...], answered: Any, seed: int
) -> tuple[str, str, list[str] | None, object, str | None]:
    """(kind, question text, choices, answer, unit) for one ask of a note block."""
    value = answered.answer
    name = str(args[0]) if args else ""
    if word == "subnet-type":
        return "choice", f"Is subnet {name} public or private?", ["public", "private"], value, None
    if word in _YES_NO_ASKS:
        return "yes-no", _YES_NO_ASKS[word](name, args), None, bool(value), None
    if word == "lost-internet-if-az-fails":
        choices = sorted(
            instance.name
            for instance in network.instances.values()
            if network.az_of_host(instance) != name
        )
        text = (
            f"If availability zone {name} fails, which instances outside it lose internet "
            "access? (choose all that apply; none if none does)"
        )
        return "multi", text, choices, [c for c in choices if c in set(value)], None
    if word == "problems":
        choices = _problem_choices(network, list(value), seed)
        text = "Which problems does this configuration have? (choose all that apply)"
        return "multi", text, choices, [c for c in choices if c in set(value)], None
    if word == "vpn-max-throughput-gbps":
        text = (
            f"What is the most bandwidth traffic from AWS to on-premises can get over {name}'s "
            "VPN connections, in Gbps?"
        )
        return "number", text, None, value, answered.unit or "Gbps"
    if word == "backend-calls":
        text = "How many of the API requests reach the backend?"
        return "number", text, None, value, answered.unit or "calls"
    raise ScenarioCardError(f"no study question for the ask {word!r}")


def _egress_text(name: str, args: tuple[object, ...]) -> str:
    address = args[1] if len(args) > 1 else None
    target = str(address) if address is not None else "a server on the internet"
    return f"Can {name} open an IPv4 connection to {target}?"


_YES_NO_ASKS = {
    "internet-egress": _egress_text,
    "internet-egress-ipv6": lambda name, _args: (
        f"Can {name} open an IPv6 connection to the internet?"
    ),
    "internet-ingress": lambda name, args: (
        f"Can a host on the internet open a TCP connection that reaches {name} on port {args[1]}?"
    ),
    "vpn-up": lambda name, _args: f"Is VPN connection {name} up (at least one tunnel)?",
}

#: which part of a network each problem id is about (distractors about present parts first)
_PROBLEM_PARTS = {
    "igw-not-attached": "route_tables",
    "nat-gateway-in-private-subnet": "nat_gateways",
    "nat-gateway-missing-eip": "nat_gateways",
    "private-nat-gateway-with-eip": "nat_gateways",
    "nat-instance-source-dest-check": "nat_instances",
    "nat-instance-no-public-ip": "nat_instances",
    "nat-instance-in-private-subnet": "nat_instances",
    "cache-ttl-out-of-range": "api_stage",
    "large-tunnel-needs-transit-gateway": "vpn_connections",
    "cache-size-invalid": "api_stage",
}


def _problem_choices(network: Any, found: list[str], seed: int) -> list[str]:
    """The problems found plus wrong ones (about parts the network has first), shuffled."""
    from studytool.model.problems import PROBLEM_IDS

    rng = random.Random(f"problems#{seed}")
    others = [problem for problem in PROBLEM_IDS if problem not in found]
    rng.shuffle(others)
    others.sort(key=lambda problem: not getattr(network, _PROBLEM_PARTS.get(problem, ""), None))
    wanted = max(PROBLEM_CHOICES, len(found) + 2)
    choices = list(found) + others[: max(0, wanted - len(found))]
    rng.shuffle(choices)
    return choices


_TOP_LEVEL_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def situation_text(source: str) -> str:
    """A scenario block's text without its ``title`` and ``ask`` entries (shown separately)."""
    kept: list[str] = []
    skipping = False
    for line in source.splitlines():
        key = _TOP_LEVEL_KEY.match(line)
        if key is not None:
            skipping = key.group(1) in ("ask", "title")
        elif line and not line[0].isspace() and not line.startswith(("-", "#")):
            skipping = False
        if not skipping:
            kept.append(line)
    return "\n".join(kept).strip("\n")


# --------------------------------------------------------------------------- hints
@dataclass(frozen=True)
class Hint:
    """What a hint shows: a sentence, and the option it rules out (an index), if any."""

    text: str
    eliminated: int | None = None


def hint_for(question: Question, seed: int = 0) -> Hint:
    """One hint for ``question`` (see the module docstring); ``seed`` picks the option."""
    choices = question.choices or []
    if question.kind in ("choice", "multi"):
        right = {question.answer} if question.kind == "choice" else set(question.answer)
        wrong = [index for index, text in enumerate(choices) if text not in right]
        if wrong:
            index = random.Random(f"hint#{seed}").choice(wrong)
            return Hint(f"{label(index)}) is not right: {choices[index]}", eliminated=index)
    if question.kind == "order" and question.answer:
        first = question.answer[0]
        return Hint(f"An order that works starts with {label(choices.index(first))}) {first}")
    reasons = question.because
    pool = reasons[:-1] if len(reasons) >= 3 else list(reasons)  # the last one often concludes
    if question.kind == "number":  # a reason that does the count would be the answer itself
        pool = [reason for reason in pool if not _states_number(reason, question.answer)]
    if pool:
        return Hint(f"One reason: {pool[len(pool) // 2]}")
    statements = [citation.statement for citation in citations(question.rules)]
    if statements:
        return Hint(f"The rule to apply: {statements[0]}")
    return Hint("No hint for this question.")


def _states_number(reason: str, answer: object) -> bool:
    """Whether ``reason`` contains the number ``answer`` (so showing it would answer for you)."""
    if not isinstance(answer, int | float) or isinstance(answer, bool):
        return False
    written = re.escape(f"{answer:g}")
    return re.search(rf"(?<![\w.]){written}(?![\w]|\.\d)", reason) is not None


# --------------------------------------------------------------------------- grades
def slow_after_seconds(question: Question) -> float:
    """Seconds after which a right answer counts as slow (grade 4): reading time plus 20 s."""
    words = len(question.question.split())
    words += sum(len(choice.split()) for choice in question.choices or ())
    return SLOW_BASE_SECONDS + SECONDS_PER_WORD * words


def suggested_grade(correct: bool, hinted: bool, seconds: float, question: Question) -> int:
    """5 right first time, 4 right but slow, 3 right after a hint, 1 wrong."""
    if not correct:
        return WRONG_GRADE
    if hinted:
        return HINT_GRADE
    if seconds > slow_after_seconds(question):
        return SLOW_GRADE
    return RIGHT_GRADE


def log_detail(
    posed: PosedQuestion,
    typed: str | None,
    result: CheckResult,
    hinted: bool,
    seconds: float,
) -> dict[str, Any]:
    """What the review log keeps about one answered scenario question (JSON values)."""
    question = posed.question
    detail: dict[str, Any] = {
        "topic": question.topic or None,
        "template": posed.template,
        "seed": posed.seed,
        "kind": question.kind,
        "question": question.question,
        "choices": list(question.choices) if question.choices is not None else None,
        "typed": typed,
        "expected": result.expected_display,
        "correct": result.correct,
        "close": result.close,
        "hint": hinted,
        "seconds": round(seconds, 1),
        "rules": list(question.rules),
    }
    if posed.source == NOTE:
        detail.update(note=posed.note, line=posed.line, ask=posed.ask)
    return detail


# --------------------------------------------------------------------------- citations
@dataclass(frozen=True)
class Citation:
    """A rule and the note statement it tests (``note``:``line``: ``text``), when found."""

    rule: str
    statement: str
    note: str | None = None
    line: int | None = None
    text: str | None = None

    def __str__(self) -> str:
        if self.note and self.line and self.text:
            return f"{self.note}:{self.line}: {self.text}"
        return self.statement


def citations(rule_ids: Iterable[str]) -> list[Citation]:
    """Each rule's statement and the bundled-note statement it tests (unknown ids skipped)."""
    from studytool.model.rules import get_rule, rule_note_location

    found: list[Citation] = []
    for rule_id in dict.fromkeys(rule_ids):
        try:
            rule = get_rule(rule_id)
        except KeyError:
            continue
        location = rule_note_location(rule) if rule.note is not None else None
        if location is None or rule.note is None:
            found.append(Citation(rule_id, rule.statement))
            continue
        _path, line, text = location
        found.append(Citation(rule_id, rule.statement, rule.note.path, line, text))
    return found


def answer_letters(indexes: Sequence[int]) -> str:
    """Option indexes as the letters a person types: ``a, c`` (``none`` for no option)."""
    return ", ".join(label(index) for index in indexes) if indexes else "none"


__all__ = [
    "HINT_GRADE",
    "NOTE",
    "RIGHT_GRADE",
    "SLOW_GRADE",
    "TEMPLATE",
    "WRONG_GRADE",
    "Citation",
    "Hint",
    "PosedQuestion",
    "ScenarioCardError",
    "answer_letters",
    "citations",
    "hint_for",
    "log_detail",
    "note_question",
    "pose",
    "pose_note_block",
    "pose_template",
    "question_seed",
    "situation_text",
    "slow_after_seconds",
    "suggested_grade",
    "template_extra",
    "template_of",
]
