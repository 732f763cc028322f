"""What a scenario question template is, what it produces, and the registry of templates.

A template draws a random situation from a seeded ``random.Random`` and returns a
:class:`Draft`: the question in plain English plus the model queries (:class:`Probe`) that
answer it. The template never computes an answer: :meth:`Template.build` asks the probes and
reads the answer off their values, by kind:

- ``yes-no``: the value of the draft's probe (a bool);
- ``number``: the value of the draft's probe, with its unit (or the draft's own unit word);
- ``choice``: the one option the model judges right (a draw with none or several is redrawn);
- ``multi``: every option the model judges right, in the order shown;
- ``order``: the probe's value (a list of option keys) as option texts; another order counts
  as right when the draft's ``order_judge`` query accepts it.

Every option of a choice or multi question is judged by the model through its own probe and
predicate (``Equals``, ``Contains``...). A misconception the model cannot express (such as
"attach a second internet gateway") has no probe: it is always wrong and names the rule that
says why (``wrong_rule``). :meth:`Template.draft` returns the draft with the question, so
tests can ask the model again; a question keeps only what checking needs (for an order
question, the model's judge of other orders), so thousands of questions stay light.
"""

from __future__ import annotations

import random
import zlib
from _random import Random as _Twister
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, MutableSequence, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from studytool.model.answer import Answer
from studytool.model.topology import Network

T = TypeVar("T")

TOPICS: tuple[str, ...] = (
    "site-to-site-vpn",
    "internet-gateway",
    "nat-instance",
    "nat-gateway",
    "api-gateway",
    "transit-gateway",
)
KINDS: tuple[str, ...] = ("yes-no", "choice", "multi", "number", "order")
#: option texts longer than this are shortened (in the middle) where they label a reason
LABEL_LENGTH = 60
#: draws tried before a template is declared broken (each redraw continues the same generator)
MAX_DRAWS = 200

JSON_KEYS: tuple[str, ...] = (
    "template", "topic", "question", "kind", "choices", "answer", "unit", "because", "rules",
)  # fmt: skip


class Redraw(Exception):
    """Raised by a draw (or while its answers are read) when the situation makes a poor
    question (no right option, several right options in a one-choice question...)."""


# --------------------------------------------------------------------------- model hooks
@dataclass(slots=True, eq=False)
class Probe:
    """One question put to the model: a query function and its arguments (read-only by
    convention: not ``frozen``, whose ``__init__`` costs five times as much, and a question
    makes several probes).

    ``make``: builds the arguments when first needed (a trial network nobody asks about is
    never built). ``key``: names the situation completely (hashable); probes with equal keys
    and queries get equal answers, so :func:`resolve` may reuse an answer across questions
    (:data:`ANSWER_CACHE`). ``key=DESCRIBED`` says the question text describes every network
    argument completely: the text and the other arguments then make the key.
    :meth:`ask` always asks the model afresh.
    """

    query: Callable[..., Answer]
    args: tuple[Any, ...] = ()
    make: Callable[[], tuple[Any, ...]] | None = None
    key: Hashable | None = None

    def arguments(self) -> tuple[Any, ...]:
        return self.make() if self.make is not None else self.args

    def ask(self) -> Answer:
        return self.query(*self.arguments())


#: a probe key: the question text describes the probe's networks completely
DESCRIBED = "<described by the question text>"
#: (query, probe key) -> the model's answer, shared by every question of the process; oldest
#: first (an OrderedDict: evicting the oldest entry of a plain dict slows down as deletions
#: pile up at its front)
ANSWER_CACHE: OrderedDict[tuple[Callable[..., Answer], Hashable], Answer] = OrderedDict()
ANSWER_CACHE_SIZE = 8192


def _described_key(text: Hashable, args: tuple[Any, ...]) -> Hashable:
    """The question text and the probe's other arguments (networks stand for themselves)."""
    key: list[Hashable] = [text]
    for arg in args:
        if isinstance(arg, Network):
            key.append("<network>")
        elif type(arg).__hash__ is not None:  # isinstance(arg, Hashable), without the ABC
            key.append(arg)
        else:
            raise TypeError(f"a DESCRIBED probe argument must be hashable, got {arg!r}")
    return tuple(key)


