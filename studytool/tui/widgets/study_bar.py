"""The bars around a card: what is being studied and today's counts (top), progress (bottom).

:class:`StudyHeader` shows the scope (deck, tag) and the due/new/done counts of the study day;
:class:`SessionProgress` shows this sitting's reviewed/remaining cards and the elapsed time,
read from the app's clock once a second.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.widget import Widget

from studytool.tui.widgets.literal import one_line


def format_elapsed(seconds: float) -> str:
    """``m:ss`` under an hour, ``h:mm:ss`` above."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def scope_text(deck: str | None, tag: str | None) -> str:
    """``AWS/Networking · #colour/orange``, or ``All decks``."""
    parts = [deck or "All decks"]
    if tag:
        parts.append(f"#{tag}")
    return " · ".join(parts)


class StudyHeader(Widget):
    """Top bar: the app name and the scope on the left, today's counts on the right.

    One widget draws both halves (user text in the scope is drawn literally); when the bar is
    too narrow for both, the scope is shortened with an ellipsis and the counts stay whole.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "header--app", "header--scope", "header--due", "header--new", "header--done",
    }  # fmt: skip

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.deck: str | None = None
        self.tag: str | None = None
        self.counts: tuple[int, int, int] | None = None

    def set_scope(self, deck: str | None, tag: str | None) -> None:
        self.deck, self.tag = deck, tag
        self.refresh()

    def set_counts(self, due: int, new: int, done: int) -> None:
        self.counts = (due, new, done)
        self.refresh()

    def counts_text(self) -> Text:
        """``Due 3  New 20  Done today 7`` (empty before the counts are known)."""
        text = Text(end="")
        if self.counts is None:
            return text
        due, new, done = self.counts
        text.append(f"Due {due}", self.get_component_rich_style("header--due"))
        text.append("  ")
        text.append(f"New {new}", self.get_component_rich_style("header--new"))
        text.append("  ")
        text.append(f"Done today {done}", self.get_component_rich_style("header--done"))
        return text

    def render(self) -> Text:
        counts = self.counts_text()
        room = max(0, self.content_size.width - counts.cell_len - (2 if counts else 0))
        left = Text("studytool  ", style=self.get_component_rich_style("header--app"), end="")
        left.append_text(
            one_line(
                scope_text(self.deck, self.tag), self.get_component_rich_style("header--scope")
            )
        )
        left.truncate(room, overflow="ellipsis", pad=True)
        if counts:
            left.append("  ")
            left.append_text(counts)
        left.no_wrap = True
        return left


class SessionProgress(Widget):
    """``3 reviewed · 26 left · 2:15``: this sitting's progress and elapsed time."""

    DEFAULT_CSS = "SessionProgress { height: 1; }"

    def __init__(self, clock: Callable[[], datetime], started: datetime) -> None:
        super().__init__(id="progress")
        self.clock = clock
        self.started = started
        self.reviewed = 0
        self.remaining: int | None = None

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh)

    def set_progress(self, reviewed: int, remaining: int) -> None:
        self.reviewed, self.remaining = reviewed, remaining
        self.refresh()

    def restart(self, started: datetime) -> None:
        self.started = started
        self.refresh()

    def render(self) -> Text:
        elapsed = format_elapsed((self.clock() - self.started).total_seconds())
        left = "" if self.remaining is None else f" · {self.remaining} left"
        return Text(f"{self.reviewed} reviewed{left} · {elapsed}", justify="right", end="")
