"""The Anki export: studytool cards and scenario questions as an ``.apkg`` package.

Flow: read the cloze cards from the store, group sibling cards into notes, render fields as safe
HTML (:mod:`studytool.export.render`), find each card's images (:mod:`studytool.export.media`),
map review state (:mod:`studytool.export.scheduling`), add the questions of the scenario blocks
in the user's notes (every export) and generated scenario questions (``--scenarios N``) as Basic
notes (:mod:`studytool.export.scenarios`), and write the package: genanki builds the
collection, studytool adds the note and card rows and zips it (:mod:`studytool.export.package`).

Scenario blocks. Every active note-block scenario card gives one note per ``ask``, in the
card's deck with its tags; ``--deck``/``--tag`` select these cards as they select cloze cards,
and template scenario cards are never exported this way. They are new cards even with
``--with-scheduling`` (a block is one studytool card whose showings take its asks in turn).

Notes. Cards that share a sibling group and a statement text are one Anki note whose Text holds
one ``{{cN::...}}`` per card. N is the card's rank by creation (card id) among every card of the
group, retired ones included, so a removed highlight leaves a gap instead of shifting its
siblings onto each other's Anki cards. The note's GUID is genanki's ``guid_for`` of the
**stable key of the group's first card** (lowest id, retired included): editing, re-importing
and re-exporting updates the Anki note in place. A card whose hidden span overlaps a sibling's
gets a note of its own (GUID from its own key). Retired cards are never exported. With
``--deck``/``--tag`` a note is exported when any of its cards matches (Anki cannot split a
note); its tags are the union of its cards' tags.

Timestamps. Nothing depends on the clock: a note's modification time is the latest
``updated_at`` of its cards (so Anki's default "update if newer" takes a re-export exactly when
studytool changed the note), note types carry :data:`NOTE_TYPE_REVISION`, ids count from it,
zip entries carry a fixed date, and media are stored in name order. The same store and vault
give a byte-identical package.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import genanki

from studytool.export import scheduling
from studytool.export.media import MediaCollector, MediaFile
from studytool.export.names import anki_deck_name, anki_tags
from studytool.export.note_types import NOTE_TYPE_REVISION, cloze_model, scenario_model
from studytool.export.package import CardRow, NoteRow, build_collection, write_zip
from studytool.export.render import (
    ClozeSpan,
    image_tag,
    render_cloze,
    render_context,
    render_inline,
    render_source,
)
from studytool.export.scenarios import (
    Generator,
    ScenarioNote,
    note_block_notes,
    scenario_notes,
)
from studytool.export.store_reader import read_cards, read_day_start_hour, read_review_log
from studytool.scheduling.days import DEFAULT_DAY_START_HOUR, local_timezone

if TYPE_CHECKING:
    from datetime import datetime

    from studytool.export.store_reader import ReviewLogEntry
    from studytool.store.records import CardRecord
    from studytool.store.repository import Repository

#: Called as ``progress(description, done, total)``.
Progress = Callable[[str, int, int], None]

CLOZE = "cloze"
SCENARIO = "scenario"
_PROGRESS_EVERY = 500


class NothingToExportError(Exception):
    """No active card or scenario block question matches and none was generated."""


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What to export: filters, scheduling, scenario questions; tz/day start for due days."""

    deck: str | None = None
    tag: str | None = None
    with_scheduling: bool = False
    scenarios: int = 0
    seed: int = 0
    scenario_topic: str | None = None
    tz: tzinfo | None = None
    day_start_hour: int | None = None


@dataclass(slots=True)
class ExportResult:
    """What a package holds."""

    path: Path
    notes: int = 0
    cards: int = 0
    media_files: int = 0
    scenario_notes: int = 0
    note_scenario_notes: int = 0
    review_cards: int = 0
    revlog_entries: int = 0
    decks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ClozeNotePlan:
    """One Anki cloze note: its cards with their cloze numbers (ascending), and its look.

    ``first`` is the card (of ``members``) earliest in study order: the note shows its
    context and source and takes its deck and new-card position.
    """

    guid: str
    members: list[tuple[int, CardRecord]]
    mtime: int
    first: CardRecord
    images: list[tuple[Path, int | None]] = field(default_factory=list)

    @classmethod
    def of(cls, guid: str, members: list[tuple[int, CardRecord]], mtime: int) -> ClozeNotePlan:
        first = min(members, key=lambda member: member[1].position)[1]
        return cls(guid, members, mtime, first)

    @property
    def position(self) -> int:
        return self.first.position