def cached_answer(probe: Probe, text: Hashable = "") -> Answer:
    """The probe's answer, reused when a probe with the same query and key was asked before
    (``text``: what names the question, for ``key=DESCRIBED``: its template and text)."""
    if probe.key is None or ANSWER_CACHE_SIZE <= 0:
        return probe.ask()
    key = _described_key(text, probe.args) if probe.key == DESCRIBED else probe.key
    slot = (probe.query, key)
    found = ANSWER_CACHE.get(slot)
    if found is None:
        found = probe.ask()
        if len(ANSWER_CACHE) >= ANSWER_CACHE_SIZE:
            ANSWER_CACHE.popitem(last=False)
        ANSWER_CACHE[slot] = found
    return found


@dataclass(frozen=True, slots=True)
class Equals:
    """Right when the probe's value equals ``value``."""

    value: object

    def __call__(self, found: object) -> bool:
        return found == self.value


@dataclass(frozen=True, slots=True)
class Contains:
    """Right when the probe's value (a list) contains ``item``."""

    item: object

    def __call__(self, found: object) -> bool:
        return found is not None and self.item in found  # type: ignore[operator]


@dataclass(frozen=True, slots=True)
class Lacks:
    """Right when the probe's value (a list) does not contain ``item``."""

    item: object

    def __call__(self, found: object) -> bool:
        return found is None or self.item not in found  # type: ignore[operator]


@dataclass(frozen=True, slots=True)
class AtLeast:
    """Right when the probe's value (a number) is at least ``bound``."""

    bound: float

    def __call__(self, found: object) -> bool:
        return isinstance(found, int | float) and found >= self.bound - 1e-9


IS_TRUE = Equals(True)
IS_FALSE = Equals(False)


@dataclass(slots=True, eq=False)
class Option:
    """One choice shown to the user, with how the model judges it (read-only by convention,
    like :class:`Probe`).

    ``probe`` and ``right_if``: the option is right when ``right_if(probe.ask().value)``.
    ``wrong_rule`` (with ``probe=None``): a misconception the model cannot build; always
    wrong, for the reason the rule states (``wrong_text`` says it for this situation).
    ``key``: the model's name for the option (order questions map the model's keys to texts).
    ``reasons_when``: where the probe's situation differs from the question's, what the
    option's own reasons describe ("taken away"): they are labelled “text”, taken away: ...
    """

    text: str
    probe: Probe | None = None
    right_if: Callable[[object], bool] = IS_TRUE
    key: str | None = None
    wrong_rule: str | None = None
    wrong_text: str = ""
    reasons_when: str = ""


@dataclass(slots=True, eq=False)
class Draft:
    """A drawn situation: the question text and the model queries that answer it.

    ``probe``: the query whose value is the answer (yes-no, number, order) or whose reasons
    explain a choice (optional there). ``because_from``: extra queries whose reasons explain
    the answer (listed first). ``right_reasons`` / ``wrong_reasons``: how many of the last
    reasons of each right / wrong option's own answer are added, labelled with the option
    (None: all, 0: none). ``unit``: the unit word when the query has none. ``min_right``:
    fewest right options a multi question may have (fewer: redraw). ``order_judge``: for order
    questions, option keys in a proposed order → the probe that says whether it is valid.
    """

    question: str
    probe: Probe | None = None
    options: list[Option] | None = None
    unit: str | None = None
    because_from: tuple[Probe, ...] = ()
    right_reasons: int | None = None
    wrong_reasons: int | None = None
    min_right: int = 0
    order_judge: Callable[[list[str]], Probe] | None = None


