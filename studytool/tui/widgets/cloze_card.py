"""The cloze card view: context, the prompt with its ``[...]`` blank, the source, the answer box.

Every piece of note text is drawn as a literal ``Text`` (see :mod:`.literal`): a note that
contains ``[bold]`` or an ANSI escape shows those characters. Colours come from component
classes styled in ``app.tcss``; the views build their text in ``render`` so a theme change
restyles them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Input

from studytool.answer_compare import Comparison, Verdict, compare_answer
from studytool.tui.widgets.card_body import CardBody, Suggestion, register_card_body
from studytool.tui.widgets.literal import literal, one_line

if TYPE_CHECKING:
    from studytool.store.reviews import CardView

BLANK = "[...]"
#: Context entries beyond this many are folded into one breadcrumb line.
CONTEXT_LINES = 3


class ContextView(Widget):
    """Where the statement sits: the heading path and the parent bullets, outermost first."""

    DEFAULT_CSS = "ContextView { height: auto; }"
    COMPONENT_CLASSES: ClassVar[set[str]] = {"context--crumb", "context--separator"}

    def __init__(self, context: tuple[str, ...]) -> None:
        super().__init__()
        self.context = context
        self.display = bool(context)

    def render(self) -> Text:
        crumb = self.get_component_rich_style("context--crumb")
        separator = Text(" › ", style=self.get_component_rich_style("context--separator"))
        entries = list(self.context)
        lines: list[Text] = []
        if len(entries) > CONTEXT_LINES:
            folded = entries[: len(entries) - CONTEXT_LINES + 1]
            lines.append(separator.join(one_line(entry, crumb) for entry in folded))
            entries = entries[len(folded) :]
        else:
            lines.append(one_line(entries.pop(0), crumb))
        for depth, entry in enumerate(entries, start=1):
            lines.append(Text("  " * depth + "• ", end="") + literal(entry))
        return Text("\n", end="").join(lines)


class PromptView(Widget):
    """The prompt with its blank; once revealed, the whole statement with the answer marked."""

    DEFAULT_CSS = "PromptView { height: auto; }"
    COMPONENT_CLASSES: ClassVar[set[str]] = {"prompt--blank", "prompt--answer"}

    def __init__(self, card: CardView) -> None:
        super().__init__()
        self.card = card
        self.revealed = False

    def reveal(self) -> None:
        self.revealed = True
        self.refresh(layout=True)

    def render(self) -> Text:
        return self.revealed_text() if self.revealed else self.question_text()

    def question_text(self) -> Text:
        prompt = self.card.prompt
        text = literal(prompt)
        style = self.get_component_rich_style("prompt--blank")
        start = prompt.find(BLANK)
        while start >= 0:
            text.stylize(style, start, start + len(BLANK))
            start = prompt.find(BLANK, start + len(BLANK))
        return text

    def revealed_text(self) -> Text:
        card = self.card
        style = self.get_component_rich_style("prompt--answer")
        start, end = card.answer_start, card.answer_end
        if 0 <= start < end <= len(card.text) and card.text[start:end] == card.answer:
            text = literal(card.text)
            text.stylize(style, start, end)
            return text
        # The stored offsets do not fit (a scenario card, or an odd import): show both parts.
        return self.question_text() + Text("\n", end="") + literal(card.answer, style)


class SourceLine(Widget):
    """Where the card comes from (``note:line``), its deck and why it is shown now."""

    DEFAULT_CSS = "SourceLine { height: 1; }"
    COMPONENT_CLASSES: ClassVar[set[str]] = {"source--path", "source--meta"}

    QUEUE_WORDS: ClassVar[dict[str, str]] = {
        "new": "new card", "review": "review", "repeat": "again today",
        "learning": "learning step", "front": "undone",
    }  # fmt: skip

    def __init__(self, card: CardView) -> None:
        super().__init__()
        self.card = card

    def render(self) -> Text:
        card = self.card
        meta = self.get_component_rich_style("source--meta")
        text = one_line(f"{card.note}:{card.line}", self.get_component_rich_style("source--path"))
        text.append_text(one_line(f"  {card.deck}", meta))
        word = self.QUEUE_WORDS.get(card.queue_kind, card.queue_kind)
        text.append(f" · {word}", meta)
        return text


class ComparisonView(Widget):
    """After the reveal: how the typed answer compares, with the differences marked."""

    DEFAULT_CSS = "ComparisonView { height: auto; }"
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "comparison--exact", "comparison--close", "comparison--wrong", "comparison--label",
        "comparison--missing", "comparison--extra",
    }  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.comparison: Comparison | None = None
        self.display = False

    def show(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.display = True
        self.refresh(layout=True)

    def render(self) -> Text:
        comparison = self.comparison
        if comparison is None:
            return Text("")
        label = self.get_component_rich_style("comparison--label")
        verdict_style = self.get_component_rich_style(f"comparison--{comparison.verdict.value}")
        verdict = Text(verdict_words(comparison), style=verdict_style, end="")
        answer = literal(comparison.expected)
        missing = self.get_component_rich_style("comparison--missing")
        for span in comparison.expected_spans:
            answer.stylize(missing, span.start, span.end)
        typed = literal(comparison.typed)
        extra = self.get_component_rich_style("comparison--extra")
        for span in comparison.typed_spans:
            typed.stylize(extra, span.start, span.end)
        verdict.append(
            f"   Enter grades {comparison.suggested_grade}, or press 0-5",
            self.get_component_rich_style("comparison--label"),
        )
        lines = [verdict]
        if comparison.verdict is not Verdict.EXACT:
            lines.append(Text("You typed  ", style=label, end="") + typed)
            lines.append(Text("Answer     ", style=label, end="") + answer)
        return Text("\n", end="").join(lines)


def verdict_words(comparison: Comparison) -> str:
    """The verdict line: ``✓ exact``, ``≈ close: 1 typo`` or ``✗ wrong``."""
    if comparison.verdict is Verdict.EXACT:
        return "✓ exact"
    if comparison.verdict is Verdict.CLOSE:
        typos = "typo" if comparison.distance == 1 else "typos"
        return f"≈ close: {comparison.distance} {typos}"
    return "✗ wrong"


class AnswerInput(Input):
    """The answer box; Enter (shown in the footer) asks for the reveal."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Reveal", id="review.answer_submit"),
    ]


