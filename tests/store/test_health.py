"""``doctor``'s checks and safe repairs, each problem made by hand in a real database."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from studytool.store.backup import list_backups
from studytool.store.health import (
    CARD_NOTE_GONE,
    CARD_NOTE_MISSING,
    CARD_WITHOUT_STATE,
    INTEGRITY,
    LOG_STATE_MISMATCH,
    LOG_WITHOUT_CARD,
    MISSING_FILE,
    SCHEMA,
    STATE_WITHOUT_CARD,
    check_database,
    repair_database,
    state_differences,
)
from studytool.store.migrations import SCHEMA_VERSION, V1_SCHEMA
from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
STAMP = "2026-03-01T09:30:00.000000+00:00"


def _raw(path: Path) -> sqlite3.Connection:
    """A plain connection with foreign keys off, to break the database on purpose."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA foreign_keys=OFF")
    return connection


def _add_note(connection: sqlite3.Connection, path: str, missing: bool = False) -> int:
    cursor = connection.execute(
        "INSERT INTO note (vault, path, content_hash, mtime, deck, missing, imported_at)"
        " VALUES ('/v', ?, 'h', ?, 'D', ?, ?)",
        (path, STAMP, missing, STAMP),
    )
    return int(cursor.lastrowid or 0)


def _add_card(connection: sqlite3.Connection, key: str, note_id: int | None) -> int:
    cursor = connection.execute(
        "INSERT INTO card (key, kind, note_id, note_path, line, context, text, prompt, answer,"
        " answer_start, answer_end, group_key, ordinal, tags, deck, position, created_at,"
        " updated_at) VALUES (?, 'cloze', ?, 'n.md', 3, '[]', 'text', '[...]', 'text', 0, 4,"
        " ?, 1, '[]', 'D', ?, ?, ?)",
        (key, note_id, key, abs(hash(key)) % 1000, STAMP, STAMP),
    )
    card_id = int(cursor.lastrowid or 0)
    connection.execute("INSERT INTO review_state (card_id) VALUES (?)", (card_id,))
    return card_id


@pytest.fixture
def cards(db_path: Path) -> dict[str, int]:
    """Four cards of one note (A graded twice, B once) and a fifth of a missing note."""
    Repository.open(db_path).close()
    connection = _raw(db_path)
    note = _add_note(connection, "n.md")
    ids = {name: _add_card(connection, name, note) for name in ("A", "B", "C", "D")}
    connection.close()
    repository = Repository.open(db_path, clock=lambda: NOW)
    service = ReviewService(repository, tz=UTC)
    session = service.start_session()
    service.grade(session, ids["A"], 5)
    service.grade(session, ids["B"], 2)
    service.grade(session, ids["A"], 4)
    repository.close()
    return ids


@pytest.fixture
def broken(db_path: Path, cards: dict[str, int]) -> Iterator[sqlite3.Connection]:
    connection = _raw(db_path)
    yield connection
    connection.close()


def _checks(path: Path) -> dict[str, int]:
    return {finding.check: finding.count for finding in check_database(path).findings}


def _state(path: Path, card_id: int) -> dict[str, object] | None:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    row = connection.execute("SELECT * FROM review_state WHERE card_id = ?", (card_id,)).fetchone()
    connection.close()
    return None if row is None else dict(row)


def _last_logged(path: Path, card_id: int) -> dict[str, object]:
    connection = sqlite3.connect(path)
    text = connection.execute(
        "SELECT state_after FROM review_log WHERE card_id = ? ORDER BY id DESC LIMIT 1", (card_id,)
    ).fetchone()[0]
    connection.close()
    return json.loads(text)


def test_a_database_with_real_reviews_is_healthy(db_path: Path, cards: dict[str, int]) -> None:
    report = check_database(db_path)
    assert report.ok, report.findings
    assert report.schema_version == SCHEMA_VERSION
    assert (report.cards, report.reviews) == (4, 3)


def test_nothing_to_fix_means_no_backup_and_no_change(db_path: Path, cards: dict[str, int]) -> None:
    before = db_path.read_bytes()
    report = repair_database(db_path)
    assert report.ok and report.fixed == [] and report.backup is None
    assert list_backups(db_path) == []
    assert db_path.read_bytes() == before