def export_package(
    repository: Repository,
    out_path: Path,
    options: ExportOptions | None = None,
    progress: Progress | None = None,
    generate: Generator | None = None,
) -> ExportResult:
    """Write the package for ``options`` to ``out_path`` and say what it holds.

    Raises :class:`NothingToExportError` (before writing anything) when nothing matches.

    ``generate`` replaces the scenario generator (tests); by default it is imported lazily and
    only when ``options.scenarios`` asks for questions.
    """
    with _collector_paused():
        return _export(repository, out_path, options or ExportOptions(), progress, generate)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the export allocates its objects.

    An export builds a few objects per card and no reference cycles; with the collector on,
    its repeated passes over them cost about a quarter of a 40,000-card export.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _export(
    repository: Repository,
    out_path: Path,
    options: ExportOptions,
    progress: Progress | None,
    generate: Generator | None,
) -> ExportResult:
    report = progress or _no_progress
    result = ExportResult(path=out_path)
    records, changed_at, selected = _selected_cards(repository, options, CLOZE)
    plans = plan_cloze_notes(records, selected, changed_at, result.warnings)
    media = MediaCollector()
    for done, plan in enumerate(plans, start=1):
        plan.images = _unique_images(
            image
            for _, card in plan.members
            for image in media.images_for(card.vault, card.note, card.line)
        )
        if done % _PROGRESS_EVERY == 0 or done == len(plans):
            report("Finding images", done, len(plans))
    result.warnings.extend(media.warnings)
    media_files = media.files()
    block_questions, block_warnings = _note_block_questions(repository, options)
    result.warnings.extend(block_warnings)
    scenarios: list[ScenarioNote] = []
    if options.scenarios > 0:
        scenarios, scenario_warnings = scenario_notes(
            options.scenarios, options.seed, options.scenario_topic, generate
        )
        result.warnings.extend(scenario_warnings)
    if not plans and not scenarios and not block_questions:
        raise NothingToExportError("no active card matches and no scenario question was asked for")
    schedule = None
    if options.with_scheduling:
        day_start = options.day_start_hour
        if day_start is None:
            day_start = read_day_start_hour(repository) or DEFAULT_DAY_START_HOUR
        schedule = _Schedule(
            tz=options.tz or local_timezone(), day_start_hour=day_start,
            review_log=read_review_log(
                repository, [card.id for plan in plans for _, card in plan.members]
            ),
        )  # fmt: skip
    write_package(
        out_path, plans, scenarios, media_files, schedule, result, report, block_questions
    )
    return result


def _note_block_questions(
    repository: Repository, options: ExportOptions
) -> tuple[list[ScenarioNote], list[str]]:
    """The questions of the active note-block scenario cards that ``options`` selects."""
    records, changed_at, selected = _selected_cards(repository, options, SCENARIO)
    cards = [card for card in records if card.id in selected]
    return note_block_notes(cards, changed_at)  # it leaves out template cards (no note block)


def _selected_cards(
    repository: Repository, options: ExportOptions, kind: str
) -> tuple[list[CardRecord], dict[int, datetime], set[int]]:
    """Every card of ``kind`` with its last change, and the ids of the active ones that the
    ``--deck``/``--tag`` filters select (all active ones without filters)."""
    records, changed_at = read_cards(repository, kind)
    if options.deck or options.tag:
        matching = repository.list_cards(
            deck=options.deck, tag=options.tag, kind=kind, include_retired=False
        )
        return records, changed_at, {card.id for card in matching}
    return records, changed_at, {card.id for card in records if not card.retired}


def _no_progress(_description: str, _done: int, _total: int) -> None:
    return None