class ClozeCard(CardBody):
    """A cloze card: the question with its blank, an optional typed answer, the comparison."""

    def __init__(self, card: CardView, *, id: str | None = None) -> None:
        super().__init__(card, id=id)
        self.comparison: Comparison | None = None
        self.answer_input = AnswerInput(
            placeholder="type the answer (optional), Enter reveals", id="answer"
        )

    def compose(self) -> ComposeResult:
        yield ContextView(self.card.context)
        yield PromptView(self.card)
        yield SourceLine(self.card)
        self.answer_input.cursor_blink = getattr(self.app, "cursor_blink", True)
        yield self.answer_input
        yield ComparisonView()

    def focus_answer(self) -> None:
        if not self.revealed and self.answer_input.is_mounted:
            self.answer_input.focus()

    @property
    def answer_has_focus(self) -> bool:
        return self.answer_input.has_focus

    @property
    def typed_answer(self) -> str | None:
        value = self.answer_input.value
        return value if value.strip() else None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.AnswerSubmitted())

    def reveal(self) -> Suggestion | None:
        self.revealed = True
        typed = self.typed_answer
        answer_box = self.answer_input
        answer_box.disabled = True
        self.query_one(PromptView).reveal()
        if typed is None:
            answer_box.display = False
            return None
        self.comparison = compare_answer(typed, self.card.answer)
        self.query_one(ComparisonView).show(self.comparison)
        answer_box.display = False
        return Suggestion(
            grade=self.comparison.suggested_grade,
            verdict=self.comparison.verdict.value,
            correct=self.comparison.verdict is not Verdict.WRONG,
        )


register_card_body("cloze", ClozeCard)
