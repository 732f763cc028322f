"""Answer widgets for scenario questions, one per kind of question.

- :class:`YesNoInput` (yes-no): **y** or **n** answers at once (or a click).
- :class:`ChoiceInput` (choice): **↑/↓** or the option's letter (or number) move the cursor,
  **Enter** answers.
- :class:`MultiInput` (multi): a letter (or number) or **space** on the cursor ticks and unticks,
  **Enter** answers (nothing ticked: "none").
- :class:`NumberInput` (number): a text field; the unit is shown beside it, other units are
  converted when the answer is checked.
- :class:`OrderInput` (order): **ctrl+↑/↓**, **alt+↑/↓** or **shift+↑/↓** move the step under
  the cursor; or type the letters in order (``b d a c``: each letter takes the next place,
  backspace takes the last one back); **Enter** answers.

While one of them has the focus it keeps every letter and digit (as the cloze answer box
does), so **Escape** is needed before single-key commands (skip, undo, quit). Each posts
:class:`ScenarioAnswered` with the answer as a person would type it (``yes``, ``b``, ``a, c``,
``b d a c``, ``2.5 Gbps``); :mod:`studytool.scenarios.answer_check` reads that text. Option
texts are model text and drawn literally.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

from studytool.scenarios.answer_check import label
from studytool.scenarios.study import answer_letters
from studytool.tui.widgets.literal import literal


class ScenarioAnswered(Message):
    """An answer was given: ``typed`` is what the checker reads."""

    def __init__(self, typed: str) -> None:
        super().__init__()
        self.typed = typed


class AnswerWidget(Widget, can_focus=True):
    """Base of the key-driven answer widgets: keeps letters and digits while focused."""

    answered: bool = False

    def submit(self, typed: str) -> None:
        if self.answered or self.disabled:
            return
        self.answered = True
        self.post_message(ScenarioAnswered(typed))
        self.refresh()

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Letters and digits are answers here (so the footer hides single-key commands)."""
        return character is not None and len(character) == 1 and character.isalnum()

    def on_key(self, event: events.Key) -> None:
        character = event.character or ""
        if len(character) == 1 and character.isalnum():
            event.stop()
            event.prevent_default()
            if not self.answered and not self.disabled:
                self.on_character(character.lower())

    def on_character(self, character: str) -> None:
        """A letter or digit was pressed (override)."""


