"""The review app: ``studytool review`` in a terminal (Textual).

:class:`StudyApp` is handed its :class:`~studytool.store.reviews.ReviewService` (tests give it
a temporary database and a fixed clock) and talks to it only through
:class:`~studytool.tui.desk.ReviewDesk` (in :mod:`studytool.tui.desk`, free of Textual), which
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
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType

from studytool.tui.desk import (
    DeckRow,
    NothingDue,
    ReviewDesk,
    Scope,
    Turn,
    note_file,
    read_first_turn,
)

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.screen import Screen

    from studytool.store.reviews import CardView, ReviewService
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
        desk: ReviewDesk | None = None,
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
        #: the sitting's desk (``desk``: one made by the caller, e.g. to read the first turn early)
        self.desk: ReviewDesk | None = desk
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
        if self.quiz_questions is None and self._first_turn is None:
            self.use_first_turn(read_first_turn(self._desk(), self.scope))

    def use_first_turn(self, turn: Turn | None) -> None:
        """Show ``turn`` first: read by the caller (with this app's desk) before :meth:`run`,
        e.g. by a :class:`~studytool.tui.desk.FirstTurnReader` (None: read it in the app)."""
        self._first_turn = turn

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

    # Command palette
    #: Textual's own palette commands kept: the keys panel lists the answer box's editing keys
    #: (the footer shows studytool's), and maximize hides the card behind the answer box.
    KEPT_SYSTEM_COMMANDS = frozenset({"Theme", "Quit"})

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Theme and quit from Textual, and a screenshot that says where it went."""
        for command in super().get_system_commands(screen):
            if command.title in self.KEPT_SYSTEM_COMMANDS:
                yield command
        yield SystemCommand(
            "Screenshot",
            "Save an SVG picture of the screen in studytool's data folder",
            lambda: self.set_timer(0.1, self.save_screenshot_file),  # after the palette closes
        )

    def save_screenshot_file(self) -> Path | None:
        """Save the screen as SVG under :func:`~studytool.locations.screenshots_dir`; say where.

        (Textual's own command saves to a downloads folder, which many machines lack, and
        then only says that it failed.)
        """
        from studytool.locations import screenshots_dir

        folder = screenshots_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            saved = Path(self.save_screenshot(path=str(folder)))
        except OSError as error:
            self.notify(f"Cannot save the screenshot in {folder}: {error.strerror or error}",
                        severity="error", markup=False)  # fmt: skip
            return None
        self.notify(str(saved), title="Screenshot saved", markup=False, timeout=8)
        return saved

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

        failure: OSError | None = None
        try:
            with self.suspend():
                # Caught in here: Textual's suspend() does not resume the screen when an
                # exception leaves it, and the app would be left frozen and blank.
                try:
                    completed = subprocess.run(command, check=False)
                except OSError as error:
                    failure = error
        except SuspendNotSupported:
            self.notify(shown, title="Cannot open an editor here", markup=False, timeout=10)
            return
        if failure is not None:
            self.notify(
                f"Cannot start the editor {command[0]!r}: {failure.strerror or failure}. "
                "Set $EDITOR to an editor that is installed.",
                severity="error", markup=False, timeout=10,
            )  # fmt: skip
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
