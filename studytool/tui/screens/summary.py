"""The end of a sitting: what was reviewed, how much was right first time, the week ahead.

:class:`SessionTally` is the app's running record of this sitting's grades (undo takes the last
one back); :class:`SummaryScreen` shows it with the 7-day forecast the review service computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from studytool.scheduling.sm2 import PASSING_QUALITY
from studytool.tui.widgets.forecast import ForecastChart
from studytool.tui.widgets.study_bar import format_elapsed


@dataclass
class SessionTally:
    """This sitting's grades, in order: ``(card id, quality)``."""

    started: datetime
    grades: list[tuple[int, int]] = field(default_factory=list)

    def record(self, card_id: int, quality: int) -> None:
        self.grades.append((card_id, quality))

    def take_back(self) -> None:
        """Forget the last grade (after an undo)."""
        if self.grades:
            self.grades.pop()

    @property
    def reviewed(self) -> int:
        """Distinct cards graded."""
        return len({card_id for card_id, _ in self.grades})

    @property
    def right_first_time(self) -> int:
        """Cards whose first grade in this sitting passed (quality >= 3)."""
        first: dict[int, int] = {}
        for card_id, quality in self.grades:
            first.setdefault(card_id, quality)
        return sum(1 for quality in first.values() if quality >= PASSING_QUALITY)


@dataclass(frozen=True)
class SummaryData:
    """What the summary screen shows (computed before it opens)."""

    reviewed: int
    right_first_time: int
    grades: int
    seconds: float
    forecast: Sequence[tuple[date, int]]
    today: date


def summary_lines(data: SummaryData) -> list[str]:
    """The figures, one line each."""
    share = f" ({round(100 * data.right_first_time / data.reviewed)}%)" if data.reviewed else ""
    repeats = data.grades - data.reviewed
    return [
        f"Cards reviewed        {data.reviewed}",
        f"Right on first try    {data.right_first_time}{share}",
        f"Repeats               {repeats}",
        f"Time spent            {format_elapsed(data.seconds)}",
    ]


class SummaryScreen(Screen[None]):
    """Session over: figures and the next 7 days."""

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
            yield Static(Text("Reviews due in the next 7 days"), id="forecast-title")
            yield ForecastChart(self.data.forecast, self.data.today)
            yield Static(
                Text("q quits · u takes the last grade back · d another deck · t statistics"),
                id="summary-hint",
            )
        yield Footer()
