"""Schema versions and the migrations between them (explicit SQL, applied in order).

The version lives in ``PRAGMA user_version``. ``MIGRATIONS[i]`` takes a database from version
``i`` to ``i + 1``; a new database runs them all. Every migration runs in one transaction, so a
failed one leaves the database at the version it had. Never edit a released migration: add one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the migrations run on SQLAlchemy connections; the version alone needs none
    from sqlalchemy import Connection

Migration = Callable[["Connection"], None]


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer studytool than this one."""


def _execute_script(connection: Connection, script: str) -> None:
    from sqlalchemy import text

    for statement in script.split(";"):
        if statement.strip():
            connection.execute(text(statement))


V1_SCHEMA = """
CREATE TABLE note (
    id INTEGER PRIMARY KEY,
    vault TEXT NOT NULL,
    path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    mtime VARCHAR(32) NOT NULL,
    deck TEXT NOT NULL,
    missing BOOLEAN NOT NULL DEFAULT 0,
    imported_at VARCHAR(32) NOT NULL,
    UNIQUE (vault, path)
);
CREATE INDEX ix_note_vault ON note (vault);
CREATE TABLE card (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    note_id INTEGER REFERENCES note (id),
    note_path TEXT NOT NULL,
    line INTEGER NOT NULL,
    context TEXT NOT NULL,
    text TEXT NOT NULL,
    prompt TEXT NOT NULL,
    answer TEXT NOT NULL,
    answer_start INTEGER NOT NULL,
    answer_end INTEGER NOT NULL,
    group_key TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    tags TEXT NOT NULL,
    colour TEXT,
    deck TEXT NOT NULL,
    extra TEXT,
    position INTEGER NOT NULL,
    retired BOOLEAN NOT NULL DEFAULT 0,
    created_at VARCHAR(32) NOT NULL,
    updated_at VARCHAR(32) NOT NULL
);
CREATE INDEX ix_card_deck ON card (deck);
CREATE INDEX ix_card_note_id ON card (note_id);
CREATE TABLE review_state (
    card_id INTEGER PRIMARY KEY REFERENCES card (id) ON DELETE CASCADE,
    state TEXT NOT NULL DEFAULT 'new',
    repetitions INTEGER NOT NULL DEFAULT 0,
    ef_hundredths INTEGER NOT NULL DEFAULT 250,
    interval INTEGER NOT NULL DEFAULT 0,
    due VARCHAR(32),
    lapses INTEGER NOT NULL DEFAULT 0,
    reps INTEGER NOT NULL DEFAULT 0,
    last_reviewed VARCHAR(32),
    scheduler TEXT NOT NULL DEFAULT 'sm2',
    fsrs_state TEXT,
    buried_until VARCHAR(32)
);
CREATE INDEX ix_review_state_due ON review_state (due);
CREATE TABLE review_log (
    id INTEGER PRIMARY KEY,
    card_id INTEGER NOT NULL REFERENCES card (id),
    reviewed_at VARCHAR(32) NOT NULL,
    quality INTEGER NOT NULL,
    state_before TEXT NOT NULL,
    state_after TEXT NOT NULL,
    duration_ms INTEGER,
    typed_answer TEXT,
    session_id TEXT,
    scheduler TEXT NOT NULL DEFAULT 'sm2'
);
CREATE INDEX ix_review_log_card ON review_log (card_id);
CREATE INDEX ix_review_log_time ON review_log (reviewed_at);
CREATE TABLE deck_config (
    deck TEXT PRIMARY KEY,
    new_per_day INTEGER,
    reviews_per_day INTEGER,
    scheduler TEXT
);
CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
"""

V2_IMPORT_HISTORY_AND_SCENARIO_RESULTS = """
CREATE TABLE import_run (
    id INTEGER PRIMARY KEY,
    started_at VARCHAR(32) NOT NULL,
    finished_at VARCHAR(32) NOT NULL,
    sources TEXT NOT NULL,
    summary TEXT NOT NULL
);
ALTER TABLE review_log ADD COLUMN correct BOOLEAN;
ALTER TABLE review_log ADD COLUMN detail TEXT
"""


V3_QUEUE_INDEXES = """
CREATE INDEX ix_card_queue ON card (deck, kind, retired, position)
"""


def _v1(connection: Connection) -> None:
    """The first released schema: notes, cards, review state and log, settings."""
    _execute_script(connection, V1_SCHEMA)


def _v2(connection: Connection) -> None:
    """Import history, and per-review scenario results (right/wrong, the question asked)."""
    _execute_script(connection, V2_IMPORT_HISTORY_AND_SCENARIO_RESULTS)


def _v3(connection: Connection) -> None:
    """An index for the review queue: each deck's active cards of a kind, in note order.

    The first new cards of a deck are read along it, in note order, stopping after a few
    dozen. The deck comes first so that the index is only used where a deck is named (a
    leading ``retired``/``kind`` would tempt SQLite, which has no statistics here, to scan it
    for any query on those columns, lookups by card id included).
    """
    _execute_script(connection, V3_QUEUE_INDEXES)


MIGRATIONS: Sequence[Migration] = (_v1, _v2, _v3)
SCHEMA_VERSION = len(MIGRATIONS)
