"""The six grades under a revealed card: key, label, and when the card would come back.

The labels follow SM-2's quality scale (0 blackout ... 5 perfect; the full wording is each
key's tooltip). The suggested grade (from a typed answer) is marked; clicking a key grades.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static

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


def until(due: datetime | None, now: datetime) -> str:
    """A short "comes back in" text: ``today``, ``1d``, ``17d``, ``4mo``, ``2y``."""
    if due is None:
        return ""
    days = math.ceil((due - now).total_seconds() / 86400)
    if days <= 0:
        return "today"
    if days < 60:
        return f"{days}d"
    if days < 730:
        return f"{round(days / 30.4)}mo"
    return f"{days / 365:.1f}y".replace(".0y", "y")


class GradeKey(Static):
    """One grade: its key and label, and the interval it would give."""

    def __init__(self, quality: int) -> None:
        super().__init__(id=f"grade-{quality}", classes="grade-key")
        self.quality = quality
        self.tooltip = GRADE_DESCRIPTIONS[quality]

    def show(self, interval: str) -> None:
        text = Text(f"{self.quality} ", style="bold", end="")
        text.append(GRADE_LABELS[self.quality])
        if interval:
            text.append(f"\n{interval}", style="dim")
        self.update(text)

    def on_click(self) -> None:
        self.post_message(GradeBar.Chosen(self.quality))


class GradeBar(Horizontal):
    """The row of grade keys (shown once the answer is revealed)."""

    class Chosen(Message):
        """A grade key was clicked."""

        def __init__(self, quality: int) -> None:
            super().__init__()
            self.quality = quality

    def compose(self) -> ComposeResult:
        for quality in GRADE_LABELS:
            yield GradeKey(quality)

    def on_mount(self) -> None:
        self.show()

    def show(
        self,
        suggested: int | None = None,
        due_by_grade: Mapping[int, datetime | None] | None = None,
        now: datetime | None = None,
    ) -> None:
        """Label every key, mark ``suggested``, and show when each grade brings the card back."""
        for key in self.query(GradeKey):
            due = (due_by_grade or {}).get(key.quality)
            key.show(until(due, now) if now is not None else "")
            key.set_class(key.quality == suggested, "-suggested")
