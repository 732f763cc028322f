"""The TUI statistics screen, driven by a hand-made report in a tiny app, and opened from the
review app over a database with reviews done today."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
from textual.app import App

from studytool.cli.stats_cmd import heatmap_text
from studytool.scheduling.statistics import (
    DayCount,
    RetentionRow,
    StatsReport,
    TopicAccuracy,
    forecast_window,
    window,
)
from studytool.tui.screens.stats import (
    CalendarFit,
    CalendarHeatmap,
    DueChart,
    StatsScreen,
    fit_calendar,
)
from tests.tui.conftest import Study, press, screen_text, settle

TODAY = date(2026, 3, 2)


def _report() -> StatsReport:
    heat = tuple(DayCount(day, 3 if day.day % 2 else 0) for day in window(TODAY, 365))
    due = tuple(DayCount(day, index % 4) for index, day in enumerate(forecast_window(TODAY)))
    return StatsReport(
        generated_at=datetime(2026, 3, 2, 9, tzinfo=UTC), today=TODAY, deck=None,
        day_start_hour=4, timezone="UTC", reviews_per_day=heat, due_per_day=due,
        retention_by_interval=(RetentionRow("new", 4, 3), RetentionRow("2-7d", 10, 9)),
        retention_by_deck=(RetentionRow("AWS/[bold]Loud[/]", 14, 12),),
        cards_by_state={"new": 5, "learning": 1, "review": 8, "retired": 2}, average_ef=2.42,
        streak=6, scenario_accuracy=(TopicAccuracy("nat \x1b[31m", 3, 2),), total_reviews=14,
    )  # fmt: skip


class StatsHost(App[None]):
    """Opens the stats screen over a blank default screen."""

    def on_mount(self) -> None:
        self.push_screen(StatsScreen(_report()))


def _screen_text(app: App[None]) -> str:
    """The screen's text, line by line, rebuilt from the SVG screenshot's text runs."""
    rows: dict[float, list[tuple[float, str]]] = {}
    pattern = r'<text[^>]*x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>'
    for match in re.finditer(pattern, app.export_screenshot()):
        run = html.unescape(re.sub("<[^>]+>", "", match[3])).replace("\xa0", " ")
        rows.setdefault(float(match[2]), []).append((float(match[1]), run))
    return "\n".join("".join(run for _, run in sorted(rows[y])) for y in sorted(rows))


async def test_stats_screen_shows_the_report_and_closes_with_q_or_escape() -> None:
    app = StatsHost()
    async with app.run_test(size=(130, 70)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        text = _screen_text(app)
        assert "Streak: 6 days" in text and "average ease: 2.42" in text
        assert "Reviews in the last year" in text
        assert "less ·░▒▓█ more (busiest day: 3 reviews)" in text
        assert "43 reviews due in the next 30 days" in text
        assert "AWS/[bold]Loud[/]" in text  # user text is shown, not read as markup
        assert "85.7%" in text and "90.0%" in text
        assert "\x1b" not in text
        chart = app.screen.query_one(DueChart)
        assert [day.count for day in chart.report.due_per_day][:4] == [0, 1, 2, 3]
        assert app.screen.query_one("#heatmap", CalendarHeatmap).size.height == 9
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen)

        app.push_screen(StatsScreen(_report()))
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen)


def _calendar_rows(app: App[None]) -> tuple[str, list[str]]:
    """The month row and the seven weekday rows of the calendar, as shown on screen."""
    region = app.screen.query_one(CalendarHeatmap).region
    lines = screen_text(app).splitlines()[region.y : region.bottom]
    rows = [line[region.x : region.right].rstrip() for line in lines]
    assert rows[1].startswith("Mon "), rows
    return rows[0], rows[1:8]


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
async def test_reviews_done_today_show_in_the_calendar(study: Study, size: tuple[int, int]) -> None:
    session = study.service.start_session()
    for answer in ("two tunnels", "BGP", "64512"):
        study.service.grade(session, study.card_id(answer), 5)
    async with study.app().run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "escape", "t")
        assert isinstance(pilot.app.screen, StatsScreen)
        text = screen_text(pilot.app)
        assert "Reviews in the last year" in text
        assert "busiest day: 3 reviews" in text
        months, days = _calendar_rows(pilot.app)
        # Today (Monday 2 March 2026) is the last column: the only day with reviews, and the
        # busiest, so the only full block; the rest of its week is still to come (blank).
        assert days[0].endswith("█")
        assert [row.count("█") for row in days] == [1, 0, 0, 0, 0, 0, 0]
        assert all(len(row) < len(days[0]) for row in days[1:])
        assert months.endswith("Mar")  # this month's name, over the last column
        assert months.split()[:2] == ["Mar", "Apr"]  # and the whole year: March 2025 on


async def test_a_narrow_window_drops_the_oldest_weeks_and_says_so() -> None:
    app = StatsHost()
    async with app.run_test(size=(130, 70)) as pilot:
        await pilot.pause()
        months, days = _calendar_rows(app)
        assert "Reviews in the last year" in _screen_text(app)
        assert len(days[0]) == 4 + 2 * 53 - 1  # two characters a week, today's cell last
        assert months.split()[-1] == "Mar"

        await pilot.resize_terminal(50, 40)
        await pilot.pause()
        text = _screen_text(app)
        # 50 columns less padding (2), scrollbar (2), weekday names (4) and room for "Mar" (2).
        assert fit_calendar(50 - 4, 53).weeks == 40
        assert "Reviews in the last 40 weeks" in text
        months, days = _calendar_rows(app)
        assert len(days[0]) == 4 + 40  # one character a week, today's cell last
        assert days[0].endswith("·")  # 2 March: an even day, no reviews
        assert days[6].endswith("█") and len(days[6]) == len(days[0]) - 1  # Sunday 1 March
        # The first week shown starts on Monday 2 June 2025 (39 weeks before 2 March 2026).
        assert " ".join(months.split()) == "Jun Jul Aug Sep Oct Nov Dec Jan Feb Mar"


def test_fit_calendar_prefers_the_whole_year_then_the_newest_weeks() -> None:
    assert fit_calendar(200, 53) == CalendarFit(wide=True, weeks=53, total_weeks=53)
    assert fit_calendar(4 + 53 * 2 + 1, 53).wide
    assert fit_calendar(4 + 53 * 2, 53) == CalendarFit(wide=False, weeks=53, total_weeks=53)
    assert fit_calendar(4 + 53 + 2, 53).whole_year
    assert fit_calendar(4 + 53 + 1, 53) == CalendarFit(wide=False, weeks=52, total_weeks=53)
    assert fit_calendar(3, 53).weeks == 1
    assert fit_calendar(40, 0).whole_year


def test_heatmap_text_keeps_the_most_recent_weeks() -> None:
    report = _report()
    whole = heatmap_text(report, wide=False).plain.splitlines()
    recent = heatmap_text(report, wide=False, weeks=10, label_room=3).plain.splitlines()
    for weekday in range(1, 8):
        assert recent[weekday] == whole[weekday][:4] + whole[weekday][4:][-10:]
    assert recent[0].split() == ["Jan", "Feb", "Mar"]  # this month's name is not left out
    assert recent[-1] == whole[-1]
