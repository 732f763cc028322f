"""Sentences of a statement and the part of a highlighted sentence worth recalling (pure text).

Used by :mod:`studytool.cards`. Decisions:

- Sentences (facts) end at ``.``/``!``/``?`` followed by a capitalised word, a digit or a
  quote (not after an abbreviation like ``e.g.`` or an initial; ``1.25`` never ends one), and
  at a line break of the note unless the next line plainly continues the sentence (it starts
  lower-case and the line before has no end punctuation).
- A highlight covering (nearly) its whole sentence (only stop words outside it) hides the first
  found of: a number, with its unit when it has one (``300 seconds``, ``1.25 Gbps``, ``0``);
  the definition after a short ``Term:`` prefix; the object after the main verb (``supports
  [...]``; auxiliaries and a negation stay visible: ``is not [...]``); the part after a dash or
  an arrow; else, from three content words on, the last content words (about half, at most
  three). If none of these leaves a content word visible (``NAT gateway``, ``1.25 Gbps`` alone
  in a table cell), the whole highlight is hidden and the card's context is the question.
- A partial highlight hides its own words, except a long one (five words or more) that holds
  its own subject and verb, a whole clause: it hides the clause's number or the object of its
  verb, so the card keeps a cue (``The verification checks should be [...], where ...``).
- :func:`prompt_text` also masks other whole-word occurrences of the answer, so a card never
  shows its own answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

BLANK = "[...]"


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_WORD_RE = re.compile(r"\w+(?:['’.,/-]\w+)*")
_LETTER_OR_DIGIT_RE = re.compile(r"[^\W_]")
_SENTENCE_BREAK_RE = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n")
_ABBREVIATIONS = _word_set(
    "e.g i.e etc vs mr mrs ms dr st no nr fig cf approx inc ltd jr sr al eg ie ca resp"
)
_STOPWORDS = _word_set(
    """a an the of to in on at by for with from into onto than then so as and or nor but if
    is are was were be been being am it its this that these those there here which who whom
    whose what when where how not no also only just very all any some each both either neither
    such can could will would shall should may might must do does did has have had
    il lo la i gli le un una uno di da con su per tra fra e o che è del della dei delle"""
)
_UNITS = (
    r"%|percent|seconds?|secs?|s|ms|milliseconds?|µs|us|ns|minutes?|mins?|hours?|hrs?|h|days?|"
    r"weeks?|months?|years?|bits?|bytes?|[kmgtpe]i?b|[kmgt]?bps|[kmgt]bit/s|[kmgt]?hz|"
    r"[kmgt]b/s|iops|rps|tps|°c|°f"
)
_NUMBER_RE = re.compile(
    rf"(?<![\w.])\d+(?:[.,]\d+)*(?:/\d+)?(?:\s?(?:{_UNITS})(?![\w/]))?(?![\w])",
    re.IGNORECASE,
)
_LEADING_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_NOT_A_QUANTITY_BEFORE = _word_set(
    "day step layer phase version chapter section part level tier type option case figure "
    "table rule lesson week page"
)
_VERBS = _word_set(
    """is are was were supports support needs need requires require uses use allows allow has
    have can cannot must provides provide enables enable means mean contains contain includes
    include gives give creates create becomes become serves serve lets should will may does
    makes make takes take gets get forwards routes sends connects stores runs keeps depends
    consists defines represents returns costs offers prevents blocks handles manages works
    listens accepts rejects denies permits limits applies lives sits stays resides determines
    causes leads reduces increases"""
)
_AFTER_VERB = _word_set(
    "be been being not no also only always never usually typically often generally still just "
    "already automatically to"
)
_TERM_RE = re.compile(r"([^:\n]{1,60}):\s+(?=\S)")
_SPLITTERS_RE = re.compile(r"\s+(?:-|–|—|->|=>|→)\s+|—")
_TRIM_END = " \t\n.,;:!?"
_TRIM_START = " \t\n,;:"
_CLAUSE_WORDS = 5
_TERM_WORDS = 6
_LAST_WORDS_MINIMUM = 3

Span = tuple[int, int]


class _Words:
    """The words of one sentence: spans, lower-case forms and whether each is a content word."""

    __slots__ = ("content", "ends", "lowers", "starts")

    def __init__(self, sentence: str) -> None:
        matches = list(_WORD_RE.finditer(sentence))
        self.starts = [match.start() for match in matches]
        self.ends = [match.end() for match in matches]
        self.lowers = [match.group(0).lower() for match in matches]
        self.content = [lower not in _STOPWORDS for lower in self.lowers]

    def inside(self, start: int, end: int) -> list[int]:
        """Indexes of the words lying within ``[start, end)``."""
        return [i for i, s in enumerate(self.starts) if s >= start and self.ends[i] <= end]

    def content_outside(self, start: int, end: int) -> int:
        return sum(
            1
            for i, is_content in enumerate(self.content)
            if is_content and not (self.starts[i] >= start and self.ends[i] <= end)
        )

    def has_content(self, start: int, end: int) -> bool:
        return any(self.content[i] for i in self.inside(start, end))


def sentences(text: str) -> list[Span]:
    """Spans of the sentences (facts) of a statement's text, whitespace trimmed."""
    spans: list[Span] = []
    begin = 0
    for match in _SENTENCE_BREAK_RE.finditer(text):
        if _is_sentence_break(text, match):
            spans.append((begin, match.start() if match.group(0) == "\n" else match.end()))
            begin = match.end()
    spans.append((begin, len(text)))
    trimmed = []
    for start, end in spans:
        start, end = trim(text, start, end, strip_end=" \t\n")
        if start < end:
            trimmed.append((start, end))
    return trimmed