# --------------------------------------------------------------------------- questions
@dataclass(slots=True, eq=False)
class Question:
    """A generated question with the model's answer, reasons and rule ids."""

    template: str
    topic: str
    title: str
    question: str
    kind: str
    choices: list[str] | None
    answer: Any
    unit: str | None
    because: list[str]
    rules: list[str]
    seed: int
    order_judge: OrderJudge | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, object]:
        """Exactly the keys of ``studytool scenarios --json`` (see :data:`JSON_KEYS`)."""
        return {
            "template": self.template,
            "topic": self.topic,
            "question": self.question,
            "kind": self.kind,
            "choices": list(self.choices) if self.choices is not None else None,
            "answer": list(self.answer) if isinstance(self.answer, list) else self.answer,
            "unit": self.unit,
            "because": list(self.because),
            "rules": list(self.rules),
        }

    def judge_order(self, texts: list[str]) -> Answer | None:
        """The model's verdict on the option texts in this order (order questions), else None."""
        if self.kind != "order" or self.order_judge is None:
            return None
        return self.order_judge(texts)


class OrderJudge:
    """Asks the model whether option texts in a given order are a valid order."""

    __slots__ = ("judge", "keys_by_text")

    def __init__(self, options: list[Option], judge: Callable[[list[str]], Probe]) -> None:
        self.keys_by_text = {option.text: option.key for option in options}
        self.judge = judge

    def __call__(self, texts: list[str]) -> Answer | None:
        keys = [self.keys_by_text.get(text) for text in texts]
        if any(key is None for key in keys):
            return None
        return cached_answer(self.judge(keys))  # type: ignore[arg-type]


#: template id -> the integer its question seeds are added to (see :meth:`Template.rng`)
_SEED_BASES: dict[str, int] = {}


#: the Mersenne Twister's own (C) seeding, as ``random.Random.seed`` ends up calling it
_seed_twister = _Twister.seed


class DrawRandom(random.Random):
    """The generator templates draw from: Python's Mersenne Twister, with ``choice``,
    ``randint``, ``randrange``, ``shuffle`` and ``sample`` read off ``random()`` (one C call
    per draw instead of the bit-rejection loop of ``random.Random``). The same seed gives the
    same draws on every platform (``random()`` is the Twister's, scaled exactly).

    Only integer seeds: ``random.Random.seed`` (Python) checks the seed's type before the C
    seeding; calling the C seeding directly saves a fifth of the cost of a new generator,
    which every question pays."""

    def __init__(self, seed: int) -> None:
        if type(seed) is not int:
            raise TypeError(f"DrawRandom takes an integer seed, got {seed!r}")
        _seed_twister(self, seed)
        self.gauss_next = None

    def choice(self, seq: Sequence[T]) -> T:
        if not seq:
            raise IndexError("cannot choose from an empty sequence")
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        count = (stop - start + step - 1) // step
        if step < 1 or count < 1:
            raise ValueError(f"empty range for randrange({start}, {stop}, {step})")
        return start + step * int(self.random() * count)

    def shuffle(self, x: MutableSequence[object]) -> None:
        draw = self.random
        for i in range(len(x) - 1, 0, -1):
            j = int(draw() * (i + 1))
            x[i], x[j] = x[j], x[i]

    def sample(  # type: ignore[override]
        self, population: Sequence[T], k: int
    ) -> list[T]:
        n = len(population)
        if not 0 <= k <= n:
            raise ValueError("sample larger than population or is negative")
        pool = list(population)
        draw = self.random
        picked = []
        for i in range(k):
            j = int(draw() * (n - i))
            picked.append(pool[j])
            pool[j] = pool[n - i - 1]
        return picked


