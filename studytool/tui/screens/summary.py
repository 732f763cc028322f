"""The end of a sitting: what was reviewed, how much was right first time, the week ahead.

:class:`SummaryScreen` shows the sitting's :class:`~studytool.tui.tally.SessionTally` with the
7-day forecast the review service computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from studytool.tui.tally import SessionTally
from studytool.tui.widgets.forecast import ForecastChart
from studytool.tui.widgets.study_bar import format_elapsed

__all__ = ["SessionTally", "SummaryData", "SummaryScreen", "summary_lines"]


@dataclass(frozen=True)
class SummaryData:
    """What the summary screen shows (computed before it opens)."""

    reviewed: int
    right_first_time: int
    grades: int
    seconds: float
    forecast: Sequence[tuple[date, int]]
    today: date
    #: the deck/tag the forecast counts (the figures above count the whole sitting)
    scope: str = "All decks"


def summary_lines(data: SummaryData) -> list[str]:
    """The figures, one line each."""
    share = f" ({round(100 * data.right_first_time / data.reviewed)}%)" if data.reviewed else ""
    repeats = data.grades - data.reviewed
    return [
        f"Cards reviewed        {data.reviewed} (this sitting)",
        f"Right on first try    {data.right_first_time}{share}",
        f"Repeats               {repeats}",
        f"Time spent            {format_elapsed(data.seconds)}",
    ]


class SummaryScreen(Screen[None]):
    """Session over: figures and the next 7 days."""

    CSS_PATH = "summary.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "app.quit", "Quit", id="summary.quit"),
        Binding("u", "undo", "Undo", id="summary.undo", tooltip="Take back the last grade"),
        Binding("escape", "app.quit", "Quit", show=False, id="summary.escape"),
    ]

    def __init__(self, data: SummaryData) -> None:
        super().__init__()
        self.data = data

    def action_undo(self) -> None:
        """Back to the review screen, taking the last grade back."""
        from studytool.tui.screens.review import ReviewScreen

        self.app.pop_screen()
        review = self.app.screen
        if isinstance(review, ReviewScreen):
            review.action_undo()

    def compose(self) -> ComposeResult:
        with Vertical(id="summary"):
            yield Static(Text("Session complete", style="bold"), id="summary-title")
            yield Static(Text("\n".join(summary_lines(self.data))), id="summary-figures")
            yield Static(
                Text(f"Reviews due in the next 7 days: {self.data.scope}"), id="forecast-title"
            )
            yield ForecastChart(self.data.forecast, self.data.today)
            yield Static(
                Text("q quits · u takes the last grade back · d another deck · t statistics"),
                id="summary-hint",
            )
        yield Footer()
