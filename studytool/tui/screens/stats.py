"""The TUI statistics screen (key **t**): it shows a :class:`StatsReport` it is handed.

The screen does no database work: the app collects the report (in a worker) and passes it in.
It shows the headline numbers, the calendar heatmap of the last year and the tables drawn by
:mod:`studytool.cli.stats_cmd` (the same pictures as ``studytool stats``), and the next 30 days
as a textual-plotext bar chart. Escape or q closes it.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
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
from studytool.scheduling.statistics import StatsReport


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
    StatsScreen .stats-row { height: auto; }
    StatsScreen .stats-row Static { width: auto; margin-right: 4; }
    StatsScreen #heatmap { width: auto; }
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
            yield Static(section_title("Reviews in the last year"))
            yield Static(heatmap_text(report, wide=True), id="heatmap")
            yield DueChart(report)
            with Horizontal(classes="stats-row"):
                yield Static(retention_table(report), id="retention-interval")
                yield Static(deck_retention_table(report), id="retention-deck")
            with Horizontal(classes="stats-row"):
                yield Static(cards_table(report), id="cards")
                yield Static(scenario_table(report), id="scenarios")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
