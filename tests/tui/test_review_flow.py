"""Whole review sittings driven with Pilot, checked against what the database recorded."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

import pytest

from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService
from studytool.tui.app import StudyApp
from studytool.tui.screens.nothing_due import NothingDueScreen
from studytool.tui.screens.review import ReviewScreen
from studytool.tui.screens.summary import SummaryScreen
from studytool.tui.widgets.cloze_card import ComparisonView, PromptView
from studytool.tui.widgets.grade_bar import GradeBar
from tests.tui.conftest import Study, press, screen_text, settle, type_text

SIZE = (100, 30)


def review_screen(app: StudyApp) -> ReviewScreen:
    screen = app.screen
    assert isinstance(screen, ReviewScreen), f"expected the review screen, got {screen!r}"
    return screen


def shown_answer(app: StudyApp) -> str:
    card = review_screen(app).card
    assert card is not None
    return card.answer


async def test_first_card_shows_context_prompt_source_and_counts(study: Study) -> None:
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(pilot.app)
        assert "Every VPN connection has [...]" in text
        assert "VPN › Tunnels" in text or ("VPN" in text and "Tunnels" in text)
        assert "Net/VPN.md:7" in text
        assert "Due 0  New 4  Done today 0" in text
        assert "0 reviewed · 4 left · 0:00" in text
        assert review_screen(pilot.app).body.answer_has_focus  # type: ignore[union-attr]
    assert study.log() == []


async def test_right_typed_answer_is_exact_and_enter_grades_5(study: Study) -> None:
    card_id = study.card_id("two tunnels")
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        study.clock.advance(seconds=7)
        await type_text(pilot, "Two Tunnels")
        await press(pilot, "enter")
        comparison = pilot.app.screen.query_one(ComparisonView).comparison
        assert comparison is not None and comparison.verdict.value == "exact"
        assert "✓ exact" in screen_text(pilot.app)
        assert pilot.app.screen.query_one(GradeBar).suggested == 5
        await press(pilot, "enter")  # accept the suggested grade
        assert shown_answer(pilot.app) == "BGP"
    [row] = study.log()
    assert (row["card_id"], row["quality"], row["typed_answer"]) == (card_id, 5, "Two Tunnels")
    assert row["duration_ms"] == 7000
    assert row["correct"] is True
    assert row["state_before"]["state"] == "new"
    state = study.card("two tunnels")
    assert (state.state, state.repetitions, state.interval, state.ef) == ("review", 1, 1, 2.6)
    assert state.due is not None and state.due > study.clock()


async def test_a_first_turn_read_before_the_app_starts_is_studied_like_any_other(
    study: Study,
) -> None:
    """``studytool review`` reads the first card before starting the app (no loading frame)."""
    card_id = study.card_id("two tunnels")
    app = study.app()
    app.prepare_first_turn()
    async with app.run_test(size=SIZE) as pilot:
        screen = review_screen(pilot.app)
        assert not screen.query("#card-loading")  # the card was composed straight away
        await settle(pilot)
        assert "Every VPN connection has [...]" in screen_text(pilot.app)
        assert "Due 0  New 4  Done today 0" in screen_text(pilot.app)
        assert screen.body is not None and screen.body.answer_has_focus
        await type_text(pilot, "two tunnels")
        await press(pilot, "enter")
        await press(pilot, "enter")
        assert shown_answer(pilot.app) == "BGP"
        await press(pilot, "escape")
        await press(pilot, "u")
        assert shown_answer(pilot.app) == "two tunnels"
        await press(pilot, "i")
        await type_text(pilot, "two tunnels")
        await press(pilot, "enter")
        await press(pilot, "4")
    [row] = study.log()  # the undone grade's row is gone, the second one stays
    assert (row["card_id"], row["quality"], row["typed_answer"]) == (card_id, 4, "two tunnels")


async def test_the_app_releases_garbage_collection_after_its_first_frame(study: Study) -> None:
    import gc

    from studytool import startup

    threshold = gc.get_threshold()
    startup.hold_collection()
    try:
        app = study.app()
        app.prepare_first_turn()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "Every VPN connection has [...]" in screen_text(pilot.app)
            assert not startup.collection_held() and gc.get_threshold() == threshold
    finally:
        startup.release_collection()
        gc.set_threshold(*threshold)
        gc.unfreeze()


async def test_preparing_on_an_empty_database_leaves_the_import_to_the_app(tmp_path) -> None:  # type: ignore[no-untyped-def]
    repository = Repository.open(tmp_path / "empty.db")
    app = StudyApp(ReviewService(repository), import_if_empty=False)
    app.prepare_first_turn()
    assert app.take_first_turn() is None


async def test_wrong_typed_answer_is_marked_and_suggests_1(study: Study) -> None:
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "one tunnel")
        await press(pilot, "enter")
        text = screen_text(pilot.app)
        assert "✗ wrong" in text
        assert "You typed  one tunnel" in text
        assert "Answer     two tunnels" in text
        assert "Enter grades 1" in text
        comparison = pilot.app.screen.query_one(ComparisonView).comparison
        assert comparison is not None and comparison.expected_spans  # differences marked
        await press(pilot, "enter")
    [row] = study.log()
    assert (row["quality"], row["typed_answer"], row["correct"]) == (1, "one tunnel", False)
    state = study.card("two tunnels")
    assert (state.repetitions, state.interval, state.state) == (0, 1, "learning")


async def test_close_typed_answer_suggests_4_and_a_key_overrides_it(study: Study) -> None:
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "two tunels")
        await press(pilot, "enter")
        assert "≈ close: 1 typo" in screen_text(pilot.app)
        assert pilot.app.screen.query_one(GradeBar).suggested == 4
        await press(pilot, "3")  # the user's own grade wins
    [row] = study.log()
    assert (row["quality"], row["typed_answer"]) == (3, "two tunels")


async def test_reveal_without_typing_then_grade_with_a_key(study: Study) -> None:
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "escape")  # leave the answer box
        assert "Every VPN connection has [...]" in screen_text(pilot.app)
        await press(pilot, "4")  # grading before the reveal does nothing
        assert study.log() == []
        await press(pilot, "space")
        prompt = pilot.app.screen.query_one(PromptView)
        assert prompt.revealed and "two tunnels" in prompt.render().plain
        assert pilot.app.screen.query_one(GradeBar).display
        await press(pilot, "enter")  # nothing typed: nothing to accept
        assert study.log() == []
        await press(pilot, "4")
        # Single-key mode carries on to the next card: the answer box is not focused.
        assert shown_answer(pilot.app) == "BGP"
        assert not review_screen(pilot.app).body.answer_has_focus  # type: ignore[union-attr]
    [row] = study.log()
    assert (row["quality"], row["typed_answer"]) == (4, None)


async def test_grade_keys_show_when_each_grade_brings_the_card_back(study: Study) -> None:
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        bar = pilot.app.screen.query_one(GradeBar)
        assert bar.key_label(5) == "5 perfect\n1d"
        assert "5 perfect" in screen_text(pilot.app) and "1d" in screen_text(pilot.app)


async def test_fsrs_previews_learning_steps_in_minutes_as_they_are_stored(study: Study) -> None:
    study.service.set_scheduler("fsrs")
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        bar = pilot.app.screen.query_one(GradeBar)
        shown = {quality: bar.key_label(quality).split("\n")[1] for quality in range(6)}
        assert shown[4].endswith("m") and shown[0].endswith("m"), shown  # learning steps
        assert shown[5].endswith("d"), shown
        await press(pilot, "4")
    card = study.card("two tunnels")
    minutes = (card.due - study.clock()).total_seconds() / 60
    assert shown[4] == f"{round(minutes)}m"


async def test_sm2_previews_tomorrow_as_1d_even_late_at_night(study: Study) -> None:
    study.clock.now = study.clock.now.replace(hour=23, minute=50)  # days start at 04:00
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        bar = pilot.app.screen.query_one(GradeBar)
        assert bar.key_label(5) == "5 perfect\n1d" and bar.key_label(1) == "1 wrong\n1d"


async def test_undo_restores_the_state_and_shows_the_card_again(study: Study) -> None:
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "5")
        assert shown_answer(pilot.app) == "BGP"
        assert len(study.log()) == 1
        await press(pilot, "escape", "u")
        assert shown_answer(pilot.app) == "two tunnels"
        assert "undone" in screen_text(pilot.app)
        assert study.log() == []
        state = study.card("two tunnels")
        assert (state.state, state.repetitions, state.due) == ("new", 0, None)
        await press(pilot, "u")  # nothing left to undo: nothing changes
        assert shown_answer(pilot.app) == "two tunnels"
        await press(pilot, "enter", "2")
    [row] = study.log()
    assert row["quality"] == 2


async def test_skip_puts_the_card_after_the_others(study: Study) -> None:
    skipped = study.card_id("two tunnels")
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "escape", "s")
        assert shown_answer(pilot.app) == "BGP"
        assert study.log() == []
        assert "4 left" in screen_text(pilot.app)  # the skipped card still counts
        seen = []
        for _ in range(3):
            seen.append(shown_answer(pilot.app))
            await press(pilot, "enter", "5")
        assert seen == ["BGP", "64512", "internet gateway"]
        assert shown_answer(pilot.app) == "two tunnels"  # back, at the end
        await press(pilot, "enter", "5")
        assert isinstance(pilot.app.screen, SummaryScreen)
    assert [row["card_id"] for row in study.log()][-1] == skipped


async def test_quitting_mid_session_keeps_every_grade(study: Study) -> None:
    app = study.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "5", "enter", "3")
        await type_text(pilot, "q")  # typed into the answer box: not a quit
        assert app.is_running
        await press(pilot, "escape", "q")
        assert not app.is_running
    assert [row["quality"] for row in study.log()] == [5, 3]
    later = study.reopen()
    counts = later.counts(later.start_session())
    assert counts.reviewed_today == 2
    assert counts.new_left_today == 2


async def test_ctrl_q_quits_from_the_answer_box(study: Study) -> None:
    app = study.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "tw")
        await press(pilot, "ctrl+q")
        assert not app.is_running
    assert study.log() == []


async def test_finishing_shows_the_summary_and_q_quits(study: Study) -> None:
    app = study.app(limit=3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "two tunnels")
        await press(pilot, "enter", "enter")  # right first time (5)
        study.clock.advance(minutes=1, seconds=5)
        await press(pilot, "enter", "1")  # BGP wrong (comes back later today)
        await press(pilot, "enter", "4")  # 64512 right
        # The limit counts distinct cards: the BGP repeat is still owed.
        assert shown_answer(pilot.app) == "BGP"
        await press(pilot, "enter", "4")
        assert isinstance(pilot.app.screen, SummaryScreen)
        text = screen_text(pilot.app)
        assert "Cards reviewed        3 (this sitting)" in text
        assert "Right on first try    2 (67%)" in text
        assert "Repeats               1" in text
        assert "Time spent            1:05" in text
        assert "Reviews due in the next 7 days: All decks" in text
        assert "Tue 03 Mar" in text  # tomorrow: every graded card comes back after one day
        await press(pilot, "q")
        assert not app.is_running
    assert [row["quality"] for row in study.log()] == [5, 1, 4, 4]


async def test_the_summary_says_which_scope_its_forecast_counts(study: Study) -> None:
    app = study.app(limit=1, tag="aws")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "5")
        assert isinstance(pilot.app.screen, SummaryScreen)
        assert "Reviews due in the next 7 days: All decks · #aws" in screen_text(pilot.app)


def review_everything_on_two_earlier_days(study: Study) -> None:
    """Every card graded 5 two days ago and yesterday: next due in 5 days (interval 6)."""
    today = study.clock.now
    for days_ago in (2, 1):
        study.clock.now = today - timedelta(days=days_ago)
        session = study.service.start_session()
        for answer in ("two tunnels", "BGP", "64512", "internet gateway"):
            study.service.grade(session, study.card_id(answer), 5)
    study.clock.now = today


async def test_nothing_due_says_when_and_studies_ahead(study: Study) -> None:
    review_everything_on_two_earlier_days(study)
    app = study.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(20):
            if isinstance(app.screen, NothingDueScreen):
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, NothingDueScreen)
        text = screen_text(app)
        assert "Nothing is due in All decks." in text
        assert "The next card is due Sat 07 Mar at 04:00 (in 5 days)" in text
        await pilot.press("a")
        await settle(pilot)
        assert shown_answer(app) == "two tunnels"
        await press(pilot, "enter", "5")
    assert len(study.log()) == 9
    # studied 5 days early, 1 of its 6 days passed: the interval stays 6 (SM-2 alone: 17)
    assert study.card("two tunnels").interval == 6


async def test_nothing_due_quit(study: Study) -> None:
    review_everything_on_two_earlier_days(study)
    app = study.app()
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(20):
            if isinstance(app.screen, NothingDueScreen):
                break
            await pilot.pause(0.05)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_the_next_day_the_cards_are_due_again(study: Study) -> None:
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(4):
            await press(pilot, "enter", "5")
        assert isinstance(pilot.app.screen, SummaryScreen)
    study.clock.advance(days=1)
    service = study.reopen()
    app = StudyApp(service, clock=study.clock, import_if_empty=False, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Due 4  New 0" in screen_text(app)
        assert shown_answer(app) == "two tunnels"
        assert review_screen(app).card.queue_kind == "review"  # type: ignore[union-attr]


async def test_an_empty_database_imports_the_bundled_notes_and_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from studytool.store.repository import Repository
    from tests.tui.conftest import FakeClock

    clock = FakeClock()
    repository = Repository.open(tmp_path / "empty.db", clock=clock)
    service = ReviewService(repository, now=clock, tz=UTC)
    app = StudyApp(service, clock=clock, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("importing the bundled notes" in m for m in messages)
        assert any(m.startswith("Imported ") and "bundled notes" in m for m in messages)
        assert review_screen(app).card is not None
    assert repository.card_count() > 50
    repository.close()


async def test_deck_picker_lists_decks_with_counts_and_switches(two_decks: Study) -> None:
    from textual.widgets import OptionList

    async with two_decks.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "escape", "d")
        options = pilot.app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert prompts == [
            "All decks      0 due     5 new",
            "Net            0 due     4 new",
            "Ops            0 due     1 new",
        ]
        await press(pilot, "down", "down", "enter")
        assert shown_answer(pilot.app) == "public subnet"
        assert "studytool  Ops" in screen_text(pilot.app)
        await press(pilot, "enter", "5")
        assert isinstance(pilot.app.screen, SummaryScreen)
    [row] = two_decks.log()
    assert row["card_id"] == two_decks.card_id("public subnet")


async def test_command_palette_filters_by_highlight_colour(study: Study) -> None:
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "highlight colour orange")
        await press(pilot, "enter")
        app = pilot.app
        assert app.scope.tag == "colour/orange"
        assert shown_answer(app) == "64512"
        assert "#colour/orange" in screen_text(app)
        await press(pilot, "enter", "5")
        assert isinstance(app.screen, SummaryScreen)
    assert [row["card_id"] for row in study.log()] == [study.card_id("64512")]


async def test_command_palette_switches_theme(study: Study) -> None:
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "Theme: nord")
        await press(pilot, "enter")
        assert pilot.app.theme == "nord"


async def test_palette_keeps_only_system_commands_that_work_here(study: Study) -> None:
    app = study.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
    assert titles == ["Theme", "Quit", "Screenshot"]


async def test_palette_screenshot_is_saved_where_it_says(
    study: Study, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "Screenshot")
        await press(pilot, "enter")
        await pilot.pause(0.3)
        [saved] = (tmp_path / "data" / "studytool" / "screenshots").glob("*.svg")
        said = [note.message for note in pilot.app._notifications]
        assert str(saved) in said
        picture = saved.read_text(encoding="utf-8").replace("&#160;", " ")
        assert "Every VPN connection has" in picture


async def test_edit_without_editor_shows_the_full_path(study: Study, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("EDITOR", raising=False)
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "escape", "e")
        messages = [n.message for n in pilot.app._notifications]
        expected = f"{(study.vault / 'Net' / 'VPN.md').resolve()}:7"
        assert expected in messages


async def test_edit_runs_the_editor_at_the_line(study: Study, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EDITOR", "nvim -p")
    calls: list[list[str]] = []
    app = study.app()
    monkeypatch.setattr(app, "run_editor", lambda command, shown: calls.append(command))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "escape", "enter", "5", "e")
    path = str((study.vault / "Net" / "VPN.md").resolve())
    assert calls == [["nvim", "-p", "+9", path]]


async def test_an_editor_that_cannot_start_leaves_the_app_running(
    study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual's suspend() resumes the screen only when no exception leaves it (as faked here)."""
    from contextlib import contextmanager

    monkeypatch.setenv("EDITOR", "/nonexistent/editor")
    app = study.app()
    resumed: list[bool] = []

    @contextmanager
    def suspend():  # type: ignore[no-untyped-def]
        yield
        resumed.append(True)

    monkeypatch.setattr(app, "suspend", suspend)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "escape", "e")
        messages = [n.message for n in pilot.app._notifications]
        assert any(m.startswith("Cannot start the editor '/nonexistent/editor'") for m in messages)
        assert resumed == [True]
        await press(pilot, "enter", "4")  # the app still works
    assert [row["quality"] for row in study.log()] == [4]


