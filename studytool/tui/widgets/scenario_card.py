"""The scenario card view: a fresh question each showing, an answer widget, the model's verdict.

Imported by :func:`~studytool.tui.widgets.card_body.card_body_for` the first time a card of
kind ``"scenario"`` is shown. :class:`ScenarioCard` asks :mod:`studytool.scenarios.study` for
the question this showing poses (a template draws a new situation from a seed; a note block
poses its next ``ask``), shows it with the answer widget of its kind
(:mod:`.scenario_inputs`), offers one hint (**?**), and on the reveal checks the answer:
right or wrong with the right answer, the model's reasons, and every rule with the note
statement it tests (``note:line: text``). The suggested grade (5, 4 when slow, 3 after a
hint, 1 when wrong) goes to the screen with the log detail (question, seed, typed, expected).

The seed comes from the app's ``seed_source`` (a callable taking the card) when it has one,
else from the card id, its review count and the app's clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget

from studytool.scenarios.answer_check import (
    CheckResult,
    check_answer,
    expected_display,
    unit_of,
)
from studytool.scenarios.study import (
    NOTE,
    Hint,
    PosedQuestion,
    ScenarioCardError,
    citations,
    hint_for,
    log_detail,
    pose,
    question_seed,
    slow_after_seconds,
    suggested_grade,
)
from studytool.tui.widgets.card_body import CardBody, Suggestion, register_card_body
from studytool.tui.widgets.grade_bar import GRADE_LABELS
from studytool.tui.widgets.literal import literal, one_line
from studytool.tui.widgets.scenario_inputs import (
    ChoiceInput,
    MultiInput,
    NumberInput,
    OptionsInput,
    OrderInput,
    ScenarioAnswered,
    YesNoInput,
)

if TYPE_CHECKING:
    from studytool.scenarios.templates.base import Question
    from studytool.store.reviews import CardView

QUEUE_WORDS: dict[str, str] = {
    "new": "new card", "review": "review", "repeat": "again today",
    "learning": "learning step", "front": "undone", "practice": "extra practice, not scheduled",
}  # fmt: skip

KEY_HELP: dict[str, str] = {
    "yes-no": "y yes · n no · ? hint · Esc leaves the answer",
    "choice": "↑/↓ or a letter chooses · Enter answers · ? hint",
    "multi": "space or a letter ticks · Enter answers (nothing ticked: none) · ? hint",
    "number": "Enter answers · ? hint · Esc leaves the answer",
    "order": "ctrl/alt/shift+↑/↓ move a step, or type the letters in order · Enter answers",
}


class ScenarioHeading(Widget):
    """The scenario's title, and where the card comes from (template or note:line)."""

    DEFAULT_CSS = "ScenarioHeading { height: auto; }"
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "heading--kind", "heading--title", "heading--source", "heading--meta",
    }  # fmt: skip

    def __init__(self, card: CardView, posed: PosedQuestion | None) -> None:
        super().__init__()
        self.card = card
        self.posed = posed

    def render(self) -> Text:
        card, posed = self.card, self.posed
        kind = self.get_component_rich_style("heading--kind")
        meta = self.get_component_rich_style("heading--meta")
        title = Text("Scenario  ", style=kind, end="")
        title.append_text(one_line(posed.title if posed else card.prompt,
                                   self.get_component_rich_style("heading--title")))  # fmt: skip
        if posed is not None and posed.source == NOTE and posed.ask_count > 1:
            title.append(f"  · question {posed.ask_index + 1} of {posed.ask_count}", meta)
        if posed is not None and posed.source == NOTE:
            where = f"{posed.note or card.note}:{posed.line or card.line}"
        elif posed is not None and posed.template:
            where = f"template {posed.template}"
        else:
            where = f"{card.note}:{card.line}" if card.note else "scenario"
        source = one_line(where, self.get_component_rich_style("heading--source"))
        source.append_text(one_line(f"  {card.deck}", meta))
        source.append(f" · {QUEUE_WORDS.get(card.queue_kind, card.queue_kind)}", meta)
        return Text("\n", end="").join([title, source])


