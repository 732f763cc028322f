"""The review app's side of the review service, without Textual: one sitting and its calls.

:class:`ReviewDesk` keeps the sitting's :class:`~studytool.store.reviews.StudySession` and
bundles the service calls one key press needs; the app runs them in worker threads. It lives
apart from the app so that ``studytool review`` can read the first card (:func:`read_first_turn`,
in a thread with :class:`FirstTurnReader`) while Textual is still being imported.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studytool.store.records import ImportReport
    from studytool.store.reviews import (
        CardView,
        Counts,
        GradeResult,
        ReviewService,
        StaleCardError,
        StudySession,
    )
    from studytool.store.scenario_cards import Forwarded, SyncReport


GRADED_ELSEWHERE_NOTICE = (
    "This card was just graded in another studytool window; here is the next one."
)
RETIRED_NOTICE = "This card's highlight was removed from its note (import); skipped."
DUE_NOW_NOTICE = "A card is due now."


def refused_grade_notice(error: StaleCardError) -> str:
    """The one line that says why a grade was refused (the card changed since it was shown)."""
    from studytool.store.reviews import CardRetiredError

    return RETIRED_NOTICE if isinstance(error, CardRetiredError) else GRADED_ELSEWHERE_NOTICE


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
class ComesBack:
    """When a grade would bring a card back: the moment, and how many study days from today
    (0: later today, as an FSRS learning step or a same-day repeat)."""

    due: datetime
    days: int


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

        Raises :class:`~studytool.store.reviews.StaleCardError` (nothing written) when the card
        was graded elsewhere or retired since it was shown; :meth:`turn` then gives the next.

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

    def preview(self, card_id: int, now: datetime) -> dict[int, ComesBack | None]:
        """When each grade 0..5 would bring ``card_id`` back, counted in study days from
        ``now``'s (days start at the configured hour, as the queue counts them)."""
        day_of = self._study_days()
        today = day_of(now)

        def comes_back(due: datetime | None) -> ComesBack | None:
            if due is None:
                return None
            return ComesBack(due, (day_of(due) - today).days)

        previews = self.service.preview(self.session, card_id)
        return {quality: comes_back(due) for quality, due in previews.items()}

    def nothing_due(self, now: datetime) -> NothingDue:
        """When the next card is due; ``now`` in the service's time zone (for the wording)."""
        return NothingDue(self.service.next_due_at(self.session), now.astimezone(self.service.tz))

    def study_ahead(self, now: datetime) -> Turn:
        """Take reviews due up to the next due card's day (at least tomorrow's)."""
        self.service.study_ahead(self.session, self._days_ahead(now))
        return self.turn()

    def can_study_ahead(self, now: datetime) -> bool:
        """Whether :meth:`study_ahead` would bring a card (the sitting is left as it was).

        It brings none when the cards due next were studied today (they wait for their day)
        and no new card is left for today.
        """
        session = self.session
        before = session.study_ahead_days
        self.service.study_ahead(session, self._days_ahead(now))
        try:
            return self.service.next_card(session) is not None
        finally:
            self.service.study_ahead(session, before)

    def _days_ahead(self, now: datetime) -> int:
        """How far :meth:`study_ahead` looks: to the next due card's day, one day further
        than the sitting already looks, and at least tomorrow."""
        next_due = self.service.next_due_at(self.session)
        days = 1
        if next_due is not None:
            day_of = self._study_days()
            days = max(1, (day_of(next_due) - day_of(now)).days)
        return max(days, self.session.study_ahead_days + 1)

    def _study_days(self) -> Callable[[datetime], date]:
        """The study day of a moment, as the queue counts it (the settings are read once)."""
        from functools import partial

        from studytool.scheduling.days import study_day

        hour = self.service.settings().day_start_hour
        return partial(study_day, tz=self.service.tz, day_start_hour=hour)

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


def read_first_turn(desk: ReviewDesk, scope: Scope) -> Turn | None:
    """The first turn of a sitting over ``scope`` (None on an empty database: the app then
    imports the bundled notes first, saying so)."""
    if not desk.has_cards():
        return None
    return desk.begin(scope)


class FirstTurnReader:
    """Reads the first turn in a thread, while the caller goes on (importing Textual).

    SQLite does its work without holding Python's interpreter lock, so on a large collection
    the queue is read while the interface's modules load. :meth:`result` waits for it and
    raises whatever the reading raised.
    """

    def __init__(self, desk: ReviewDesk, scope: Scope) -> None:
        self.desk = desk
        self.scope = scope
        self._turn: Turn | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, name="first-turn", daemon=True)

    def start(self) -> FirstTurnReader:
        self._thread.start()
        return self

    def _read(self) -> None:
        try:
            self._turn = read_first_turn(self.desk, self.scope)
        except BaseException as error:  # handed to the caller by result()
            self._error = error

    def result(self) -> Turn | None:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._turn
