"""Comparing a typed answer with a card's answer: exact, close (a small typo) or wrong (pure).

Both strings are normalised before comparing: case is folded, and punctuation and runs of
whitespace count as one separator, so ``Internet-Gateway.`` equals ``internet gateway``.
Separators still separate: ``10.0.0.0/16`` and ``100.0.0/16`` differ.

* **exact**: the normalised strings are equal (suggested grade 5);
* **close**: they differ by a few edits, counted as the Damerau-Levenshtein distance in its
  "optimal string alignment" form (insertions, deletions, substitutions and swaps of two
  neighbours), allowed up to :func:`allowed_typos` of the expected answer's length, *and* the
  numbers in both are the same (a "typo" in ``443`` is another port, not a slip) (grade 4);
* **wrong**: anything else (grade 1).

The differences are reported as character spans of the *original* strings: what was typed but
is not in the answer (``extra``) and what the answer has that was not typed (``missing``);
case and punctuation differences are never marked, since they are ignored.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

EXACT_GRADE = 5
CLOSE_GRADE = 4
WRONG_GRADE = 1

#: Above this many cells the alignment falls back to difflib (very long typed answers).
_MAX_ALIGNMENT_CELLS = 250_000

_DIGITS = re.compile(r"\d+")


class Verdict(StrEnum):
    """How a typed answer compares with the expected one."""

    EXACT = "exact"
    CLOSE = "close"
    WRONG = "wrong"


@dataclass(frozen=True, slots=True)
class Span:
    """Characters ``start:end`` of an original string that differ from the other string."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Comparison:
    """The outcome of :func:`compare_answer`.

    ``typed_spans`` mark characters of ``typed`` that are not in the answer (wrong or extra);
    ``expected_spans`` mark characters of ``expected`` that were not typed (missing or wrong).
    ``distance`` is the edit distance between the normalised strings.
    """

    typed: str
    expected: str
    verdict: Verdict
    distance: int
    typed_spans: tuple[Span, ...]
    expected_spans: tuple[Span, ...]

    @property
    def suggested_grade(self) -> int:
        """5 for an exact answer, 4 for a close one, 1 for a wrong one."""
        return suggested_grade(self.verdict)


def suggested_grade(verdict: Verdict) -> int:
    """The SM-2 quality a verdict suggests: exact 5, close 4, wrong 1."""
    return {Verdict.EXACT: EXACT_GRADE, Verdict.CLOSE: CLOSE_GRADE}.get(verdict, WRONG_GRADE)


