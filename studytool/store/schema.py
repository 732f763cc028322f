"""The database's tables as SQLAlchemy Core objects: what every query in ``store`` is built on.

The same tables are mapped as SQLModel classes in :mod:`studytool.store.tables` for code that
works with ORM sessions. Queries use these Core tables so that the review path never imports
SQLModel and pydantic (a third of ``studytool review``'s start-up otherwise). The schema is
created by :mod:`studytool.store.migrations`; tests check that all three agree.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

from studytool.store.types import JSONText, UTCDateTime

METADATA = MetaData()

note = Table(
    "note", METADATA,
    Column("id", Integer, primary_key=True),
    Column("vault", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("content_hash", Text, nullable=False),
    Column("mtime", UTCDateTime, nullable=False),
    Column("deck", Text, nullable=False),
    Column("missing", Boolean, nullable=False, default=False),
    Column("imported_at", UTCDateTime, nullable=False),
    UniqueConstraint("vault", "path"),
    Index("ix_note_vault", "vault"),
)  # fmt: skip

card = Table(
    "card", METADATA,
    Column("id", Integer, primary_key=True),
    Column("key", Text, nullable=False, unique=True),
    Column("kind", Text, nullable=False),
    Column("note_id", Integer, ForeignKey("note.id"), nullable=True),
    Column("note_path", Text, nullable=False),
    Column("line", Integer, nullable=False),
    Column("context", JSONText, nullable=False),
    Column("text", Text, nullable=False),
    Column("prompt", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("answer_start", Integer, nullable=False),
    Column("answer_end", Integer, nullable=False),
    Column("group_key", Text, nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("tags", JSONText, nullable=False),
    Column("colour", Text, nullable=True),
    Column("deck", Text, nullable=False),
    Column("extra", Text, nullable=True),
    Column("position", Integer, nullable=False),
    Column("retired", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_card_deck", "deck"),
    Index("ix_card_note_id", "note_id"),
    Index("ix_card_queue", "deck", "kind", "retired", "position"),
)  # fmt: skip

review_state = Table(
    "review_state", METADATA,
    Column("card_id", Integer, ForeignKey("card.id", ondelete="CASCADE"), primary_key=True),
    Column("state", Text, nullable=False, default="new"),
    Column("repetitions", Integer, nullable=False, default=0),
    Column("ef_hundredths", Integer, nullable=False, default=250),
    Column("interval", Integer, nullable=False, default=0),
    Column("due", UTCDateTime, nullable=True),
    Column("lapses", Integer, nullable=False, default=0),
    Column("reps", Integer, nullable=False, default=0),
    Column("last_reviewed", UTCDateTime, nullable=True),
    Column("scheduler", Text, nullable=False, default="sm2"),
    Column("fsrs_state", JSONText, nullable=True),
    Column("buried_until", UTCDateTime, nullable=True),
    Index("ix_review_state_due", "due"),
)  # fmt: skip

review_log = Table(
    "review_log", METADATA,
    Column("id", Integer, primary_key=True),
    Column("card_id", Integer, ForeignKey("card.id"), nullable=False),
    Column("reviewed_at", UTCDateTime, nullable=False),
    Column("quality", Integer, nullable=False),
    Column("state_before", JSONText, nullable=False),
    Column("state_after", JSONText, nullable=False),
    Column("duration_ms", Integer, nullable=True),
    Column("typed_answer", Text, nullable=True),
    Column("session_id", Text, nullable=True),
    Column("scheduler", Text, nullable=False, default="sm2"),
    Column("correct", Boolean, nullable=True),
    Column("detail", JSONText, nullable=True),
    Index("ix_review_log_card", "card_id"),
    Index("ix_review_log_time", "reviewed_at"),
)  # fmt: skip

deck_config = Table(
    "deck_config", METADATA,
    Column("deck", Text, primary_key=True),
    Column("new_per_day", Integer, nullable=True),
    Column("reviews_per_day", Integer, nullable=True),
    Column("scheduler", Text, nullable=True),
)  # fmt: skip

setting = Table(
    "setting", METADATA,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)  # fmt: skip

import_run = Table(
    "import_run", METADATA,
    Column("id", Integer, primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=False),
    Column("sources", JSONText, nullable=False),
    Column("summary", JSONText, nullable=False),
)  # fmt: skip

__all__ = [
    "METADATA", "card", "deck_config", "import_run", "note", "review_log",
    "review_state", "setting",
]  # fmt: skip