class SituationView(Widget):
    """A note block's situation, as the user wrote it (literal YAML)."""

    DEFAULT_CSS = "SituationView { height: auto; }"

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self) -> Text:
        return literal(self.text)


class QuestionView(Widget):
    """The question in plain English (model text, drawn literally)."""

    DEFAULT_CSS = "QuestionView { height: auto; }"

    def __init__(self, question: Question) -> None:
        super().__init__()
        self.question = question

    def render(self) -> Text:
        text = literal(self.question.question)
        unit = self.question.unit
        if self.question.kind == "number" and unit:
            if unit_of(unit) is not None:
                text.append(f"\nAnswer in {unit} (other units are converted).", "dim")
            else:
                text.append(f"\nAnswer with a number of {unit}.", "dim")
        return text


class KeysHelp(Widget):
    """Which keys answer this kind of question."""

    DEFAULT_CSS = "KeysHelp { height: auto; }"

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def render(self) -> Text:
        return Text(KEY_HELP.get(self.kind, ""), end="")


class HintView(Widget):
    """The hint, once asked for."""

    DEFAULT_CSS = "HintView { height: auto; }"
    COMPONENT_CLASSES: ClassVar[set[str]] = {"hint--label"}

    def __init__(self) -> None:
        super().__init__()
        self.hint: Hint | None = None
        self.display = False

    def show(self, hint: Hint) -> None:
        self.hint = hint
        self.display = True
        self.refresh(layout=True)

    def render(self) -> Text:
        if self.hint is None:
            return Text("")
        text = Text("Hint  ", style=self.get_component_rich_style("hint--label"), end="")
        return text + literal(self.hint.text)


class ResultView(Widget):
    """After the answer: right or wrong, the answer, the reasons, the rules and their notes."""

    DEFAULT_CSS = "ResultView { height: auto; }"
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "result--right", "result--wrong", "result--label", "result--rule", "result--heading",
    }  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[RenderableType] | None = None
        self.display = False

    def show(self, parts: list[RenderableType]) -> None:
        self.parts = parts
        self.display = True
        self.refresh(layout=True)

    def style(self, name: str) -> Any:
        return self.get_component_rich_style(f"result--{name}")

    def render(self) -> RenderableType:
        parts = []
        for part in self.parts or []:
            if isinstance(part, Text):
                part = part.copy()
                part.end = "\n"
            parts.append(part)
        return Group(*parts)

    @property
    def plain(self) -> str:
        """The verdict as plain text (tests, screen readers)."""
        from rich.console import Console

        console = Console(width=max(20, self.size.width or 100), record=True, file=StringIO())
        console.print(self.render())
        return console.export_text()


def bullets(items: list[Text]) -> Table:
    """A bulleted list whose wrapped lines stay indented under their text."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for item in items:
        grid.add_row(" •", item)
    return grid


class ScenarioProblem(Widget):
    """A scenario card that cannot pose its question (shown, not raised)."""

    DEFAULT_CSS = "ScenarioProblem { height: auto; }"

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def render(self) -> Text:
        text = Text("This scenario cannot be asked now:\n", end="")
        text.append_text(literal(self.message))
        text.append("\nGrade it yourself, skip it (s) or fix the note and import it again.")
        return text


def input_for(question: Question) -> Widget:
    """The answer widget for the question's kind."""
    kind = question.kind
    choices = list(question.choices or [])
    if kind == "yes-no":
        return YesNoInput(id="scenario-answer")
    if kind == "choice":
        return ChoiceInput(choices, id="scenario-answer")
    if kind == "multi":
        return MultiInput(choices, id="scenario-answer")
    if kind == "order":
        return OrderInput(choices, id="scenario-answer")
    placeholder = f"a number{f' in {question.unit}' if question.unit else ''}, Enter answers"
    return NumberInput(placeholder=placeholder, id="scenario-answer")


