"""The deck picker (**d**): every deck with what is due and new today; Enter switches to it.

The counts of every deck are read in one pass, in a thread, once the names are listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option

from studytool.tui.desk import DeckRow
from studytool.tui.widgets.literal import one_line

if TYPE_CHECKING:
    from studytool.tui.app import StudyApp


@dataclass(frozen=True)
class DeckChoice:
    """The deck picked (None: all decks)."""

    deck: str | None


#: Longest deck name column before names are cut with an ellipsis.
NAME_WIDTH_MAX = 40


def deck_label(row: DeckRow) -> str:
    """The deck's last name part, indented by its depth (``All decks`` for no deck)."""
    if row.deck is None:
        return row.label
    return "  " * row.deck.count("/") + row.deck.rsplit("/", 1)[-1]


def deck_prompt(row: DeckRow, name_width: int) -> Text:
    """``  Networking        12 due   20 new`` with the name drawn literally.

    Counts not known yet (still being read) show as ``…``.
    """
    name = one_line(deck_label(row), "bold" if row.deck is None else "")
    name.truncate(name_width, overflow="ellipsis", pad=True)
    if row.due is None or row.new is None:
        name.append("      … due     … new", style="dim")
        return name
    counts = f"  {row.due:>5} due {row.new:>5} new"
    name.append(counts, style="dim" if row.due == 0 and row.new == 0 else "")
    return name


class DeckPickerScreen(ModalScreen[DeckChoice | None]):
    """Pick the deck to study."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_picker", "Close", id="decks.close")
    ]

    def __init__(self, current: str | None = None) -> None:
        super().__init__()
        self.current = current
        self.rows: list[DeckRow] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="deck-picker", classes="dialog"):
            yield Static("Study which deck?", classes="dialog-title")
            yield LoadingIndicator()
            yield OptionList(id="deck-list")
            yield Static("Enter picks · Esc closes", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False
        self.run_worker(self.load(), exclusive=True)

    async def load(self) -> None:
        """Deck names first (the list is usable at once), then every deck's counts in one pass."""
        app: StudyApp = self.app  # type: ignore[assignment]
        desk = await app.open_desk()
        self.rows = [DeckRow(deck) for deck in await app.call(desk.deck_tree)]
        options = self.query_one(OptionList)
        width = min(NAME_WIDTH_MAX, max(len(deck_label(row)) for row in self.rows))
        options.add_options(
            Option(deck_prompt(row, width), id=f"deck-{index}") for index, row in
            enumerate(self.rows)
        )  # fmt: skip
        self.query_one(LoadingIndicator).display = False
        options.display = True
        current = next((i for i, r in enumerate(self.rows) if r.deck == self.current), 0)
        options.highlighted = current
        options.focus()
        self.rows = await app.call(desk.deck_rows, [row.deck for row in self.rows])
        for index, row in enumerate(self.rows):
            options.replace_option_prompt_at_index(index, deck_prompt(row, width))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(DeckChoice(self.rows[event.option_index].deck))

    def action_dismiss_picker(self) -> None:
        self.dismiss(None)
