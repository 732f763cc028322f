"""An import while a review is open: both go on, nothing is lost, the review sees new cards.

The review service keeps no cards in memory between calls and every write is one short
transaction with a busy timeout, so an import in another process (another terminal) neither
fails a grade nor is hidden from the open session.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService
from tests.conftest import WriteNote

REPO_ROOT = Path(__file__).resolve().parents[2]


def _import_in_another_process(db: Path, vault: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "studytool", "--db", str(db), "import", "--quiet", str(vault)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return result.stdout


def test_an_open_review_sees_cards_imported_by_another_process(
    db_path: Path, vault: Path, write_note: WriteNote
) -> None:
    write_note("AWS/a.md", "- The default TTL is ==300 seconds==\n")
    repository = Repository.open(db_path)
    repository.import_paths([vault])
    service = ReviewService(repository)
    session = service.start_session()
    first = service.next_card(session)
    assert first is not None
    service.grade(session, first.id, 5)
    assert service.next_card(session) is None

    write_note("AWS/b.md", "- A NAT gateway needs an ==Elastic IP address==\n")
    assert "1 new" in _import_in_another_process(db_path, vault)

    upcoming = service.next_card(session)
    assert upcoming is not None and upcoming.answer == "Elastic IP address"
    service.grade(session, upcoming.id, 4)
    repository.close()
    connection = sqlite3.connect(db_path)
    assert connection.execute("SELECT count(*) FROM review_log").fetchone()[0] == 2
    connection.close()


def test_a_grade_waits_for_another_writer_instead_of_failing(
    db_path: Path, vault: Path, write_note: WriteNote
) -> None:
    write_note("AWS/a.md", "- The default TTL is ==300 seconds==\n")
    repository = Repository.open(db_path)
    repository.import_paths([vault])
    service = ReviewService(repository)
    session = service.start_session()
    card = service.next_card(session)
    assert card is not None

    locked = threading.Event()
    released: list[bool] = []

    def hold_the_write_lock() -> None:
        writer = sqlite3.connect(db_path, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO setting VALUES ('held', 'yes')")
        locked.set()
        time.sleep(0.5)
        released.append(True)
        writer.execute("COMMIT")
        writer.close()

    thread = threading.Thread(target=hold_the_write_lock)
    thread.start()
    locked.wait(timeout=10)
    result = service.grade(session, card.id, 5)
    thread.join()
    assert released == [True]  # the grade could only commit after the other writer did
    assert result.log_id > 0
    repository.close()
    connection = sqlite3.connect(db_path)
    assert connection.execute("SELECT count(*) FROM review_log").fetchone()[0] == 1
    assert connection.execute("SELECT value FROM setting WHERE key='held'").fetchone() == ("yes",)
    connection.close()