def _is_sentence_break(text: str, match: re.Match[str]) -> bool:
    position = match.end()
    while position < len(text) and text[position].isspace():
        position += 1
    if position >= len(text):
        return False
    first = text[position]
    if match.group(0) == "\n":
        previous = text[: match.start()].rstrip()
        return not first.islower() or previous[-1:] in ".!?:;"
    if not (first.isupper() or first.isdigit() or first in "\"'“‘(["):
        return False
    words = _WORD_RE.findall(text, max(0, match.start() - 12), match.start() + 1)
    last = words[-1].lower().rstrip(".") if words else ""
    return not (len(last) == 1 and last.isalpha()) and last not in _ABBREVIATIONS


def trim(text: str, start: int, end: int, strip_end: str = _TRIM_END) -> Span:
    """Narrow ``[start, end)`` past spaces and punctuation that do not belong to an answer.

    A leading ``:`` goes only when it stands alone (``": the definition"``), so that answers
    such as ``::/0`` keep their colons.
    """
    while start < end and text[start] in _TRIM_START:
        if text[start] == ":" and start + 1 < end and not text[start + 1].isspace():
            break
        start += 1
    while end > start and text[end - 1] in strip_end:
        end -= 1
    return start, end


def answer_span(sentence: str, start: int, end: int) -> Span:
    """The span of ``sentence`` a card hides for a highlight on ``[start, end)``."""
    start, end = trim(sentence, start, end)
    if not (_any_content(sentence, 0, start) or _any_content(sentence, end, len(sentence))):
        words = _Words(sentence)
        finders, subject_from = _WHOLE_SENTENCE_FINDERS, 0
    elif len(_WORD_RE.findall(sentence, start, end)) >= _CLAUSE_WORDS:
        words = _Words(sentence)
        if _main_verb(words, start, end, start) is None:
            return start, end
        finders, subject_from = _CLAUSE_FINDERS, start
    else:
        return start, end
    for finder in finders:
        part = finder(sentence, words, start, end, subject_from)
        if part is None:
            continue
        part = trim(sentence, *part)
        answerable = words.has_content(*part) or _has_digit(sentence[part[0] : part[1]])
        if answerable and words.content_outside(*part) > 0:
            return part
    return start, end


def _number_part(
    sentence: str, words: _Words, start: int, end: int, subject_from: int
) -> Span | None:
    candidates = [m for m in _NUMBER_RE.finditer(sentence, start, end) if _is_quantity(words, m)]
    if not candidates:
        return None
    verb = _main_verb(words, start, end, subject_from)
    after_verb = verb[1] if verb else start
    with_unit = [
        m for m in candidates if not m.group(0).replace(".", "").replace(",", "").isdigit()
    ]
    for pool in (with_unit, candidates):
        for match in pool:
            if match.start() >= after_verb:
                return match.span()
    return (with_unit or candidates)[0].span()


def _is_quantity(words: _Words, match: re.Match[str]) -> bool:
    before = [i for i, end in enumerate(words.ends) if end <= match.start()]
    return not before or words.lowers[before[-1]] not in _NOT_A_QUANTITY_BEFORE


def _term_part(
    sentence: str, words: _Words, start: int, end: int, subject_from: int
) -> Span | None:
    term = _TERM_RE.match(sentence, start, end)
    if term is None or term.end() >= end:
        return None
    term_words = words.inside(start, term.end(1))
    if len(term_words) > _TERM_WORDS or any(words.lowers[i] in _VERBS for i in term_words):
        return None
    return term.end(), end


