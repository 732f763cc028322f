"""`studytool stats`, `doctor`, `backup` and `restore` as a user runs them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from studytool.cli.main import cli
from studytool.store.backup import list_backups
from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService

HOSTILE_DECK = "AWS/[bold]Loud[/] \x1b[31mred"
STAMP = "2026-03-01T09:30:00.000000+00:00"


def run(db: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _insert_card(connection: sqlite3.Connection, key: str, deck: str) -> int:
    cursor = connection.execute(
        "INSERT INTO card (key, kind, note_path, line, context, text, prompt, answer,"
        " answer_start, answer_end, group_key, ordinal, tags, deck, position, created_at,"
        " updated_at) VALUES (?, 'cloze', 'n.md', 1, '[]', 'text', '[...]', 'text', 0, 4,"
        " ?, 1, '[]', ?, ?, ?, ?)",
        (key, key, deck, len(key), STAMP, STAMP),
    )
    card_id = int(cursor.lastrowid or 0)
    connection.execute("INSERT INTO review_state (card_id) VALUES (?)", (card_id,))
    return card_id


@pytest.fixture
def studied(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Three cards in two decks, two of them graded just now (UTC, day starts at 4)."""
    monkeypatch.setenv("TZ", "UTC")
    Repository.open(db_path).close()
    connection = sqlite3.connect(db_path)
    with connection:
        ids = {
            "a": _insert_card(connection, "a", "AWS/Networking"),
            "b": _insert_card(connection, "b", HOSTILE_DECK),
            "c": _insert_card(connection, "c", "Other"),
        }
    connection.close()
    repository = Repository.open(db_path)
    service = ReviewService(repository)
    session = service.start_session()
    service.grade(session, ids["a"], 5)
    service.grade(session, ids["b"], 1, correct=False, detail={"topic": "nat"})
    repository.close()
    return ids


def test_stats_json_gives_the_numbers(db_path: Path, studied: dict[str, int]) -> None:
    code, out, _ = run(db_path, "stats", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["total_reviews"] == 2
    assert data["streak"] == 1
    assert data["cards_by_state"] == {"new": 1, "learning": 1, "review": 1, "retired": 0}
    assert data["retention"] == 0.5
    assert data["scenario_accuracy"] == [
        {"topic": "nat", "answered": 1, "correct": 0, "accuracy": 0.0}
    ]
    assert len(data["reviews_per_day"]) == 365 and data["reviews_per_day"][-1]["count"] == 2
    assert len(data["due_per_day"]) == 30
    assert data["due_per_day"][1]["count"] == 2  # both graded cards are due tomorrow


def test_stats_json_for_one_deck(db_path: Path, studied: dict[str, int]) -> None:
    code, out, _ = run(db_path, "stats", "--deck", "aws/networking", "--json")
    data = json.loads(out)
    assert code == 0 and data["deck"] == "aws/networking"
    assert data["total_reviews"] == 1
    assert [row["deck"] for row in data["retention_by_deck"]] == ["AWS/Networking"]


def test_stats_draws_charts_and_prints_deck_names_literally(
    db_path: Path, studied: dict[str, int]
) -> None:
    code, out, _ = run(db_path, "stats")
    assert code == 0
    for heading in ("Reviews in the last year", "Reviews due in the next 30 days",
                    "Retention by interval", "Retention by deck", "Scenario accuracy"):  # fmt: skip
        assert heading in out
    assert "Streak: 1 days" in out
    assert "[bold]Loud[/]" in out
    assert "\x1b[31m" not in out  # an escape sequence in user text is not passed to the terminal
    assert "less ·░▒▓█ more (busiest day: 2 reviews)" in out


def test_doctor_on_a_healthy_database(db_path: Path, studied: dict[str, int]) -> None:
    code, out, _ = run(db_path, "doctor")
    assert code == 0
    assert "3 cards, 2 reviews" in out and "No problems found." in out


def test_doctor_explains_problems_and_fix_repairs_them(
    db_path: Path, studied: dict[str, int]
) -> None:
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("DELETE FROM review_state WHERE card_id = ?", (studied["c"],))
        connection.execute("UPDATE review_state SET interval = 40 WHERE card_id = ?",
                           (studied["a"],))  # fmt: skip
    connection.close()
    code, out, _ = run(db_path, "doctor")
    assert code == 1
    assert "warning [card-without-state]: 1 cards have no review state" in out
    assert "warning [log-state-mismatch]" in out and f"card {studied['a']}: interval" in out
    assert out.count("how to fix:") == 2
    assert "`studytool doctor --fix` can fix 2 of them" in out

    code, out, _ = run(db_path, "doctor", "--fix")
    assert code == 0, out
    assert "Backup before fixing:" in out and "No problems remain." in out
    assert "fixed: gave 1 cards a review state (0 rebuilt from their log, 1 new)" in out
    assert run(db_path, "doctor")[0] == 0


def test_doctor_fix_exits_1_when_a_problem_remains(db_path: Path, studied: dict[str, int]) -> None:
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("DELETE FROM review_state WHERE card_id = ?", (studied["a"],))
        connection.execute("DELETE FROM card WHERE id = ?", (studied["a"],))
    connection.close()
    code, out, _ = run(db_path, "doctor", "--fix")
    assert code == 1
    assert "error [log-without-card]" in out and "1 problems remain" in out


def test_doctor_on_a_missing_database(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    code, out, _ = run(missing, "doctor")
    assert code == 1 and "no database here" in out
    assert not missing.exists()


def test_backup_list_and_restore(db_path: Path, studied: dict[str, int]) -> None:
    code, out, _ = run(db_path, "backup")
    assert code == 0 and "Backed up" in out
    (backup,) = list_backups(db_path)
    code, out, _ = run(db_path, "backup", "--list")
    assert code == 0 and "manual" in out and backup.path.name in out

    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("DELETE FROM review_log")
    connection.close()

    code, _, _ = run(db_path, "restore", backup.path.name, stdin="n\n")
    assert code == 1
    assert _log_rows(db_path) == 0

    code, out, _ = run(db_path, "restore", backup.path.name, "--yes")
    assert code == 0, out
    assert "Saved the replaced database as" in out and "Restored" in out
    assert _log_rows(db_path) == 2
    assert sorted(b.reason for b in list_backups(db_path)) == ["before-restore", "manual"]


def test_restore_refuses_a_file_that_is_not_a_database(db_path: Path, tmp_path: Path) -> None:
    Repository.open(db_path).close()
    bogus = tmp_path / "bogus.db"
    bogus.write_text("hello")
    code, _, err = run(db_path, "restore", str(bogus), "--yes")
    assert code == 1 and "not an SQLite database" in err


def test_backup_without_a_database_fails_cleanly(tmp_path: Path) -> None:
    code, _, err = run(tmp_path / "none.db", "backup")
    assert code == 1 and "no database to back up" in err


def _log_rows(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("SELECT count(*) FROM review_log").fetchone()[0])
    finally:
        connection.close()


def test_a_cramped_leading_month_gives_way_to_the_next_in_the_heatmap_header() -> None:
    from studytool.cli.stats_cmd import month_row

    # A year starting in the last week of November: "Nov" would hide "Dec".
    assert month_row([(0, "Nov"), (1, "Dec"), (5, "Jan")], 20, 2).rstrip() == "  Dec     Jan"
    # With room for both, both stay; a later clash drops the later name.
    assert month_row([(0, "Nov"), (3, "Dec"), (4, "Jan")], 20, 2).rstrip() == "Nov   Dec"