def test_state_without_card_is_found_and_deleted(db_path: Path, broken: sqlite3.Connection) -> None:
    broken.execute("INSERT INTO review_state (card_id, state) VALUES (999, 'review')")
    assert _checks(db_path) == {STATE_WITHOUT_CARD: 1}
    report = repair_database(db_path)
    assert report.ok
    assert report.fixed == ["deleted 1 review states that belonged to no card"]
    assert _state(db_path, 999) is None


def test_card_without_state_gets_one_rebuilt_from_its_log(
    db_path: Path, cards: dict[str, int], broken: sqlite3.Connection
) -> None:
    broken.execute("DELETE FROM review_state WHERE card_id IN (?, ?)", (cards["A"], cards["C"]))
    assert _checks(db_path) == {CARD_WITHOUT_STATE: 2}
    report = repair_database(db_path)
    assert report.ok, report.findings
    assert report.fixed == ["gave 2 cards a review state (1 rebuilt from their log, 1 new)"]
    rebuilt = _state(db_path, cards["A"])
    assert rebuilt is not None
    assert state_differences(_last_logged(db_path, cards["A"]), rebuilt) == []
    assert rebuilt["repetitions"] == 2 and rebuilt["interval"] == 6
    fresh = _state(db_path, cards["C"])
    assert fresh is not None and fresh["state"] == "new" and fresh["ef_hundredths"] == 250


def test_state_that_disagrees_with_the_log_is_set_back(
    db_path: Path, cards: dict[str, int], broken: sqlite3.Connection
) -> None:
    broken.execute("UPDATE review_state SET interval = 99, ef_hundredths = 130 WHERE card_id = ?",
                   (cards["A"],))  # fmt: skip
    report = check_database(db_path)
    assert [(f.check, f.count) for f in report.findings] == [(LOG_STATE_MISMATCH, 1)]
    assert report.findings[0].details == (f"card {cards['A']}: ef_hundredths, interval",)
    repaired = repair_database(db_path)
    assert repaired.ok
    state = _state(db_path, cards["A"])
    assert state is not None and (state["interval"], state["ef_hundredths"]) == (6, 260)


def test_cards_whose_note_row_is_gone_are_detached_and_retired_with_history(
    db_path: Path, cards: dict[str, int], broken: sqlite3.Connection
) -> None:
    broken.execute("DELETE FROM note")
    assert _checks(db_path) == {CARD_NOTE_GONE: 4}
    report = repair_database(db_path)
    assert report.ok, report.findings
    rows = broken.execute("SELECT note_id, retired FROM card").fetchall()
    assert rows == [(None, 1)] * 4
    assert broken.execute("SELECT count(*) FROM review_log").fetchone()[0] == 3


def test_active_cards_of_a_missing_note_are_retired(
    db_path: Path, cards: dict[str, int], broken: sqlite3.Connection
) -> None:
    broken.execute("UPDATE note SET missing = 1")
    broken.execute("UPDATE card SET retired = 1 WHERE id = ?", (cards["D"],))
    assert _checks(db_path) == {CARD_NOTE_MISSING: 3}
    assert repair_database(db_path).ok
    assert broken.execute("SELECT count(*) FROM card WHERE retired").fetchone()[0] == 4


def test_history_of_a_deleted_card_is_reported_and_kept(
    db_path: Path, cards: dict[str, int], broken: sqlite3.Connection
) -> None:
    broken.execute("DELETE FROM review_state WHERE card_id = ?", (cards["A"],))
    broken.execute("DELETE FROM card WHERE id = ?", (cards["A"],))
    report = repair_database(db_path)
    assert [(f.check, f.count, f.fixable) for f in report.findings] == [
        (LOG_WITHOUT_CARD, 1, False)
    ]
    assert report.findings[0].details == (f"card {cards['A']}: 2 log rows",)
    assert broken.execute("SELECT count(*) FROM review_log").fetchone()[0] == 3


def test_repair_backs_up_first(
    db_path: Path, cards: dict[str, int], broken: sqlite3.Connection
) -> None:
    broken.execute("INSERT INTO review_state (card_id) VALUES (999)")
    report = repair_database(db_path)
    assert report.backup is not None
    assert [backup.reason for backup in list_backups(db_path)] == ["doctor-fix"]
    saved = sqlite3.connect(report.backup)
    assert saved.execute("SELECT count(*) FROM review_state WHERE card_id = 999").fetchone() == (1,)
    saved.close()


