"""Notices and keys a tester found wrong: toasts over the grade keys, grade keys pressed before
the answer is shown, and "study ahead" offered when it has nothing to bring.

Each test drives the app with Pilot and checks what the user sees and what the database holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widgets import Button, Input

from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService
from studytool.tui.app import StudyApp
from studytool.tui.screens.nothing_due import NOTHING_AHEAD, NothingDueScreen
from studytool.tui.screens.review import ReviewScreen
from studytool.tui.widgets.grade_bar import GradeBar
from studytool.tui.widgets.key_bar import KeyBar
from studytool.tui.widgets.scenario_card import ScenarioCard
from studytool.tui.widgets.scenario_inputs import NumberInput
from studytool.tui.widgets.study_bar import SessionProgress
from tests.tui.conftest import (
    FakeClock,
    Study,
    make_study,
    press,
    screen_text,
    settle,
    wait_for_screen,
)
from tests.tui.test_scenarios_tui import KIND_TEMPLATES, Desk

SIZES = [(100, 30), (80, 24)]
SCENARIO_NOTICE = ("Scenario questions", "36 new scenario cards.")
CLOZE_NOTICE = "Reveal the answer first: press ⏎, then grade."
SCENARIO_CHECK_NOTICE = "Check the answer first: i answers, ⏎ checks it, then grade."

TWO_HIGHLIGHTS = """
# Peering