async def test_stats_key_opens_the_statistics_screen(study: Study) -> None:
    from studytool.tui.screens.stats import StatsScreen

    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "5", "escape", "t")
        assert isinstance(pilot.app.screen, StatsScreen)
        await press(pilot, "escape")
        assert isinstance(pilot.app.screen, ReviewScreen)


async def test_exit_after_first_card_records_the_moment(study: Study) -> None:
    app = study.app(exit_after_first_card=True)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(40):
            if not app.is_running:
                break
            await pilot.pause(0.05)
    assert app.first_card_at is not None
    assert study.log() == []


async def test_layout_stays_readable_at_80x24_and_200x60(study: Study) -> None:
    for size in ((80, 24), (200, 60)):
        async with study.app().run_test(size=size) as pilot:
            await settle(pilot)
            await type_text(pilot, "one tunnel")
            await press(pilot, "enter")
            text = screen_text(pilot.app)
            width, height = size
            for needle in (
                "Every VPN connection has two tunnels",
                "You typed  one tunnel",
                "Answer     two tunnels",
                "5 perfect",
                "0 blackout",
                "Grade",
            ):
                assert needle in text, f"{needle!r} missing at {size}:\n{text}"
            lines = text.splitlines()
            assert len(lines) == height and all(len(line) <= width for line in lines)
            bar = pilot.app.screen.query_one(GradeBar).region
            assert bar.bottom <= height - 2  # above the progress line and the footer