@dataclass(frozen=True, slots=True)
class Template:
    """A question template: stable id (``topic/name``), topic, title, kind and its draw."""

    id: str
    topic: str
    title: str
    kind: str
    draw: Callable[[random.Random], Draft]

    def rng(self, seed: int) -> random.Random:
        """The template's own generator for ``seed`` (independent of the other templates).

        Seeded with an integer, cheaper than a string (which ``random`` hashes with SHA-512):
        the template id's CRC-32 above the question seed, so templates draw apart. Integer
        seeding is stable across runs, platforms and Python versions."""
        base = _SEED_BASES.get(self.id)
        if base is None:
            base = _SEED_BASES[self.id] = (zlib.crc32(self.id.encode()) + 1) << 64
        return DrawRandom(base + seed)

    def draft(self, seed: int) -> tuple[Draft, Question]:
        """The draft and the question built from it (draws again while the draw is poor)."""
        rng = self.rng(seed)
        for _attempt in range(MAX_DRAWS):
            try:
                draft = self.draw(rng)
                return draft, resolve(self, draft, seed)
            except Redraw:
                continue
        raise RuntimeError(f"template {self.id} found no usable situation in {MAX_DRAWS} draws")

    def build(self, seed: int) -> Question:
        """The question for ``seed``: the same seed always gives the same question."""
        return self.draft(seed)[1]


# --------------------------------------------------------------------------- resolving answers
class _Asked:
    """The answers of one draft's probes (each asked once), and the explanation being built:
    reasons and rule ids in first-use order, without repeats (kept as dict keys: setting a key
    that is already there leaves it in its place)."""

    __slots__ = ("answers", "because", "rules", "text")

    def __init__(self, text: Hashable) -> None:
        self.text = text
        self.answers: dict[int, Answer] = {}
        self.because: dict[str, None] = {}
        self.rules: dict[str, None] = {}

    def __call__(self, probe: Probe) -> Answer:
        found = self.answers.get(id(probe))
        if found is None:
            found = self.answers[id(probe)] = cached_answer(probe, self.text)
        return found

    def explain(self, answer: Answer) -> None:
        """Add an answer's reasons and rule ids."""
        because, rules = self.because, self.rules
        for reason in answer.because:
            because[reason] = None
        for rule_id in answer.rules:
            rules[rule_id] = None


def resolve(template: Template, draft: Draft, seed: int) -> Question:
    """Ask the model the draft's probes and build the question (raises :class:`Redraw`)."""
    asked = _Asked((template.id, draft.question))
    for probe in draft.because_from:
        asked.explain(asked(probe))
    kind = template.kind
    unit = draft.unit
    options = draft.options
    choices = [option.text for option in options] if options is not None else None
    order_judge = None
    if kind == "yes-no" or kind == "number":
        answer, unit = _direct_value(kind, draft, asked)
    elif kind == "choice" or kind == "multi":
        answer = _judged_options(kind, draft, asked)
    elif kind == "order":
        answer = _ordered_options(draft, asked)
        if draft.order_judge is not None:
            order_judge = OrderJudge(options or [], draft.order_judge)
    else:
        raise ValueError(f"template {template.id}: unknown kind {kind!r}")
    return Question(
        template.id, template.topic, template.title, draft.question, kind, choices, answer,
        unit, list(asked.because), list(asked.rules), seed, order_judge,
    )  # fmt: skip


def _direct_value(kind: str, draft: Draft, asked: _Asked) -> tuple[object, str | None]:
    if draft.probe is None:
        raise ValueError(f"a {kind} question needs a probe")
    result = asked(draft.probe)
    asked.explain(result)
    value = result.value
    if kind == "yes-no":
        if not isinstance(value, bool):
            raise TypeError(f"a yes-no probe must answer a bool, got {value!r}")
        return value, None
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        raise Redraw  # e.g. no number of connections reaches the target
    return value, draft.unit or result.unit