class ScenarioCard(CardBody):
    """A scenario card: the question of this showing, its answer widget, the verdict."""

    #: its rules and its answer widgets' (read when the first scenario card is shown)
    DEFAULT_CSS = (Path(__file__).with_name("scenario_card.tcss")).read_text(encoding="utf-8")

    def __init__(self, card: CardView, *, id: str | None = None) -> None:
        super().__init__(card, id=id)
        self.posed: PosedQuestion | None = None
        self.error: str | None = None
        self.answer_widget: Widget | None = None
        self.typed: str | None = None
        self.given_hint: Hint | None = None
        self.shown_at: datetime | None = None
        self.answered_at: datetime | None = None
        self.result: CheckResult | None = None

    # Posing ---------------------------------------------------------------------------------
    def now(self) -> datetime:
        clock = getattr(self.app, "clock", None)
        return datetime.now(UTC) if clock is None else clock()

    def draw_seed(self) -> int:
        source = getattr(self.app, "seed_source", None)
        if source is not None:
            return int(source(self.card))
        return question_seed(self.card.id, self.card.reps, self.now())

    def pose_question(self) -> None:
        card = self.card
        try:
            self.posed = pose(card.extra, self.draw_seed(), card.reps, card.note, card.line,
                              card.prompt)  # fmt: skip
        except ScenarioCardError as error:
            self.posed, self.error = None, str(error)

    def compose(self) -> ComposeResult:
        self.pose_question()
        yield ScenarioHeading(self.card, self.posed)
        if self.posed is None:
            yield ScenarioProblem(self.error or "unknown problem")
            return
        if self.posed.situation:
            yield SituationView(self.posed.situation)
        question = self.posed.question
        yield QuestionView(question)
        self.answer_widget = input_for(question)
        if isinstance(self.answer_widget, NumberInput):
            self.answer_widget.cursor_blink = getattr(self.app, "cursor_blink", True)
        yield self.answer_widget
        yield KeysHelp(question.kind)
        yield HintView()
        yield ResultView()

    def on_mount(self) -> None:
        self.shown_at = self.now()

    # The contract with the review screen ------------------------------------------------------
    def focus_answer(self) -> None:
        if not self.revealed and self.answer_widget is not None and self.answer_widget.is_mounted:
            self.answer_widget.focus(scroll_visible=False)  # the question's top stays in view

    @property
    def answer_has_focus(self) -> bool:
        return self.answer_widget is not None and self.answer_widget.has_focus

    @property
    def typed_answer(self) -> str | None:
        return self.typed

    @property
    def can_hint(self) -> bool:
        return self.posed is not None and not self.revealed and self.given_hint is None

    def hint(self) -> None:
        if not self.can_hint or self.posed is None:
            return
        self.given_hint = hint_for(self.posed.question, self.posed.seed)
        widget = self.answer_widget
        if self.given_hint.eliminated is not None and isinstance(widget, OptionsInput):
            widget.eliminate(self.given_hint.eliminated)
        self.query_one(HintView).show(self.given_hint)

    def on_scenario_answered(self, message: ScenarioAnswered) -> None:
        message.stop()
        if self.revealed:
            return
        self.typed = message.typed
        self.answered_at = self.now()
        self.post_message(self.AnswerSubmitted())

    def reveal(self) -> Suggestion | None:
        self.revealed = True
        posed = self.posed
        if posed is None:
            return None
        widget = self.answer_widget
        if widget is not None:
            widget.disabled = True
        question = posed.question
        self.result = check_answer(question, self.typed or "")
        correct = self.typed is not None and self.result.correct
        started = self.shown_at or self.now()
        seconds = max(0.0, ((self.answered_at or self.now()) - started).total_seconds())
        hinted = self.given_hint is not None
        grade = suggested_grade(correct, hinted, seconds, question)
        result_view = self.query_one(ResultView)
        result_view.show(self.result_lines(result_view, correct, grade, seconds))
        self.call_after_refresh(result_view.scroll_visible, top=True, animate=False)
        return Suggestion(
            grade=grade,
            verdict="right" if correct else "wrong",
            correct=correct,
            detail=log_detail(posed, self.typed, self.result, hinted, seconds),
        )

    # The verdict ------------------------------------------------------------------------------
    def result_lines(
        self, view: ResultView, correct: bool, grade: int, seconds: float
    ) -> list[RenderableType]:
        assert self.posed is not None and self.result is not None
        question, result = self.posed.question, self.result
        heading, label_style = view.style("heading"), view.style("label")
        answers = Table.grid(padding=(0, 2))
        answers.add_column(no_wrap=True, style=label_style)
        answers.add_column(ratio=1)
        answers.add_row("Answer", literal(expected_display(question)))
        if not correct and self.typed is not None:
            answers.add_row("You answered", literal(given_display(question, self.typed, result)))
        parts: list[RenderableType] = [self.verdict_line(view, correct), answers]
        if question.because:
            parts.append(Text("Why", style=heading, end=""))
            parts.append(bullets([literal(reason) for reason in question.because]))
        found = citations(question.rules)
        if found:
            title = "Rules, and the note statements they test"
            if not correct:  # only statements imported as cards can come back
                title += " (any cards you have of them come back today)"
            parts.append(Text(title, style=heading, end=""))
            items = []
            for citation in found:
                item = Text(citation.rule, style=view.style("rule"), end="")
                item.append("  ")
                items.append(item + literal(str(citation)))
            parts.append(bullets(items))
        parts.append(Text(self.grade_words(correct, grade, seconds), style=label_style, end=""))
        return parts

    def verdict_line(self, view: ResultView, correct: bool) -> Text:
        result = self.result
        assert result is not None
        if self.typed is None:
            return Text("✗ Not answered", style=view.style("wrong"), end="")
        note = check_note(result)
        if correct:
            words = "✓ Right" + (" after a hint" if self.given_hint else "")
            line = Text(words, style=view.style("right"), end="")
        else:
            line = Text("✗ Wrong", style=view.style("wrong"), end="")
        if note:
            line.append("  ")
            line.append_text(literal(note))
        return line

    def grade_words(self, correct: bool, grade: int, seconds: float) -> str:
        assert self.posed is not None
        why = ""
        if correct and self.given_hint is None:
            limit = slow_after_seconds(self.posed.question)
            why = (f" (answered in {seconds:.0f} s, quick is under {limit:.0f} s)"
                   if seconds > limit else "")  # fmt: skip
        return f"Enter grades {grade} ({GRADE_LABELS[grade]}){why}, or press 0-5"


def check_note(result: CheckResult) -> str:
    """The checker's remark (a typo forgiven, what is missing...) without the answer."""
    first = result.message.split("\n", 1)[0].strip()
    if result.correct:
        return first[len("Right (") : -2] if first.startswith("Right (") else ""
    answer = f"The answer is {result.expected_display}."
    return first.removesuffix(answer).strip().rstrip(".")


def given_display(question: Question, typed: str, result: CheckResult) -> str:
    """What the user answered, with option letters spelled out."""
    given = result.normalised_given
    choices = question.choices or []

    def option(letter: str) -> str:
        index = ord(letter) - ord("a")
        return f"{letter}) {choices[index]}" if 0 <= index < len(choices) else letter

    if question.kind == "choice" and isinstance(given, str):
        return option(given)
    if question.kind == "multi" and isinstance(given, list):
        return "; ".join(option(letter) for letter in given) if given else "none"
    if question.kind == "order" and isinstance(given, list):
        return " ".join(given)
    if question.kind == "yes-no" and isinstance(given, bool):
        return "yes" if given else "no"
    return typed


register_card_body("scenario", ScenarioCard)

__all__ = ["ScenarioCard", "check_note", "given_display", "input_for"]