def test_an_older_schema_is_reported_and_migrated(db_path: Path) -> None:
    connection = sqlite3.connect(db_path)
    connection.executescript(V1_SCHEMA + ";")
    connection.execute("PRAGMA user_version=1")
    connection.commit()
    connection.close()
    assert _checks(db_path) == {SCHEMA: 1}
    report = repair_database(db_path)
    assert report.ok
    assert report.schema_version == SCHEMA_VERSION
    assert report.fixed == [f"migrated the schema from version 1 to {SCHEMA_VERSION}"]
    reasons = sorted(backup.reason for backup in list_backups(db_path))
    assert reasons == ["doctor-fix", f"migrate-v1-to-v{SCHEMA_VERSION}"]


def test_a_newer_schema_is_an_error_and_not_touched(db_path: Path) -> None:
    Repository.open(db_path).close()
    connection = sqlite3.connect(db_path)
    connection.execute(f"PRAGMA user_version={SCHEMA_VERSION + 3}")
    connection.commit()
    connection.close()
    report = repair_database(db_path)
    assert [(f.check, f.severity, f.fixable) for f in report.findings] == [(SCHEMA, "error", False)]
    assert "newer" in report.findings[0].summary


def test_failed_integrity_check_is_reported_and_nothing_is_written(
    db_path: Path, cards: dict[str, int], broken: sqlite3.Connection
) -> None:
    broken.execute("INSERT INTO review_state (card_id) VALUES (999)")
    broken.execute("PRAGMA writable_schema=ON")
    broken.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX ix_card_deck ON card (note_path)'"
        " WHERE name = 'ix_card_deck'"
    )
    broken.execute("PRAGMA writable_schema=OFF")
    broken.close()
    before = db_path.read_bytes()
    report = repair_database(db_path)
    checks = [finding.check for finding in report.findings]
    assert checks[0] == INTEGRITY and STATE_WITHOUT_CARD in checks
    assert "studytool restore" in report.findings[0].advice
    assert report.fixed == [] and list_backups(db_path) == []
    assert db_path.read_bytes() == before


def test_a_missing_database_is_reported_without_creating_it(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.db"
    report = repair_database(missing)
    assert [finding.check for finding in report.findings] == [MISSING_FILE]
    assert not missing.exists()


def test_a_due_date_brought_forward_is_not_a_disagreement(
    db_path: Path, cards: dict[str, int], broken: sqlite3.Connection
) -> None:
    logged_due = _last_logged(db_path, cards["A"])["due"]
    broken.execute("UPDATE review_state SET due = ? WHERE card_id = ?",
                   ("2026-03-02T03:00:00.000000+00:00", cards["A"]))  # fmt: skip
    assert check_database(db_path).ok
    broken.execute("UPDATE review_state SET due = ? WHERE card_id = ?",
                   ("2027-01-01T03:00:00.000000+00:00", cards["A"]))  # fmt: skip
    assert _checks(db_path) == {LOG_STATE_MISMATCH: 1}
    assert repair_database(db_path).ok
    state = _state(db_path, cards["A"])
    assert state is not None and state["due"] == logged_due


def test_repair_keeps_a_due_date_brought_forward(
    db_path: Path, cards: dict[str, int], broken: sqlite3.Connection
) -> None:
    forward = "2026-03-02T03:00:00.000000+00:00"
    broken.execute("UPDATE review_state SET due = ?, reps = 40 WHERE card_id = ?",
                   (forward, cards["A"]))  # fmt: skip
    assert _checks(db_path) == {LOG_STATE_MISMATCH: 1}
    assert repair_database(db_path).ok
    state = _state(db_path, cards["A"])
    assert state is not None and state["due"] == forward and state["reps"] == 2


def test_fsrs_grades_and_undo_leave_a_healthy_database(
    db_path: Path, cards: dict[str, int]
) -> None:
    repository = Repository.open(db_path, clock=lambda: NOW)
    service = ReviewService(repository, tz=UTC)
    service.set_scheduler("fsrs")
    session = service.start_session()
    for quality in (4, 1, 5):
        card = service.next_card(session)
        assert card is not None
        service.grade(session, card.id, quality)
    service.undo(session)
    repository.close()
    report = check_database(db_path)
    assert report.ok, report.findings
    assert report.reviews == 5
