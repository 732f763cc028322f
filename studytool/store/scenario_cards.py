"""Scenario cards in the store: one card per question template, and wrong answers' follow-up.

**Template cards.** :func:`sync_template_cards` keeps one active card of kind ``"scenario"``
per question template (deck ``Scenarios/<topic>``, key ``scenario-template:<template id>``,
``extra`` = ``{"template": id}``, no note, prompt = the template's title), in one
transaction: new templates get a card (with a new review state, placed after every existing
card, the topics taking turns so that new scenario cards come in mixed topics), changed titles
are updated, removed templates retire their card (kept with its history, never deleted) and a
returning template gets its old card back. They are scheduled by SM-2 like cloze cards; what
each showing asks is :mod:`studytool.scenarios.study`'s business.

When to sync: ``studytool review`` and ``studytool quiz`` call :func:`ensure_template_cards`
before their first card (after the first-run import of the bundled notes). It compares a
fingerprint of the installed template modules (names, sizes and modification times of the
files, and studytool's version; a few ``stat`` calls, no import) with the one stored in the
``setting`` table: one query when nothing changed, and the templates are imported and synced
only when something did. The import of notes does not touch template cards.

**Bringing statements forward.** A wrong scenario answer brings the cloze cards of the note
statements its rules test forward to today (:func:`bring_forward`): for each rule, its note
reference (note path and snippet) names the statement; the active cloze cards of that note
whose text contains the snippet (or is contained in it, on the snippet's line), compared
without highlight markup, case or spacing, are the statement's cards; when none matches by
text, the cards on the snippet's line are taken. Cards already due today or earlier keep their
date, new cards are left alone (they are available anyway), the others become due at the start
of the current study day. :func:`restore_forwarded` undoes that (for an undone grade).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from studytool.scheduling.days import (
    DEFAULT_DAY_START_HOUR,
    day_start,
    local_timezone,
    study_day,
    validate_day_start_hour,
)
from studytool.store import schema
from studytool.store.records import NEW

if TYPE_CHECKING:
    from studytool.store.repository import Repository
    from studytool.store.reviews import CardView

SCENARIO = "scenario"
CLOZE = "cloze"
TEMPLATE_KEY_PREFIX = "scenario-template:"
SCENARIO_DECK_ROOT = "Scenarios"
#: the ``setting`` row holding the fingerprint of the templates last synced
FINGERPRINT_SETTING = "scenario_templates"
#: bump when the card layout written by the sync changes (forces one re-sync)
SYNC_FORMAT = 1
#: the setting the review service keeps the day-start hour in
DAY_START_SETTING = "day_start_hour"

_card = schema.card
_state = schema.review_state
_setting = schema.setting


class TemplateLike(Protocol):
    """What the sync needs of a template (``studytool.scenarios.generator.Template``)."""

    @property
    def id(self) -> str: ...

    @property
    def topic(self) -> str: ...

    @property
    def title(self) -> str: ...


@dataclass
class SyncReport:
    """What one sync did, by template id."""

    created: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.restored or self.updated or self.retired)


def template_card_key(template_id: str) -> str:
    """The stable card key of a template's card."""
    return TEMPLATE_KEY_PREFIX + template_id


def template_deck(topic: str) -> str:
    """``Scenarios/<topic>``."""
    return f"{SCENARIO_DECK_ROOT}/{topic}"


