"""What the store hands out: plain dataclasses, never table objects or sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from studytool.scheduling.days import DEFAULT_DAY_START_HOUR, local_timezone, study_day

NEW = "new"
LEARNING = "learning"
REVIEW = "review"
RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class CardRecord:
    """A card with its scheduling state, as the CLI, TUI and export see it."""

    id: int
    key: str
    kind: str
    deck: str
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
    extra: str | None
    position: int
    retired: bool
    state: str
    due: datetime | None
    repetitions: int
    ef: float
    interval: int
    lapses: int
    reps: int
    last_reviewed: datetime | None
    vault: str | None

    @property
    def display_state(self) -> str:
        """``retired`` for a retired card, else its scheduling state."""
        return RETIRED if self.retired else self.state

    def to_json(
        self, day_start_hour: int = DEFAULT_DAY_START_HOUR, tz: tzinfo | None = None
    ) -> dict[str, Any]:
        """The ``studytool cards --json`` object: exactly the documented keys.

        ``due`` is the study day the card is due on (the day the review app counts it for: an
        FSRS card due at 03:59 belongs to the day before when days start at 4 a.m.), in ``tz``
        (default: this machine's zone; pass it when converting many cards: looking it up
        costs tens of microseconds).
        """
        due = None
        if self.due is not None:
            due = study_day(self.due, tz or local_timezone(), day_start_hour)
        return {
            "id": str(self.id),
            "kind": self.kind,
            "deck": self.deck,
            "note": self.note,
            "line": self.line,
            "context": list(self.context),
            "prompt": self.prompt,
            "answer": self.answer,
            "tags": list(self.tags),
            "state": self.display_state,
            "due": None if due is None else due.isoformat(),
        }


@dataclass(slots=True)
class ImportReport:
    """What one import read and changed.

    ``notes_read`` counts every note file found: ``notes_changed + notes_unchanged +
    notes_skipped``. A skipped note (binary, unreadable, given up on by the parser, or a
    symlink) gave no cards and is looked at again by the next import.
    """

    sources: list[str] = field(default_factory=list)
    notes_read: int = 0
    notes_changed: int = 0
    notes_unchanged: int = 0
    notes_skipped: int = 0
    notes_missing: int = 0
    cards_new: int = 0
    cards_updated: int = 0
    cards_unchanged: int = 0
    cards_retired: int = 0
    cards_restored: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: the backup made before this import retired over a tenth of the cards, if it did
    backup: str | None = None
    #: folders named that hold no note and are not in an Obsidian vault (likely a wrong path)
    folders_without_notes: int = 0

    @property
    def failed(self) -> bool:
        """True when nothing could be imported at all.

        That is: no note was imported and none was found gone, and there was a reason to
        expect one: a source was an error, every note found had to be skipped, or a folder
        outside any Obsidian vault held no note. An empty Obsidian vault is not a failure.
        """
        imported = self.notes_read - self.notes_skipped
        if imported > 0 or self.notes_missing > 0:
            return False
        return bool(self.errors) or self.notes_skipped > 0 or self.folders_without_notes > 0

    def summary(self) -> dict[str, Any]:
        """The counts as a JSON-ready dict (kept in the import history)."""
        return {
            "notes_read": self.notes_read,
            "notes_changed": self.notes_changed,
            "notes_unchanged": self.notes_unchanged,
            "notes_missing": self.notes_missing,
            "notes_skipped": self.notes_skipped,
            "cards_new": self.cards_new,
            "cards_updated": self.cards_updated,
            "cards_unchanged": self.cards_unchanged,
            "cards_retired": self.cards_retired,
            "cards_restored": self.cards_restored,
            "warnings": len(self.warnings),
            "errors": len(self.errors),
        }