def _judged_options(kind: str, draft: Draft, asked: _Asked) -> object:
    options = draft.options or []
    if len(options) < 2 or len({option.text for option in options}) != len(options):
        raise Redraw  # a single option, or two that read the same
    main = draft.probe
    if main is not None:
        asked.explain(asked(main))
    right: list[tuple[Option, Answer]] = []
    wrong: list[tuple[Option, Answer | None]] = []
    for option in options:
        probe = option.probe
        if probe is None:
            if not option.wrong_rule:
                raise ValueError(f"option {option.text!r} has neither a probe nor a wrong_rule")
            wrong.append((option, None))
            continue
        result = asked(probe)
        (right if option.right_if(result.value) else wrong).append((option, result))  # type: ignore[arg-type]
    if kind == "choice" and len(right) != 1:
        raise Redraw
    if kind == "multi" and len(right) < draft.min_right:
        raise Redraw
    explained = {id(main), *[id(probe) for probe in draft.because_from]}
    labels = option_labels([option.text for option in options])
    if draft.right_reasons != 0:
        for option, result in right:
            if id(option.probe) not in explained:
                _explain_option(asked, option, labels[option.text], result, draft.right_reasons)
    for option, found in wrong:
        if found is None:
            reason = option.wrong_text or "it does not work that way"
            asked.because[f"“{option.text}” is wrong: {reason} (rule {option.wrong_rule})"] = None
            asked.rules[option.wrong_rule] = None  # type: ignore[index]
        elif draft.wrong_reasons != 0 and id(option.probe) not in explained:
            _explain_option(asked, option, labels[option.text], found, draft.wrong_reasons)
    if kind == "choice":
        return right[0][0].text
    return [option.text for option, _result in right]


def option_labels(texts: list[str]) -> dict[str, str]:
    """How each option text is quoted where it labels a reason: texts longer than
    :data:`LABEL_LENGTH` lose their middle (the start and the end, where options that share a
    start differ, are kept); texts whose shortened labels would read alike are quoted whole."""
    labels = {text: _shortened(text) for text in texts}
    alike = Counter(labels.values())
    return {text: label if alike[label] == 1 else text for text, label in labels.items()}


def _shortened(text: str) -> str:
    """``text`` cut to at most :data:`LABEL_LENGTH` characters at word boundaries, with "…"
    in place of its middle."""
    if len(text) <= LABEL_LENGTH:
        return text
    room = LABEL_LENGTH - 3  # " … "
    head = text[: room // 2]
    tail = text[len(text) - (room - len(head)) :]
    if " " in head:
        head = head[: head.rindex(" ")]
    if " " in tail:
        tail = tail[tail.index(" ") + 1 :]
    return f"{head.rstrip()} … {tail.lstrip()}"


def _explain_option(
    asked: _Asked, option: Option, name: str, result: Answer, count: int | None
) -> None:
    """The last ``count`` reasons (all for None) of an option's own answer, labelled “name”."""
    reasons = result.because if count is None else result.because[-count:]
    head = f"“{name}”, {option.reasons_when}: " if option.reasons_when else f"“{name}”: "
    because = asked.because
    for reason in reasons:
        because[head + reason] = None
    rules = asked.rules
    for rule_id in result.rules:
        rules[rule_id] = None


def _ordered_options(draft: Draft, asked: _Asked) -> list[str]:
    if draft.probe is None or not draft.options:
        raise ValueError("an order question needs a probe and options")
    result = asked(draft.probe)
    asked.explain(result)
    text_by_key = {option.key: option.text for option in draft.options}
    keys = list(result.value)  # type: ignore[call-overload]
    if sorted(keys) != sorted(text_by_key):  # type: ignore[type-var]
        raise ValueError("the model's order does not use exactly the options' keys")
    return [text_by_key[key] for key in keys]


# --------------------------------------------------------------------------- registry
TEMPLATES: dict[str, Template] = {}


def template(
    template_id: str, title: str, kind: str
) -> Callable[[Callable[[random.Random], Draft]], Callable[[random.Random], Draft]]:
    """Register a draw function as the template ``template_id`` (``topic/name``)."""
    topic, slash, name = template_id.partition("/")
    if not slash or not name or topic not in TOPICS:
        raise ValueError(f"template id {template_id!r} must be TOPIC/NAME with TOPIC in {TOPICS}")
    if kind not in KINDS:
        raise ValueError(f"template {template_id}: kind {kind!r} is not one of {KINDS}")
    if template_id in TEMPLATES:
        raise ValueError(f"template {template_id!r} registered twice")

    def register(draw: Callable[[random.Random], Draft]) -> Callable[[random.Random], Draft]:
        TEMPLATES[template_id] = Template(template_id, topic, title, kind, draw)
        return draw

    return register
