"""The store's service API: what the CLI, the TUI and the export ask of the database.

A :class:`Repository` is built by :meth:`Repository.open` (pragmas, migrations) and handed to
whoever needs it, with an injectable clock so tests can fix the time. It returns dataclasses
from :mod:`studytool.store.records`, never table objects or sessions.

Start-up speed: opening a database whose schema is current, and the small questions
``studytool review`` asks before its first card (:meth:`has_cards`, :meth:`deck_names`,
:meth:`tag_names`, :meth:`card_count`), use plain ``sqlite3``. The SQLAlchemy engine the other
services use is built on first use of :attr:`Repository.engine` (importing SQLAlchemy costs
more than a third of a second).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studytool.locations import bundled_notes_dir
from studytool.store.migrations import SCHEMA_VERSION
from studytool.store.records import CardRecord, ImportReport
from studytool.store.sqlite import open_connection, schema_version
from studytool.store.utc import utc_now

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

    from studytool.store import db
    from studytool.store.importer import Progress

Clock = Callable[[], datetime]

_ACTIVE_TAGS_SQL = (
    "SELECT DISTINCT tag_value.value FROM card, json_each(card.tags) AS tag_value "
    "WHERE card.retired = 0"
)


class UnreadableDatabaseError(RuntimeError):
    """The database file cannot be opened as an SQLite database (nothing was changed)."""

    def __init__(self, path: Path, error: BaseException) -> None:
        reason = getattr(error, "orig", None) or error  # SQLAlchemy wraps the sqlite3 error
        super().__init__(f"{path}: cannot open the database: {reason}")
        self.path = path


class Repository:
    """One database: importing, listing cards, and the sessions other store services use."""

    def __init__(self, engine: Engine | None, path: Path, clock: Clock = utc_now) -> None:
        self._engine = engine
        self.path = path
        self.clock = clock

    @classmethod
    def open(
        cls,
        path: Path,
        clock: Clock = utc_now,
        before_migrate: db.BeforeMigrate | None = None,
    ) -> Repository:
        """Open (creating or migrating as needed) the database at ``path``.

        Raises :class:`UnreadableDatabaseError` when the file is not an SQLite database (or
        cannot be opened), :class:`~studytool.store.db.SchemaTooNewError` when a newer
        studytool wrote it.
        """
        path = path.expanduser()
        if _schema_is_current(path):
            return cls(None, path, clock)
        from sqlalchemy.exc import DatabaseError

        from studytool.store import db

        if before_migrate is None:
            before_migrate = _default_before_migrate()
        try:
            engine = db.create_db_engine(path)
            db.migrate(engine, path, before_migrate)
        except (sqlite3.DatabaseError, DatabaseError, OSError) as error:
            raise UnreadableDatabaseError(path, error) from error
        return cls(engine, path, clock)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine for this database (built on first use)."""
        if self._engine is None:
            from studytool.store import db

            self._engine = db.create_db_engine(self.path)
        return self._engine

    def close(self) -> None:
        """Release the engine's connections."""
        if self._engine is not None:
            self._engine.dispose()

    @contextmanager
    def _raw(self) -> Iterator[sqlite3.Connection]:
        """A plain, configured ``sqlite3`` connection for one read, closed afterwards."""
        with closing(open_connection(self.path)) as connection:
            yield connection

    # Sessions, for the other services inside ``studytool.store`` only.
    @contextmanager
    def reading(self) -> Iterator[Session]:
        from studytool.store import db

        with db.read_session(self.engine) as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        from studytool.store import db

        with db.write_session(self.engine) as session:
            yield session

    # Importing
    def import_paths(self, paths: Sequence[Path], progress: Progress | None = None) -> ImportReport:
        """Import vaults, folders or notes in one transaction (see ``store.importer``)."""
        from studytool.store.importer import run_import

        return run_import(
            self.engine, paths, self.clock(), progress, self._backup_before_mass_retire
        )

    def _backup_before_mass_retire(self) -> Path:
        from studytool.store.backup import backup_database

        return backup_database(self.path, "import-retires-many")

    def import_bundled_notes(self, progress: Progress | None = None) -> ImportReport:
        """Import the notes shipped with studytool."""
        return self.import_paths([bundled_notes_dir()], progress)

    def has_cards(self) -> bool:
        """Whether any card exists (retired ones included)."""
        with self._raw() as connection:
            return connection.execute("SELECT EXISTS (SELECT 1 FROM card)").fetchone()[0] == 1

    def ensure_cards(self, progress: Progress | None = None) -> ImportReport | None:
        """On an empty database, import the bundled notes and return the report; else None."""
        if self.has_cards():
            return None
        return self.import_bundled_notes(progress)

    # Reading cards
    def list_cards(
        self,
        deck: str | None = None,
        tag: str | None = None,
        kind: str | None = None,
        include_retired: bool = True,
    ) -> list[CardRecord]:
        """Cards matching the filters, in study order (position)."""
        from studytool.store.filters import card_clause
        from studytool.store.schema import card as _card

        query = _card_query().where(card_clause(deck, tag))
        if kind:
            query = query.where(_card.c.kind == kind)
        if not include_retired:
            query = query.where(_card.c.retired.is_(False))
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(_card.c.position, _card.c.id)).mappings()
            return [card_record(row) for row in rows]

    def get_card(self, card_id: int) -> CardRecord | None:
        """One card by id, or None."""
        from studytool.store.schema import card as _card

        with self.engine.connect() as connection:
            row = connection.execute(_card_query().where(_card.c.id == card_id)).mappings().first()
            return None if row is None else card_record(row)

    def deck_names(self) -> list[str]:
        """Every deck that has an active card, sorted."""
        with self._raw() as connection:
            rows = connection.execute("SELECT DISTINCT deck FROM card WHERE retired = 0")
            return sorted(deck for (deck,) in rows)

    def tag_names(self) -> list[str]:
        """Every tag on an active card, sorted."""
        with self._raw() as connection:
            return sorted(tag for (tag,) in connection.execute(_ACTIVE_TAGS_SQL))

    def card_count(self) -> int:
        """How many cards exist (retired ones included)."""
        with self._raw() as connection:
            return int(connection.execute("SELECT count(*) FROM card").fetchone()[0])


