"""Scenario questions as Anki Basic notes: generated ones and the ones users wrote in notes.

**Generated** (``--scenarios N``). The questions come from ``generate_questions(seed, count,
topic)`` in ``studytool.scenarios.generator``, imported only when asked for. Each question is an
object with the attributes ``template``, ``topic``, ``question``, ``kind``, ``choices``,
``answer``, ``unit``, ``because`` and ``rules``; it becomes one note of studytool's own Basic
note type (Question, Choices, Answer, Explanation) in the deck ``Scenarios::<topic>``. The
note's GUID comes from the template, question and choices, so the same generated question
updates in place.

**From notes** (:func:`note_block_notes`, every export). A note-block scenario card (a fenced
```` ```scenario ```` block; its YAML is the card's ``extra``) gives one note per ``ask`` of the
block, as :func:`studytool.scenarios.study.note_question` poses it in the study loop, with the
answer, reasons and rules the rule model computes. The Question field shows the block's title,
its situation (the YAML without ``title`` and ``ask``, escaped, in a ``<pre>``) and the
question; the Explanation ends with a link back to the ask's line in the note. Deck and tags are
the card's. The GUID is :func:`studytool.export.anki.note_guid` of the card's stable key and the
ask's position in the block, never of its wording, so editing a block updates its notes in
place; the note's modification time is the card's last change. A block the model no longer
loads, or an ask it cannot answer, becomes a ``note.md:line: ...`` warning and is skipped.
Template scenario cards (``extra`` = ``{"template": id}``, no note) are not exported here.
These notes carry no review state: studytool schedules a block as one card whose showings take
its asks in turn, which maps onto no single Anki card, so they always arrive as new cards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from genanki import guid_for

from studytool.export.names import anki_deck_name, anki_tags
from studytool.export.note_types import NOTE_TYPE_REVISION
from studytool.export.render import escape_text, render_inline, render_source
from studytool.model.answer import unit_for

if TYPE_CHECKING:
    from datetime import datetime

    from studytool.store.records import CardRecord

SCENARIO_DECK_ROOT = "Scenarios"

Generator = Callable[..., Iterable[Any]]


@dataclass(frozen=True, slots=True)
class ScenarioNote:
    """One scenario question, ready for the package.

    ``position`` orders new cards in Anki (None: the order of the list it comes in);
    ``mtime`` is the note's modification time.
    """

    guid: str
    deck: str
    question: str
    choices: str
    answer: str
    explanation: str
    tags: tuple[str, ...]
    position: int | None = None
    mtime: int = NOTE_TYPE_REVISION


def load_generator() -> Generator:
    """The scenario generator, asked for ``count`` questions *per template* of the topic.

    ``generate_questions`` cycles through the templates in whole rounds, so asking it for
    ``count`` times the number of templates gives every template exactly ``count`` instances.
    """
    from studytool.scenarios.generator import generate_questions, templates

    def per_template(seed: int, count: int, topic: str | None) -> list[Any]:
        return list(generate_questions(seed, count * len(templates(topic)), topic))

    return per_template


def scenario_notes(
    count: int, seed: int, topic: str | None = None, generate: Generator | None = None
) -> tuple[list[ScenarioNote], list[str]]:
    """``count`` generated questions per template as notes, and warnings for unusable ones."""
    if count <= 0:
        return [], []
    generator = generate if generate is not None else load_generator()
    notes: list[ScenarioNote] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(generator(seed=seed, count=count, topic=topic), start=1):
        question = getattr(item, "question", None)
        template = str(getattr(item, "template", "") or "scenario")
        if not isinstance(question, str) or not question.strip():
            warnings.append(f"scenario question {index} ({template}): no question text; skipped")
            continue
        note = _note_for(item, template, question)
        if note.guid in seen:
            continue
        seen.add(note.guid)
        notes.append(note)
    return notes, warnings


def _note_for(item: Any, template: str, question: str) -> ScenarioNote:
    topic = str(getattr(item, "topic", "") or "")
    choices = [str(choice) for choice in _as_list(getattr(item, "choices", None))]
    unit = getattr(item, "unit", None)
    guid = guid_for("studytool scenario", template, question, *choices)
    return ScenarioNote(
        guid=guid,
        deck=anki_deck_name(topic, prefix=(SCENARIO_DECK_ROOT,)),
        question=render_inline(question),
        choices=_render_choices(choices),
        answer=render_inline(format_answer(getattr(item, "answer", None), unit)),
        explanation=_explanation_of(item),
        tags=tuple(anki_tags(["scenario", f"scenario/{template}"])),
    )


def _explanation_of(item: Any) -> str:
    return _render_explanation(
        [str(reason) for reason in _as_list(getattr(item, "because", None))],
        [str(rule) for rule in _as_list(getattr(item, "rules", None))],
    )


def is_note_block(card: CardRecord) -> bool:
    """Whether a scenario card holds a note's block (not a template card: those have no note)."""
    if not card.note or not card.extra:
        return False
    from studytool.scenarios.study import template_of  # only when there is a block to export

    return template_of(card.extra) is None


