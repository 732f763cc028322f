"""A database file studytool cannot use gives one clear line and exit 1, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from studytool.cli.main import cli
from studytool.locations import bundled_notes_dir
from tests.conftest import damage_pages


@pytest.mark.parametrize("command", [["cards"], ["review"], ["stats"], ["import", "."]])
def test_a_file_that_is_not_a_database(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    result = CliRunner().invoke(cli, ["--db", str(path), *command])
    assert result.exit_code == 1
    assert f"Error: {path}: cannot open the database: file is not a database" in result.output
    assert "Traceback" not in result.output
    assert path.read_bytes().startswith(b"these are my notes")  # left exactly as it was


def test_a_database_from_a_newer_studytool(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA user_version = 999")
    result = CliRunner().invoke(cli, ["--db", str(path), "cards"])
    assert result.exit_code == 1
    assert "schema version 999 is newer than this studytool understands" in result.output


def _damaged_copy_of_an_imported_database(tmp_path: Path) -> Path:
    """A real studytool database, imported from the bundled notes, with its pages past the
    schema overwritten (as a failing disk or an interrupted copy leaves a file)."""
    path = tmp_path / "damaged.db"
    notes = str(bundled_notes_dir())
    result = CliRunner().invoke(cli, ["--db", str(path), "import", "--quiet", notes])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    damage_pages(path, first_page=2, width=92)
    return path


@pytest.mark.parametrize(
    "command", [["cards"], ["review"], ["quiz"], ["stats"], ["export", "out.apkg"]]
)
def test_a_damaged_database_says_so_and_how_to_recover(
    tmp_path: Path, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = _damaged_copy_of_an_imported_database(tmp_path)
    result = CliRunner().invoke(cli, ["--db", str(path), *command])
    assert result.exit_code == 1, result.output
    assert f"Error: {path} is damaged (database disk image is malformed)" in result.output
    assert "studytool doctor" in result.output and "studytool restore FILE" in result.output
    assert "Traceback" not in result.output
