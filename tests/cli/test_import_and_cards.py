"""`studytool import` and `studytool cards` as a user runs them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from studytool.cli.main import cli
from tests.conftest import WriteNote

JSON_KEYS = {"id", "kind", "deck", "note", "line", "context", "prompt", "answer", "tags",
             "state", "due"}  # fmt: skip


def run(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_help_explains_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("import", "cards"):
        assert name in result.output
        sub = CliRunner().invoke(cli, [name, "--help"])
        assert sub.exit_code == 0 and "Usage:" in sub.output and len(sub.output) > 300


def test_import_prints_a_summary_and_warnings(
    db_path: Path, vault: Path, write_note: WriteNote
) -> None:
    write_note("AWS/a.md", "- x is ==5==\n- see ![[gone.png]]\n")
    code, out, err = run(db_path, "import", str(vault))
    assert code == 0
    assert "1 notes read" in out and "1 new" in out and "1 warnings" in out
    assert "warning: AWS/a.md:2: embedded file not found in the vault: gone.png" in err
    code, out, _ = run(db_path, "import", str(vault))
    assert "0 new, 0 updated, 1 unchanged" in out


def test_import_says_where_its_backup_is_when_it_retires_many_cards(
    db_path: Path, vault: Path, write_note: WriteNote
) -> None:
    gone = write_note("AWS/gone.md", "- x is ==5==\n- y is ==6==\n")
    write_note("AWS/stays.md", "- z is ==7==\n")
    run(db_path, "import", str(vault))
    gone.unlink()
    code, out, err = run(db_path, "import", str(vault))
    assert code == 0 and "2 retired" in out
    assert "retired over a tenth of your cards, so the database was backed up first: " in err
    backup = Path(err.split("backed up first: ")[1].split(" (studytool restore")[0])
    assert backup.is_file() and "import-retires-many" in backup.name
    code, out, _ = run(db_path, "import", "--json", str(vault))
    assert json.loads(out)["backup"] is None


@pytest.mark.parametrize(
    ("due_utc", "expected"),
    [("2026-12-09T02:59:00", "2026-12-08"), ("2026-12-09T03:00:00", "2026-12-09")],
)
def test_cards_json_gives_the_study_day_a_card_is_due_on(
    db_path: Path, vault: Path, write_note: WriteNote, monkeypatch: pytest.MonkeyPatch,
    due_utc: str, expected: str,
) -> None:  # fmt: skip
    """An FSRS card due at an exact moment: before the 4 a.m. day start it is the day before."""
    monkeypatch.setenv("TZ", "Europe/Rome")  # UTC+1 in December: 02:59 UTC is 03:59 local
    write_note("AWS/a.md", "- x is ==5==\n")
    run(db_path, "import", str(vault))
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute(
            "UPDATE review_state SET state = 'review', due = ?", (due_utc + ".000000+00:00",)
        )
    connection.close()
    code, out, _ = run(db_path, "cards", "--json")
    assert code == 0 and json.loads(out)[0]["due"] == expected


def test_import_of_nothing_importable_exits_non_zero(db_path: Path, tmp_path: Path) -> None:
    code, _, err = run(db_path, "import", str(tmp_path / "missing"))
    assert code == 1
    assert "no such file or folder" in err


def test_cards_json_has_exactly_the_documented_keys(
    db_path: Path, vault: Path, write_note: WriteNote
) -> None:
    write_note("AWS/a.md", "# Top\n- parent:\n\t- NAT supports ==port forwarding==\n")
    run(db_path, "import", str(vault))
    code, out, _ = run(db_path, "cards", "--json")
    assert code == 0
    [card] = json.loads(out)
    assert set(card) == JSON_KEYS
    assert isinstance(card["id"], str) and isinstance(card["line"], int)
    assert card["kind"] == "cloze" and card["state"] == "new" and card["due"] is None
    assert card["note"] == "AWS/a.md" and card["line"] == 3
    assert card["context"] == ["Top", "parent:"]
    assert card["prompt"] == "NAT supports [...]" and card["answer"] == "port forwarding"
    assert "colour/yellow" in card["tags"]


def test_cards_on_an_empty_database_imports_the_bundled_notes(db_path: Path) -> None:
    code, out, err = run(db_path, "cards", "--json", "--deck", "AWS/Networking")
    assert code == 0
    assert "importing the bundled notes" in err
    cards = json.loads(out)
    assert len(cards) >= 60
    assert {card["deck"] for card in cards} == {"AWS/Networking"}


def test_cards_table_shows_text_literally(
    db_path: Path, vault: Path, write_note: WriteNote
) -> None:
    write_note("a.md", "- [bold]markup[/] is ==data==\n")
    run(db_path, "import", str(vault))
    code, out, _ = run(db_path, "cards")
    assert code == 0
    assert "[bold]markup[/]" in out


def test_import_of_a_folder_holding_only_a_binary_note_counts_it_skipped_and_fails(
    db_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "x.md").write_bytes(b"\x00\x01\x02PNG\x00\x00" * 20)
    code, out, err = run(db_path, "import", str(folder))
    assert code == 1
    assert "1 notes read (0 changed, 0 unchanged, 1 skipped)" in out
    assert "warning: x.md:1: binary file, skipped" in err
    code, out, _ = run(db_path, "import", "--json", str(folder))
    summary = json.loads(out)
    assert code == 1 and (summary["notes_changed"], summary["notes_skipped"]) == (0, 1)


def test_import_of_a_folder_with_no_note_says_so(
    db_path: Path, tmp_path: Path, vault: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(db_path, "import", str(empty))
    assert code == 1 and f"warning: no Markdown notes (.md) found in {empty}" in err
    code, out, err = run(db_path, "import", str(vault))
    assert code == 0 and f"warning: no Markdown notes (.md) found in {vault}" in err
    assert "0 notes read" in out


def test_import_help_explains_skipped_links_and_the_exit_status() -> None:
    result = CliRunner().invoke(cli, ["import", "--help"])
    text = " ".join(result.output.split())
    assert "symlink" in text and "outside the vault (never read)" in text
    assert "Obsidian vault simply holds no note yet" in text
