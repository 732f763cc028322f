"""The TUI statistics screen (key **t**): it shows a :class:`StatsReport` it is handed.

The screen does no database work: the app collects the report (in a worker) and passes it in.
It shows the headline numbers, the calendar heatmap of the last year and the tables drawn by
:mod:`studytool.cli.stats_cmd` (the same pictures as ``studytool stats``), and the next 30 days
as a textual-plotext bar chart. Escape or q closes it.

The calendar is drawn for the width it gets, like the CLI's: two characters a week when the
whole year fits, else one; when even that is too wide, the oldest weeks are dropped (never
today's) and the title says how many weeks are shown. The tables wrap under each other when
they do not fit side by side. Everything scrolls vertically.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.columns import Columns
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual_plotext import PlotextPlot

from studytool.cli.stats_cmd import (
    cards_table,
    deck_retention_table,
    heatmap_text,
    retention_table,
    scenario_table,
    section_title,
    summary_text,
)
from studytool.scheduling.statistics import StatsReport, heatmap_columns

#: Width of the weekday labels ("Mon ") left of the calendar's week columns.
WEEKDAY_LABEL_WIDTH = 4
#: Characters a month name may run past the last week column's start ("Nov" of this month).
MONTH_LABEL_ROOM = 3
#: The calendar's lines: month names, seven weekdays, the legend.
HEATMAP_LINES = 9


@dataclass(frozen=True, slots=True)
class CalendarFit:
    """How the calendar is drawn: cell width (``wide`` = two characters) and weeks shown."""

    wide: bool
    weeks: int
    total_weeks: int

    @property
    def whole_year(self) -> bool:
        return self.weeks >= self.total_weeks

    @property
    def title(self) -> str:
        if self.whole_year:
            return "Reviews in the last year"
        return f"Reviews in the last {self.weeks} weeks"


def calendar_width(weeks: int, cell: int) -> int:
    """Characters a calendar of ``weeks`` columns ``cell`` characters wide needs."""
    return WEEKDAY_LABEL_WIDTH + max(weeks * cell, (weeks - 1) * cell + MONTH_LABEL_ROOM)


def fit_calendar(width: int, total_weeks: int) -> CalendarFit:
    """The widest calendar that fits ``width``: the whole year in two- or one-character weeks,
    else the most recent weeks that fit in one-character weeks (at least today's)."""
    for cell in (2, 1):
        if calendar_width(total_weeks, cell) <= width:
            return CalendarFit(cell == 2, total_weeks, total_weeks)
    room = width - WEEKDAY_LABEL_WIDTH - MONTH_LABEL_ROOM + 1
    return CalendarFit(False, max(1, min(total_weeks, room)), total_weeks)


class CalendarPart(Widget):
    """A part of the calendar section, drawn for its current width."""

    DEFAULT_CSS = "CalendarPart { width: 1fr; height: auto; }"
    lines: ClassVar[int] = 1

    def __init__(self, report: StatsReport, id: str) -> None:
        super().__init__(id=id)
        self.report = report
        self.total_weeks = len(heatmap_columns(report.reviews_per_day))

    @property
    def fit(self) -> CalendarFit:
        return fit_calendar(self.content_size.width, self.total_weeks)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.lines


class CalendarTitle(CalendarPart):
    """The calendar's title: "last year", or how many weeks fit."""

    lines = 2

    def render(self) -> Text:
        return section_title(self.fit.title)


class CalendarHeatmap(CalendarPart):
    """The calendar heatmap, ending with today's week whatever the width."""

    lines = HEATMAP_LINES

    def render(self) -> Text:
        fit = self.fit
        text = heatmap_text(
            self.report, wide=fit.wide, weeks=fit.weeks, label_room=MONTH_LABEL_ROOM
        )
        text.no_wrap = True
        text.overflow = "crop"
        return text


class DueChart(PlotextPlot):
    """Reviews due on each of the next 30 days, as bars (today first)."""

    DEFAULT_CSS = "DueChart { height: 14; }"

    def __init__(self, report: StatsReport) -> None:
        super().__init__(id="due-chart")
        self.report = report

    def on_mount(self) -> None:
        days = self.report.due_per_day
        positions = list(range(len(days)))
        plt = self.plt
        plt.bar(positions, [day.count for day in days], width=0.6)
        ticks = positions[::5]
        labels = ["today" if i == 0 else days[i].day.strftime("%d %b") for i in ticks]
        plt.xticks(ticks, labels)
        peak = max((day.count for day in days), default=0)
        plt.yticks(sorted({round(peak * step / 4) for step in range(5)}))
        plt.title(f"{sum(day.count for day in days)} reviews due in the next 30 days")


class StatsScreen(Screen[None]):
    """Heatmap, due forecast, retention, card states and scenario accuracy."""

    DEFAULT_CSS = """
    StatsScreen VerticalScroll { padding: 0 1; }
    StatsScreen .stats-row { width: 1fr; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="stats.close"),
        Binding("q", "close", "Back", show=False, id="stats.close_q"),
    ]

    def __init__(self, stats: StatsReport) -> None:
        super().__init__()
        self.stats = stats

    def compose(self) -> ComposeResult:
        report = self.stats
        with VerticalScroll():
            yield Static(summary_text(report), id="summary")
            yield CalendarTitle(report, id="heatmap-title")
            yield CalendarHeatmap(report, id="heatmap")
            yield DueChart(report)
            yield Static(
                Columns([retention_table(report), deck_retention_table(report)], padding=(0, 4)),
                id="retention",
                classes="stats-row",
            )
            yield Static(
                Columns([cards_table(report), scenario_table(report)], padding=(0, 4)),
                id="cards-and-scenarios",
                classes="stats-row",
            )
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