- VPC peering is ==not transitive==
- Peered VPCs must not have ==overlapping CIDRs==
"""


def review_screen(app: StudyApp) -> ReviewScreen:
    screen = app.screen
    assert isinstance(screen, ReviewScreen), f"expected the review screen, got {screen!r}"
    return screen


def toast_regions(app: StudyApp) -> list[Region]:
    return [toast.region for toast in app.screen.query("Toast")]


def region_text(app: StudyApp, region: Region) -> str:
    """What the user reads in ``region`` of the screen (wrapped lines joined, borders out)."""
    lines = screen_text(app).split("\n")
    rows = " ".join(line[region.x : region.right] for line in lines[region.y : region.bottom])
    return " ".join(rows.replace("▌", " ").split())


def toast_texts(app: StudyApp) -> list[str]:
    """The text of each toast on screen."""
    return [region_text(app, region) for region in toast_regions(app)]


def bottom_regions(app: StudyApp) -> dict[str, Region]:
    """Where the grade keys, the progress line and the footer are drawn."""
    screen = app.screen
    return {
        "grade bar": screen.query_one(GradeBar).region,
        "progress": screen.query_one(SessionProgress).region,
        "footer": screen.query_one(KeyBar).region,
    }


def assert_toasts_clear_the_keys(app: StudyApp) -> None:
    toasts = toast_regions(app)
    assert toasts, "no notification is showing"
    for name, region in bottom_regions(app).items():
        assert region.height > 0, name
        for toast in toasts:
            assert not toast.overlaps(region), f"a toast at {toast} hides the {name} at {region}"
    text = screen_text(app)
    for key in ("0 blackout", "1 wrong", "2 nearly", "3 hard", "4 good", "5 perfect"):
        assert key in text


# --------------------------------------------------------------------------- 1. toasts
@pytest.mark.parametrize("size", SIZES)
async def test_a_notification_leaves_the_grade_keys_and_the_footer_visible(
    study: Study, size: tuple[int, int]
) -> None:
    async with study.app().run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        title, message = SCENARIO_NOTICE
        pilot.app.notify(message, title=title, markup=False, timeout=60)
        await pilot.pause()
        assert_toasts_clear_the_keys(pilot.app)
        assert toast_texts(pilot.app) == [f"{title} {message}"]
        text = screen_text(pilot.app)
        assert "Every VPN connection has [...]" in text  # the card's question stays readable
        assert "Due 0  New 4" in text  # and so do the header's counts
    assert study.log() == []


@pytest.mark.parametrize("size", SIZES)
async def test_the_undo_notice_leaves_the_grade_keys_visible(
    study: Study, size: tuple[int, int]
) -> None:
    async with study.app().run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "5", "escape", "u")
        assert toast_texts(pilot.app) == ["Last grade undone: here is that card again."]
        assert_toasts_clear_the_keys(pilot.app)
    assert study.log() == []


# --------------------------------------------------------------------------- 2. grade too soon
async def test_a_grade_key_before_the_reveal_says_how_to_reveal_and_grades_nothing(
    study: Study,
) -> None:
    async with study.app().run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "escape", "3")
        screen = review_screen(pilot.app)
        assert not screen.revealed and screen.card is not None
        assert screen.card.answer == "two tunnels"
        assert toast_texts(pilot.app) == [CLOZE_NOTICE]
        assert_toasts_clear_the_keys(pilot.app)
        assert study.log() == []
        await pilot.click(GradeBar, offset=(5, 0))  # clicking a dimmed key: the same notice
        await settle(pilot)
        assert study.log() == [] and not screen.revealed
        await press(pilot, "space", "3")  # once revealed, the key grades
    [row] = study.log()
    assert (row["card_id"], row["quality"]) == (study.card_id("two tunnels"), 3)


async def test_digits_typed_into_the_answer_box_are_text_not_grades(study: Study) -> None:
    async with study.app().run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, *"64512")
        assert pilot.app.screen.query_one("#answer", Input).value == "64512"
        assert list(pilot.app.screen.query("Toast")) == []
        assert study.log() == []


# --------------------------------------------------------------------------- scenario / quiz
@pytest.fixture(scope="module")
def bundled_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundled-notices") / "study.db"
    repository = Repository.open(path)
    assert not repository.import_bundled_notes().errors
    repository.close()
    return path


@pytest.fixture
def scenarios(bundled_copy: Path, tmp_path: Path) -> Iterator[Desk]:
    copy = tmp_path / "study.db"
    copy.write_bytes(bundled_copy.read_bytes())
    clock = FakeClock()
    repository = Repository.open(copy, clock=clock)
    yield Desk(repository, ReviewService(repository, now=clock, tz=UTC), clock)
    repository.close()


@pytest.mark.parametrize("size", SIZES)
async def test_quiz_number_field_takes_digits_and_a_grade_key_asks_for_the_check(
    scenarios: Desk, size: tuple[int, int]
) -> None:
    template_id = KIND_TEMPLATES["number"]
    scenarios.templates(template_id)
    card_id = scenarios.scenario_id(template_id)
    async with scenarios.app(quiz_questions=1).run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        screen = review_screen(pilot.app)
        assert isinstance(screen.body, ScenarioCard) and screen.body.answer_has_focus
        await press(pilot, "1", "2", "5")
        assert pilot.app.screen.query_one(NumberInput).value == "125"
        assert list(pilot.app.screen.query("Toast")) == []
        await press(pilot, "escape", "4")
        assert not screen.revealed
        assert toast_texts(pilot.app) == [SCENARIO_CHECK_NOTICE]
        assert_toasts_clear_the_keys(pilot.app)
        assert scenarios.log(card_id) == []
        await press(pilot, "i", "enter", "4")  # answer 125, checked, then graded
    [row] = scenarios.log(card_id)
    assert (row["quality"], row["typed_answer"]) == (4, "125")


# --------------------------------------------------------------------------- 3. study ahead
@pytest.fixture
def two_cards(tmp_path: Path) -> Iterator[Study]:
    result = make_study(tmp_path, {"Net/Peering.md": TWO_HIGHLIGHTS})
    yield result
    result.repository.close()


async def test_study_ahead_is_not_offered_when_it_would_bring_nothing(two_cards: Study) -> None:
    async with two_cards.app().run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "4", "enter", "4")  # both cards graded 4: due tomorrow
    assert [row["quality"] for row in two_cards.log()] == [4, 4]
    app = two_cards.app()  # `studytool review` again, the same day
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for_screen(pilot, NothingDueScreen)
        message = region_text(app, app.screen.query_one("#nothing-due-message").region)
        assert message == (
            "Nothing is due in All decks. The next card is due tomorrow at 04:00 (in 18h 30m). "
            + NOTHING_AHEAD
        )
        assert "Study ahead" not in screen_text(app)
        assert [button.id for button in app.screen.query(Button)] == ["decks", "quit"]
        await pilot.press("a")  # not a key here: nothing happens
        await pilot.pause(0.1)
        assert isinstance(app.screen, NothingDueScreen)
        assert list(app.screen.query("Toast")) == []
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert len(two_cards.log()) == 2
