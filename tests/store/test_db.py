"""The database layer: pragmas on every connection, aware UTC timestamps, migrations."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import SQLModel, select

from studytool.store import db
from studytool.store.migrations import MIGRATIONS, SCHEMA_VERSION, V1_SCHEMA
from studytool.store.repository import Repository
from studytool.store.tables import Setting
from studytool.store.types import from_utc_text, to_utc_text


def test_every_connection_has_foreign_keys_wal_and_busy_timeout(repository: Repository) -> None:
    for _ in range(3):
        with repository.engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == db.BUSY_TIMEOUT_MS


def test_foreign_keys_are_enforced(repository: Repository) -> None:
    with (
        pytest.raises(Exception, match="FOREIGN KEY"),
        repository.engine.connect() as connection,
        connection.begin(),
    ):
        connection.execute(text("INSERT INTO review_state (card_id) VALUES (424242)"))


def test_timestamps_round_trip_as_aware_utc(repository: Repository) -> None:
    from studytool.store.tables import ImportRun

    paris = timezone(timedelta(hours=1))
    local = datetime(2026, 1, 5, 23, 45, 12, 123456, tzinfo=paris)
    with repository.writing() as session:
        session.add(ImportRun(started_at=local, finished_at=local, sources=["x"], summary={}))
    with repository.reading() as session:
        row = session.exec(select(ImportRun)).one()
    assert row.started_at.tzinfo is not None
    assert row.started_at.utcoffset() == timedelta(0)
    assert row.started_at == local
    assert row.started_at.hour == 22


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_utc_text(datetime(2026, 1, 1, 12, 0))


def test_utc_text_sorts_like_time() -> None:
    early = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    late = datetime(2026, 1, 1, 10, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert to_utc_text(early) < to_utc_text(late)
    assert from_utc_text(to_utc_text(late)) == late


def test_new_database_is_at_current_schema_version(repository: Repository) -> None:
    assert db.schema_version(repository.engine) == SCHEMA_VERSION == len(MIGRATIONS)


def test_migrated_schema_matches_the_table_classes(repository: Repository) -> None:
    inspector = inspect(repository.engine)
    for name, table in SQLModel.metadata.tables.items():
        assert set(inspector.get_table_names()) >= {name}
        columns = {column["name"] for column in inspector.get_columns(name)}
        assert columns == {column.name for column in table.columns}, name


def test_core_schema_matches_the_migrated_database(repository: Repository) -> None:
    from studytool.store.schema import METADATA

    inspector = inspect(repository.engine)
    assert set(METADATA.tables) == set(SQLModel.metadata.tables)
    for name, table in METADATA.tables.items():
        database = {column["name"]: column for column in inspector.get_columns(name)}
        assert set(database) == {column.name for column in table.columns}, name
        for column in table.columns:
            assert database[column.name]["nullable"] == column.nullable or column.primary_key


def test_the_review_path_does_not_import_sqlmodel() -> None:
    import subprocess
    import sys

    code = (
        "import sys, studytool.store.reviews, studytool.store.repository; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlmodel', 'pydantic')))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"


def _make_v1_database(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.executescript(V1_SCHEMA + ";")
    connection.execute(
        "INSERT INTO note (vault, path, content_hash, mtime, deck, imported_at) "
        "VALUES ('/v', 'a.md', 'h', '2025-01-01T00:00:00.000000+00:00', 'v', "
        "'2025-01-01T00:00:00.000000+00:00')"
    )
    connection.execute(
        "INSERT INTO card (key, kind, note_id, note_path, line, context, text, prompt, answer, "
        "answer_start, answer_end, group_key, ordinal, tags, deck, position, created_at, "
        "updated_at) VALUES ('k1', 'cloze', 1, 'a.md', 3, '[]', 'x is 5', 'x is [...]', '5', "
        "5, 6, 'g', 1, '[]', 'v', 1, '2025-01-01T00:00:00.000000+00:00', "
        "'2025-01-01T00:00:00.000000+00:00')"
    )
    connection.execute(
        "INSERT INTO review_state (card_id, state, repetitions) VALUES (1, 'review', 2)"
    )
    connection.execute(
        "INSERT INTO review_log (card_id, reviewed_at, quality, state_before, state_after) "
        "VALUES (1, '2025-01-02T00:00:00.000000+00:00', 4, '{}', '{}')"
    )
    connection.execute("PRAGMA user_version=1")
    connection.commit()
    connection.close()


def test_a_version_1_database_is_migrated_keeping_its_data(db_path: Path) -> None:
    _make_v1_database(db_path)
    calls: list[tuple[int, int]] = []
    repo = Repository.open(db_path, before_migrate=lambda _p, old, new: calls.append((old, new)))
    try:
        assert calls == [(1, SCHEMA_VERSION)]
        assert db.schema_version(repo.engine) == SCHEMA_VERSION
        [card] = repo.list_cards()
        assert (card.key, card.state, card.repetitions, card.answer) == ("k1", "review", 2, "5")
        with repo.engine.connect() as connection:
            assert connection.execute(text("SELECT correct FROM review_log")).scalar() is None
            assert connection.execute(text("SELECT count(*) FROM import_run")).scalar() == 0
    finally:
        repo.close()


def test_a_database_from_a_newer_studytool_is_refused(db_path: Path) -> None:
    connection = sqlite3.connect(db_path)
    connection.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(db.SchemaTooNewError, match="newer"):
        Repository.open(db_path)


def test_a_failed_write_session_leaves_nothing_behind(repository: Repository) -> None:
    with pytest.raises(RuntimeError), repository.writing() as session:
        session.add(Setting(key="day_start_hour", value="5"))
        session.flush()
        raise RuntimeError("interrupted")
    with repository.reading() as session:
        assert session.get(Setting, "day_start_hour") is None
