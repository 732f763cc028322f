"""Generated scenario questions as Anki Basic notes (``--scenarios N``).

The questions come from ``generate_questions(seed, count, topic)`` in
``studytool.scenarios.generator``, imported only when asked for. Each question is an object with
the attributes ``template``, ``topic``, ``question``, ``kind``, ``choices``, ``answer``,
``unit``, ``because`` and ``rules``; it becomes one note of studytool's own Basic note type
(Question, Choices, Answer, Explanation) in the deck ``Scenarios::<topic>``. The note's GUID
comes from the template, question and choices, so the same generated question updates in place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from genanki import guid_for

from studytool.export.names import anki_deck_name, anki_tags
from studytool.export.render import render_inline
from studytool.model.answer import unit_for

SCENARIO_DECK_ROOT = "Scenarios"

Generator = Callable[..., Iterable[Any]]


@dataclass(frozen=True, slots=True)
class ScenarioNote:
    """One generated question, ready for the package."""

    guid: str
    deck: str
    question: str
    choices: str
    answer: str
    explanation: str
    tags: tuple[str, ...]


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
        explanation=_render_explanation(
            [str(reason) for reason in _as_list(getattr(item, "because", None))],
            [str(rule) for rule in _as_list(getattr(item, "rules", None))],
        ),
        tags=tuple(anki_tags(["scenario", f"scenario/{template}"])),
    )


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
