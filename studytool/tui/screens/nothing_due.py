"""Shown when nothing is due: when the next card is, and a choice to study ahead or quit.

Study ahead (**a**) is offered only when it would bring a card; otherwise the dialog says why
(the cards due next were studied today, and no new card is left for today).

Given the app's clock, the dialog watches the next due moment: a timer set for it, and a check
every few seconds (the clock may jump, a laptop may sleep), close the dialog with :data:`DUE`
once the moment has passed, and the wait it shows is kept up to date meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
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
DUE = "due"  # the next card's due moment passed while the dialog was open
#: seconds between two looks at the clock while the dialog waits for the next due card
CHECK_EVERY = 5.0
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
        self,
        scope: str,
        next_due: datetime | None,
        now: datetime,
        *,
        can_study_ahead: bool,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.scope = scope
        self.next_due = next_due
        self.now = now
        #: whether studying ahead would bring a card (never without a next due card)
        self.can_study_ahead = can_study_ahead and next_due is not None
        #: the app's clock; None: the dialog does not watch the next due moment
        self.clock = clock
        self._choice_made = False

    @property
    def watches(self) -> bool:
        """Whether the dialog closes by itself at the next due moment (one still to come when
        it opened: a moment already past would only open the dialog again and again)."""
        return self.clock is not None and self.next_due is not None and self.next_due > self.now

    def on_mount(self) -> None:
        if not self.watches or self.clock is None or self.next_due is None:
            return
        wait = (self.next_due - self.clock()).total_seconds()
        self.set_timer(max(0.0, wait) + 0.5, self.check_due, name="next-due")
        self.set_interval(CHECK_EVERY, self.check_due, name="next-due-check")

    def check_due(self) -> bool:
        """Close the dialog with :data:`DUE` if the next card is due now (True when it did);
        otherwise bring the wait shown up to date."""
        if self._choice_made or not self.watches or self.clock is None or self.next_due is None:
            return False
        now = self.clock()
        if now >= self.next_due:
            self.call_later(self._close, DUE)  # from the dialog's own message loop
            return True
        self.now = now.astimezone(self.now.tzinfo) if self.now.tzinfo else now
        self.query_one("#nothing-due-message", Static).update(self.message())
        return False

    def _close(self, choice: str) -> None:
        if not self._choice_made:
            self._choice_made = True
            self.dismiss(choice)

    def message(self) -> Text:
        """What the dialog says: nothing is due in the scope, and when the next card is."""
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
        return message

    def compose(self) -> ComposeResult:
        message = self.message()
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
        self._close(event.button.id or QUIT)

    def action_choose(self, choice: str) -> None:
        self._close(choice)