async def test_clicking_a_grade_key_grades(study: Study) -> None:
    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = pilot.app.screen.query_one(GradeBar)
        _quality, start, size = bar.cells()[3]
        offset = (bar.styles.padding.left + start + size // 2, 0)
        assert bar.quality_at(offset[0] - bar.styles.padding.left) == 3
        await pilot.click(GradeBar, offset=offset)  # before the reveal: nothing happens
        await settle(pilot)
        assert study.log() == []
        await press(pilot, "enter")
        await pilot.click(GradeBar, offset=offset)
        await settle(pilot)
        assert shown_answer(pilot.app) == "BGP"
    assert [row["quality"] for row in study.log()] == [3]


async def test_the_footer_lists_the_keys_and_clicking_one_presses_it(study: Study) -> None:
    from studytool.tui.widgets.key_bar import KeyBar

    async with study.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = pilot.app.screen.query_one(KeyBar)
        keys, palette = bar.entries()
        assert [entry.description for entry in keys][:2] == ["Reveal", "Keys"]
        assert palette is not None and palette.key == "ctrl+p"
        reveal = next(entry for entry in bar.drawn if entry.description == "Reveal")
        assert bar.entry_at(reveal.start) == reveal and bar.entry_at(reveal.end - 1) == reveal
        await pilot.click(KeyBar, offset=(reveal.start, 0))
        await settle(pilot)
        assert pilot.app.screen.query_one(PromptView).revealed
    assert study.log() == []


async def test_undo_from_the_summary_goes_back_to_the_last_card(study: Study) -> None:
    async with study.app(limit=1).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "5")
        assert isinstance(pilot.app.screen, SummaryScreen)
        await press(pilot, "u")
        assert shown_answer(pilot.app) == "two tunnels"
        assert study.log() == []


