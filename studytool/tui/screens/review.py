"""The review screen: one card at a time, reveal, grade, undo, skip, edit.

Keys: while the answer box has the focus, typing goes there and **Enter** reveals; **Escape**
leaves the box (and later cards start outside it too, until **i** goes back), so single keys
work: **Enter**/space reveal, **0**-**5** grade, **Enter** accepts the grade a typed answer
suggests, **u** undoes, **s** skips, **e** opens the note in ``$EDITOR``, **q** quits.
Scenario cards answer with their own widgets (y/n, a choice list, ticks, a number, an order)
and offer a hint with **?**; **PageUp**/**PageDown** scroll a long card. A grade key before the
answer is shown grades nothing and says which key shows it (keys an answer box takes as text,
digits included, still go to the box).

Every service call goes through the app's review desk in a worker thread; while one runs, new
commands are ignored, so a double key press cannot grade twice.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.widgets import LoadingIndicator, Static

from studytool.tui.widgets.card_body import CardBody, Suggestion, card_body_for
from studytool.tui.widgets.grade_bar import GradeBar
from studytool.tui.widgets.key_bar import KeyBar
from studytool.tui.widgets.study_bar import SessionProgress, StudyHeader, scope_text

if TYPE_CHECKING:
    from studytool.store.reviews import CardView, Counts
    from studytool.tui.app import StudyApp
    from studytool.tui.desk import Scope, Turn


def _grade_bindings() -> list[Binding]:
    shown = Binding("0", "grade(0)", "Grade", key_display="0-5", id="review.grade_0")
    return [shown] + [
        Binding(str(q), f"grade({q})", f"Grade {q}", show=False, id=f"review.grade_{q}")
        for q in range(1, 6)
    ]


def _too_soon_bindings() -> list[Binding]:
    """The grade keys while the answer is hidden: they only say how to show it."""
    return [
        Binding(str(q), "grade_too_soon", show=False, id=f"review.grade_too_soon_{q}")
        for q in range(6)
    ]


class CardArea(VerticalScroll, can_focus=False):
    """The scrolling area that holds the card; PgDn shows in the footer when the card is long."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "page_down", "Scroll", key_display="PgDn", id="review.card_page_down",
                tooltip="Scroll the card (PgUp goes back)"),
    ]  # fmt: skip

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "page_down":
            return self.max_scroll_y > 0
        return True

    def on_resize(self) -> None:
        screen = self.screen
        if isinstance(screen, ReviewScreen):
            screen.bindings_changed()


