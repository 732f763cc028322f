"""The review app: ``studytool review`` in a terminal (Textual).

:class:`StudyApp` is handed its :class:`~studytool.store.reviews.ReviewService` (tests give it
a temporary database and a fixed clock) and talks to it only through :class:`ReviewDesk`, which
keeps the sitting's :class:`~studytool.store.reviews.StudySession` and bundles the calls one
key press needs. Every desk call runs in a worker thread, one at a time (an asyncio lock), so
the interface never waits on SQLite and two grades can never interleave. Each grade is
committed by the service before the next card is asked for, so quitting loses nothing graded.

Screens: :mod:`.screens.review` (the card), :mod:`.screens.summary` (end of session),
:mod:`.screens.deck_picker` (**d**), :mod:`.screens.nothing_due`, and the statistics screen
(**t**). The command palette (ctrl+p) is :mod:`.commands`.

Scenario cards: with ``sync_templates`` (``studytool review`` and ``studytool quiz``) the
template cards are brought up to date (one query when nothing changed, see
:mod:`studytool.store.scenario_cards`): a quiz does it before its first question, a review
right after its first card is on screen (new template cards come after existing cards anyway).
A wrong scenario answer brings the cloze cards of the note statements its rules test forward to
today, in the same desk call as the grade; undoing that grade puts them back.
``quiz_questions`` makes the sitting a quiz of that many scenario questions
(:class:`~studytool.tui.screens.quiz.QuizDesk`). ``seed_source`` (a callable taking the card)
replaces the seed of each scenario question (tests).

``STUDYTOOL_EXIT_AFTER_FIRST_CARD=1`` (read by ``studytool review``) makes the app exit as soon
as the first card has been drawn and print ``first-card-at <unix time>`` on stderr: the
start-up benchmark uses it. It changes nothing else.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.app import App
from textual.binding import Binding, BindingType

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.screen import Screen

    from studytool.store.records import ImportReport
    from studytool.store.reviews import (
        CardView,
        Counts,
        GradeResult,
        ReviewService,
        StudySession,
    )
    from studytool.store.scenario_cards import Forwarded, SyncReport
    from studytool.tui.tally import SessionTally

T = TypeVar("T")

EXIT_AFTER_FIRST_CARD_ENV = "STUDYTOOL_EXIT_AFTER_FIRST_CARD"

#: Editors that take ``+LINE path`` (by executable name).
PLUS_LINE_EDITORS = frozenset({
    "vi", "vim", "nvim", "gvim", "mvim", "view", "nano", "pico", "emacs", "emacsclient",
    "micro", "hx", "helix", "kak", "joe", "jed", "ne", "mcedit", "gedit", "kate", "vis",
})  # fmt: skip
#: Editors that take ``-g path:line`` (VS Code and its builds).
GOTO_EDITORS = frozenset({"code", "code-insiders", "codium", "vscodium", "cursor"})
#: Editors that take ``path:line``.
COLON_EDITORS = frozenset({"subl", "sublime_text", "zed", "mate"})


def editor_command(editor: str, path: Path, line: int) -> list[str]:
    """The command that opens ``path`` at ``line`` with ``$EDITOR`` (which may hold options).

    ``vim +12 note.md`` style for terminal editors, ``code -g note.md:12`` for VS Code,
    ``subl note.md:12`` for Sublime/Zed, and just the path for editors we do not know.
    """
    words = shlex.split(editor)
    if not words:
        raise ValueError("$EDITOR is empty")
    name = Path(words[0]).name.lower().removesuffix(".exe")
    line = max(1, line)
    if name in GOTO_EDITORS:
        return [*words, "-g", f"{path}:{line}"]
    if name in COLON_EDITORS:
        return [*words, f"{path}:{line}"]
    if name in PLUS_LINE_EDITORS:
        return [*words, f"+{line}", str(path)]
    return [*words, str(path)]


def note_file(vault: str | None, note: str) -> Path | None:
    """The note's file inside its vault, or None when it would lie outside (or is unknown)."""
    if not vault:
        return None
    root = Path(vault).expanduser().resolve()
    candidate = (root / note).resolve()
    if not candidate.is_relative_to(root):
        return None
    return candidate


