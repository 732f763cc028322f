"""Shared fixtures: a temporary database, a fixed clock, and small vaults written on the fly."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from studytool.store.repository import Repository

FIXED_NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test may touch the user's real database or data directory."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("STUDYTOOL_DB", str(home / "default.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("EDITOR", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "studytool.db"


@pytest.fixture
def repository(db_path: Path) -> Iterator[Repository]:
    repo = Repository.open(db_path, clock=lambda: FIXED_NOW)
    yield repo
    repo.close()


WriteNote = Callable[[str, str], Path]


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    return root


@pytest.fixture
def write_note(vault: Path) -> WriteNote:
    """Write ``text`` (dedented) to ``rel`` inside the vault and return its path."""

    def write(rel: str, text: str) -> Path:
        path = vault / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


def damage_pages(path: Path, first_page: int, width: int) -> None:
    """Overwrite ``width`` bytes of every 4 KiB page of an SQLite file from ``first_page`` on
    (past the schema), leaving the last page: what a failing disk or a cut copy leaves."""
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page * first_page, len(data) - page, page):
        data[offset + 8 : offset + 8 + width] = b"\xff" * width
    path.write_bytes(bytes(data))