def _card_query() -> Any:
    from sqlalchemy import select

    from studytool.store.schema import card as _card
    from studytool.store.schema import note as _note
    from studytool.store.schema import review_state as _state

    return select(
        _card, _note.c.vault, _state.c.state, _state.c.due, _state.c.repetitions,
        _state.c.ef_hundredths, _state.c.interval, _state.c.lapses, _state.c.reps,
        _state.c.last_reviewed,
    ).select_from(
        _card.outerjoin(_note, _card.c.note_id == _note.c.id).outerjoin(
            _state, _state.c.card_id == _card.c.id
        )
    )  # fmt: skip


def card_record(row: Any) -> CardRecord:
    """A :class:`CardRecord` from a row of the card query (card, note vault and state columns)."""
    return CardRecord(
        id=row["id"], key=row["key"], kind=row["kind"], deck=row["deck"], note=row["note_path"],
        line=row["line"], context=tuple(row["context"]), text=row["text"], prompt=row["prompt"],
        answer=row["answer"], answer_start=row["answer_start"], answer_end=row["answer_end"],
        group=row["group_key"], ordinal=row["ordinal"], tags=tuple(row["tags"]),
        colour=row["colour"], extra=row["extra"], position=row["position"],
        retired=bool(row["retired"]), state=row["state"] or "new", due=row["due"],
        repetitions=row["repetitions"] or 0, ef=(row["ef_hundredths"] or 250) / 100,
        interval=row["interval"] or 0, lapses=row["lapses"] or 0, reps=row["reps"] or 0,
        last_reviewed=row["last_reviewed"], vault=row["vault"],
    )  # fmt: skip


def _schema_is_current(path: Path) -> bool:
    """Whether the database at ``path`` exists with the current schema (no migration due)."""
    if not path.is_file():
        return False
    try:
        with closing(open_connection(path)) as connection:
            return schema_version(connection) == SCHEMA_VERSION
    except sqlite3.DatabaseError:
        return False  # not a database: the full open reports it


def _default_before_migrate() -> db.BeforeMigrate | None:
    """The backup hook, when the backup module is present."""
    try:
        from studytool.store.backup import backup_before_migration
    except ImportError:
        return None
    return backup_before_migration
