"""SQLModel table classes: the database's shape as Python sees it.

The schema itself is created and migrated by explicit SQL in :mod:`studytool.store.migrations`;
a test checks that these classes and the migrated schema agree. Table classes stay in this
package: the rest of studytool works with the dataclasses in :mod:`studytool.store.records`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from studytool.store.types import JSONText, UTCDateTime


def _utc_column(nullable: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime, nullable=nullable))


def _json_column(nullable: bool = False) -> Any:
    return Field(sa_column=Column(JSONText, nullable=nullable))


class Note(SQLModel, table=True):
    """A note file of a vault, as last imported."""

    __tablename__ = "note"

    id: int | None = Field(default=None, primary_key=True)
    vault: str = Field(index=True)
    path: str
    content_hash: str
    mtime: datetime = _utc_column()
    deck: str
    missing: bool = False
    imported_at: datetime = _utc_column()


class Card(SQLModel, table=True):
    """A card: a cloze from a highlight, or a scenario (from a note block or a template)."""

    __tablename__ = "card"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    kind: str
    note_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("note.id"), nullable=True)
    )
    note_path: str
    line: int
    context: list[str] = _json_column()
    text: str
    prompt: str
    answer: str
    answer_start: int
    answer_end: int
    group_key: str
    ordinal: int
    tags: list[str] = _json_column()
    colour: str | None = None
    deck: str = Field(index=True)
    extra: str | None = None
    position: int
    retired: bool = False
    created_at: datetime = _utc_column()
    updated_at: datetime = _utc_column()


class ReviewState(SQLModel, table=True):
    """The scheduling state of one card (one row per card)."""

    __tablename__ = "review_state"

    card_id: int = Field(
        sa_column=Column(Integer, ForeignKey("card.id", ondelete="CASCADE"), primary_key=True)
    )
    state: str = "new"
    repetitions: int = 0
    ef_hundredths: int = 250
    interval: int = 0
    due: datetime | None = _utc_column(nullable=True)
    lapses: int = 0
    reps: int = 0
    last_reviewed: datetime | None = _utc_column(nullable=True)
    scheduler: str = "sm2"
    fsrs_state: dict[str, Any] | None = _json_column(nullable=True)
    buried_until: datetime | None = _utc_column(nullable=True)


class ReviewLog(SQLModel, table=True):
    """One grade given to one card: what it was before and after."""

    __tablename__ = "review_log"

    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(sa_column=Column(Integer, ForeignKey("card.id"), nullable=False))
    reviewed_at: datetime = _utc_column()
    quality: int
    state_before: dict[str, Any] = _json_column()
    state_after: dict[str, Any] = _json_column()
    duration_ms: int | None = None
    typed_answer: str | None = None
    session_id: str | None = None
    scheduler: str = "sm2"
    correct: bool | None = None
    detail: dict[str, Any] | None = _json_column(nullable=True)


class DeckConfig(SQLModel, table=True):
    """Per-deck overrides of the daily limits and the scheduler (NULL: use the default)."""

    __tablename__ = "deck_config"

    deck: str = Field(primary_key=True)
    new_per_day: int | None = None
    reviews_per_day: int | None = None
    scheduler: str | None = None


class Setting(SQLModel, table=True):
    """Collection-wide settings as key/value text (day start hour, default scheduler, ...)."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True)
    value: str


class ImportRun(SQLModel, table=True):
    """One finished import: when, from where, and what it changed."""

    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = _utc_column()
    finished_at: datetime = _utc_column()
    sources: list[str] = _json_column()
    summary: dict[str, Any] = _json_column()