class YesNoInput(AnswerWidget):
    """**y** / **n**."""

    DEFAULT_CSS = "YesNoInput { height: auto; }"
    COMPONENT_CLASSES: ClassVar[set[str]] = {"options--key", "options--chosen"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer('yes')", "Yes", id="scenario.yes"),
        Binding("n", "answer('no')", "No", id="scenario.no"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.chosen: str | None = None

    def action_answer(self, word: str) -> None:
        if not self.answered and not self.disabled:
            self.chosen = word
            self.submit(word)

    def on_character(self, character: str) -> None:
        if character in ("y", "n"):
            self.action_answer("yes" if character == "y" else "no")

    def on_click(self, event: events.Click) -> None:
        self.action_answer("yes" if event.x < self.size.width // 2 else "no")

    def render(self) -> Text:
        key = self.get_component_rich_style("options--key")
        chosen = self.get_component_rich_style("options--chosen")
        text = Text(end="")
        for word in ("yes", "no"):
            style = chosen if word == self.chosen else ""
            text.append(f" {word[0]} ", key)
            text.append(f" {word}   ", style)
        return text


class OptionsInput(AnswerWidget):
    """A list of options with a cursor (base of the choice, multi and order widgets)."""

    DEFAULT_CSS = "OptionsInput { height: auto; }"
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "options--cursor", "options--label", "options--eliminated", "options--mark",
    }  # fmt: skip
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        Binding("enter", "submit", "Answer", id="scenario.submit"),
    ]

    def __init__(self, options: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.options = list(options)
        self.order = list(range(len(options)))
        self.eliminated: set[int] = set()
        self.cursor = 0

    # Navigation
    def action_move(self, step: int) -> None:
        rows = len(self.order)
        if not rows or self.answered:
            return
        position = self.cursor
        for _ in range(rows):
            position = (position + step) % rows
            if self.order[position] not in self.eliminated:
                break
        self.cursor = position
        self.refresh()

    def action_jump(self, position: int) -> None:
        if self.order and not self.answered:
            self.cursor = position % len(self.order)
            if self.order[self.cursor] in self.eliminated:
                self.action_move(1 if position == 0 else -1)
            self.refresh()

    def option_of(self, character: str) -> int | None:
        """The option a letter (or a number) names, or None."""
        index = int(character) - 1 if character.isdigit() else ord(character) - ord("a")
        return index if 0 <= index < len(self.options) else None

    def ruled_out(self, option: int) -> bool:
        """Whether the hint ruled ``option`` out; if so, say so (its key does nothing else)."""
        if option not in self.eliminated:
            return False
        self.notify(
            f"{label(option)}) was ruled out by the hint: it is not right.",
            title="Ruled out", severity="warning", timeout=4,
        )  # fmt: skip
        return True

    def eliminate(self, option: int) -> None:
        """Rule an option out (a hint): it is drawn struck through and cannot be chosen."""
        self.eliminated.add(option)
        if self.order and self.order[self.cursor] == option:
            self.action_move(1)
        self.refresh(layout=True)

    def action_submit(self) -> None:
        if not self.answered and not self.disabled:
            self.submit(self.answer_text())

    def answer_text(self) -> str:
        raise NotImplementedError

    # Drawing
    def mark(self, option: int) -> str:
        """What stands before an option's label (override)."""
        return ""

    def render(self) -> Table:
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        cursor_style = self.get_component_rich_style("options--cursor")
        label_style = self.get_component_rich_style("options--label")
        gone = self.get_component_rich_style("options--eliminated")
        mark_style = self.get_component_rich_style("options--mark")
        for row, option in enumerate(self.order):
            here = row == self.cursor and self.has_focus and not self.answered
            pointer = Text("›" if here else " ", end="")
            mark = self.mark(option)
            if mark:
                pointer.append(f" {mark}", mark_style)
            pointer.append(f" {label(option)})", label_style)
            text = literal(self.options[option])
            if option in self.eliminated:
                text.stylize(gone)
            grid.add_row(pointer, text, style=cursor_style if here else None)
        return grid

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


class ChoiceInput(OptionsInput):
    """One option: move the cursor (or press its letter), Enter answers."""

    def on_character(self, character: str) -> None:
        option = self.option_of(character)
        if option is not None and not self.ruled_out(option):
            self.cursor = self.order.index(option)
            self.refresh()

    def mark(self, option: int) -> str:
        if not self.answered:
            return ""
        return "●" if self.order[self.cursor] == option else " "

    def answer_text(self) -> str:
        return label(self.order[self.cursor])


class MultiInput(OptionsInput):
    """Several options: space or a letter ticks, Enter answers."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle", "Tick", id="scenario.toggle"),
    ]

    def __init__(self, options: list[str], *, id: str | None = None) -> None:
        super().__init__(options, id=id)
        self.ticked: set[int] = set()

    def toggle(self, option: int) -> None:
        if option in self.eliminated or self.answered:
            return
        self.ticked.symmetric_difference_update({option})
        self.refresh()

    def action_toggle(self) -> None:
        if self.order:
            self.toggle(self.order[self.cursor])

    def on_character(self, character: str) -> None:
        option = self.option_of(character)
        if option is not None and not self.ruled_out(option):
            self.cursor = self.order.index(option)
            self.toggle(option)

    def eliminate(self, option: int) -> None:
        self.ticked.discard(option)
        super().eliminate(option)

    def mark(self, option: int) -> str:
        return "[x]" if option in self.ticked else "[ ]"

    def answer_text(self) -> str:
        return answer_letters(sorted(self.ticked))


class OrderInput(OptionsInput):
    """Steps in order: move them, or type their letters in order; Enter answers."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+up,alt+up,shift+up", "shift(-1)", "Move up", id="scenario.move_up"),
        Binding("ctrl+down,alt+down,shift+down", "shift(1)", "Move down",
                id="scenario.move_down"),
        Binding("backspace", "take_back", "Take back", show=False),
    ]  # fmt: skip

    def __init__(self, options: list[str], *, id: str | None = None) -> None:
        super().__init__(options, id=id)
        self.typed: list[int] = []

    def action_shift(self, step: int) -> None:
        """Move the step under the cursor up or down one place."""
        target = self.cursor + step
        if self.answered or not 0 <= target < len(self.order):
            return
        self.order[self.cursor], self.order[target] = self.order[target], self.order[self.cursor]
        self.cursor = target
        self.typed = []
        self.refresh()

    def on_character(self, character: str) -> None:
        option = self.option_of(character)
        if option is None or option in self.typed:
            return
        self.typed.append(option)
        self.order = self.typed + [o for o in self.order if o not in self.typed]
        self.cursor = len(self.typed) - 1
        self.refresh()

    def action_take_back(self) -> None:
        if self.typed and not self.answered:
            self.typed.pop()
            self.cursor = max(0, len(self.typed) - 1)
            self.refresh()

    def mark(self, option: int) -> str:
        return f"{self.order.index(option) + 1}."

    def answer_text(self) -> str:
        return " ".join(label(option) for option in self.order)


class NumberInput(Input):
    """A number, with or without a unit; Enter answers (empty: reveal without an answer)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Answer", id="scenario.number_submit"),
    ]

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Everything printable but ``?`` (the hint key) is typed into the field."""
        return character != "?" and super().check_consume_key(key, character)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.post_message(ScenarioAnswered(event.value.strip()))
        else:
            from studytool.tui.widgets.card_body import CardBody

            self.post_message(CardBody.AnswerSubmitted())


__all__ = [
    "AnswerWidget",
    "ChoiceInput",
    "MultiInput",
    "NumberInput",
    "OptionsInput",
    "OrderInput",
    "ScenarioAnswered",
    "YesNoInput",
]
