"""The six grades under a revealed card: key, label, and when the card would come back.

The labels follow SM-2's quality scale (0 blackout ... 5 perfect; the full wording is each
key's tooltip). The suggested grade (from a typed answer) is marked; clicking a key grades.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

if TYPE_CHECKING:
    from studytool.tui.desk import ComesBack

GRADE_LABELS: dict[int, str] = {
    0: "blackout",
    1: "wrong",
    2: "nearly",
    3: "hard",
    4: "good",
    5: "perfect",
}
GRADE_DESCRIPTIONS: dict[int, str] = {
    0: "0: complete blackout",
    1: "1: wrong, but I remembered it on seeing the answer",
    2: "2: wrong, but the answer seemed easy to recall",
    3: "3: right, with serious difficulty",
    4: "4: right, after some hesitation",
    5: "5: perfect recall",
}


def until(back: ComesBack | None, now: datetime) -> str:
    """A short "comes back in" text: ``10m`` or ``2h`` later today, ``today`` (a repeat in
    this sitting), then study days: ``1d``, ``17d``, ``4mo``, ``2y``."""
    if back is None:
        return ""
    if back.days <= 0:
        minutes = math.ceil((back.due - now).total_seconds() / 60)
        if minutes <= 0:
            return "today"
        return f"{minutes}m" if minutes < 60 else f"{round(minutes / 60)}h"
    if back.days < 60:
        return f"{back.days}d"
    if back.days < 730:
        return f"{round(back.days / 30.4)}mo"
    return f"{back.days / 365:.1f}y".replace(".0y", "y")


#: how "comes back in" reads under a key: dimmer than the label, on the key's background
INTERVAL_STYLE = Style(dim=True)


class GradeBar(Widget):
    """The six grade keys in one widget (shown once the answer is revealed; dimmed before).

    One widget draws all six keys: a widget per key made up a quarter of the review app's
    start-up. Each key is a cell of two lines (``3 hard`` and when the card would come back),
    the cells spread over the bar's width with a column between them. The suggested grade is
    highlighted; the class ``-waiting`` dims every key until the answer is revealed. Clicking
    a key posts :class:`GradeBar.Chosen`; hovering one shows its full description.
    """

    DEFAULT_CSS = """
    GradeBar > .grade-bar--key { background: $boost; }
    GradeBar > .grade-bar--hover { background: $primary 30%; }
    GradeBar > .grade-bar--suggested { background: $accent 45%; text-style: bold; }
    GradeBar > .grade-bar--waiting { color: $text-disabled; background: $boost; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "grade-bar--key",
        "grade-bar--hover",
        "grade-bar--suggested",
        "grade-bar--waiting",
    }
    #: columns between two keys
    GAP = 1
    #: the keys never spread wider than this (they are centred on wide terminals)
    MAX_WIDTH = 112

    class Chosen(Message):
        """A grade key was clicked."""

        def __init__(self, quality: int) -> None:
            super().__init__()
            self.quality = quality

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.suggested: int | None = None
        self.intervals: dict[int, str] = dict.fromkeys(GRADE_LABELS, "")
        self.hovered: int | None = None

    def show(
        self,
        suggested: int | None = None,
        due_by_grade: Mapping[int, ComesBack | None] | None = None,
        now: datetime | None = None,
    ) -> None:
        """Label every key, mark ``suggested``, and show when each grade brings the card back."""
        self.suggested = suggested
        found = due_by_grade or {}
        self.intervals = {
            quality: until(found.get(quality), now) if now is not None else ""
            for quality in GRADE_LABELS
        }
        self.refresh()

    def key_label(self, quality: int) -> str:
        """What the key for ``quality`` reads: ``5 perfect`` and, once known, ``1d``."""
        interval = self.intervals.get(quality, "")
        label = f"{quality} {GRADE_LABELS[quality]}"
        return f"{label}\n{interval}" if interval else label

    def cells(self, width: int | None = None) -> list[tuple[int, int, int]]:
        """``(quality, first column, width)`` of each key across ``width`` columns (centred,
        at most :attr:`MAX_WIDTH` wide)."""
        width = self.content_size.width if width is None else width
        used = min(width, self.MAX_WIDTH)
        count = len(GRADE_LABELS)
        base, extra = divmod(max(count, used - self.GAP * (count - 1)), count)
        cells, column = [], max(0, (width - used) // 2)
        for index, quality in enumerate(GRADE_LABELS):
            size = base + (1 if index < extra else 0)
            cells.append((quality, column, size))
            column += size + self.GAP
        return cells

    def quality_at(self, x: int) -> int | None:
        """The grade whose key is drawn at column ``x`` of the content, or None (a gap)."""
        for quality, start, size in self.cells():
            if start <= x < start + size:
                return quality
        return None

    def _key_style(self, quality: int) -> Style:
        if self.has_class("-waiting"):
            return self.get_component_rich_style("grade-bar--waiting")
        if quality == self.suggested:
            return self.get_component_rich_style("grade-bar--suggested")
        if quality == self.hovered:
            return self.get_component_rich_style("grade-bar--hover")
        return self.get_component_rich_style("grade-bar--key")

    def render(self) -> Text:
        top, bottom = Text(end=""), Text(end="")
        for quality, start, size in self.cells():
            style = self._key_style(quality)
            top.append(" " * (start - top.cell_len))
            bottom.append(" " * (start - bottom.cell_len))
            top.append_text(_key_text(quality, size, style))
            bottom.append(
                self.intervals.get(quality, "")[:size].center(size), style + INTERVAL_STYLE
            )
        return Text("\n", end="").join([top, bottom])

    def on_mouse_move(self, event: events.MouseMove) -> None:
        quality = self.quality_at(event.x)
        if quality != self.hovered:
            self.hovered = quality
            self.tooltip = GRADE_DESCRIPTIONS[quality] if quality is not None else None
            self.refresh()

    def on_leave(self) -> None:
        if self.hovered is not None:
            self.hovered = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        quality = self.quality_at(event.x)
        if quality is not None:
            self.post_message(GradeBar.Chosen(quality))


def _key_text(quality: int, size: int, style: Style) -> Text:
    """``3 hard`` centred in ``size`` columns, the digit in bold."""
    label = f"{quality} {GRADE_LABELS[quality]}"[:size]
    left = (size - len(label)) // 2
    text = Text(" " * left, style, end="")
    text.append(label[:1], style + Style(bold=True))
    text.append(label[1:], style)
    text.append(" " * (size - len(label) - left), style)
    return text