def _verb_object_part(
    sentence: str, words: _Words, start: int, end: int, subject_from: int
) -> Span | None:
    verb = _main_verb(words, start, end, subject_from)
    return None if verb is None else (verb[1], end)


def _main_verb(words: _Words, start: int, end: int, subject_from: int) -> Span | None:
    """The first known verb in ``[start, end)`` with a content word (its subject) between
    ``subject_from`` and it and one after it; the span runs on over auxiliaries/negation."""
    inside = words.inside(start, end)
    for position, index in enumerate(inside):
        if words.lowers[index] not in _VERBS:
            continue
        verb_start = words.starts[index]
        if not any(
            words.content[i] and words.starts[i] >= subject_from
            for i in range(index)
            if words.ends[i] <= verb_start
        ):
            continue
        stop = words.ends[index]
        rest = inside[position + 1 :]
        while rest and words.lowers[rest[0]] in _AFTER_VERB:
            stop = words.ends[rest[0]]
            rest = rest[1:]
        if any(words.content[i] for i in rest):
            return verb_start, stop
    return None


def _split_part(
    sentence: str, words: _Words, start: int, end: int, subject_from: int
) -> Span | None:
    colon = sentence.find(": ", start, end)
    candidates = [colon + 2] if colon > start else []
    candidates += [
        m.end() for m in _SPLITTERS_RE.finditer(sentence, start, end) if m.start() > start
    ]
    for split in sorted(candidates):
        if words.has_content(split, end):
            return split, end
    return None


def _last_words(
    sentence: str, words: _Words, start: int, end: int, subject_from: int
) -> Span | None:
    content = [i for i in words.inside(start, end) if words.content[i]]
    if len(content) < _LAST_WORDS_MINIMUM:
        return None
    count = min(3, (len(content) + 1) // 2)
    return words.starts[content[-count]], words.ends[content[-1]]


_Finder = Callable[[str, _Words, int, int, int], "Span | None"]
_WHOLE_SENTENCE_FINDERS: tuple[_Finder, ...] = (
    _number_part,
    _term_part,
    _verb_object_part,
    _split_part,
    _last_words,
)
_CLAUSE_FINDERS: tuple[_Finder, ...] = (_number_part, _verb_object_part)


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def has_word(text: str) -> bool:
    """Whether ``text`` holds a letter or a digit."""
    return _LETTER_OR_DIGIT_RE.search(text) is not None


def _any_content(sentence: str, start: int, end: int) -> bool:
    return any(
        match.group(0).lower() not in _STOPWORDS
        for match in _WORD_RE.finditer(sentence, start, end)
    )


def prompt_text(text: str, start: int, end: int) -> str:
    """``text`` with ``[start, end)`` replaced by BLANK and other occurrences of it masked.

    For a quantity (``4 bit``) a bare copy of its number (``grouped by 4``) or one with the same
    unit (``4 bits``) is masked as well, since either gives the answer away; a copy counting
    something else (``1 NAT gateway`` beside the answer ``1 Gbps``) is a different fact and
    stays.
    """
    answer = text[start:end].strip()
    before, after = text[:start], text[end:]
    if not has_word(answer):
        return f"{before}{BLANK}{after}"
    if answer.lower() in f"{before}\n{after}".lower():
        pattern = re.compile(rf"(?<!\w){re.escape(answer)}(?!\w)", re.IGNORECASE)
        before, after = pattern.sub(BLANK, before), pattern.sub(BLANK, after)
    number = _LEADING_NUMBER_RE.match(answer)
    if number is not None and _NUMBER_RE.fullmatch(answer):
        mask = _NumberCopies(number.group(0), answer[number.end() :].strip())
        before, after = mask.apply(before), mask.apply(after)
    return f"{before}{BLANK}{after}"


@dataclass(frozen=True, slots=True)
class _NumberCopies:
    """Masks the copies of a quantity's number that give it away: bare, or with its unit."""

    digits: str
    unit: str

    def apply(self, text: str) -> str:
        if self.digits not in text:
            return text
        pattern = rf"(?<![\w.]){re.escape(self.digits)}(?!\w|[.,]\d)(?P<next>\s?[^\W\d_]+)?"
        return re.sub(pattern, self._masked, text)

    def _masked(self, match: re.Match[str]) -> str:
        following = match.group("next") or ""
        if not following.strip():
            return BLANK + following
        return BLANK if self._same_unit(following.strip().lower()) else match.group(0)

    def _same_unit(self, word: str) -> bool:
        unit = self.unit.lower()
        return bool(unit) and (word.startswith(unit) or unit.startswith(word))
