"""Checking what a person types against a generated question's answer (pure).

What is accepted, by kind:

- ``yes-no``: yes / y / true / t / yeah / yep / correct and no / n / false / f / nope (only
  the first word counts: "no, the NAT gateway is down" is "no").
- ``choice``: the option's letter (``b``, ``B)``, ``(b)``), its number (``2``), or its text
  with case, spacing and punctuation ignored; a small typo is tolerated when it points at one
  option only and changes no number; quantities match by value (``500 MB`` = ``0.5 GB``,
  ``1 hour`` = ``3600 seconds``).
- ``multi``: several of the above in any order, separated by commas, spaces (letters and
  numbers), "and", "&" or "+": ``a, c`` = ``c a`` = ``A and C`` = ``ac``; ``none`` (or
  ``nothing``, ``-``) for an empty answer.
- ``number``: a number with or without a unit, converted to the answer's unit: ``1 hour`` =
  ``60 min`` = ``3600 s`` = ``3600``; ``2.5 Gbps`` = ``2500 Mbps``; ``0.5 GB`` = ``500 MB``; a
  unit of another kind (``5 GB`` for 5 Gbps) is wrong. Count answers accept their noun
  (``3 NAT gateways``) and number words (``three``).
- ``order``: letters or numbers in sequence (``b a d c``, ``2,1,4,3``, ``badc``) or the texts
  separated by ``->``, ``>``, ``;`` or new lines. Any order the model accepts counts as right.

:class:`CheckResult` ``close`` means "nearly": on a right answer, it was read through a typo;
on a wrong one, it was one step away (the right number in a unit of another kind, a set with
one option too many or too few, an order with two neighbours swapped). A wrong answer's
message gives the right answer and the model's reasons.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from studytool.model.answer import unit_for
from studytool.scenarios.templates.base import Question

YES_WORDS = frozenset({"yes", "y", "true", "t", "yeah", "yep", "yup", "correct", "right", "ja"})
NO_WORDS = frozenset({"no", "n", "false", "f", "nope", "nah", "incorrect", "wrong", "nein"})
NONE_WORDS = frozenset({"none", "nothing", "no one", "nobody", "neither", "empty", "0", "zero"})
_COUNTING = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)  # fmt: skip
NUMBER_WORDS = {word: float(value) for value, word in enumerate(_COUNTING)}
NUMBER_WORDS |= {"a": 1.0, "an": 1.0, "half": 0.5}
MULTIPLIERS = {"hundred": 100.0, "thousand": 1000.0}
LETTERS = "abcdefghijklmnopqrstuvwxyz"
RELATIVE_TOLERANCE = 1e-6


# --------------------------------------------------------------------------- result
class CheckResult(NamedTuple):
    """The verdict on one typed answer (immutable).

    ``normalised_given``: what the text was read as (bool; option letter(s); the number in
    the answer's unit; letters in order), None when it could not be read. ``because`` and
    ``rules``: the model's reasons and rule ids, for showing after a wrong answer.
    """

    correct: bool
    close: bool
    expected_display: str
    normalised_given: Any
    message: str
    because: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()


def check_answer(question: Question, typed: str) -> CheckResult:
    """Compare ``typed`` with ``question``'s answer (see the module docstring)."""
    checker = _CHECKERS.get(question.kind)
    if checker is None:
        raise ValueError(f"unknown question kind {question.kind!r}")
    correct, close, given, note, expected = checker(question, typed or "")
    if correct:
        message = f"Right ({note})." if note else "Right."
    else:
        message = _wrong_message(question, note, expected)
    fields = (
        correct,
        close,
        expected,
        given,
        message,
        tuple(question.because),
        tuple(question.rules),
    )
    # tuple.__new__ builds the same CheckResult without the NamedTuple's Python-level __new__
    # (checking is on the hot path of the scenario bench)
    return _new_tuple(CheckResult, fields)


_new_tuple = tuple.__new__


def _wrong_message(question: Question, note: str, expected: str) -> str:
    """The right answer, then "Why:" and the reasons as "- " lines, then "Rules: ..."."""
    because, rules = question.because, question.rules
    why = "\nWhy:\n- " + "\n- ".join(because) if because else ""
    cited = "\nRules: " + ", ".join(rules) if rules else ""
    return f"{note + '. ' if note else ''}The answer is {expected}.{why}{cited}"


# --------------------------------------------------------------------------- display
def label(index: int) -> str:
    return LETTERS[index] if index < len(LETTERS) else str(index + 1)


def format_number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def expected_display(question: Question) -> str:
    """The right answer as a person reads it: ``yes``, ``b) public``, ``7.5 Gbps``..."""
    answer = question.answer
    if question.kind == "yes-no":
        return "yes" if answer else "no"
    if question.kind == "number":
        return _number_display(answer, question.unit)
    choices = question.choices or []
    if question.kind == "choice":
        return _option_display(choices.index(answer), answer)
    indexes = [choices.index(text) for text in answer]
    if question.kind == "multi":
        return _set_display(indexes, answer)
    return _order_display(indexes, answer)


def _number_display(answer: Any, unit: str | None) -> str:
    return f"{format_number(answer)} {unit_for(answer, unit)}" if unit else format_number(answer)


def _option_display(index: int, text: str) -> str:
    return f"{label(index)}) {text}"


def _set_display(indexes: list[int], texts: Sequence[str]) -> str:
    picked = [_option_display(index, text) for index, text in zip(indexes, texts, strict=True)]
    return "; ".join(picked) if picked else "none"


def _order_display(indexes: list[int], texts: list[str]) -> str:
    letters = " ".join(label(index) for index in indexes)
    return f"{letters} ({' → '.join(texts)})"


# --------------------------------------------------------------------------- text helpers
_TOKEN = re.compile(r"\d+(?:[.,/:]\d+)*|[^\W\d_]+")
_LABEL_TOKEN = re.compile(r"[^\W\d_]+|\d+")
#: one option label as typed: ``b``, ``B)``, ``(b)``, ``2.``
_LABEL = re.compile(r"\(?([a-z]|\d{1,2})[).:]?")
#: a label, a space, then an option's text, as answers are shown: ``c) charlie`` (the space
#: keeps ``1.5 Gbps`` a number, not label 1 and ``5 Gbps``)
_LABELLED = re.compile(r"(\(?(?:[a-z]|\d{1,2})[).:])\s+(.+)", re.DOTALL)
_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")
#: ``Gb``, ``Mb``...: a capital prefix and a small b mean bits
_BITS_UNIT = re.compile(r"[KMGT]b")


@functools.lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Lower case, accents dropped, punctuation and spacing as single spaces; ``0.5`` and
    ``10.0.0.0/16`` stay whole."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(_TOKEN.findall(folded))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment edit distance (insert, delete, substitute, swap neighbours),
    or ``limit + 1`` as soon as it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_typos(length: int) -> int:
    """Edits that still count as a typo: none up to 4 characters, then one per 6, at most 3."""
    return 0 if length <= 4 else min(3, max(1, length // 6))


# --------------------------------------------------------------------------- quantities
#: unit spelling (normalised, spaces removed) -> (kind, factor to the kind's base unit)
UNITS: dict[str, tuple[str, float]] = {}


def _units(kind: str, factor: float, *names: str) -> None:
    for name in names:
        UNITS[name] = (kind, factor)


_units("time", 0.001, "ms", "msec", "millisecond", "milliseconds")
_units("time", 1, "s", "sec", "secs", "second", "seconds")
_units("time", 60, "min", "mins", "minute", "minutes")
_units("time", 3600, "h", "hr", "hrs", "hour", "hours")
_units("time", 86400, "d", "day", "days")
for _prefix, _factor, _word in (
    ("", 1e-9, ""), ("k", 1e-6, "kilo"), ("m", 1e-3, "mega"), ("g", 1, "giga"), ("t", 1e3, "tera"),
):  # fmt: skip
    _units("bandwidth", _factor, f"{_prefix}bps", f"{_prefix}bit/s", f"{_prefix}bits/s",
           f"{_prefix}b/s", f"{_word}bitspersecond", f"{_word}bitpersecond")  # fmt: skip
for _prefix, _factor, _word in (
    ("", 1e-9, ""), ("k", 1e-6, "kilo"), ("m", 1e-3, "mega"), ("g", 1, "giga"), ("t", 1e3, "tera"),
):  # fmt: skip
    _units("data", _factor, f"{_prefix}b", f"{_word}byte", f"{_word}bytes")
for _prefix, _power in (("ki", 1), ("mi", 2), ("gi", 3), ("ti", 4)):
    _units("data", 1024**_power / 1e9, f"{_prefix}b")
_units("data", 1, "gig", "gigs")
UNITS.pop("bytes", None)
UNITS.pop("byte", None)
_units("data", 1e-9, "byte", "bytes")
KIND_NAMES = {"time": "a duration", "bandwidth": "a bandwidth", "data": "a data size"}
#: words that may follow any count ("3 in total", "3 of them", "3x")
COUNT_FILLERS = frozenset({"", "x", "times", "total", "in total", "of them", "altogether"})


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number and, when given, its unit: ``kind`` is time/bandwidth/data, "count" for a
    noun, None for a bare number; ``value`` is in the kind's base unit (s, Gbps, GB)."""

    value: float
    kind: str | None
    unit: str
    typed_number: float = 0.0


_QUANTITY_TOKEN = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?|[-+]?[.,]\d+|[^\W\d_]+(?:/[^\W\d_]+)?")
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+")


def _number(token: str) -> float | None:
    """``"2.5"``, ``"2,5"`` (decimal comma), ``"3,600"`` (thousands) or ``"three"``."""
    if _THOUSANDS.fullmatch(token):
        return float(token.replace(",", ""))
    try:
        return float(token.replace(",", "."))
    except ValueError:
        return None


def unit_of(word: str) -> tuple[str, float] | None:
    """(kind, factor) for a unit as typed. ``GB``/``gb`` are gigabytes; ``Gb`` (capital
    prefix, small b) is gigabits, read as a rate (Gbps)."""
    compact = word.replace(" ", "").rstrip(".")
    if _BITS_UNIT.fullmatch(compact):
        return UNITS.get(compact.lower() + "ps")
    return UNITS.get(compact.lower())


@functools.lru_cache(maxsize=4096)
def parse_quantity(text: str) -> Quantity | None:
    """``"2.5 Gbps"``, ``"1h 30min"``, ``"an hour"``, ``"three NAT gateways"`` → a
    :class:`Quantity`; None when the text is not a number with an optional unit.

    Results are shared between calls with the same text (a :class:`Quantity` is frozen)."""
    groups: list[tuple[float, list[str]]] = []
    after_and = True
    for token in _QUANTITY_TOKEN.findall(text):
        lowered = token.lower()
        number = _number(token) if not token[0].isalpha() else None
        if number is None and after_and and lowered in NUMBER_WORDS:
            number = NUMBER_WORDS[lowered]
        if number is not None:
            groups.append((number, []))
            after_and = False
        elif not groups:
            return None
        elif lowered == "and":
            after_and = True
        else:
            groups[-1][1].append(token)
            after_and = False
    if not groups:
        return None
    if len(groups) == 1:
        number, words = groups[0]
        while words and words[0].lower() in MULTIPLIERS:
            number *= MULTIPLIERS[words.pop(0).lower()]
        if not words:
            return Quantity(number, None, "", number)
        unit = " ".join(words)
        found = unit_of(unit)
        if found is None:
            return Quantity(number, "count", unit.lower(), number)
        return Quantity(number * found[1], found[0], unit, number)
    total, kind = 0.0, None
    for number, words in groups:
        found = unit_of(" ".join(words)) if words else None
        if found is None or kind not in (None, found[0]):
            return None
        kind = found[0]
        total += number * found[1]
    unit = " ".join(" ".join(words) for _number_, words in groups)
    return Quantity(total, kind, unit, groups[0][0])


@functools.lru_cache(maxsize=256)
def _expected_kind(unit: str | None) -> tuple[str | None, float]:
    """(kind, factor) of the answer's unit; ("count", 1) for a count noun, (None, 1) for none."""
    if not unit:
        return None, 1.0
    found = unit_of(unit)
    return found if found is not None else ("count", 1.0)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-9)


#: other words people use for a count's unit
COUNT_SYNONYMS = {
    "calls": frozenset({"requests", "request", "backend calls", "calls to the backend"}),
    "connections": frozenset({"vpn connections", "vpn connection", "vpns", "vpn"}),
    "nat gateways": frozenset({"nat gws", "nat gw", "natgws", "natgw", "nat", "nats", "gws"}),
}


@functools.lru_cache(maxsize=1024)
def _noun_matches(typed: str, unit: str) -> bool:
    """Is the typed count noun the answer's own (singular or plural, any case), a synonym
    or a filler? (Pure, so answers are shared between calls with the same two texts.)"""
    typed = normalise(typed)
    if typed in COUNT_FILLERS or typed in COUNT_SYNONYMS.get(normalise(unit), ()):
        return True
    wanted = normalise(unit)
    singular = wanted[:-1] if wanted.endswith("s") else wanted
    last = wanted.split()[-1] if wanted else ""
    last_singular = last[:-1] if last.endswith("s") else last
    return typed in {wanted, singular, last, last_singular, wanted + "s"}


# --------------------------------------------------------------------------- kinds
#: (correct, close, normalised given, note, expected display)
Checked = tuple[bool, bool, Any, str, str]


#: a whole typed answer that is one yes or no word (the common case, read without normalising)
_YES_NO = dict.fromkeys(YES_WORDS, True) | dict.fromkeys(NO_WORDS, False)


def _check_yes_no(question: Question, typed: str) -> Checked:
    answer = question.answer
    expected = "yes" if answer else "no"
    given = _YES_NO.get(typed.strip().lower())
    if given is None:
        words = normalise(typed).split()
        first = words[0] if words else ""
        if first in YES_WORDS:
            given = True
        elif first in NO_WORDS:
            given = False
        else:
            return False, False, None, f"“{typed.strip()}” is not a yes or a no", expected
    return given == answer, False, given, "", expected


_NUMBER_NONE = ("none", "nothing", "no bandwidth", "no connections", "no calls")


def _check_number(question: Question, typed: str) -> Checked:
    correct, close, given, note = _read_number(question, typed)
    return correct, close, given, note, _number_display(question.answer, question.unit)


def _read_number(question: Question, typed: str) -> tuple[bool, bool, Any, str]:
    if normalise(typed) in _NUMBER_NONE:
        typed = "0"
    quantity = parse_quantity(typed)
    if quantity is None:
        return False, False, None, f"“{typed.strip()}” is not a number"
    expected = float(question.answer)
    unit = question.unit
    kind, factor = _expected_kind(unit)
    if quantity.kind is None:
        return _same(quantity.value, expected), False, quantity.value, ""
    if kind == "count" or kind is None:
        if quantity.kind != "count":
            wanted = f"a count of {unit}" if unit else "a plain number"
            note = f"{typed.strip()} is {KIND_NAMES[quantity.kind]}, but the answer is {wanted}"
            return False, _same(quantity.typed_number, expected), None, note
        if unit and not _noun_matches(quantity.unit, unit):
            note = f"the answer counts {unit}, not {quantity.unit}"
            return False, _same(quantity.typed_number, expected), quantity.value, note
        return _same(quantity.value, expected), False, quantity.value, ""
    if quantity.kind != kind:
        typed_kind = "a count" if quantity.kind == "count" else KIND_NAMES[quantity.kind]
        wanted = f"{KIND_NAMES[kind]} in {unit}"
        note = f"{typed.strip()} is {typed_kind}, but the answer is {wanted}"
        return False, _same(quantity.typed_number, expected), None, note
    value = quantity.value / factor
    return _same(value, expected), False, value, ""


@functools.lru_cache(maxsize=1024)
def _label_number(piece: str) -> int | None:
    """The 0-based option a typed label names (``c`` → 2, ``(3)`` → 2), before any range
    check; None when the piece is not a label."""
    match = _LABEL.fullmatch(piece.strip().lower())
    if match is None:
        return None
    token = match.group(1)
    return LETTERS.index(token) if token.isalpha() else int(token) - 1


#: the usual typed forms, read without the general parser: one small letter (a choice),
#: small letters separated by ", " or " " (a set), small letters separated by " " (an order)
_ONE_LETTER = frozenset(LETTERS)
_LETTER_SET = re.compile(r"[a-z](?:,? [a-z])*")
_LETTER_ORDER = re.compile(r"[a-z](?: [a-z])*")


class _Options:
    """Resolving typed pieces to option indexes (one per set of choices, reused)."""

    __slots__ = ("_by_text", "_digits", "_quantities", "choices", "normalised")

    def __init__(self, choices: tuple[str, ...]) -> None:
        self.choices = choices
        self.normalised = [normalise(choice) for choice in choices]
        #: normalised text -> the first option that reads so
        self._by_text: dict[str, int] = {}
        for index, text in enumerate(self.normalised):
            self._by_text.setdefault(text, index)
        self._quantities: list[Quantity | None] | None = None
        self._digits: list[list[str]] | None = None

    @property
    def quantities(self) -> list[Quantity | None]:
        if self._quantities is None:
            self._quantities = [parse_quantity(choice) for choice in self.choices]
        return self._quantities

    @property
    def digits(self) -> list[list[str]]:
        """The numbers written in each option's normalised text (a typo may not change them)."""
        if self._digits is None:
            self._digits = [_DIGITS.findall(text) for text in self.normalised]
        return self._digits

    def label_index(self, piece: str) -> int | None:
        index = _label_number(piece)
        return index if index is not None and 0 <= index < len(self.choices) else None

    def letter_indexes(self, letters: str) -> list[int] | None:
        """The options named by ``letters``, small letters separated by single spaces
        (``"a c"``), as the general reading names them: None when one is out of range, or
        when the text is an option's own normalised text (that option wins)."""
        if letters in self._by_text:
            return None
        indexes = [ord(letter) - 97 for letter in letters[::2]]
        return indexes if max(indexes) < len(self.choices) else None

    def resolve(self, piece: str) -> tuple[int, bool] | None:
        """(option index, read through a typo) for one typed piece, or None."""
        if piece in _ONE_LETTER and piece not in self._by_text:
            # the usual answer, one letter: what exact() reads, without the general parser
            index = ord(piece) - 97
            if index < len(self.choices):
                return index, False
        index = self.exact(piece)
        if index is not None:
            return index, False
        text = normalise(piece)
        return self._by_typo(text) if text else None

    def exact(self, piece: str, quantities: bool = True) -> int | None:
        """The option the piece names without a typo: its text, label, label and text as
        the answer is shown (``c) charlie``) or, with ``quantities``, its quantity."""
        text = normalise(piece)
        if not text:
            return None
        found = self._by_text.get(text)
        if found is not None:
            return found
        index = self.label_index(piece)
        if index is not None:
            return index
        index = self._labelled(piece)
        if index is not None:
            return index
        return self._by_quantity(piece) if quantities else None

    def _labelled(self, piece: str) -> int | None:
        """``c) charlie``: a label and the text of that same option (as answers are shown)."""
        match = _LABELLED.fullmatch(piece.strip().lower())
        if match is None:
            return None
        index = self.label_index(match[1])
        if index is None or self._by_text.get(normalise(match[2])) != index:
            return None  # "b) charlie" names two options: read as neither
        return index

    def _by_quantity(self, piece: str) -> int | None:
        first = piece.split()[0].lower() if piece.split() else ""
        if not _DIGIT.search(piece) and (first not in NUMBER_WORDS or len(first) < 3):
            return None  # "a, d" is two letters, not "1 day"
        typed = parse_quantity(piece)
        if typed is None or typed.kind in (None, "count"):
            return None
        matches = [
            index
            for index, option in enumerate(self.quantities)
            if option is not None and option.kind == typed.kind and _same(option.value, typed.value)
        ]
        return matches[0] if len(matches) == 1 else None

    def _by_typo(self, text: str) -> tuple[int, bool] | None:
        digits = _DIGITS.findall(text)
        scored = []
        pairs = zip(self.normalised, self.digits, strict=True)
        for index, (option, option_digits) in enumerate(pairs):
            limit = allowed_typos(len(option))
            if limit == 0 or option_digits != digits:
                continue
            distance = edit_distance(text, option, limit)
            if distance <= limit:
                scored.append((distance, index))
        scored.sort()
        if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
            return None
        return scored[0][1], True

    def letters_in(self, piece: str) -> list[int] | None:
        """``"a c"``, ``"1 3"`` or ``"ac"``: several labels in one piece."""
        tokens = _LABEL_TOKEN.findall(piece.lower())
        if len(tokens) == 1 and tokens[0].isalpha() and len(tokens[0]) > 1:
            if len(set(tokens[0])) != len(tokens[0]):
                return None  # "dead" is a word, not four letters
            tokens = list(tokens[0])
        if not tokens:
            return None
        count = len(self.choices)
        indexes = []
        for token in tokens:  # a run of letters or of digits: what _LABEL reads of it
            if token.isalpha():
                index = LETTERS.find(token) if len(token) == 1 else -1
            elif token.isdecimal():
                index = int(token) - 1 if len(token) <= 2 else -1
            else:  # "½": a word character, but neither a letter nor a digit
                return None
            if not 0 <= index < count:
                return None
            indexes.append(index)
        return indexes


@functools.lru_cache(maxsize=1024)
def _options(choices: tuple[str, ...]) -> _Options:
    return _Options(choices)


def _pieces(typed: str, separators: re.Pattern[str]) -> list[str]:
    return [piece for piece in separators.split(typed) if piece.strip()]


_LIST_SEPARATORS = re.compile(r"[,;\n]+")
_AND_SEPARATORS = re.compile(r"\s+(?:and|&|\+|or)\s+|\s*[&+]\s*")


def _read_set(options: _Options, typed: str) -> tuple[list[int], bool] | None:
    """The option indexes typed (any order), and whether a typo was forgiven; None if a piece
    cannot be read."""
    whole = options.exact(typed, quantities=False)
    if whole is not None:
        return [whole], False
    letters = options.letters_in(typed)
    if letters is not None:
        return letters, False
    listed = None if _THOUSANDS.search(typed) else _each_exact(options, typed)
    if listed is not None:  # "3600 seconds; 1 second": two options, not 3601 seconds
        return listed, False
    quantity = options._by_quantity(typed)  # "1 hour 30 min", "2,500 Mbps": one option
    if quantity is not None:
        return [quantity], False
    found: list[int] = []
    typo = False
    for piece in _pieces(typed, _LIST_SEPARATORS):
        resolved = options.resolve(piece)
        if resolved is not None:
            found.append(resolved[0])
            typo = typo or resolved[1]
            continue
        for part in _pieces(piece, _AND_SEPARATORS):
            resolved = options.resolve(part)
            if resolved is not None:
                found.append(resolved[0])
                typo = typo or resolved[1]
                continue
            letters = options.letters_in(part)
            if letters is None:
                whole_typo = options.resolve(typed)
                return ([whole_typo[0]], True) if whole_typo is not None else None
            found += letters
    return found, typo


def _each_exact(options: _Options, typed: str) -> list[int] | None:
    """The options of a typed list whose every piece names one exactly, else None."""
    pieces = _pieces(typed, _LIST_SEPARATORS)
    if len(pieces) < 2:
        return None
    found = [options.exact(piece) for piece in pieces]
    return None if None in found else found  # type: ignore[return-value]


def _letters(indexes: list[int]) -> list[str]:
    return [label(index) for index in indexes]


def _sorted_letters(indexes: set[int]) -> list[str]:
    """The labels of ``indexes``, sorted as text."""
    ordered = sorted(indexes)
    if ordered and ordered[-1] >= len(LETTERS):
        return sorted(_letters(ordered))  # "27" and the like sort among the letters as text
    return [LETTERS[index] for index in ordered]


def _check_choice(question: Question, typed: str) -> Checked:
    choices = question.choices or []
    options = _options(tuple(choices))
    answer = question.answer
    resolved = options.resolve(typed)
    if resolved is None:
        note = f"“{typed.strip()}” matches none of the options"
        return False, False, None, note, _option_display(choices.index(answer), answer)
    index, typo = resolved
    right = choices[index] == answer
    note = f"read as {label(index)}) {choices[index]}" if typo else ""
    return right, typo, label(index), note, _option_display(choices.index(answer), answer)


def _check_multi(question: Question, typed: str) -> Checked:
    choices = question.choices or []
    options = _options(tuple(choices))
    answer = question.answer
    answer_indexes = [choices.index(text) for text in answer]
    expected = set(answer_indexes)
    # "a, c", the usual answer (never a "none" word): read as _read_set would read it
    named = options.letter_indexes(typed.replace(",", "")) if _LETTER_SET.fullmatch(typed) else None
    if named is not None:
        given, typo = set(named), False
    elif typed in NONE_WORDS or normalise(typed) in NONE_WORDS or typed.strip() in ("-", "—", "∅"):
        given, typo = set(), False
    else:
        read = _read_set(options, typed)
        if read is None:
            note = f"could not read “{typed.strip()}” as options"
            return False, False, None, note, _set_display(answer_indexes, answer)
        given, typo = set(read[0]), read[1]
    letters = _sorted_letters(given)
    shown = _set_display(answer_indexes, answer)
    if given == expected:
        return True, typo, letters, "a typo forgiven" if typo else "", shown
    missing = sorted(expected - given)
    extra = sorted(given - expected)
    parts = []
    if missing:
        parts.append(f"missing {', '.join(_letters(missing))}")
    if extra:
        parts.append(f"not {', '.join(_letters(extra))}")
    note = "; ".join(parts).capitalize()
    return False, len(missing) + len(extra) == 1, letters, note, shown


_ORDER_STEP = r"->|→|=>|>|;|\n|\bthen\b"
#: what separates the steps of a typed order: arrows, ``;``, new lines, ``then``; failing
#: that (a step's own text may hold a comma), commas too
_ORDER_SEPARATORS = (
    re.compile(rf"\s*(?:{_ORDER_STEP})\s*"),
    re.compile(rf"\s*(?:{_ORDER_STEP}|,)\s*"),
)


def _read_sequence(options: _Options, typed: str) -> tuple[list[int], bool] | None:
    count = len(options.choices)
    if _LETTER_ORDER.fullmatch(typed):  # "b a d c": the usual answer, read as below would
        indexes = [ord(letter) - 97 for letter in typed.split(" ")]
        if max(indexes) < count:
            return indexes, False
    tokens = _LABEL_TOKEN.findall(typed.lower())
    if len(tokens) == 1 and tokens[0].isalpha() and len(tokens[0]) == count:
        tokens = list(tokens[0])
    labels = [options.label_index(token) for token in tokens]
    if tokens and all(index is not None for index in labels):
        return labels, False  # type: ignore[return-value]
    for separators in _ORDER_SEPARATORS:
        pieces = _pieces(typed, separators)
        resolved = [options.resolve(piece) for piece in pieces]
        if pieces and all(item is not None for item in resolved):
            return [item[0] for item in resolved], any(item[1] for item in resolved)  # type: ignore[index]
    return None


def _check_order(question: Question, typed: str) -> Checked:
    choices = question.choices or []
    options = _options(tuple(choices))
    answer = question.answer
    read = _read_sequence(options, typed)
    if read is None:
        note = f"could not read “{typed.strip()}” as an order of the options"
        return False, False, None, note, _order_display([choices.index(t) for t in answer], answer)
    sequence, typo = read
    letters = _letters(sequence)
    if sorted(sequence) != list(range(len(choices))):
        shown = _order_display([choices.index(text) for text in answer], answer)
        return False, False, letters, "Give every option exactly once", shown
    texts = [choices[index] for index in sequence]
    if texts == answer:
        shown = _order_display([choices.index(text) for text in answer], answer)
        return True, typo, letters, "a typo forgiven" if typo else "", shown
    judged = question.judge_order(texts)
    expected = [choices.index(text) for text in answer]
    shown = _order_display(expected, answer)
    if judged is not None and judged.value is True:
        return True, typo, letters, "another order that works", shown
    differ = [i for i, (a, b) in enumerate(zip(sequence, expected, strict=True)) if a != b]
    swapped = len(differ) == 2 and differ[1] == differ[0] + 1
    note = "Two neighbouring steps are swapped" if swapped else ""
    if judged is not None and judged.because:  # the model says why this order fails
        why = judged.because[0]
        note = f"{note}: {why}" if note else f"In your order, {why}"
    return False, swapped, letters, note, shown


_CHECKERS = {
    "yes-no": _check_yes_no,
    "number": _check_number,
    "choice": _check_choice,
    "multi": _check_multi,
    "order": _check_order,
}
