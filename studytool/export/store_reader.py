"""What the export reads from the store: read-only.

The cards with their last change time (which becomes the Anki note's modification time, so
that Anki updates a note exactly when studytool changed it), the review log and the day-start
hour. This is the one module outside ``studytool.store`` that opens a session
(``repository.reading()``); it only ever selects, and the session is never committed.

:func:`read_cards` returns what ``Repository.list_cards(kind=...)`` returns (a test holds the
two equal) through one plain SQL query on the driver's cursor, without SQLAlchemy's per-row
and per-column processing: for 40,000 cards that is about a second less, which the export's
speed goal (bench/bench_export.py) needs.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from studytool.store.records import CardRecord
from studytool.store.tables import ReviewLog, Setting
from studytool.store.utc import from_utc_text

if TYPE_CHECKING:
    from studytool.store.repository import Repository

#: Setting keys the day-start hour may be stored under (first found wins).
DAY_START_KEYS = ("day_start_hour", "day_start")


@dataclass(frozen=True, slots=True)
class ReviewLogEntry:
    """One grade from the review log, as the export needs it."""

    id: int
    card_id: int
    reviewed_at: datetime
    quality: int
    state_before: dict[str, Any]
    state_after: dict[str, Any]
    duration_ms: int | None
    scheduler: str


def read_review_log(
    repository: Repository, card_ids: Collection[int]
) -> dict[int, list[ReviewLogEntry]]:
    """The review log of the given cards, oldest first, by card id."""
    wanted = set(card_ids)
    result: dict[int, list[ReviewLogEntry]] = {}
    if not wanted:
        return result
    query = select(ReviewLog).order_by(col(ReviewLog.reviewed_at), col(ReviewLog.id))
    with repository.reading() as session:
        for row in session.exec(query):
            if row.card_id not in wanted or row.id is None:
                continue
            result.setdefault(row.card_id, []).append(
                ReviewLogEntry(
                    id=row.id, card_id=row.card_id, reviewed_at=row.reviewed_at,
                    quality=row.quality, state_before=dict(row.state_before or {}),
                    state_after=dict(row.state_after or {}), duration_ms=row.duration_ms,
                    scheduler=row.scheduler,
                )
            )  # fmt: skip
    return result


_CARDS_SQL = """
SELECT card.id, card.key, card.kind, card.deck, card.note_path, card.line, card.context,
       card.text, card.prompt, card.answer, card.answer_start, card.answer_end, card.group_key,
       card.ordinal, card.tags, card.colour, card.extra, card.position, card.retired,
       review_state.state, review_state.due, review_state.repetitions,
       review_state.ef_hundredths, review_state.interval, review_state.lapses,
       review_state.reps, review_state.last_reviewed, note.vault, card.updated_at
FROM card
LEFT OUTER JOIN note ON card.note_id = note.id
LEFT OUTER JOIN review_state ON review_state.card_id = card.id
WHERE card.kind = ?
ORDER BY card.position, card.id
"""


def read_cards(repository: Repository, kind: str) -> tuple[list[CardRecord], dict[int, datetime]]:
    """Every card of ``kind`` (retired ones included) in study order, and when each changed."""
    with repository.reading() as session:
        cursor = session.connection().connection.cursor()
        try:
            rows = cursor.execute(_CARDS_SQL, (kind,)).fetchall()
        finally:
            cursor.close()
    loads = json.loads
    records: list[CardRecord] = []
    changed_at: dict[int, datetime] = {}
    for row in rows:
        due, last_reviewed = row[20], row[26]
        records.append(
            CardRecord(
                row[0], row[1], row[2], row[3], row[4], row[5], tuple(loads(row[6])), row[7],
                row[8], row[9], row[10], row[11], row[12], row[13], tuple(loads(row[14])),
                row[15], row[16], row[17], bool(row[18]), row[19] or "new",
                None if due is None else from_utc_text(due), row[21] or 0,
                (row[22] or 250) / 100, row[23] or 0, row[24] or 0, row[25] or 0,
                None if last_reviewed is None else from_utc_text(last_reviewed), row[27],
            )
        )  # fmt: skip
        changed_at[row[0]] = from_utc_text(row[28])
    return records, changed_at


def read_day_start_hour(repository: Repository) -> int | None:
    """The configured day-start hour (0..23), or None when not set or not valid."""
    query = select(Setting).where(col(Setting.key).in_(DAY_START_KEYS))
    with repository.reading() as session:
        values = {row.key: row.value for row in session.exec(query)}
    for key in DAY_START_KEYS:
        value = values.get(key, "").strip()
        if value.isdigit() and 0 <= int(value) <= 23:
            return int(value)
    return None
