"""Shown when nothing is due: when the next card is, and a choice to study ahead or quit.

Study ahead (**a**) is offered only when it would bring a card; otherwise the dialog says why
(the cards due next were studied today, and no new card is left for today).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from studytool.tui.widgets.literal import one_line

AHEAD = "ahead"
DECKS = "decks"
QUIT = "quit"
NOTHING_AHEAD = (
    "Nothing to study ahead: cards studied today wait for their day, "
    "and no new card is left for today."
)


def describe_wait(next_due: datetime, now: datetime) -> str:
    """``today at 16:00 (in 2h 30m)``, ``tomorrow at 04:00 (in 18h)``, ``Mon 09 Mar at 04:00``."""
    local_due = next_due.astimezone(now.tzinfo) if now.tzinfo else next_due
    wait = next_due - now
    if wait <= timedelta(0):
        return "now"
    day_gap = (local_due.date() - now.date()).days
    clock = local_due.strftime("%H:%M")
    if day_gap == 0:
        when = f"today at {clock}"
    elif day_gap == 1:
        when = f"tomorrow at {clock}"
    else:
        when = f"{local_due.strftime('%a %d %b')} at {clock}"
    return f"{when} (in {_span(wait)})"


def _span(wait: timedelta) -> str:
    minutes = int(wait.total_seconds() // 60)
    if minutes < 60:
        return f"{max(1, minutes)}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m" if minutes else f"{hours}h"
    return f"{round(hours / 24)} days"


class NothingDueScreen(ModalScreen[str]):
    """Nothing to study now: study ahead (a), pick another deck (d) or quit (q)."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "choose('ahead')", "Study ahead", id="nothing_due.ahead"),
        Binding("d", "choose('decks')", "Decks", id="nothing_due.decks"),
        Binding("q", "choose('quit')", "Quit", id="nothing_due.quit"),
        Binding("escape", "choose('quit')", "Quit", show=False, id="nothing_due.escape"),
    ]

    def __init__(
        self, scope: str, next_due: datetime | None, now: datetime, *, can_study_ahead: bool
    ) -> None:
        super().__init__()
        self.scope = scope
        self.next_due = next_due
        self.now = now
        #: whether studying ahead would bring a card (never without a next due card)
        self.can_study_ahead = can_study_ahead and next_due is not None

    def compose(self) -> ComposeResult:
        message = Text("Nothing is due in ", end="")
        message.append_text(one_line(self.scope, "bold"))
        message.append(".\n")
        if self.next_due is None:
            message.append("There are no cards here yet: import notes, or pick another deck.")
        else:
            wait = describe_wait(self.next_due, self.now)
            message.append(f"The next card is due {wait}.")
            if not self.can_study_ahead:
                message.append(f"\n{NOTHING_AHEAD}")
        with Vertical(id="nothing-due", classes="dialog"):
            yield Static("All done for now", classes="dialog-title")
            yield Static(message, id="nothing-due-message")
            with Horizontal(classes="dialog-buttons"):
                if self.can_study_ahead:
                    yield Button("Study ahead (a)", id=AHEAD, variant="primary")
                yield Button("Other deck (d)", id=DECKS)
                yield Button("Quit (q)", id=QUIT)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "choose" and parameters == (AHEAD,) and not self.can_study_ahead)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id or QUIT)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
