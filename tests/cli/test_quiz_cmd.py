"""``studytool quiz [--topic T] [--count N] [--deck D]`` as a user runs it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from textual.pilot import Pilot

from studytool.cli.main import cli
from studytool.store import schema
from studytool.store.repository import Repository
from studytool.tui.app import StudyApp
from studytool.tui.screens.summary import SummaryScreen
from tests.tui.conftest import press, settle
from tests.tui.test_scenarios_tui import answer_keys, body


def quiz(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "quiz", *args])


def test_help_names_the_options_and_the_keys() -> None:
    result = CliRunner().invoke(cli, ["quiz", "--help"])
    assert result.exit_code == 0
    for text in ("--topic", "--count", "--deck", "nat-gateway", "[default: 10;", "? gives a hint"):
        assert text in result.stdout
    assert "Answer generated scenario questions only." in CliRunner().invoke(cli, ["--help"]).stdout


def test_topic_and_deck_together_are_refused(tmp_path: Path) -> None:
    result = quiz(tmp_path / "q.db", "--topic", "nat-gateway", "--deck", "Scenarios")
    assert result.exit_code == 2 and "give --topic or --deck, not both" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--topic", "dns"), "'dns' is not one of"),
        (("--count", "0"), "0 is not in the range"),
    ],
)
def test_bad_options_are_refused(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = quiz(tmp_path / "q.db", *args)
    assert result.exit_code == 2 and message in result.output


def test_a_deck_without_scenario_cards_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    repository = Repository.open(db)
    repository.import_bundled_notes()
    repository.close()
    result = quiz(db, "--deck", "AWS/Networking")
    assert result.exit_code == 2
    assert "no scenario cards in the deck 'AWS/Networking'" in result.output


Autopilot = Callable[[Pilot[Any]], Awaitable[None]]


def run_headless(monkeypatch: pytest.MonkeyPatch, autopilot: Autopilot) -> list[StudyApp]:
    """Make ``StudyApp.run`` run headless at 100x30, driven by ``autopilot``."""
    original = StudyApp.run
    apps: list[StudyApp] = []

    def run(self: StudyApp, **_options: Any) -> None:
        apps.append(self)
        original(self, headless=True, size=(100, 30), auto_pilot=autopilot)

    monkeypatch.setattr(StudyApp, "run", run)
    return apps


def test_quiz_asks_count_questions_of_the_topic_on_a_new_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def answer_two_right(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for _ in range(2):
            shown = body(pilot.app)
            assert shown.posed is not None and shown.card.deck == "Scenarios/nat-gateway"
            keys, _typed = answer_keys(shown.posed.question, right=True)
            await press(pilot, *keys, "enter")
        assert isinstance(pilot.app.screen, SummaryScreen)
        await press(pilot, "q")

    apps = run_headless(monkeypatch, answer_two_right)
    db = tmp_path / "q.db"
    result = quiz(db, "--topic", "NAT gateway", "--count", "2")
    assert result.exit_code == 0, result.output
    assert "Answered 2 questions (2 right on the first try)" in result.stdout
    [app] = apps
    assert (app.quiz_questions, app.scope.deck, app.scope.kinds) == (
        2, "Scenarios/nat-gateway", ("scenario",)
    )  # fmt: skip
    repository = Repository.open(db)
    try:
        assert len(repository.list_cards(kind="cloze")) > 100  # the bundled notes, first
        assert len(repository.list_cards(kind="scenario")) >= 20  # then the template cards
        with repository.engine.connect() as connection:
            rows = connection.execute(select(schema.review_log)).mappings().all()
    finally:
        repository.close()
    assert len(rows) == 2
    assert all(row["correct"] is True and row["quality"] in (4, 5) for row in rows)
    assert {row["detail"]["topic"] for row in rows} == {"nat-gateway"}
    assert len({row["card_id"] for row in rows}) == 2
