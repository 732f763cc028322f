"""`studytool review`: options, filter checks, and how the app is started (run() replaced)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from studytool.cli.main import cli
from studytool.store.repository import Repository
from studytool.tui.app import StudyApp
from tests.tui.conftest import VPN_NOTE, write_vault


@pytest.fixture
def db_with_cards(tmp_path: Path) -> Path:
    db = tmp_path / "cards.db"
    repository = Repository.open(db)
    repository.import_paths([write_vault(tmp_path / "vault", {"Net/VPN.md": VPN_NOTE})])
    repository.close()
    return db


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[StudyApp]:
    """Apps that `studytool review` would have run."""
    apps: list[StudyApp] = []

    def fake_run(self: StudyApp, *args: Any, **kwargs: Any) -> None:
        apps.append(self)

    monkeypatch.setattr(StudyApp, "run", fake_run)
    return apps


def test_review_passes_the_filters_to_the_app(db_with_cards: Path, started: list) -> None:  # type: ignore[type-arg]
    result = CliRunner().invoke(
        cli, ["--db", str(db_with_cards), "review", "--deck", "net", "--tag", "#aws",
              "--limit", "5"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [app] = started
    assert (app.scope.deck, app.scope.tag, app.scope.limit) == ("net", "#aws", 5)
    assert app.service.repository.path == db_with_cards
    assert not app.exit_after_first_card


def test_unknown_deck_or_tag_is_refused_before_the_app_starts(
    db_with_cards: Path,
    started: list,  # type: ignore[type-arg]
) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db_with_cards), "review", "--deck", "Nope"])
    assert result.exit_code == 2
    assert "no deck 'Nope'" in result.output
    result = CliRunner().invoke(cli, ["--db", str(db_with_cards), "review", "--tag", "zzz"])
    assert result.exit_code == 2 and "no card has the tag 'zzz'" in result.output
    result = CliRunner().invoke(cli, ["--db", str(db_with_cards), "review", "--limit", "0"])
    assert result.exit_code == 2
    assert started == []


def test_exit_after_first_card_prints_the_moment(
    db_with_cards: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_run(self: StudyApp, *args: Any, **kwargs: Any) -> None:
        assert self.exit_after_first_card
        self.first_card_at = 1234.5

    monkeypatch.setattr(StudyApp, "run", fake_run)
    monkeypatch.setenv("STUDYTOOL_EXIT_AFTER_FIRST_CARD", "1")
    result = CliRunner().invoke(cli, ["--db", str(db_with_cards), "review"])
    assert result.exit_code == 0
    assert "first-card-at 1234.500000" in result.stderr


def test_help_lists_the_keys() -> None:
    result = CliRunner().invoke(cli, ["review", "--help"])
    assert result.exit_code == 0
    for words in ("--deck", "--tag", "--limit", "0-5 grade", "u undo", "ctrl+p"):
        assert words in result.output
