"""Backups and restores: consistent copies under a concurrent writer, pruning, validation."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from studytool.locations import backups_dir
from studytool.store.backup import (
    KEEP_BACKUPS,
    BackupError,
    InvalidBackupError,
    backup_database,
    list_backups,
    restore_database,
    validate_backup,
)
from studytool.store.migrations import SCHEMA_VERSION, V1_SCHEMA
from studytool.store.repository import Repository
from tests.conftest import damage_pages

STAMP = "2026-03-02T09:30:00.000000+00:00"


def _add_card(connection: sqlite3.Connection, key: str) -> None:
    connection.execute(
        "INSERT INTO card (key, kind, note_path, line, context, text, prompt, answer,"
        " answer_start, answer_end, group_key, ordinal, tags, deck, position, created_at,"
        " updated_at) VALUES (?, 'cloze', 'n.md', 1, '[]', 'text', '[...]', 'text', 0, 4,"
        " ?, 1, '[]', 'D', 1, ?, ?)",
        (key, key, STAMP, STAMP),
    )


def _keys(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT key FROM card ORDER BY key")]
    finally:
        connection.close()


@pytest.fixture
def database(db_path: Path) -> Path:
    Repository.open(db_path).close()
    connection = sqlite3.connect(db_path)
    with connection:
        _add_card(connection, "alpha")
        _add_card(connection, "beta")
    connection.close()
    return db_path


def test_backup_copies_the_database_into_the_backups_folder(database: Path) -> None:
    target = backup_database(database, "Manual run!", now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert target.parent == backups_dir(database)
    assert target.name == "studytool-20260102T030405000000Z-manual-run.db"
    assert _keys(target) == ["alpha", "beta"]
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    copy.close()
    assert not list(target.parent.glob("*.partial"))


def test_backup_during_an_open_write_transaction_copies_the_last_commit(database: Path) -> None:
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    _add_card(writer, "uncommitted")
    target = backup_database(database, "manual")
    writer.execute("COMMIT")
    writer.close()
    assert _keys(target) == ["alpha", "beta"]
    assert _keys(database) == ["alpha", "beta", "uncommitted"]


def test_only_the_newest_ten_backups_of_a_database_are_kept(database: Path) -> None:
    other = backups_dir(database) / "other-20200101T000000000000Z-manual.db"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"another database's backup")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    made = [backup_database(database, "manual", now=start + timedelta(hours=i)) for i in range(12)]
    kept = [backup.path for backup in list_backups(database)]
    assert len(kept) == KEEP_BACKUPS
    assert kept == made[2:]
    assert not made[0].exists() and not made[1].exists()
    assert other.exists()


def test_two_backups_in_the_same_instant_get_distinct_names(database: Path) -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    first = backup_database(database, "manual", now=moment)
    second = backup_database(database, "manual", now=moment)
    assert first != second and first.exists() and second.exists()


def test_backup_of_a_missing_database_fails_without_creating_it(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    with pytest.raises(BackupError, match="no database"):
        backup_database(missing, "manual")
    assert not missing.exists()


def test_opening_an_old_schema_backs_it_up_before_migrating(db_path: Path) -> None:
    connection = sqlite3.connect(db_path)
    connection.executescript(V1_SCHEMA + ";")
    _add_card(connection, "old")
    connection.execute("PRAGMA user_version=1")
    connection.commit()
    connection.close()

    Repository.open(db_path).close()

    backups = list_backups(db_path)
    assert [backup.reason for backup in backups] == [f"migrate-v1-to-v{SCHEMA_VERSION}"]
    old = sqlite3.connect(backups[0].path)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert [row[0] for row in old.execute("SELECT key FROM card")] == ["old"]
    old.close()


def test_a_new_database_is_not_backed_up(db_path: Path) -> None:
    Repository.open(db_path).close()
    assert list_backups(db_path) == []


def test_restore_brings_back_the_backup_and_saves_the_current_state(database: Path) -> None:
    backup = backup_database(database, "manual", now=datetime(2026, 1, 1, tzinfo=UTC))
    connection = sqlite3.connect(database)
    with connection:
        _add_card(connection, "later")
        connection.execute("DELETE FROM card WHERE key = 'alpha'")
    connection.close()

    result = restore_database(database, backup)

    assert _keys(database) == ["alpha", "beta"]
    assert result.safety_backup is not None
    assert _keys(result.safety_backup) == ["beta", "later"]
    assert result.schema_version == SCHEMA_VERSION
    repository = Repository.open(database)
    assert repository.card_count() == 2
    repository.close()


def test_restoring_the_oldest_backup_keeps_it_while_pruning(database: Path) -> None:
    start = datetime.now(UTC) - timedelta(days=1)
    made = [backup_database(database, "manual", now=start + timedelta(hours=i)) for i in range(10)]
    restore_database(database, made[0])
    assert made[0].exists()
    assert not made[1].exists()
    assert len(list_backups(database)) == KEEP_BACKUPS


def _garbage(tmp_path: Path) -> Path:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database at all" * 100)
    return path


def _foreign_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "foreign.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE t (x)")
    connection.execute("PRAGMA user_version=1")
    connection.commit()
    connection.close()
    return path


def _too_new(tmp_path: Path) -> Path:
    path = tmp_path / "new.db"
    Repository.open(path).close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    connection.commit()
    connection.close()
    return path


def _corrupt(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.db"
    connection = sqlite3.connect(path)
    connection.executescript(V1_SCHEMA + ";")
    for index in range(400):
        _add_card(connection, f"k{index:04d}" + "x" * 200)
    connection.execute("PRAGMA user_version=1")
    connection.commit()
    connection.close()
    damage_pages(path, first_page=3, width=52)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_garbage, "not an SQLite database"),
        (_foreign_sqlite, "not a studytool database"),
        (_too_new, "schema version"),
        (_corrupt, "integrity|cannot read"),
        (lambda tmp_path: tmp_path / "missing.db", "no such file"),
        (lambda tmp_path: tmp_path, "not a regular file"),
    ],
)
def test_restore_refuses_what_is_not_a_sound_studytool_database(
    database: Path, tmp_path: Path, make: object, message: str
) -> None:
    bad = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(InvalidBackupError, match=message):
        restore_database(database, bad)
    assert _keys(database) == ["alpha", "beta"]
    assert list_backups(database) == []


def test_validate_backup_reports_the_schema_version(database: Path) -> None:
    assert validate_backup(backup_database(database, "manual")) == SCHEMA_VERSION


def test_restore_into_a_missing_database_creates_it(database: Path, tmp_path: Path) -> None:
    backup = backup_database(database, "manual")
    fresh = tmp_path / "elsewhere" / "fresh.db"
    result = restore_database(fresh, backup)
    assert result.safety_backup is None
    assert _keys(fresh) == ["alpha", "beta"]
