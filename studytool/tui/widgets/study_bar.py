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
from textual.app import ComposeResult
from textual.containers import Horizontal
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


class ScopeLabel(Widget):
    """The app name and what is being studied (user text: drawn literally)."""

    DEFAULT_CSS = "ScopeLabel { height: 1; width: 1fr; }"
    COMPONENT_CLASSES: ClassVar[set[str]] = {"scope--app", "scope--name"}

    def __init__(self) -> None:
        super().__init__(id="scope")
        self.deck: str | None = None
        self.tag: str | None = None

    def set_scope(self, deck: str | None, tag: str | None) -> None:
        self.deck, self.tag = deck, tag
        self.refresh()

    def render(self) -> Text:
        text = Text("studytool  ", style=self.get_component_rich_style("scope--app"), end="")
        text.append_text(
            one_line(scope_text(self.deck, self.tag), self.get_component_rich_style("scope--name"))
        )
        text.no_wrap = True
        text.overflow = "ellipsis"
        return text


class CountsLabel(Widget):
    """Today's counts: due reviews, new cards left, cards done."""

    DEFAULT_CSS = "CountsLabel { height: 1; width: auto; }"
    COMPONENT_CLASSES: ClassVar[set[str]] = {"counts--due", "counts--new", "counts--done"}

    def __init__(self) -> None:
        super().__init__(id="counts")
        self.due: int | None = None
        self.new = 0
        self.done = 0

    def set_counts(self, due: int, new: int, done: int) -> None:
        self.due, self.new, self.done = due, new, done
        self.refresh(layout=True)

    def render(self) -> Text:
        if self.due is None:
            return Text("")
        text = Text(end="")
        text.append(f"Due {self.due}", self.get_component_rich_style("counts--due"))
        text.append("  ")
        text.append(f"New {self.new}", self.get_component_rich_style("counts--new"))
        text.append("  ")
        text.append(f"Done today {self.done}", self.get_component_rich_style("counts--done"))
        return text


class StudyHeader(Horizontal):
    """Top bar: scope on the left, counts on the right."""

    def compose(self) -> ComposeResult:
        yield ScopeLabel()
        yield CountsLabel()

    def set_scope(self, deck: str | None, tag: str | None) -> None:
        self.query_one(ScopeLabel).set_scope(deck, tag)

    def set_counts(self, due: int, new: int, done: int) -> None:
        self.query_one(CountsLabel).set_counts(due, new, done)


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
