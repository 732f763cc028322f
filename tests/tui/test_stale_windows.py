"""The review app with data that changed under it: a card graded in another window, a card
retired by an import, and the nothing-due dialog outliving the next due moment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from studytool.tui.app import StudyApp
from studytool.tui.desk import DUE_NOW_NOTICE, GRADED_ELSEWHERE_NOTICE, RETIRED_NOTICE
from studytool.tui.screens import nothing_due
from studytool.tui.screens.nothing_due import NothingDueScreen
from studytool.tui.screens.review import ReviewScreen
from studytool.tui.screens.summary import SummaryScreen
from tests.tui.conftest import Study, make_study, press, screen_text, settle, wait_for_screen

SIZE = (100, 30)
NOTE = "# N\n- alpha is ==one==\n- beta is ==two==\n"


@pytest.fixture
def two_cards(tmp_path: Path) -> Iterator[Study]:
    """The tester's note: cards ``one`` then ``two``."""
    result = make_study(tmp_path, {"N.md": NOTE})
    yield result
    result.repository.close()


def shown_answer(app: StudyApp) -> str:
    screen = app.screen
    assert isinstance(screen, ReviewScreen), f"expected the review screen, got {screen!r}"
    assert screen.card is not None
    return screen.card.answer


def notices(app: StudyApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


# --------------------------------------------------------------------------- another window
async def test_a_card_graded_in_another_window_is_refused_in_one_line(two_cards: Study) -> None:
    alpha, beta = two_cards.card_id("one"), two_cards.card_id("two")
    other = two_cards.reopen()  # the second window's service
    other_sitting = other.start_session()
    app = two_cards.app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert shown_answer(app) == "one"
        assert other.next_card(other_sitting).id == alpha  # type: ignore[union-attr]
        await press(pilot, "escape", "enter")
        other.grade(other_sitting, alpha, 4)  # window B grades it first
        two_cards.clock.advance(seconds=1)
        await press(pilot, "4")
        assert notices(app) == [GRADED_ELSEWHERE_NOTICE]
        assert shown_answer(app) == "two"
        assert app.tally is not None and app.tally.grades == []
        await press(pilot, "enter", "5")
    other.close()
    rows = two_cards.log()
    assert [(row["card_id"], row["quality"]) for row in rows] == [(alpha, 4), (beta, 5)]
    assert rows[0]["session_id"] == other_sitting.id
    assert two_cards.card("one").interval == 1  # graded once, not 0 -> 1 -> 6


async def test_a_card_retired_by_an_import_is_skipped_in_one_line(two_cards: Study) -> None:
    beta = two_cards.card_id("two")
    app = two_cards.app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert shown_answer(app) == "one"
        await press(pilot, "escape", "enter")
        (two_cards.vault / "N.md").write_text("# N\n- alpha is one\n- beta is ==two==\n")
        report = two_cards.repository.import_paths([two_cards.vault])
        assert not report.errors
        await press(pilot, "4")
        assert notices(app) == [RETIRED_NOTICE]
        assert shown_answer(app) == "two"
        await press(pilot, "enter", "3")
    assert [(row["card_id"], row["quality"]) for row in two_cards.log()] == [(beta, 3)]


# --------------------------------------------------------------------------- nothing due
def everything_graded_yesterday(study: Study) -> None:
    """Both cards graded 4 on 2 March (due 3 March at 04:00); the clock at 03:52 on 3 March,
    still the study day of 2 March."""
    session = study.service.start_session()
    for answer in ("one", "two"):
        study.service.grade(session, study.card_id(answer), 4)
    study.clock.now = datetime(2026, 3, 3, 3, 52, tzinfo=UTC)


async def test_the_nothing_due_dialog_closes_when_the_next_card_falls_due(
    two_cards: Study,
) -> None:
    everything_graded_yesterday(two_cards)
    app = two_cards.app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_screen(pilot, NothingDueScreen)
        dialog = app.screen
        assert isinstance(dialog, NothingDueScreen)
        assert "The next card is due today at 04:00 (in 8m)." in screen_text(app)
        two_cards.clock.advance(minutes=5)
        assert not dialog.check_due()  # not yet: the wait shown is brought up to date
        assert "The next card is due today at 04:00 (in 3m)." in screen_text(app)
        two_cards.clock.now = datetime(2026, 3, 3, 4, 0, 48, tzinfo=UTC)
        assert dialog.check_due()
        await settle(pilot)
        assert not isinstance(app.screen, NothingDueScreen)
        assert shown_answer(app) == "one"
        assert DUE_NOW_NOTICE in notices(app)
        assert "Due 2" in screen_text(app)
        await press(pilot, "escape", "enter", "5")
        assert shown_answer(app) == "two"
    first, second, third = two_cards.log()
    assert third["card_id"] == two_cards.card_id("one") and third["quality"] == 5
    assert third["reviewed_at"].replace(tzinfo=UTC) == datetime(2026, 3, 3, 4, 0, 48, tzinfo=UTC)
    assert third["state_before"]["interval"] == 1
    assert (first["card_id"], second["card_id"]) == (third["card_id"], two_cards.card_id("two"))


async def test_the_dialog_checks_the_clock_by_itself(
    two_cards: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The periodic check (here every 0.05 s) closes the dialog without any key."""
    monkeypatch.setattr(nothing_due, "CHECK_EVERY", 0.05)
    everything_graded_yesterday(two_cards)
    app = two_cards.app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_screen(pilot, NothingDueScreen)
        await pilot.pause(0.2)
        assert isinstance(app.screen, NothingDueScreen)  # 03:52: nothing yet
        two_cards.clock.advance(minutes=9)
        for _ in range(40):
            await pilot.pause(0.05)
            if isinstance(app.screen, ReviewScreen) and app.screen.card is not None:
                break
        await settle(pilot)
        assert shown_answer(app) == "one"
        await press(pilot, "escape", "enter", "4", "enter", "4")
        assert isinstance(app.screen, SummaryScreen)
    assert [row["quality"] for row in two_cards.log()] == [4, 4, 4, 4]


async def test_a_dialog_whose_moment_has_passed_when_it_opens_does_not_close_by_itself() -> None:
    now = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)
    dialog = NothingDueScreen("All decks", now, now, can_study_ahead=False, clock=lambda: now)
    assert not dialog.watches and not dialog.check_due()
    unwatched = NothingDueScreen("All decks", now, now.replace(hour=3), can_study_ahead=False)
    assert not unwatched.watches and not unwatched.check_due()
