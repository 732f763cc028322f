"""Kill tests: a review session killed after N grades keeps exactly those N grades.

The session runs in a subprocess (``kill_review.py``) against a database holding the bundled
notes. Killed between grades, the log holds exactly the grades that were reported; killed in
the middle of a grade, that grade leaves no trace (neither its new state nor its log row).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from studytool.store.health import check_database
from studytool.store.repository import Repository

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("kill_review.py")


@pytest.fixture
def db(db_path: Path) -> Path:
    repository = Repository.open(db_path)
    report = repository.import_bundled_notes()
    repository.close()
    assert report.cards_new > 30
    return db_path


def _start(db: Path, mode: str, count: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), str(db), mode, str(count)], cwd=REPO_ROOT, env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _log(db: Path) -> list[tuple[int, int, int]]:
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute("SELECT card_id, id, quality FROM review_log ORDER BY id")
        return [tuple(row) for row in rows]  # type: ignore[misc]
    finally:
        connection.close()


def _states(db: Path) -> dict[int, tuple[object, ...]]:
    connection = sqlite3.connect(db)
    try:
        return {row[0]: row for row in connection.execute("SELECT * FROM review_state")}
    finally:
        connection.close()


def _assert_consistent(db: Path) -> None:
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()
    health = check_database(db)
    assert health.ok, health.findings  # every state matches its last logged grade


@pytest.mark.parametrize("count", [1, 5, 12])
def test_session_killed_between_grades_keeps_exactly_those_grades(db: Path, count: int) -> None:
    before = _states(db)
    process = _start(db, "between", count)
    assert process.stdout is not None and process.stdin is not None
    graded: list[tuple[int, int, int]] = []
    for index in range(count):
        card_id, log_id, quality = map(int, process.stdout.readline().split())
        graded.append((card_id, log_id, quality))
        if index < count - 1:
            process.stdin.write("next\n")
            process.stdin.flush()
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL

    assert _log(db) == graded
    _assert_consistent(db)
    after = _states(db)
    touched = {card_id for card_id, _, _ in graded}
    assert {card_id for card_id in before if before[card_id] != after[card_id]} == touched
    assert all(after[card_id][1] != "new" for card_id in touched)


def test_session_killed_inside_a_grade_loses_only_that_grade(db: Path) -> None:
    before = _states(db)
    process = _start(db, "inside", 4)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL, stderr
    lines = stdout.split("\n")
    graded = [tuple(map(int, line.split())) for line in lines[:4]]
    attempted = int(lines[4].split()[1])

    assert _log(db) == graded
    _assert_consistent(db)
    after = _states(db)
    assert after[attempted] == before[attempted]
    assert attempted not in {card_id for card_id, _, _ in _log(db)}
