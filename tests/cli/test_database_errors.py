"""A database file studytool cannot use gives one clear line and exit 1, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from studytool.cli.main import cli


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
