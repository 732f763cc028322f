"""The TUI statistics screen, driven by a hand-made report in a tiny app."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

from textual.app import App
from textual.widgets import Static

from studytool.scheduling.statistics import (
    DayCount,
    RetentionRow,
    StatsReport,
    TopicAccuracy,
    forecast_window,
    window,
)
from studytool.tui.screens.stats import DueChart, StatsScreen

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
        assert app.screen.query_one("#heatmap", Static).size.height == 9
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen)

        app.push_screen(StatsScreen(_report()))
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen)