def templates_fingerprint() -> str:
    """A fingerprint of the installed template modules (no import; see the module docstring)."""
    from studytool import __version__

    spec = find_spec("studytool.scenarios.templates")
    parts = [f"format {SYNC_FORMAT}", f"studytool {__version__}"]
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for path in sorted(Path(folder).glob("*.py")):
            try:
                info = path.stat()
            except OSError:
                continue
            parts.append(f"{path.name}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha1("\n".join(parts).encode(), usedforsecurity=False).hexdigest()


def ensure_template_cards(repository: Repository) -> SyncReport | None:
    """Sync the template cards when the installed templates changed since the last sync.

    One query when nothing changed (then None is returned); else the sync's report.
    """
    fingerprint = templates_fingerprint()
    with repository.engine.connect() as connection:
        stored = connection.execute(
            select(_setting.c.value).where(_setting.c.key == FINGERPRINT_SETTING)
        ).scalar()
    if stored == fingerprint:
        return None
    return sync_template_cards(repository, fingerprint=fingerprint)


def sync_template_cards(
    repository: Repository,
    templates: Iterable[TemplateLike] | None = None,
    *,
    fingerprint: str | None = None,
) -> SyncReport:
    """Make the template cards match ``templates`` (default: every installed template).

    Idempotent, one transaction. With the default templates the fingerprint is stored so
    that :func:`ensure_template_cards` knows nothing changed; an explicit list (tests) leaves
    the stored fingerprint alone.
    """
    if templates is None:
        from studytool.scenarios.generator import templates as installed

        wanted = list(installed())
        fingerprint = fingerprint or templates_fingerprint()
    else:
        wanted = list(templates)
        fingerprint = None
    report = SyncReport()
    now = repository.clock()
    with repository.writing() as session:
        connection = session.connection()
        existing = {
            row.key: row
            for row in connection.execute(
                select(_card.c.id, _card.c.key, _card.c.deck, _card.c.prompt, _card.c.tags,
                       _card.c.extra, _card.c.retired)
                .where(_card.c.kind == SCENARIO, _card.c.key.startswith(TEMPLATE_KEY_PREFIX))
            )
        }  # fmt: skip
        keys = set()
        fresh: list[dict[str, Any]] = []
        for template in wanted:
            key = template_card_key(template.id)
            keys.add(key)
            values = _card_values(template)
            row = existing.get(key)
            if row is None:
                fresh.append({"key": key, **values})
                report.created.append(template.id)
                continue
            differs = any(getattr(row, name) != values[name] for name in values)
            if not row.retired and not differs:
                report.unchanged += 1
                continue
            (report.restored if row.retired else report.updated).append(template.id)
            connection.execute(
                update(_card).where(_card.c.id == row.id)
                .values(**values, retired=False, updated_at=now)
            )  # fmt: skip
        for key, row in existing.items():
            if key not in keys and not row.retired:
                connection.execute(
                    update(_card).where(_card.c.id == row.id).values(retired=True, updated_at=now)
                )
                report.retired.append(key.removeprefix(TEMPLATE_KEY_PREFIX))
        if fresh:
            _insert_cards(connection, _interleaved(fresh), now)
        if fingerprint is not None:
            statement = sqlite_insert(_setting).values(key=FINGERPRINT_SETTING, value=fingerprint)
            connection.execute(
                statement.on_conflict_do_update(index_elements=["key"], set_={"value": fingerprint})
            )
    return report


def _card_values(template: TemplateLike) -> dict[str, Any]:
    """The card columns a template decides (the sync compares and updates these)."""
    from studytool.scenarios.study import template_extra

    return {
        "deck": template_deck(template.topic),
        "prompt": template.title,
        "tags": [SCENARIO, f"{SCENARIO}/{template.topic}"],
        "extra": template_extra(template.id),
    }


def _interleaved(fresh: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """New cards with the topics taking turns, so new scenario cards come in mixed topics."""
    rank: dict[str, int] = {}
    topics: dict[str, int] = {}
    keyed = []
    for values in fresh:
        deck = values["deck"]
        topics.setdefault(deck, len(topics))
        rank[deck] = rank.get(deck, -1) + 1
        keyed.append(((rank[deck], topics[deck]), values))
    return [values for _key, values in sorted(keyed, key=lambda item: item[0])]


def _insert_cards(connection: Any, fresh: list[dict[str, Any]], now: datetime) -> None:
    position = int(connection.execute(select(func.max(_card.c.position))).scalar() or 0)
    rows = []
    for offset, values in enumerate(fresh, start=1):
        rows.append({
            **values, "kind": SCENARIO, "note_id": None, "note_path": "", "line": 0,
            "context": [], "text": values["prompt"], "answer": "", "answer_start": 0,
            "answer_end": 0, "group_key": values["key"], "ordinal": 1, "colour": None,
            "position": position + offset, "retired": False, "created_at": now,
            "updated_at": now,
        })  # fmt: skip
    connection.execute(insert(_card), rows)
    ids = connection.execute(
        select(_card.c.id).where(_card.c.key.in_([row["key"] for row in rows]))
    ).scalars()
    connection.execute(insert(_state), [{"card_id": card_id} for card_id in ids])


# --------------------------------------------------------------------------- quiz support
def scenario_card_views(
    repository: Repository, deck: str | None = None, tag: str | None = None
) -> list[CardView]:
    """Every active scenario card in ``deck``/``tag``, in study order, as the TUI shows cards.

    The quiz draws extra practice questions from these once nothing is left to schedule.
    """
    from studytool.store.reviews import CardView

    views = []
    for record in repository.list_cards(deck=deck, tag=tag, kind=SCENARIO, include_retired=False):
        views.append(
            CardView(
                id=record.id, kind=record.kind, deck=record.deck, note=record.note,
                line=record.line, context=record.context, prompt=record.prompt,
                answer=record.answer, tags=record.tags, colour=record.colour, text=record.text,
                state=record.state, extra=record.extra, group=record.group,
                queue_kind="practice", due=record.due, interval=record.interval, ef=record.ef,
                repetitions=record.repetitions, lapses=record.lapses, reps=record.reps,
                last_reviewed=record.last_reviewed, vault=record.vault,
            )
        )  # fmt: skip
    return views


# --------------------------------------------------------------------------- bringing forward
@dataclass(frozen=True)
class StatementCard:
    """A cloze card of a note statement that a rule tests."""

    card_id: int
    rule: str
    note: str
    line: int
    text: str
    state: str
    due: datetime | None


@dataclass(frozen=True)
class Forwarded:
    """One card brought forward: its due date before and after."""

    card_id: int
    due_before: datetime
    due_after: datetime


@dataclass(frozen=True)
class _Target:
    rule: str
    note: str
    snippet: str
    line: int | None


def _normalised(text: str) -> str:
    from studytool.model.rules import plain_text

    return " ".join(plain_text(text).casefold().split()).rstrip(" .;:,")


def _targets(rule_ids: Iterable[str]) -> list[_Target]:
    from studytool.model.rules import get_rule, rule_note_location

    targets = []
    for rule_id in dict.fromkeys(rule_ids):
        try:
            rule = get_rule(rule_id)
        except KeyError:
            continue
        if rule.note is None:
            continue
        location = rule_note_location(rule)
        line = location[1] if location else None
        targets.append(_Target(rule_id, rule.note.path, _normalised(rule.note.snippet), line))
    return targets


def _matching(targets: Sequence[_Target], rows: Sequence[Any]) -> list[StatementCard]:
    by_note: dict[str, list[Any]] = {}
    for row in rows:
        by_note.setdefault(row.note_path, []).append(row)
    found: dict[int, StatementCard] = {}
    for target in targets:
        candidates = by_note.get(target.note, [])
        texts = {row.id: _normalised(row.text) for row in candidates}
        chosen = [
            row for row in candidates
            if target.snippet and (
                target.snippet in texts[row.id]
                or (row.line == target.line and texts[row.id] and texts[row.id] in target.snippet)
            )
        ]  # fmt: skip
        if not chosen and target.line is not None:
            chosen = [row for row in candidates if row.line == target.line]
        for row in chosen:
            found.setdefault(
                row.id,
                StatementCard(row.id, target.rule, row.note_path, row.line, row.text,
                              row.state or NEW, row.due),
            )  # fmt: skip
    return sorted(found.values(), key=lambda card: (card.note, card.line, card.card_id))


def _statement_query(notes: Iterable[str]) -> Any:
    return (
        select(_card.c.id, _card.c.note_path, _card.c.line, _card.c.text, _state.c.state,
               _state.c.due)
        .select_from(_card.outerjoin(_state, _state.c.card_id == _card.c.id))
        .where(_card.c.kind == CLOZE, _card.c.retired.is_(False),
               _card.c.note_path.in_(sorted(set(notes))))
        .order_by(_card.c.id)
    )  # fmt: skip


def statement_cards(repository: Repository, rule_ids: Iterable[str]) -> list[StatementCard]:
    """The active cloze cards of the note statements the rules test (nothing is written)."""
    targets = _targets(rule_ids)
    if not targets:
        return []
    with repository.engine.connect() as connection:
        rows = connection.execute(_statement_query(t.note for t in targets)).all()
    return _matching(targets, rows)


def start_of_study_day(now: datetime, tz: tzinfo, day_start_hour: int) -> datetime:
    """When the study day of ``now`` began (UTC)."""
    return day_start(study_day(now, tz, day_start_hour), tz, day_start_hour)


def forward_statements(
    repository: Repository,
    rule_ids: Iterable[str],
    now: datetime,
    tz: tzinfo | None = None,
    day_start_hour: int | None = None,
) -> list[Forwarded]:
    """Bring the statements' cloze cards forward to today, in one transaction (see above).

    ``tz`` defaults to the machine's zone, ``day_start_hour`` to the stored setting.
    """
    targets = _targets(rule_ids)
    if not targets:
        return []
    zone = tz or local_timezone()
    changes: list[Forwarded] = []
    with repository.writing() as session:
        connection = session.connection()
        hour = day_start_hour if day_start_hour is not None else _day_start_hour(connection)
        today = start_of_study_day(now, zone, hour)
        rows = connection.execute(_statement_query(t.note for t in targets)).all()
        for card in _matching(targets, rows):
            if card.state == NEW or card.due is None or card.due <= today:
                continue
            connection.execute(
                update(_state)
                .where(_state.c.card_id == card.card_id, _state.c.due == card.due)
                .values(due=today)
            )
            changes.append(Forwarded(card.card_id, card.due, today))
    return changes


def bring_forward(
    repository: Repository,
    rule_ids: Iterable[str],
    now: datetime,
    tz: tzinfo | None = None,
    day_start_hour: int | None = None,
) -> list[int]:
    """The ids of the cloze cards :func:`forward_statements` made due today."""
    return [change.card_id for change in forward_statements(repository, rule_ids, now, tz,
                                                            day_start_hour)]  # fmt: skip


def restore_forwarded(repository: Repository, changes: Sequence[Forwarded]) -> int:
    """Put brought-forward cards back on their old dates (those not graded since); a count."""
    if not changes:
        return 0
    restored = 0
    with repository.writing() as session:
        connection = session.connection()
        for change in changes:
            result = connection.execute(
                update(_state)
                .where(and_(_state.c.card_id == change.card_id, _state.c.due == change.due_after))
                .values(due=change.due_before)
            )
            restored += result.rowcount or 0
    return restored


def _day_start_hour(connection: Any) -> int:
    value = connection.execute(
        select(_setting.c.value).where(_setting.c.key == DAY_START_SETTING)
    ).scalar()
    try:
        return validate_day_start_hour(int(str(value)))
    except (TypeError, ValueError):
        return DEFAULT_DAY_START_HOUR


__all__ = [
    "FINGERPRINT_SETTING",
    "SCENARIO_DECK_ROOT",
    "TEMPLATE_KEY_PREFIX",
    "Forwarded",
    "StatementCard",
    "SyncReport",
    "bring_forward",
    "ensure_template_cards",
    "forward_statements",
    "restore_forwarded",
    "scenario_card_views",
    "start_of_study_day",
    "statement_cards",
    "sync_template_cards",
    "template_card_key",
    "template_deck",
    "templates_fingerprint",
]
