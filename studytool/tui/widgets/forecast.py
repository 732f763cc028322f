"""A small bar chart of the reviews falling due on each of the next days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual.widget import Widget

#: Widest bar, in cells.
BAR_WIDTH = 30


def forecast_lines(days: Sequence[tuple[date, int]], today: date | None = None) -> list[str]:
    """One ``Mon 02 Mar   12 ██████`` line per day, bars scaled to the busiest day."""
    busiest = max((count for _day, count in days), default=0)
    lines = []
    for day, count in days:
        name = "Today" if day == today else day.strftime("%a %d %b")
        width = 0 if busiest == 0 else max(1 if count else 0, round(count / busiest * BAR_WIDTH))
        lines.append(f"{name:<10} {count:>5} {'█' * width}".rstrip())
    return lines


class ForecastChart(Widget):
    """The forecast as text bars (no plotting dependency on the review path)."""

    DEFAULT_CSS = "ForecastChart { height: auto; }"
    COMPONENT_CLASSES: ClassVar[set[str]] = {"forecast--bar"}

    def __init__(self, days: Sequence[tuple[date, int]], today: date | None = None) -> None:
        super().__init__()
        self.days = list(days)
        self.today = today

    def render(self) -> Text:
        bar = self.get_component_rich_style("forecast--bar")
        lines = []
        for line in forecast_lines(self.days, self.today):
            text = Text(line, end="")
            start = line.find("█")
            if start >= 0:
                text.stylize(bar, start)
            lines.append(text)
        return Text("\n", end="").join(lines) if lines else Text("No reviews scheduled.")