def test_deck_rows_match_each_decks_own_counts(two_decks: Study) -> None:
    from studytool.tui.desk import DeckRow, ReviewDesk, Scope

    desk = ReviewDesk(two_decks.service, Scope(), two_decks.clock)
    turn = desk.turn()
    assert turn.card is not None and turn.counts == two_decks.service.counts(desk.session)
    desk.grade(turn.card.id, 5, None, None)
    rows = desk.deck_rows([None, "Net", "Ops", "Gone"])
    for row in rows[:3]:
        counts = two_decks.service.counts(deck=row.deck)
        assert (row.due, row.new) == (counts.due_today, counts.new_left_today), row.label
    assert rows[3] == DeckRow("Gone", 0, 0)
    assert rows[:3] == [DeckRow(None, 0, 4), DeckRow("Net", 0, 3), DeckRow("Ops", 0, 1)]


def test_note_path_comes_from_the_card_view_without_a_lookup(study: Study, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from studytool.tui.desk import ReviewDesk, Scope

    desk = ReviewDesk(study.service, Scope(), study.clock)
    card = desk.turn().card
    assert card is not None and card.vault is not None
    monkeypatch.setattr(study.repository, "get_card", lambda card_id: pytest.fail("looked up"))
    path, shown = desk.note_path(card)
    assert path == (study.vault / "Net" / "VPN.md").resolve()
    assert shown == str(path)