@dataclass(frozen=True)
class Scope:
    """What the sitting studies: a deck (and sub-decks), a tag (and sub-tags), a card limit,
    and the kinds of card (None: the service's default, cloze and scenario cards)."""

    deck: str | None = None
    tag: str | None = None
    limit: int | None = None
    kinds: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Turn:
    """What the screen shows after a call: the next card (None: nothing left).

    ``counts`` are today's counts in the sitting's scope, read with the card from the same
    queue build (None when the turn did not read them: the screen then asks
    :meth:`ReviewDesk.counts`).
    """

    card: CardView | None
    graded: int
    can_undo: bool
    counts: Counts | None = None
    #: something to tell the user after the call (e.g. cards brought forward)
    notice: str | None = None


@dataclass(frozen=True)
class DeckRow:
    """One line of the deck picker."""

    deck: str | None
    due: int | None = None
    new: int | None = None

    @property
    def label(self) -> str:
        return self.deck or "All decks"


@dataclass(frozen=True)
class NothingDue:
    """Why a session is empty: when the next card is due (UTC, None: no cards at all)."""

    next_due: datetime | None
    now: datetime


class ReviewDesk:
    """The app's side of the review service: one sitting, and the calls the screens need.

    Methods are blocking (SQLite); the app runs them in a thread through :meth:`StudyApp.call`.
    """

    def __init__(
        self,
        service: ReviewService,
        scope: Scope,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.service = service
        self.scope = scope
        self.clock: Callable[[], datetime] = clock or service.repository.clock
        self._session: StudySession | None = None
        #: cards each grade of this sitting brought forward (newest last; undo pops)
        self._forwarded: list[tuple[Forwarded, ...]] = []

    @property
    def session(self) -> StudySession:
        if self._session is None:
            scope = self.scope
            if scope.kinds is None:
                self._session = self.service.start_session(scope.deck, scope.tag, scope.limit)
            else:
                self._session = self.service.start_session(
                    scope.deck, scope.tag, scope.limit, include_kinds=scope.kinds
                )
        return self._session

    @property
    def repository(self) -> Any:
        return self.service.repository

    def has_cards(self) -> bool:
        return bool(self.repository.has_cards())

    def import_if_empty(self) -> ImportReport | None:
        """Import the bundled notes into an empty database (None when it has cards)."""
        return self.repository.ensure_cards()

    def sync_templates(self) -> SyncReport | None:
        """Bring the scenario template cards up to date (None: nothing had changed)."""
        from studytool.store.scenario_cards import ensure_template_cards

        return ensure_template_cards(self.repository)

    def begin(self, scope: Scope) -> Turn:
        """Start a new sitting over ``scope`` and return its first turn."""
        self.scope = scope
        self._session = None
        self._forwarded = []
        return self.turn()

    def turn(self) -> Turn:
        """The next card and today's counts, from one queue build.

        A skipped card comes back after the others (the service defers it) and still counts
        in today's due/new counts.
        """
        session = self.session
        card, counts = self.service.next_card_and_counts(session)
        warm_up(card)
        return Turn(card, session.graded, session.can_undo, counts)

    def remaining(self, counts: Counts) -> int:
        """Cards left in this sitting, from today's counts (the progress bar)."""
        return counts.due_today + counts.new_left_today

    def counts(self) -> Counts:
        """Today's counts in this sitting's scope (when a turn did not bring them)."""
        return self.service.counts(self.session)

    def grade(
        self,
        card_id: int,
        quality: int,
        duration_ms: int | None,
        typed_answer: str | None,
        correct: bool | None = None,
        detail: dict[str, Any] | None = None,
    ) -> tuple[GradeResult | None, Turn]:
        """Grade (committed before returning), then the next turn (a quiz's practice question
        has no grade result: None).

        A wrong scenario answer (``correct`` False, rule ids in ``detail["rules"]``) then
        brings the cloze cards of the statements its rules test forward to today.
        """
        result = self.service.grade(
            self.session, card_id, quality, duration_ms=duration_ms,
            typed_answer=typed_answer, correct=correct, detail=detail,
        )  # fmt: skip
        notice = self.follow_up(correct, detail)
        self.graded(card_id)
        return result, replace(self.turn(), notice=notice)

    def graded(self, card_id: int) -> None:
        """Called after each grade, before the next turn is drawn (a quiz counts questions)."""

    def follow_up(self, correct: bool | None, detail: dict[str, Any] | None) -> str | None:
        """Record what a grade brought forward (for undo); a notice saying so, if anything."""
        forwarded: tuple[Forwarded, ...] = ()
        rules = (detail or {}).get("rules") if correct is False else None
        if rules:
            from studytool.store.scenario_cards import forward_statements

            hour = self.service.settings().day_start_hour
            forwarded = tuple(forward_statements(self.repository, rules, self.clock(),
                                                 self.service.tz, hour))  # fmt: skip
        self._forwarded.append(forwarded)
        if not forwarded:
            return None
        count = len(forwarded)
        return f"{count} note statement card{'s' if count != 1 else ''} brought forward to today."

    def undo(self) -> tuple[int | None, Turn]:
        """Undo the last grade of this sitting (and what it brought forward); that card next."""
        card_id = self.service.undo(self.session)
        if card_id is not None:
            self.take_back_forwarded()
        return card_id, self.turn()

    def take_back_forwarded(self) -> None:
        """Put back the cards the last grade brought forward."""
        if self._forwarded:
            changes = self._forwarded.pop()
            if changes:
                from studytool.store.scenario_cards import restore_forwarded

                restore_forwarded(self.repository, changes)

    def skip(self, card_id: int) -> Turn:
        self.service.skip(self.session, card_id)
        return self.turn()

    def preview(self, card_id: int) -> dict[int, datetime | None]:
        """When each grade 0..5 would bring ``card_id`` back."""
        return self.service.preview(self.session, card_id)

    def nothing_due(self, now: datetime) -> NothingDue:
        """When the next card is due; ``now`` in the service's time zone (for the wording)."""
        return NothingDue(self.service.next_due_at(self.session), now.astimezone(self.service.tz))

    def study_ahead(self, now: datetime) -> Turn:
        """Take reviews due up to the next due card's day (at least tomorrow's)."""
        next_due = self.service.next_due_at(self.session)
        days = 1
        if next_due is not None:
            days = max(1, self._study_day(next_due).toordinal() - self._study_day(now).toordinal())
        self.service.study_ahead(self.session, max(days, self.session.study_ahead_days + 1))
        return self.turn()

    def _study_day(self, moment: datetime) -> date:
        from studytool.scheduling.days import study_day

        hour = self.service.settings().day_start_hour
        return study_day(moment, self.service.tz, hour)

    def forecast(self, days: int = 7) -> tuple[list[tuple[date, int]], date]:
        """Reviews due on each of the next ``days`` study days in this scope, and today."""
        rows = self.service.forecast(days, self.session)
        today = rows[0][0] if rows else date.today()
        return rows, today

    def deck_tree(self) -> list[str | None]:
        """``None`` (all decks) then every deck, parents included, in tree order."""
        names: set[str] = set()
        for deck in self.repository.deck_names():
            parts = deck.split("/")
            names.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        return [None, *sorted(names, key=str.lower)]

    def deck_rows(self, decks: list[str | None] | None = None) -> list[DeckRow]:
        """``decks`` (default: :meth:`deck_tree`) with what is due and new in each today
        (sub-decks included), all read in one pass."""
        from studytool.store.reviews import ALL_DECKS

        by_deck = self.service.counts_by_deck()
        rows = []
        for deck in self.deck_tree() if decks is None else decks:
            counts = by_deck.get(ALL_DECKS if deck is None else deck)
            if counts is None:  # no active card in it (only retired ones, or other kinds)
                rows.append(DeckRow(deck, 0, 0))
            else:
                rows.append(DeckRow(deck, counts.due_today, counts.new_left_today))
        return rows

    def catalog(self) -> tuple[list[str], list[str]]:
        """Deck names and tag names, for the command palette."""
        return self.repository.deck_names(), self.repository.tag_names()

    def note_path(self, card: CardView) -> tuple[Path | None, str]:
        """The note file of ``card`` (None when it cannot be located) and its shown name."""
        vault = card.vault
        path = note_file(vault, card.note)
        shown = str(path) if path else f"{vault or '?'}/{card.note}"
        return path, shown

    def stats(self, now: datetime) -> Any:
        from studytool.store.stats import collect_stats

        return collect_stats(self.repository, deck=self.scope.deck, tz=self.service.tz, now=now)


def warm_up(card: CardView | None) -> None:
    """Import what showing ``card`` needs while still in the worker thread.

    The first scenario card loads the question templates and the rule model (a fifth of a
    second); doing it here keeps the interface thread from stalling when the card is drawn.
    """
    if card is not None and card.kind == "scenario":
        import studytool.scenarios.generator
        import studytool.scenarios.study
        import studytool.scenarios.templates  # noqa: F401  (registers the templates)


def study_commands() -> type[Provider]:
    """The palette provider, imported when the palette first opens (not at start-up)."""
    from studytool.tui.commands import StudyCommands

    return StudyCommands


class StudyApp(App[None]):
    """Review cards: the app is handed its review service and what to study."""

    CSS_PATH = "app.tcss"
    TITLE = "studytool"
    COMMANDS = App.COMMANDS | {study_commands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False),
        Binding("d", "pick_deck", "Decks", id="app.decks", tooltip="Switch to another deck"),
        Binding("t", "stats", "Stats", id="app.stats", tooltip="Review statistics"),
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            id="app.commands",
            show=False,
            tooltip="Decks, tags, highlight colours, themes",
        ),
    ]

    def __init__(
        self,
        service: ReviewService,
        deck: str | None = None,
        tag: str | None = None,
        limit: int | None = None,
        *,
        kinds: tuple[str, ...] | None = None,
        clock: Callable[[], datetime] | None = None,
        import_if_empty: bool = True,
        cursor_blink: bool = True,
        exit_after_first_card: bool = False,
        sync_templates: bool = False,
        quiz_questions: int | None = None,
        seed_source: Callable[[CardView], int] | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.clock: Callable[[], datetime] = clock or service.repository.clock
        if quiz_questions is not None:
            kinds, limit = ("scenario",), quiz_questions
        self.scope = Scope(deck, tag, limit, kinds)
        self.import_if_empty = import_if_empty
        self.sync_templates = sync_templates
        self.quiz_questions = quiz_questions
        self.seed_source = seed_source
        self.cursor_blink = cursor_blink
        self.exit_after_first_card = exit_after_first_card
        self.first_card_at: float | None = None
        self.desk: ReviewDesk | None = None
        self._desk_lock = asyncio.Lock()
        self.tally: SessionTally | None = None
        #: True once the first turn (after any first-run import) is on screen.
        self.ready = False
        self._opening_stats = False
        self._first_turn: Turn | None = None

    def on_mount(self) -> None:
        from studytool.startup import release_collection

        self.call_after_refresh(release_collection)  # the first frame is drawn: collect again

    def get_default_screen(self) -> Screen[Any]:
        """The review screen is the app's first screen (no empty screen drawn before it)."""
        from studytool.tui.screens.review import ReviewScreen
        from studytool.tui.tally import SessionTally

        self.tally = SessionTally(started=self.clock())
        return ReviewScreen()

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking desk/service call in a thread, one call at a time."""
        async with self._desk_lock:
            return await asyncio.to_thread(function, *args, **kwargs)

    async def open_desk(self) -> ReviewDesk:
        """The desk (created on first use; it starts its session lazily, in a thread)."""
        return self._desk()

    def _desk(self) -> ReviewDesk:
        if self.desk is None:
            if self.quiz_questions is not None:
                from studytool.tui.screens.quiz import QuizDesk

                self.desk = QuizDesk(self.service, self.scope, self.quiz_questions, self.clock)
            else:
                self.desk = ReviewDesk(self.service, self.scope, self.clock)
        return self.desk

    def prepare_first_turn(self) -> None:
        """Read the first card before the app starts (blocking; call it before :meth:`run`).

        The first frame then shows the card itself: no loading screen, no worker thread, no
        second layout. Only for a review of a database that has cards: a first run imports
        the bundled notes inside the app (saying so), and a quiz syncs its templates first.
        """
        if self.quiz_questions is not None or self._first_turn is not None:
            return
        desk = self._desk()
        if desk.has_cards():
            self._first_turn = desk.begin(self.scope)

    def take_first_turn(self) -> Turn | None:
        """The turn :meth:`prepare_first_turn` read (once; None afterwards or without one)."""
        turn, self._first_turn = self._first_turn, None
        return turn

    # Scope changes (deck picker, command palette)
    def switch_scope(self, deck: str | None = None, tag: str | None = None) -> None:
        """Study ``deck``/``tag`` from now on (a new sitting; the tally carries on)."""
        from studytool.tui.screens.review import ReviewScreen

        self.scope = replace(self.scope, deck=deck, tag=tag)
        review = next((s for s in self.screen_stack if isinstance(s, ReviewScreen)), None)
        while len(self.screen_stack) > 1 and self.screen is not review:
            self.pop_screen()
        if review is None:
            self.push_screen(ReviewScreen())
        else:
            review.restart(self.scope)

    def action_pick_deck(self) -> None:
        from studytool.tui.screens.deck_picker import DeckChoice, DeckPickerScreen

        if isinstance(self.screen, DeckPickerScreen):
            return

        def chosen(choice: DeckChoice | None) -> None:
            if choice is not None:
                self.switch_scope(choice.deck, self.scope.tag)

        self.push_screen(DeckPickerScreen(current=self.scope.deck), chosen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("pick_deck", "stats"):
            # Not while the first card is loading (or importing), nor twice at once.
            return self.ready and not self._opening_stats
        return True

    async def action_stats(self) -> None:
        from studytool.tui.screens.stats import StatsScreen

        if isinstance(self.screen, StatsScreen) or self._opening_stats:
            return
        self._opening_stats = True
        try:
            desk = await self.open_desk()
            stats = await self.call(desk.stats, self.clock())
            self.push_screen(StatsScreen(stats))
        finally:
            self._opening_stats = False

    def set_tag(self, tag: str | None) -> None:
        self.switch_scope(self.scope.deck, tag)

    # Editor
    async def open_in_editor(self, card: CardView) -> None:
        """Open the card's note at its line in ``$EDITOR``, or show its path when unset."""
        line = card.line
        desk = await self.open_desk()
        path, shown = await self.call(desk.note_path, card)
        editor = os.environ.get("EDITOR", "").strip()
        if path is None:
            self.notify(f"Cannot locate the note: {shown}", severity="error", markup=False)
            return
        if not editor:
            self.notify(f"{path}:{line}", title="$EDITOR is not set", markup=False, timeout=10)
            return
        try:
            command = editor_command(editor, path, line)
        except ValueError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.run_editor(command, f"{path}:{line}")

    def run_editor(self, command: list[str], shown: str) -> None:
        """Run the editor with the app suspended (the terminal is the editor's meanwhile)."""
        import subprocess

        from textual.app import SuspendNotSupported

        try:
            with self.suspend():
                completed = subprocess.run(command, check=False)
        except SuspendNotSupported:
            self.notify(shown, title="Cannot open an editor here", markup=False, timeout=10)
            return
        except OSError as error:
            self.notify(f"{command[0]}: {error.strerror}", severity="error", markup=False)
            return
        if completed.returncode != 0:
            self.notify(f"{command[0]} exited with {completed.returncode}", severity="warning",
                        markup=False)  # fmt: skip
        else:
            self.notify("Edits to the note reach the cards with `studytool import`.",
                        title="Back from the editor", markup=False)  # fmt: skip

    # Benchmark hook
    def first_card_shown(self) -> None:
        """Called by the review screen once a card is on screen."""
        if self.exit_after_first_card and self.first_card_at is None:
            self.call_after_refresh(self._exit_after_first_card)

    def _exit_after_first_card(self) -> None:
        self.first_card_at = time.time()
        self.exit()


__all__ = [
    "EXIT_AFTER_FIRST_CARD_ENV",
    "DeckRow",
    "NothingDue",
    "ReviewDesk",
    "Scope",
    "StudyApp",
    "Turn",
    "editor_command",
    "note_file",
]
