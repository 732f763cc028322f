"""Statements to card drafts: what a cloze card hides, shows and is tagged with (pure).

A draft is what one import would like a card to be. The store decides whether a draft is an
existing card (kept with its history), a changed one, or a new one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import yaml

from studytool.parsing.model import Highlight, ParsedNote, ScenarioBlock, Statement
from studytool.parsing.recall import BLANK, answer_span, has_word, prompt_text, sentences
from studytool.yaml_errors import YAML_READ_ERRORS

CLOZE = "cloze"
SCENARIO = "scenario"
#: Raise when parsing or this module changes what a note's cards look like (what a prompt hides,
#: which highlights count...): the next import then reads every note once more, as if edited,
#: and brings the stored cards up to date, history kept. 2: copies of a quantity's number that
#: count something else stay visible in prompts.
CARD_RULES_REVISION = 2
__all__ = [
    "BLANK", "CARD_RULES_REVISION", "CLOZE", "SCENARIO", "CardDraft", "drafts_from_note",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class CardDraft:
    """One card as the notes describe it now.

    ``text`` is the statement the card is about (for a split multi-fact statement, the one fact);
    ``answer_start``/``answer_end`` index the hidden part in ``text`` and ``prompt`` is ``text``
    with that part replaced by ``[...]``. Cards from one statement share ``group`` and are
    numbered by ``ordinal`` (1-based), which the Anki export turns into c1, c2, ...
    """

    kind: str
    note: str
    line: int
    context: tuple[str, ...]
    text: str
    prompt: str
    answer: str
    answer_start: int
    answer_end: int
    group: str
    ordinal: int
    tags: tuple[str, ...]
    colour: str | None
    deck: str
    extra: str | None = None


def drafts_from_note(parsed: ParsedNote, deck: str) -> list[CardDraft]:
    """Every card draft of a parsed note: cloze cards for its statements, one per scenario.

    See :mod:`studytool.parsing.recall` for what a cloze hides. A card's ``text`` is the
    sentence (fact) holding its highlight; a highlight spanning sentences makes one card per
    sentence; every highlight of a statement, adjacent ones included, makes its own sibling
    card (same ``group``, ordinals 1, 2, ...). A highlighted bullet ending in ':' with child
    bullets asks for the children: ``text`` is the bullet, a space and the children joined with
    "; ", and the children are hidden.
    """
    drafts: list[CardDraft] = []
    for statement in parsed.statements:
        drafts.extend(_statement_drafts(parsed, statement, deck))
    for scenario in parsed.scenarios:
        drafts.append(_scenario_draft(parsed, scenario, deck))
    return drafts


@dataclass(frozen=True, slots=True)
class _Unit:
    """One card's worth of a statement: a sentence and the span of it to hide."""

    text: str
    start: int
    end: int
    line: int
    colour: str


def _statement_drafts(parsed: ParsedNote, statement: Statement, deck: str) -> list[CardDraft]:
    highlights = [h for h in statement.highlights if has_word(statement.text[h.start : h.end])]
    if not highlights:
        return []
    if _asks_for_children(statement, highlights):
        units = [_children_unit(statement, highlights[0])]
    else:
        units = _unique_units(u for h in highlights for u in _highlight_units(statement.text, h))
    group = _group_key(parsed.path, statement.text)
    tags = {
        colour: _card_tags(parsed.tags, statement.tags, colour)
        for colour in {u.colour for u in units}
    }
    return [
        CardDraft(
            kind=CLOZE,
            note=parsed.path,
            line=unit.line,
            context=statement.context,
            text=unit.text,
            prompt=prompt_text(unit.text, unit.start, unit.end),
            answer=unit.text[unit.start : unit.end],
            answer_start=unit.start,
            answer_end=unit.end,
            group=group,
            ordinal=ordinal,
            tags=tags[unit.colour],
            colour=unit.colour,
            deck=deck,
        )
        for ordinal, unit in enumerate(units, start=1)
    ]


def _asks_for_children(statement: Statement, highlights: Sequence[Highlight]) -> bool:
    text = statement.text
    if not statement.children or not text.rstrip().endswith(":"):
        return False
    outside = list(text)
    for highlight in highlights:
        outside[highlight.start : highlight.end] = " " * (highlight.end - highlight.start)
    rest = "".join(outside)
    return all(word.lower() in _INTRO_FILLER for word in _WORD_RE.findall(rest))


def _children_unit(statement: Statement, first: Highlight) -> _Unit:
    intro = _one_line(statement.text).strip()
    answer = "; ".join(_one_line(child).strip() for child in statement.children)
    text = f"{intro} {answer}"
    return _Unit(text, len(intro) + 1, len(text), first.line, first.colour)


def _highlight_units(text: str, highlight: Highlight) -> list[_Unit]:
    units: list[_Unit] = []
    for sentence_start, sentence_end in sentences(text):
        start = max(sentence_start, highlight.start)
        end = min(sentence_end, highlight.end)
        if start >= end or not has_word(text[start:end]):
            continue
        sentence = _one_line(text[sentence_start:sentence_end])
        answer = answer_span(sentence, start - sentence_start, end - sentence_start)
        units.append(_Unit(sentence, *answer, highlight.line, highlight.colour))
    return units


def _unique_units(units: Iterable[_Unit]) -> list[_Unit]:
    seen: set[tuple[str, int, int, int]] = set()
    unique: list[_Unit] = []
    for unit in units:
        key = (unit.text, unit.start, unit.end, unit.line)
        if key not in seen:
            seen.add(key)
            unique.append(unit)
    return unique


def _one_line(text: str) -> str:
    return text.replace("\n", " ")


_WORD_RE = re.compile(r"\w+")
_INTRO_FILLER = frozenset(("a", "an", "the", "these", "following"))


# -- identity, tags, scenarios ---------------------------------------------------------------


def _group_key(note: str, text: str) -> str:
    normalised = " ".join(text.casefold().split())
    return hashlib.sha1(f"{note}\n{normalised}".encode()).hexdigest()[:16]


def _card_tags(
    note_tags: Iterable[str], statement_tags: Iterable[str], colour: str
) -> tuple[str, ...]:
    tags = {tag.lstrip("#").lower() for tag in (*note_tags, *statement_tags)}
    tags.add(f"colour/{colour.lower()}")
    tags.discard("")
    return tuple(sorted(tags))


def _scenario_draft(parsed: ParsedNote, scenario: ScenarioBlock, deck: str) -> CardDraft:
    return CardDraft(
        kind=SCENARIO,
        note=parsed.path,
        line=scenario.line,
        context=(),
        text=scenario.source,
        prompt=_scenario_title(scenario),
        answer="",
        answer_start=0,
        answer_end=0,
        group=hashlib.sha1(scenario.source.encode()).hexdigest()[:16],
        ordinal=1,
        tags=tuple(sorted({tag.lstrip("#").lower() for tag in parsed.tags} - {""})),
        colour=None,
        deck=deck,
        extra=scenario.source,
    )


def _scenario_title(scenario: ScenarioBlock) -> str:
    title: object = None
    try:
        loaded = yaml.safe_load(scenario.source)
    except YAML_READ_ERRORS:
        loaded = None
        found = re.search(r"^title:[ \t]*(.+?)[ \t]*$", scenario.source, re.MULTILINE)
        title = found.group(1).strip("\"'") if found else None
    if isinstance(loaded, dict):
        title = loaded.get("title")
    if isinstance(title, (str, int, float)) and str(title).strip():
        return " ".join(str(title).split())
    return f"Scenario at line {scenario.line}"