class ReviewScreen(Screen[None]):
    """Study the current scope, card by card."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave_answer", "Keys", id="review.leave_answer",
                tooltip="Leave the answer box so single keys work"),
        Binding("enter", "reveal", "Reveal", id="review.reveal"),
        Binding("space", "reveal", "Reveal", show=False, id="review.reveal_space"),
        Binding("enter", "accept", "Accept", id="review.accept",
                tooltip="Grade with the grade your typed answer suggests"),
        *_grade_bindings(),
        *_too_soon_bindings(),
        Binding("i", "type_answer", "Type", id="review.type_answer",
                tooltip="Type the answer before revealing"),
        Binding("question_mark", "hint", "Hint", id="review.hint", priority=True,
                tooltip="A hint (the grade suggested for a right answer becomes 3)"),
        Binding("pageup", "scroll_card(-1)", show=False, id="review.page_up"),
        Binding("pagedown", "scroll_card(1)", "Scroll", key_display="PgDn",
                id="review.page_down", tooltip="Scroll the card (PgUp goes back)"),
        Binding("u", "undo", "Undo", id="review.undo", tooltip="Undo the last grade"),
        Binding("s", "skip", "Skip", id="review.skip", tooltip="Later in this session"),
        Binding("e", "edit", "Edit", id="review.edit", tooltip="Open the note in $EDITOR"),
        Binding("q", "app.quit", "Quit", id="review.quit"),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.card: CardView | None = None
        self.body: CardBody | None = None
        self.turn: Turn | None = None
        self.revealed = False
        self.suggestion: Suggestion | None = None
        self.typing = True
        self.busy = False
        self.shown_at: datetime | None = None
        self._counts_wanted = False
        self._counts_running = False
        self._bindings_pending = False
        #: the first turn read before the app started, composed straight into the card area
        self._prepared: tuple[Turn, CardBody | None] | None = None

    @property
    def study_app(self) -> StudyApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        app = self.study_app
        first = app.take_first_turn()
        yield StudyHeader(id="study-header")
        with CardArea(id="card-area"):
            if first is not None and first.card is not None:
                body = card_body_for(first.card)
                self._prepared = (first, body)
                yield body
            else:
                if first is not None:
                    self._prepared = (first, None)
                yield LoadingIndicator(id="card-loading")
        yield GradeBar(id="grade-bar", classes="-waiting")
        yield SessionProgress(app.clock, app.tally.started if app.tally else app.clock())
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(StudyHeader).set_scope(self.study_app.scope.deck, self.study_app.scope.tag)
        prepared, self._prepared = self._prepared, None
        if prepared is not None and prepared[1] is not None:
            # The card is already composed: show it in this very frame (no worker round).
            turn, body = prepared
            self.show_composed_turn(turn, body)
            self.call_after_refresh(self.sync_in_background)
        else:
            self.query_one(GradeBar).display = False
            self.run_busy(self.start(prepared[0] if prepared is not None else None))

    async def start(self, turn: Turn | None) -> None:
        """The first turn (``turn``: read before the app started, without a card)."""
        if turn is not None:
            await self.show_turn(turn)
        else:
            await self.read_first_turn()
        # after the card's first frame, so that the check never delays drawing it
        self.call_after_refresh(self.sync_in_background)

    # Running service calls --------------------------------------------------------------------
    def run_busy(self, work: Awaitable[None]) -> None:
        """Run ``work`` in a worker unless another command is still running."""
        if self.busy:
            work.close()  # type: ignore[attr-defined]
            return
        self.busy = True
        self.run_worker(self._busy(work), group="review", exit_on_error=True)

    async def _busy(self, work: Awaitable[None]) -> None:
        try:
            await work
        finally:
            self.busy = False
            self.bindings_changed()

    async def read_first_turn(self) -> None:
        """Import on an empty database (saying so), then the first card."""
        app = self.study_app
        desk = await app.open_desk()
        if app.import_if_empty and not await app.call(desk.has_cards):
            app.notify("The database is empty: importing the bundled notes…", timeout=4)
            try:
                report = await app.call(desk.import_if_empty)
            except Exception as error:
                app.notify(f"Could not import the bundled notes: {error}", severity="error",
                           markup=False, timeout=15)  # fmt: skip
                report = None
            if report is not None:
                warnings = f" ({len(report.warnings)} warnings)" if report.warnings else ""
                app.notify(
                    f"Imported {report.cards_new} cards from {report.notes_read} bundled notes"
                    f"{warnings}.", title="First run", markup=False, timeout=8,
                )  # fmt: skip
        quiz = app.quiz_questions is not None
        if app.sync_templates and quiz:
            await self.sync_templates()  # a quiz is made of scenario cards: sync first
        await self.show_turn(await app.call(desk.begin, app.scope))

    def sync_in_background(self) -> None:
        """A review's template sync, once its first card is on screen."""
        app = self.study_app
        if app.sync_templates and app.quiz_questions is None:
            # New template cards come after the cards already there, so a review can show its
            # first card before the check (and any sync) runs; they join from the next card.
            self.run_worker(self._sync_then_count(), group="sync")

    async def _sync_then_count(self) -> None:
        await self.sync_templates()
        self.want_counts()

    async def sync_templates(self) -> None:
        """Bring the scenario template cards up to date (saying what changed, if anything)."""
        app = self.study_app
        desk = await app.open_desk()
        try:
            report = await app.call(desk.sync_templates)
        except Exception as error:
            app.notify(f"Could not update the scenario cards: {error}", severity="error",
                       markup=False, timeout=15)  # fmt: skip
            return
        if report is not None and (report.created or report.retired):
            parts = []
            if report.created:
                parts.append(f"{len(report.created)} new scenario cards")
            if report.retired:
                parts.append(f"{len(report.retired)} retired")
            app.notify(" and ".join(parts) + ".", title="Scenario questions", markup=False,
                       timeout=6)  # fmt: skip

    def restart(self, scope: Scope) -> None:
        """Study ``scope`` from now on (called by the app on a deck or tag switch)."""
        self.query_one(StudyHeader).set_scope(scope.deck, scope.tag)
        self.busy = False
        self.run_busy(self._restart(scope))

    async def _restart(self, scope: Scope) -> None:
        app = self.study_app
        desk = await app.open_desk()
        await self.show_turn(await app.call(desk.begin, scope))

    # Showing ----------------------------------------------------------------------------------
    async def show_turn(self, turn: Turn) -> None:
        self._turn_begins(turn)
        if turn.card is None:
            # before: the dialogs of an empty sitting may outlive this turn (and show another)
            self._turn_counts(turn)
            await self.session_over()
        else:
            await self.show_card(turn.card)
            self._turn_counts(turn)

    def show_composed_turn(self, turn: Turn, body: CardBody) -> None:
        """Show ``turn``, whose card ``body`` is already in the card area."""
        assert turn.card is not None
        self._turn_begins(turn)
        self.card_shown(turn.card, body)
        self._turn_counts(turn)

    def _turn_begins(self, turn: Turn) -> None:
        app = self.study_app
        self.turn = turn
        if not app.ready:
            app.ready = True
            self.bindings_changed()

    def _turn_counts(self, turn: Turn) -> None:
        if turn.counts is None:
            self.want_counts()
        else:
            self.show_counts(turn.counts)

    def want_counts(self) -> None:
        """Refresh the counts soon (one refresh at a time; requests made meanwhile merge)."""
        self._counts_wanted = True
        if not self._counts_running:
            self._counts_running = True
            self.run_worker(self._refresh_counts(), group="counts")

    async def _refresh_counts(self) -> None:
        """Today's counts in the header, and the sitting's progress (after the card shows)."""
        app = self.study_app
        desk = await app.open_desk()
        try:
            while self._counts_wanted:
                self._counts_wanted = False
                self.show_counts(await app.call(desk.counts))
        finally:
            self._counts_running = False

    def show_counts(self, counts: Counts) -> None:
        """Today's counts in the header, and the sitting's progress below the card."""
        app = self.study_app
        self.query_one(StudyHeader).set_counts(
            counts.due_today, counts.new_left_today, counts.reviewed_today
        )
        graded = len(app.tally.grades) if app.tally else 0
        if app.desk is not None:
            self.query_one(SessionProgress).set_progress(graded, app.desk.remaining(counts))

    async def show_card(self, card: CardView) -> None:
        area = self.query_one("#card-area", VerticalScroll)
        await area.remove_children()
        body = card_body_for(card)
        await area.mount(body)
        area.scroll_home(animate=False)
        self.card_shown(card, body)

    def card_shown(self, card: CardView, body: CardBody) -> None:
        """``body`` (showing ``card``) is in the card area: get ready for the answer."""
        self.card, self.body = card, body
        self.revealed, self.suggestion = False, None
        self.shown_at = self.study_app.clock()
        bar = self.query_one(GradeBar)
        bar.display = True
        bar.add_class("-waiting")
        bar.show()
        if self.typing:
            body.focus_answer()
        else:
            self.set_focus(None)
        self.bindings_changed()
        self.study_app.first_card_shown()

    async def show_empty(self, message: str) -> None:
        area = self.query_one("#card-area", VerticalScroll)
        await area.remove_children()
        await area.mount(Static(Text(message), id="empty-message"))
        self.card, self.body = None, None
        self.query_one(GradeBar).display = False
        self.bindings_changed()

    async def session_over(self) -> None:
        app = self.study_app
        desk = await app.open_desk()
        if app.tally and app.tally.grades:
            forecast, today = await app.call(desk.forecast, 7)
            await self.show_empty("Session complete. d: another deck · q: quit")
            tally = app.tally
            from studytool.tui.screens.summary import SummaryData, SummaryScreen

            data = SummaryData(
                reviewed=tally.reviewed, right_first_time=tally.right_first_time,
                grades=len(tally.grades),
                seconds=(app.clock() - tally.started).total_seconds(),
                forecast=forecast, today=today,
                scope=scope_text(app.scope.deck, app.scope.tag),
            )  # fmt: skip
            app.push_screen(SummaryScreen(data))
            return
        await self.offer_study_ahead()

    async def offer_study_ahead(self) -> None:
        app = self.study_app
        desk = await app.open_desk()
        now = app.clock()
        nothing = await app.call(desk.nothing_due, now)
        ahead = nothing.next_due is not None and await app.call(desk.can_study_ahead, now)
        await self.show_empty("Nothing to study here now. d: another deck · q: quit")
        scope = scope_text(app.scope.deck, app.scope.tag)
        from studytool.tui.screens.nothing_due import (
            AHEAD,
            DECKS,
            DUE,
            NOTHING_AHEAD,
            NothingDueScreen,
        )

        dialog = NothingDueScreen(
            scope, nothing.next_due, nothing.now, can_study_ahead=ahead, clock=app.clock
        )
        choice = await app.push_screen_wait(dialog)
        if choice == DUE:  # the next card's moment came while the dialog was open
            turn = await app.call(desk.turn)
            if turn.card is not None:
                from studytool.tui.desk import DUE_NOW_NOTICE

                app.notify(DUE_NOW_NOTICE, timeout=4)
            await self.show_turn(turn)  # none after all (e.g. limits): the dialog again
        elif choice == AHEAD:
            turn = await app.call(desk.study_ahead, app.clock())
            if turn.card is None:  # changed while the dialog was open (another sitting)
                app.notify(NOTHING_AHEAD, timeout=8)
            else:
                app.notify("Studying ahead: these reviews were due later.", timeout=4)
                await self.show_turn(turn)
        elif choice == DECKS:
            app.action_pick_deck()
        else:
            app.exit()

    def bindings_changed(self) -> None:
        """Ask the footer to redraw once, after this refresh (several requests merge)."""
        if not self._bindings_pending:
            self._bindings_pending = True
            self.call_after_refresh(self._refresh_bindings_now)

    def _refresh_bindings_now(self) -> None:
        self._bindings_pending = False
        self.refresh_bindings()

    # Focus ------------------------------------------------------------------------------------
    def on_descendant_focus(self, event: DescendantFocus) -> None:
        if self.body is not None and self.body.answer_has_focus:
            self.typing = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        has_card = self.body is not None
        answering = has_card and self.body is not None and self.body.answer_has_focus
        if action == "reveal":
            return has_card and not self.revealed
        if action == "accept":
            return self.revealed and self.suggestion is not None
        if action == "grade":
            return self.revealed
        if action == "grade_too_soon":
            return has_card and not self.revealed
        if action == "leave_answer":
            return answering
        if action == "scroll_card":
            return self.card_scrolls()
        if action == "hint":
            return has_card and not self.revealed and self.body is not None and self.body.can_hint
        if action == "type_answer":
            return has_card and not self.revealed and not answering
        if action == "skip":
            return has_card
        if action == "edit":
            return has_card and bool(self.card and self.card.note)
        if action == "undo":
            return bool(self.turn and self.turn.can_undo)
        return True

    # Actions ----------------------------------------------------------------------------------
    def on_card_body_answer_submitted(self, event: CardBody.AnswerSubmitted) -> None:
        event.stop()
        self.action_reveal()

    def on_grade_bar_chosen(self, event: GradeBar.Chosen) -> None:
        event.stop()
        if self.revealed:
            self.action_grade(event.quality)
        elif self.body is not None:
            self.action_grade_too_soon()

    def action_grade_too_soon(self) -> None:
        """A grade key before the answer is shown: grade nothing, say how to show it."""
        self.study_app.notify(self.reveal_first_notice(), timeout=4, markup=False)

    def reveal_first_notice(self) -> str:
        """What to do before grading, with the keys the footer shows for it now."""
        reveal = self.shown_key("reveal") or "Enter"
        if self.card is not None and self.card.kind == "scenario":
            answer = self.shown_key("type_answer")
            answering = f"{answer} answers, " if answer else ""
            return f"Check the answer first: {answering}{reveal} checks it, then grade."
        return f"Reveal the answer first: press {reveal}, then grade."

    def shown_key(self, action: str) -> str | None:
        """How the footer shows the key of ``action`` now (None: not shown, or disabled)."""
        for active in self.active_bindings.values():
            binding = active.binding
            if binding.action == action and binding.show and active.enabled:
                return self.app.get_key_display(binding)
        return None

    def action_leave_answer(self) -> None:
        self.typing = False
        self.set_focus(None)
        self.bindings_changed()

    def action_type_answer(self) -> None:
        if self.body is not None and not self.revealed:
            self.typing = True
            self.body.focus_answer()

    def action_reveal(self) -> None:
        if self.busy or self.body is None or self.revealed or self.card is None:
            return
        self.suggestion = self.body.reveal()
        self.revealed = True
        self.set_focus(None)
        bar = self.query_one(GradeBar)
        bar.remove_class("-waiting")
        bar.show(self.suggestion.grade if self.suggestion else None)
        self.bindings_changed()
        self.run_worker(self._preview(self.card), group="preview")

    async def _preview(self, card: CardView) -> None:
        app = self.study_app
        desk = await app.open_desk()
        due_by_grade = await app.call(desk.preview, card.id, app.clock())
        if self.card is card and self.revealed:
            suggested = self.suggestion.grade if self.suggestion else None
            self.query_one(GradeBar).show(suggested, due_by_grade, app.clock())

    def action_hint(self) -> None:
        if self.body is not None and not self.revealed and self.body.can_hint:
            self.body.hint()
            self.bindings_changed()

    def card_scrolls(self) -> bool:
        """Whether the card is taller than its area (PgUp/PgDn then scroll it)."""
        try:
            return self.query_one("#card-area", VerticalScroll).max_scroll_y > 0
        except NoMatches:
            return False

    def action_scroll_card(self, pages: int) -> None:
        area = self.query_one("#card-area", VerticalScroll)
        if pages < 0:
            area.scroll_page_up(animate=False)
        else:
            area.scroll_page_down(animate=False)

    def action_accept(self) -> None:
        if self.suggestion is not None:
            self.action_grade(self.suggestion.grade)

    def action_grade(self, quality: int) -> None:
        if not self.revealed or self.card is None or self.busy:
            return
        self.run_busy(self._grade(self.card, quality))

    async def _grade(self, card: CardView, quality: int) -> None:
        app = self.study_app
        desk = await app.open_desk()
        duration_ms = None
        if self.shown_at is not None:
            duration_ms = max(0, int((app.clock() - self.shown_at).total_seconds() * 1000))
        suggestion = self.suggestion
        typed = self.body.typed_answer if self.body is not None else None
        from studytool.store.reviews import StaleCardError

        try:
            _result, turn = await app.call(
                desk.grade, card.id, quality, duration_ms, typed,
                suggestion.correct if suggestion else None,
                suggestion.detail if suggestion else None,
            )  # fmt: skip
        except StaleCardError as error:  # graded elsewhere, or retired: nothing was written
            from studytool.tui.desk import refused_grade_notice

            app.notify(refused_grade_notice(error), severity="warning", markup=False, timeout=6)
            await self.show_turn(await app.call(desk.turn))
            return
        if app.tally is not None:
            app.tally.record(card.id, quality)
        if turn.notice:
            app.notify(turn.notice, markup=False, timeout=5)
        await self.show_turn(turn)

    def action_undo(self) -> None:
        self.run_busy(self._undo())

    async def _undo(self) -> None:
        from studytool.store.reviews import ReviewError

        app = self.study_app
        desk = await app.open_desk()
        try:
            card_id, turn = await app.call(desk.undo)
        except ReviewError as error:
            app.notify(str(error), title="Cannot undo", severity="error", markup=False)
            return
        if card_id is None:
            app.notify("Nothing to undo in this session.")
            return
        if app.tally is not None:
            app.tally.take_back()
        app.notify("Last grade undone: here is that card again.", timeout=3)
        await self.show_turn(turn)

    def action_skip(self) -> None:
        if self.card is not None:
            self.run_busy(self._skip(self.card))

    async def _skip(self, card: CardView) -> None:
        app = self.study_app
        desk = await app.open_desk()
        await self.show_turn(await app.call(desk.skip, card.id))

    def action_edit(self) -> None:
        if self.card is not None:
            self.run_busy(self.study_app.open_in_editor(self.card))