def note_block_notes(
    cards: Iterable[CardRecord], changed_at: Mapping[int, datetime] | None = None
) -> tuple[list[ScenarioNote], list[str]]:
    """One note per ask of each note-block card, and warnings for blocks or asks skipped.

    ``changed_at`` gives each card's last change (the notes' modification time).
    """
    notes: list[ScenarioNote] = []
    warnings: list[str] = []
    for card in cards:
        if is_note_block(card):
            changed = (changed_at or {}).get(card.id)
            mtime = NOTE_TYPE_REVISION if changed is None else int(changed.timestamp())
            notes.extend(_block_notes(card, mtime, warnings))
    return notes, warnings


def _block_notes(card: CardRecord, mtime: int, warnings: list[str]) -> list[ScenarioNote]:
    from studytool.scenarios.scenario_file import ScenarioError, load_scenario
    from studytool.scenarios.study import ScenarioCardError, note_question, situation_text

    block = card.extra or ""
    try:
        scenario = load_scenario(block, filename=card.note, line_offset=max(0, card.line - 1))
    except ScenarioError as error:
        warnings.extend(f"{issue} (scenario block not exported)" for issue in error.issues)
        return []
    if not scenario.questions:
        warnings.append(f"{card.note}:{card.line}: the scenario block asks nothing; not exported")
        return []
    title = scenario.title or card.prompt or "Scenario"
    situation = _situation_html(title, situation_text(block))
    seed = _block_seed(card.key)
    notes = []
    for index, asked in enumerate(scenario.questions):
        try:
            question = note_question(scenario, index, seed, title)
        except ScenarioCardError as error:
            where = f"{card.note}:{asked.line}: "
            message = str(error) if str(error).startswith(f"{card.note}:") else where + str(error)
            warnings.append(f"{message} (scenario question not exported)")
            continue
        source = f'<div class="st-source">{render_source(card.note, asked.line, card.vault)}</div>'
        notes.append(
            ScenarioNote(
                guid=note_block_guid(card.key, index), deck=anki_deck_name(card.deck),
                question=f'{situation}<div class="st-ask">{render_inline(question.question)}</div>',
                choices=_render_choices([str(choice) for choice in question.choices or ()]),
                answer=render_inline(format_answer(question.answer, question.unit)),
                explanation=_explanation_of(question) + source,
                tags=tuple(anki_tags(card.tags)), position=card.position, mtime=mtime,
            )
        )  # fmt: skip
    return notes


def note_block_guid(card_key: str, ask_index: int) -> str:
    """The GUID of ask ``ask_index`` (0-based) of the block whose card has ``card_key``.

    ``note_guid`` (:mod:`studytool.export.anki`) of ``<key>#ask<n>``: the card's stable key
    and the ask's place in the block, not its wording.
    """
    return guid_for("studytool", f"{card_key}#ask{ask_index + 1}")


def _block_seed(card_key: str) -> int:
    """A fixed seed per block (it orders a ``problems`` question's options): same package."""
    return int.from_bytes(hashlib.sha256(card_key.encode()).digest()[:4], "big")


def _situation_html(title: str, situation: str) -> str:
    parts = [f'<div class="st-title"><b>{render_inline(title)}</b></div>']
    if situation.strip():
        parts.append(f'<pre class="st-situation">{escape_text(situation)}</pre>')
    return "".join(parts)


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return list(value)
    return [value]


def format_value(value: object) -> str:
    """An answer value as a person reads it: yes/no, 1.25, a list joined by commas."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return ", ".join(format_value(item) for item in items) if items else "none"
    return str(value)


def format_answer(answer: object, unit: object) -> str:
    """The answer with its unit (``1.25 Gbps``); no unit after yes/no or lists."""
    text = format_value(answer)
    if unit and not isinstance(answer, bool | list | tuple | set | frozenset):
        return f"{text} {unit_for(answer, str(unit))}"
    return text


def _render_choices(choices: Sequence[str]) -> str:
    if not choices:
        return ""
    items = "".join(f"<li>{render_inline(choice)}</li>" for choice in choices)
    return f'<ol class="st-choices" type="A">{items}</ol>'


def _render_explanation(because: Sequence[str], rules: Sequence[str]) -> str:
    parts = []
    if because:
        items = "".join(f"<li>{render_inline(reason)}</li>" for reason in because)
        parts.append(f'<ul class="st-because">{items}</ul>')
    if rules:
        parts.append(f'<div class="st-rules">Rules: {render_inline(", ".join(rules))}</div>')
    return "".join(parts)
