"""Kill tests: an import killed with SIGKILL leaves the database exactly as it was before.

A studied database (vault version 1 imported, some cards graded) receives an import of vault
version 2, which adds, updates and retires many cards. The import runs in a subprocess that is
killed at fixed points inside the importer (wrapped from outside, see ``kill_import.py``), after
fixed delays, and the moment its write-ahead log starts to grow. Afterwards the database must
pass SQLite's integrity check and ``doctor``, and hold either exactly what it held before, or,
when the kill came after the commit, exactly what a complete import gives.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from studytool.store.health import check_database
from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService
from tests.safety.vaultgen import write_vault

REPO_ROOT = Path(__file__).resolve().parents[2]
KILL_SCRIPT = Path(__file__).with_name("kill_import.py")
NOTES = 60
TABLES = ("note", "card", "review_state", "review_log", "import_run", "setting", "deck_config")
#: Columns holding the moment of the import, which differs between two runs of one import.
IMPORT_TIMES = {
    "note": {"imported_at"},
    "card": {"created_at", "updated_at"},
    "import_run": {"started_at", "finished_at"},
}

Snapshot = dict[str, list[tuple[object, ...]]]


def snapshot(path: Path, ignore_import_times: bool = False) -> Snapshot:
    """Every row of every studytool table, in primary-key order."""
    connection = sqlite3.connect(path)
    try:
        result: Snapshot = {}
        for table in TABLES:
            cursor = connection.execute(f"SELECT * FROM {table} ORDER BY 1")
            names = [column[0] for column in cursor.description]
            skip = IMPORT_TIMES.get(table, set()) if ignore_import_times else set()
            keep = [i for i, name in enumerate(names) if name not in skip]
            result[table] = [tuple(row[i] for i in keep) for row in cursor]
        return result
    finally:
        connection.close()


def integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


def copy_database(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


@dataclass
class Studied:
    """The database before the import, and what it holds before and after a complete import."""

    db: Path
    vault: Path
    before: Snapshot
    after: Snapshot


@pytest.fixture(scope="module")
def studied(tmp_path_factory: pytest.TempPathFactory) -> Studied:
    root = tmp_path_factory.mktemp("kill-import")
    vault = write_vault(root / "vault", NOTES, version=1)
    db = root / "before.db"
    repository = Repository.open(db)
    repository.import_paths([vault])
    service = ReviewService(repository)
    session = service.start_session()
    for quality in (5, 4, 3, 2, 5, 4, 1, 5, 4, 3, 5, 5):
        card = service.next_card(session)
        assert card is not None
        service.grade(session, card.id, quality)
    repository.close()
    write_vault(vault, NOTES, version=2)

    complete = copy_database(db, root / "complete.db")
    repository = Repository.open(complete)
    report = repository.import_paths([vault])
    repository.close()
    assert report.cards_new > 100 and report.cards_retired > 50 and report.cards_updated > 0
    return Studied(db, vault, snapshot(db), snapshot(complete, ignore_import_times=True))


def start_import(studied: Studied, db: Path, point: str = "none") -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, str(KILL_SCRIPT), point, "--db", str(db), "import", "--quiet",
               str(studied.vault)]  # fmt: skip
    return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)  # fmt: skip


def outcome(studied: Studied, db: Path) -> str:
    """``before`` or ``after`` (a complete import); fails on anything else."""
    assert integrity(db) == "ok"
    health = check_database(db)
    assert health.ok, health.findings
    if snapshot(db) == studied.before:
        return "before"
    assert snapshot(db, ignore_import_times=True) == studied.after
    return "after"


@pytest.mark.parametrize(
    "point",
    [
        "reading",
        "after:_upsert_notes",
        "after:_update_matched",
        "after:_insert_new",
        "after:_retire",
        "before-commit",
    ],
)
def test_import_killed_before_its_commit_changes_nothing(
    studied: Studied, tmp_path: Path, point: str
) -> None:
    db = copy_database(studied.db, tmp_path / "trial.db")
    process = start_import(studied, db, point)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == -signal.SIGKILL, stderr.decode()
    assert outcome(studied, db) == "before"


def test_import_killed_right_after_its_commit_is_complete(studied: Studied, tmp_path: Path) -> None:
    db = copy_database(studied.db, tmp_path / "trial.db")
    process = start_import(studied, db, "after-commit")
    process.communicate(timeout=300)
    assert process.returncode == -signal.SIGKILL
    assert outcome(studied, db) == "after"


def test_the_next_import_after_a_kill_completes_normally(studied: Studied, tmp_path: Path) -> None:
    db = copy_database(studied.db, tmp_path / "trial.db")
    process = start_import(studied, db, "after:_insert_new")
    process.communicate(timeout=300)
    assert process.returncode == -signal.SIGKILL
    repository = Repository.open(db)
    repository.import_paths([studied.vault])
    repository.close()
    assert outcome(studied, db) == "after"


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.2, 0.5, 1.0, 2.0, 3.0])
def test_import_killed_after_a_delay_leaves_before_or_complete(
    studied: Studied, tmp_path: Path, delay: float
) -> None:
    db = copy_database(studied.db, tmp_path / "trial.db")
    process = start_import(studied, db)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=300)
    assert process.returncode in (0, -signal.SIGKILL)
    result = outcome(studied, db)
    if process.returncode == 0:
        assert result == "after"


def wal_size(wal: Path) -> int:
    """The write-ahead log's size, 0 when it is absent: SQLite deletes it when the last
    connection closes, which can happen between any two looks at it."""
    try:
        return wal.stat().st_size
    except FileNotFoundError:
        return 0


@pytest.mark.slow
def test_import_killed_while_its_log_grows_leaves_before_or_complete(
    studied: Studied, tmp_path: Path
) -> None:
    db = copy_database(studied.db, tmp_path / "trial.db")
    wal = db.with_name(db.name + "-wal")
    process = start_import(studied, db)
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        if wal_size(wal) > 0:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    process.communicate(timeout=300)
    assert process.returncode in (0, -signal.SIGKILL)
    outcome(studied, db)