def _unique_images(images: Iterable[tuple[Path, int | None]]) -> list[tuple[Path, int | None]]:
    seen: set[Path] = set()
    unique = []
    for path, width in images:
        if path not in seen:
            seen.add(path)
            unique.append((path, width))
    return unique


_BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)


def note_guid(card_key: str) -> str:
    """The Anki GUID for the note whose first card has ``card_key``.

    Equal to ``genanki.guid_for("studytool", card_key)`` (a test holds them equal), computed
    without its per-call overhead because an export makes one per note.
    """
    digest = hashlib.sha256(f"studytool__{card_key}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    characters = []
    while number > 0:
        number, remainder = divmod(number, 91)
        characters.append(_BASE91[remainder])
    return "".join(reversed(characters))


def plan_cloze_notes(
    records: Sequence[CardRecord],
    selected: set[int],
    changed_at: dict[int, datetime],
    warnings: list[str],
) -> list[ClozeNotePlan]:
    """Group cards into notes (see the module docstring); only notes with a selected card."""
    groups: dict[tuple[str, str], list[CardRecord]] = {}
    for card in records:
        groups.setdefault((card.group, card.text), []).append(card)
    plans: list[ClozeNotePlan] = []
    for members in groups.values():
        if len(members) == 1:
            card = members[0]
            if not card.retired and card.id in selected and _valid_span(card, warnings):
                changed = changed_at.get(card.id)
                mtime = NOTE_TYPE_REVISION if changed is None else int(changed.timestamp())
                plans.append(ClozeNotePlan(note_guid(card.key), [(1, card)], mtime, card))
            continue
        plans.extend(_sibling_plans(members, selected, changed_at, warnings))
    plans.sort(key=lambda plan: (plan.first.position, plan.guid))
    return plans


def _sibling_plans(
    members: list[CardRecord],
    selected: set[int],
    changed_at: dict[int, datetime],
    warnings: list[str],
) -> list[ClozeNotePlan]:
    members.sort(key=lambda card: card.id)
    mtime = _mtime(members, changed_at)
    plans: list[ClozeNotePlan] = []
    main: list[tuple[int, CardRecord]] = []
    taken: list[tuple[int, int]] = []
    for number, card in enumerate(members, start=1):
        if card.retired or not _valid_span(card, warnings):
            continue
        start, end = card.answer_start, card.answer_end
        if any(start < taken_end and taken_start < end for taken_start, taken_end in taken):
            plans.append(ClozeNotePlan.of(note_guid(card.key), [(1, card)], mtime))
            continue
        taken.append((start, end))
        main.append((number, card))
    if main:
        plans.append(ClozeNotePlan.of(note_guid(members[0].key), main, mtime))
    return [plan for plan in plans if any(card.id in selected for _, card in plan.members)]


def _mtime(members: Sequence[CardRecord], changed_at: dict[int, datetime]) -> int:
    times = [changed_at[card.id] for card in members if card.id in changed_at]
    return int(max(times).timestamp()) if times else NOTE_TYPE_REVISION


def _valid_span(card: CardRecord, warnings: list[str]) -> bool:
    start, end = card.answer_start, card.answer_end
    if 0 <= start < end <= len(card.text) and card.text[start:end].strip():
        return True
    warnings.append(f"{card.note}:{card.line}: card {card.id} hides nothing; not exported")
    return False


def cloze_fields(plan: ClozeNotePlan, media: dict[Path, MediaFile]) -> list[str]:
    """Text, Context, Source and Extra of a cloze note as HTML."""
    first = plan.first
    members = plan.members
    if len(members) == 1:
        spans = [ClozeSpan(first.answer_start, first.answer_end, members[0][0])]
        line = first.line
    else:
        spans = [ClozeSpan(card.answer_start, card.answer_end, number) for number, card in members]
        line = min(card.line for _, card in members)
    extra = ""
    if any(card.extra for _, card in plan.members):
        extras: list[str] = []
        for _, card in plan.members:
            if card.extra and card.extra.strip():
                rendered = render_inline(card.extra)
                if rendered not in extras:
                    extras.append(rendered)
        extra = "".join(f'<div class="st-note">{item}</div>' for item in extras)
    if plan.images:
        images = [image_tag(media[path].name, width) for path, width in plan.images]
        extra += f'<div class="st-images">{"".join(images)}</div>'
    return [
        render_cloze(first.text, spans),
        render_context(first.context),
        render_source(first.note, line, first.vault),
        extra,
    ]


@dataclass(frozen=True, slots=True)
class _Schedule:
    tz: tzinfo
    day_start_hour: int
    review_log: dict[int, list[ReviewLogEntry]]

    @property
    def config(self) -> dict[str, object]:
        """The collection config that makes Anki count days as this module does."""
        return {"schedVer": 2, "rollover": self.day_start_hour, "creationOffset": 0}


def write_package(
    out_path: Path,
    plans: Sequence[ClozeNotePlan],
    scenarios: Sequence[ScenarioNote],
    media: dict[Path, MediaFile],
    schedule: _Schedule | None,
    result: ExportResult,
    progress: Progress,
    block_questions: Sequence[ScenarioNote] = (),
) -> None:
    """Turn the planned notes into rows, build the collection and zip it with the media.

    ``block_questions`` are the questions of the scenario blocks in notes, ``scenarios`` the
    generated ones; both are Basic notes, always new cards.
    """
    total = len(plans) + len(scenarios) + len(block_questions)
    rows: list[NoteRow] = []
    cloze, basic = cloze_model(), scenario_model()
    for done, plan in enumerate(plans, start=1):
        rows.append(_cloze_row(plan, cloze, media, schedule))
        if done % _PROGRESS_EVERY == 0 or done == total:
            progress("Preparing notes", done, total)
    for note in block_questions:
        rows.append(_scenario_row(note, basic, 0))
    for position, note in enumerate(scenarios, start=1):
        rows.append(_scenario_row(note, basic, position))
    decks = sorted({row.deck for row in rows})
    models = [cloze] if plans else []
    if scenarios or block_questions:
        models.append(basic)
    written = build_collection(
        rows, decks, models,
        review_log=schedule.review_log if schedule else None,
        config=schedule.config if schedule else None,
    )  # fmt: skip
    # Identical copies of one image in two folders share their name: store the bytes once.
    files = sorted({item.name: item for item in media.values()}.values(), key=lambda i: i.name)
    write_zip(out_path, written.collection, files)
    result.notes = len(rows)
    result.scenario_notes = len(scenarios)
    result.note_scenario_notes = len(block_questions)
    result.cards = sum(len(row.cards) for row in rows)
    result.decks = decks
    result.media_files = len(files)
    result.revlog_entries = written.revlog_entries
    result.review_cards = sum(
        1 for row in rows for card in row.cards if card.state.type != scheduling.CardType.NEW
    )


def _scenario_row(note: ScenarioNote, model: genanki.Model, position: int) -> NoteRow:
    """A Basic scenario note; a new card at ``note.position``, else at ``position``."""
    state = scheduling.new_card_state(position if note.position is None else note.position)
    return NoteRow(
        guid=note.guid, model=model, deck=note.deck,
        fields=(note.question, note.choices, note.answer, note.explanation),
        tags=note.tags, mtime=note.mtime, cards=(CardRow(0, state),),
    )  # fmt: skip


def _note_tags(plan: ClozeNotePlan) -> list[str]:
    if len(plan.members) == 1:
        return anki_tags(plan.first.tags)
    return anki_tags(tag for _, card in plan.members for tag in card.tags)


def _cloze_row(
    plan: ClozeNotePlan,
    model: genanki.Model,
    media: dict[Path, MediaFile],
    schedule: _Schedule | None,
) -> NoteRow:
    cards = []
    for number, card in plan.members:
        if schedule is None:
            state = scheduling.new_card_state(plan.position)
        else:
            state = scheduling.anki_card_state(
                card, plan.position, schedule.tz, schedule.day_start_hour
            )
        cards.append(CardRow(number - 1, state, card.id))
    return NoteRow(
        guid=plan.guid, model=model, deck=anki_deck_name(plan.first.deck),
        fields=cloze_fields(plan, media),
        tags=_note_tags(plan),
        mtime=plan.mtime, cards=cards,
    )  # fmt: skip