def allowed_typos(length: int) -> int:
    """How many edits still count as a typo in an answer of ``length`` normalised characters.

    None up to 3 characters (``VPC`` and ``VGW`` are different words), then one per five
    characters, at most four.
    """
    if length <= 3:
        return 0
    return min(4, max(1, length // 5))


def compare_answer(typed: str, expected: str) -> Comparison:
    """Compare ``typed`` with ``expected`` (see the module docstring for the rules)."""
    typed_norm, typed_map = normalise(typed)
    expected_norm, expected_map = normalise(expected)
    if not expected_norm and not typed_norm:
        # Only punctuation on both sides (an answer like "->"): compare the raw text instead.
        typed_norm, typed_map = _raw(typed)
        expected_norm, expected_map = _raw(expected)
    typed_marks, expected_marks, distance = _align(typed_norm, expected_norm)
    verdict = _verdict(typed_norm, expected_norm, distance)
    return Comparison(
        typed=typed,
        expected=expected,
        verdict=verdict,
        distance=distance,
        typed_spans=_spans(typed_marks, typed_map),
        expected_spans=_spans(expected_marks, expected_map),
    )


def normalise(text: str) -> tuple[str, list[int]]:
    """``text`` case-folded with punctuation/whitespace runs as one space, and an index map.

    The map gives, for each character of the result, the index of the original character it
    came from (separators map to the first character of their run).
    """
    out: list[str] = []
    index_map: list[int] = []
    pending_separator = -1
    for index, char in enumerate(text):
        if _is_word_char(char):
            if pending_separator >= 0 and out:
                out.append(" ")
                index_map.append(pending_separator)
            pending_separator = -1
            for folded in char.casefold():
                out.append(folded)
                index_map.append(index)
        elif pending_separator < 0:
            pending_separator = index
    return "".join(out), index_map


def _raw(text: str) -> tuple[str, list[int]]:
    stripped = text.strip()
    offset = len(text) - len(text.lstrip())
    return stripped.casefold(), [offset + i for i in range(len(stripped))]


def _is_word_char(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "Mn"


def _verdict(typed: str, expected: str, distance: int) -> Verdict:
    if distance == 0:
        return Verdict.EXACT
    if not typed:
        return Verdict.WRONG
    if _DIGITS.findall(typed) != _DIGITS.findall(expected):
        return Verdict.WRONG
    if distance <= allowed_typos(len(expected)):
        return Verdict.CLOSE
    return Verdict.WRONG


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance, optimal string alignment form."""
    return _align(a, b)[2]


def _align(a: str, b: str) -> tuple[list[bool], list[bool], int]:
    """Which characters of ``a`` and ``b`` differ, and the edit distance between them.

    The table is filled over the reversed strings so that the backtrace, which keeps matches
    greedily, keeps them at the *start* of the strings: ``large tunnels`` against ``Large
    tunnels carry up to 5 Gbps`` marks the missing tail, not a stray ``s`` in the middle.
    """
    if (len(a) + 1) * (len(b) + 1) > _MAX_ALIGNMENT_CELLS:
        return _align_difflib(a, b)
    a_marks, b_marks, distance = _align_table(a[::-1], b[::-1])
    return a_marks[::-1], b_marks[::-1], distance


def _align_table(a: str, b: str) -> tuple[list[bool], list[bool], int]:
    """Optimal string alignment table and backtrace (insertions preferred to substitutions)."""
    rows, cols = len(a) + 1, len(b) + 1
    dist = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        dist[i][0] = i
    for j in range(cols):
        dist[0][j] = j
    for i in range(1, rows):
        for j in range(1, cols):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(dist[i - 1][j] + 1, dist[i][j - 1] + 1, dist[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, dist[i - 2][j - 2] + 1)
            dist[i][j] = best
    a_marks = [False] * len(a)
    b_marks = [False] * len(b)
    i, j = len(a), len(b)
    while i > 0 or j > 0:
        here = dist[i][j]
        if i > 0 and j > 0 and a[i - 1] == b[j - 1] and here == dist[i - 1][j - 1]:
            i, j = i - 1, j - 1
        elif j > 0 and here == dist[i][j - 1] + 1:
            b_marks[j - 1] = True
            j -= 1
        elif i > 0 and here == dist[i - 1][j] + 1:
            a_marks[i - 1] = True
            i -= 1
        elif (
            i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]
            and here == dist[i - 2][j - 2] + 1
        ):  # fmt: skip
            a_marks[i - 1] = a_marks[i - 2] = b_marks[j - 1] = b_marks[j - 2] = True
            i, j = i - 2, j - 2
        else:
            a_marks[i - 1] = b_marks[j - 1] = True
            i, j = i - 1, j - 1
    return a_marks, b_marks, dist[len(a)][len(b)]


def _align_difflib(a: str, b: str) -> tuple[list[bool], list[bool], int]:
    """A cheaper alignment for very long strings (the distance is then an upper bound)."""
    a_marks = [True] * len(a)
    b_marks = [True] * len(b)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    matched = 0
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            a_marks[block.a + k] = False
            b_marks[block.b + k] = False
        matched += block.size
    return a_marks, b_marks, len(a) + len(b) - 2 * matched


def _spans(marks: list[bool], index_map: list[int]) -> tuple[Span, ...]:
    """Marked normalised characters as merged spans of original indices.

    A marked separator marks the first character of its run in the original (a missing space).
    """
    positions = sorted({index_map[k] for k, marked in enumerate(marks) if marked})
    spans: list[Span] = []
    for position in positions:
        if spans and spans[-1].end == position:
            spans[-1] = Span(spans[-1].start, position + 1)
        else:
            spans.append(Span(position, position + 1))
    return tuple(spans)


__all__ = [
    "CLOSE_GRADE",
    "EXACT_GRADE",
    "WRONG_GRADE",
    "Comparison",
    "Span",
    "Verdict",
    "allowed_typos",
    "compare_answer",
    "edit_distance",
    "normalise",
    "suggested_grade",
]
