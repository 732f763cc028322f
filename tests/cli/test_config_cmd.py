"""`studytool config` as a user runs it: show, set, per-deck overrides, bad values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from studytool.cli.main import cli
from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService
from tests.conftest import WriteNote


def run(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", str(db), "config", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def settings(db: Path):  # type: ignore[no-untyped-def]
    repository = Repository.open(db)
    try:
        return ReviewService(repository).settings()
    finally:
        repository.close()


def test_defaults_are_shown(db_path: Path) -> None:
    code, out, _ = run(db_path)
    assert code == 0
    assert "day start        04:00 local time" in out
    assert "scheduler        sm2" in out
    assert "new per day      20" in out and "reviews per day  200" in out


def test_set_global_and_deck_settings(db_path: Path, vault: Path, write_note: WriteNote) -> None:
    write_note("AWS/Networking/a.md", "- x is ==5==\n")
    CliRunner().invoke(cli, ["--db", str(db_path), "import", str(vault)])
    assert run(db_path, "scheduler", "fsrs", "--deck", "AWS")[0] == 0
    assert run(db_path, "new-per-day", "7")[0] == 0
    assert run(db_path, "reviews-per-day", "50", "--deck", "AWS/Networking")[0] == 0
    assert run(db_path, "day-start", "5")[1] == "a study day now starts at 05:00 local time\n"
    stored = settings(db_path)
    assert (stored.day_start_hour, stored.new_per_day, stored.scheduler) == (5, 7, "sm2")
    policy = stored.for_deck("AWS/Networking")
    assert (policy.scheduler, policy.new_per_day, policy.reviews_per_day) == ("fsrs", 7, 50)
    code, out, _ = run(db_path, "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["decks"] == [
        {"deck": "AWS/Networking", "scheduler": "fsrs", "new_per_day": 7, "reviews_per_day": 50}
    ]
    assert run(db_path, "scheduler", "default", "--deck", "AWS")[0] == 0
    assert settings(db_path).for_deck("AWS/Networking").scheduler == "sm2"


def test_unknown_deck_is_saved_with_a_note(db_path: Path) -> None:
    code, _, err = run(db_path, "new-per-day", "3", "--deck", "Nowhere")
    assert code == 0 and "no cards in deck 'Nowhere' yet" in err
    assert settings(db_path).for_deck("nowhere/sub").new_per_day == 3


def test_bad_values_are_refused(db_path: Path) -> None:
    assert run(db_path, "day-start", "24")[0] == 2
    assert run(db_path, "scheduler", "anki")[0] == 2
    code, _, err = run(db_path, "new-per-day", "--", "-3")
    assert code == 2 and "0 or more" in err
    code, _, err = run(db_path, "reviews-per-day", "many")
    assert code == 2 and "whole number" in err
    assert settings(db_path).new_per_day == 20


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("new-per-day", "-1"), "new-per-day must be 0 or more, got -1"),
        (("reviews-per-day", "-5", "--deck", "AWS"), "reviews-per-day must be 0 or more"),
        (("new-per-day", "-1.5"), "must be a whole number or 'default'"),
        (("day-start", "-1"), "-1 is not in the range 0<=x<=23"),
    ],
)
def test_a_negative_number_is_a_wrong_value_not_an_unknown_option(
    db_path: Path, args: tuple[str, ...], expected: str
) -> None:
    code, _, err = run(db_path, *args)
    assert code == 2 and expected in err
    assert "No such option" not in err
    assert settings(db_path).new_per_day == 20


def test_a_mistyped_option_is_still_named(db_path: Path) -> None:
    code, _, err = run(db_path, "new-per-day", "5", "--dekc", "AWS")
    assert code == 2 and "No such option '--dekc'" in err
    assert settings(db_path).new_per_day == 20


def test_a_limit_too_large_for_the_database_is_refused_and_an_old_one_is_capped(
    db_path: Path, vault: Path, write_note: WriteNote
) -> None:
    huge = "99999999999999999999"  # more than SQLite's 64-bit integers hold
    code, _, err = run(db_path, "new-per-day", huge)
    assert code != 0 and "at most 1,000,000" in err
    code, _, err = run(db_path, "reviews-per-day", "1000001", "--deck", "AWS")
    assert code != 0 and "at most 1,000,000" in err
    assert run(db_path, "reviews-per-day", "1000000")[0] == 0
    write_note("AWS/a.md", "- x is ==5==\n")
    CliRunner().invoke(cli, ["--db", str(db_path), "import", str(vault)])
    repository = Repository.open(db_path)  # as an older studytool left it: no maximum then
    with repository.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT OR REPLACE INTO setting (key, value) VALUES ('new_per_day', ?)", (huge,)
        )
        connection.exec_driver_sql(
            "INSERT INTO deck_config (deck, new_per_day) VALUES ('AWS', ?)", (2**62,)
        )
    try:
        service = ReviewService(repository)
        stored = service.settings()
        assert stored.new_per_day == 1_000_000
        assert stored.for_deck("AWS").new_per_day == 1_000_000
        session = service.start_session()
        card, _counts = service.next_card_and_counts(session)
        assert card is not None and card.answer == "5"
    finally:
        repository.close()
