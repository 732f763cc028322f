"""The review service: sessions, the next card, grading, undo, counts and scheduling settings.

The TUI and CLI study through :class:`ReviewService`; the decisions are made by the pure
:mod:`studytool.scheduling` modules and this module only reads their inputs from the database
and writes their results back.

- Every grade updates ``review_state`` and appends a ``review_log`` row (time in UTC, quality,
  the whole state before and after as JSON, time taken, typed answer) in one transaction that
  is committed before :meth:`ReviewService.grade` returns.
- :meth:`ReviewService.undo` restores the logged "before" state and deletes the log row, one
  grade at a time back through the session.
- Daily counts (new cards introduced, reviews done, siblings shown) come from today's log, so
  they are right across sessions, restarts and undos. A study day starts at the configured hour
  (setting ``day_start_hour``, default 4) in the injected local time zone.
- Each deck uses SM-2 (default) or FSRS, its limits and scheduler set in ``deck_config`` (a
  parent deck's override applies to its sub-decks) or globally in ``setting``. A card whose
  stored state comes from the other scheduler is converted when next graded, by replaying its
  review log through the deck's scheduler.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from studytool.scheduling import fsrs_adapter
from studytool.scheduling.days import (
    DEFAULT_DAY_START_HOUR,
    due_after,
    local_timezone,
    validate_day_start_hour,
)
from studytool.scheduling.queue import (
    DEFAULT_NEW_PER_DAY,
    DEFAULT_REVIEWS_PER_DAY,
    Candidate,
    DayClock,
    DayProgress,
    DeckLimits,
    QueueEntry,
    ReviewSession,
    build_queue,
    count_queue,
    next_available_at,
)
from studytool.scheduling.queue import forecast as forecast_queue
from studytool.scheduling.replay import replay_sm2
from studytool.scheduling.sm2 import SM2State, needs_same_day_repeat, review, validate_quality
from studytool.store import schema
from studytool.store.filters import card_clause
from studytool.store.records import LEARNING, NEW, REVIEW
from studytool.store.repository import Repository
from studytool.store.types import from_utc_text, to_utc_text

SM2 = "sm2"
FSRS = "fsrs"
SCHEDULERS = (SM2, FSRS)
DEFAULT_KINDS = ("cloze", "scenario")

SETTING_DAY_START = "day_start_hour"
SETTING_SCHEDULER = "scheduler"
SETTING_NEW_PER_DAY = "new_per_day"
SETTING_REVIEWS_PER_DAY = "reviews_per_day"

_card = schema.card
_state = schema.review_state
_log = schema.review_log
_deck_config = schema.deck_config
_setting = schema.setting

_STATE_FIELDS = (
    "state", "repetitions", "ef_hundredths", "interval", "due", "lapses", "reps",
    "last_reviewed", "scheduler", "fsrs_state", "buried_until",
)  # fmt: skip
_TIME_FIELDS = ("due", "last_reviewed", "buried_until")
_INITIAL_NEW_CAP = 50  # new cards read per deck beyond the largest daily limit
_NEW_STATE: dict[str, Any] = {
    "state": NEW, "repetitions": 0, "ef_hundredths": 250, "interval": 0, "due": None,
    "lapses": 0, "reps": 0, "last_reviewed": None, "scheduler": SM2, "fsrs_state": None,
    "buried_until": None,
}  # fmt: skip


class ReviewError(ValueError):
    """A request the review service cannot carry out (unknown card, bad setting, ...)."""


class UndoConflictError(ReviewError):
    """The grade to undo is gone, or the card was graded again since (elsewhere)."""


# Settings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeckOverride:
    """One ``deck_config`` row: what a deck (and its sub-decks) sets; None means inherit."""

    deck: str
    new_per_day: int | None = None
    reviews_per_day: int | None = None
    scheduler: str | None = None


@dataclass(frozen=True)
class DeckPolicy:
    """What applies to one deck after overrides: its daily limits and scheduler."""

    new_per_day: int
    reviews_per_day: int
    scheduler: str

    @property
    def limits(self) -> DeckLimits:
        return DeckLimits(new_per_day=self.new_per_day, reviews_per_day=self.reviews_per_day)


@dataclass(frozen=True)
class SchedulingSettings:
    """Collection-wide settings and per-deck overrides."""

    day_start_hour: int = DEFAULT_DAY_START_HOUR
    scheduler: str = SM2
    new_per_day: int = DEFAULT_NEW_PER_DAY
    reviews_per_day: int = DEFAULT_REVIEWS_PER_DAY
    decks: tuple[DeckOverride, ...] = ()

    def for_deck(self, deck: str) -> DeckPolicy:
        """The policy for ``deck``: its override, else its nearest parent's, else the default.

        Each field is inherited separately (a deck may set only its scheduler).
        """
        overrides = {o.deck.lower(): o for o in self.decks}
        chain = [o for name in _deck_and_parents(deck) if (o := overrides.get(name)) is not None]

        def pick(field_name: str, default: Any) -> Any:
            for override in chain:
                value = getattr(override, field_name)
                if value is not None:
                    return value
            return default

        return DeckPolicy(
            new_per_day=pick("new_per_day", self.new_per_day),
            reviews_per_day=pick("reviews_per_day", self.reviews_per_day),
            scheduler=pick("scheduler", self.scheduler),
        )


def _deck_and_parents(deck: str) -> list[str]:
    parts = deck.strip("/").lower().split("/")
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]


def _validate_scheduler(name: str) -> str:
    if name not in SCHEDULERS:
        raise ReviewError(f"unknown scheduler {name!r}: choose one of {', '.join(SCHEDULERS)}")
    return name


def _validate_limit(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ReviewError(f"{name} must be a whole number >= 0, got {value!r}")
    return value


# What the TUI gets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CardView:
    """Everything the review screen shows about one card, and why it is next.

    ``queue_kind`` is ``"new"``, ``"review"``, ``"repeat"`` (SM-2 same-day repeat),
    ``"learning"`` (FSRS learning step) or ``"front"`` (put back by undo). ``state`` is the
    stored state (new, learning or review); ``extra`` holds kind-specific data (scenarios).
    """

    id: int
    kind: str
    deck: str
    note: str
    line: int
    context: tuple[str, ...]
    prompt: str
    answer: str
    tags: tuple[str, ...]
    colour: str | None
    text: str
    state: str
    answer_start: int = 0
    answer_end: int = 0
    extra: str | None = None
    group: str = ""
    queue_kind: str = NEW
    scheduler: str = SM2
    due: datetime | None = None
    interval: int = 0
    ef: float = 2.5
    repetitions: int = 0
    lapses: int = 0
    reps: int = 0
    last_reviewed: datetime | None = None


@dataclass(frozen=True)
class Counts:
    """What is left and done today in a scope.

    ``due_today``: reviews due (within the review limit) plus same-day repeats and learning
    steps still to do; ``new_left_today``: new cards that will still be introduced today;
    ``reviewed_today``: distinct cards graded today.
    """

    due_today: int
    new_left_today: int
    reviewed_today: int


@dataclass(frozen=True)
class GradeResult:
    """What one grade did: the log row, the scheduler used, and when the card comes back."""

    card_id: int
    log_id: int
    quality: int
    scheduler: str
    state: str
    due: datetime | None
    interval: int
    repeat_today: bool
    same_day_repeat: bool


@dataclass(frozen=True)
class _UndoStep:
    log_id: int
    card_id: int
    session_before: ReviewSession


@dataclass
class StudySession:
    """One sitting, kept by the caller between service calls (create with ``start_session``).

    ``state`` is the pure queue session (pending repeats, skips, undo front); ``history`` the
    grades this session can still undo, newest last.
    """

    id: str
    deck: str | None
    tag: str | None
    kinds: tuple[str, ...]
    limit: int | None
    study_ahead_days: int
    state: ReviewSession
    history: list[_UndoStep] = field(default_factory=list)

    @property
    def graded(self) -> int:
        """Grades given in this session (undone ones excluded)."""
        return len(self.history)

    @property
    def can_undo(self) -> bool:
        return bool(self.history)


@dataclass(frozen=True)
class _Scope:
    deck: str | None = None
    tag: str | None = None
    kinds: tuple[str, ...] = DEFAULT_KINDS


@dataclass(frozen=True)
class _Today:
    progress: DayProgress
    owed_repeats: tuple[int, ...]


# The service ----------------------------------------------------------------------------------


class ReviewService:
    """Studying against one database, with an injectable clock and local time zone."""

    def __init__(
        self,
        repository: Repository,
        now: Callable[[], datetime] | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        self.repository = repository
        self._now = now or repository.clock
        self.tz = tz or local_timezone()

    # Settings
    def settings(self) -> SchedulingSettings:
        """The current settings and every per-deck override."""
        with self.repository.engine.connect() as connection:
            return _read_settings(connection)

    def set_day_start_hour(self, hour: int) -> None:
        """Set the hour (0..23, local time) at which a study day begins."""
        try:
            validate_day_start_hour(hour)
        except ValueError as error:
            raise ReviewError(str(error)) from None
        self._write_setting(SETTING_DAY_START, str(hour))

    def set_scheduler(self, scheduler: str | None, deck: str | None = None) -> None:
        """Use ``scheduler`` (sm2|fsrs) for ``deck`` (None: the default for all decks).

        For a deck, ``None`` removes its override. Cards convert lazily when next graded.
        """
        if deck is None:
            self._write_setting(SETTING_SCHEDULER, _validate_scheduler(scheduler or SM2))
        else:
            value = None if scheduler is None else _validate_scheduler(scheduler)
            self._write_deck_config(deck, "scheduler", value)

    def set_new_per_day(self, count: int | None, deck: str | None = None) -> None:
        """Daily new-card limit for ``deck`` (None: the default); ``count=None`` unsets a deck's."""
        self._set_limit(SETTING_NEW_PER_DAY, count, deck)

    def set_reviews_per_day(self, count: int | None, deck: str | None = None) -> None:
        """Daily review limit for ``deck`` (None: the default); ``count=None`` unsets a deck's."""
        self._set_limit(SETTING_REVIEWS_PER_DAY, count, deck)

    def _set_limit(self, name: str, count: int | None, deck: str | None) -> None:
        if deck is None:
            default = (
                DEFAULT_NEW_PER_DAY if name == SETTING_NEW_PER_DAY else DEFAULT_REVIEWS_PER_DAY
            )
            self._write_setting(
                name, str(_validate_limit(name, default if count is None else count))
            )
        else:
            value = None if count is None else _validate_limit(name, count)
            self._write_deck_config(deck, name, value)

    def _write_setting(self, key: str, value: str) -> None:
        statement = sqlite_insert(_setting).values(key=key, value=value)
        statement = statement.on_conflict_do_update(index_elements=["key"], set_={"value": value})
        with self.repository.writing() as session:
            session.connection().execute(statement)

    def _write_deck_config(self, deck: str, column: str, value: Any) -> None:
        name = deck.strip().strip("/")
        if not name:
            raise ReviewError("deck name is empty")
        with self.repository.writing() as session:
            connection = session.connection()
            existing = connection.execute(
                select(_deck_config.c.deck).where(func.lower(_deck_config.c.deck) == name.lower())
            ).scalar()
            key = existing or name
            statement = sqlite_insert(_deck_config).values(deck=key, **{column: value})
            connection.execute(
                statement.on_conflict_do_update(index_elements=["deck"], set_={column: value})
            )
            connection.execute(
                delete(_deck_config).where(
                    _deck_config.c.deck == key,
                    _deck_config.c.new_per_day.is_(None),
                    _deck_config.c.reviews_per_day.is_(None),
                    _deck_config.c.scheduler.is_(None),
                )
            )

    # Sessions and the queue
    def start_session(
        self,
        deck: str | None = None,
        tag: str | None = None,
        limit: int | None = None,
        include_kinds: Sequence[str] = DEFAULT_KINDS,
        study_ahead_days: int = 0,
    ) -> StudySession:
        """A new sitting over ``deck``/``tag`` (sub-decks and sub-tags included).

        ``limit`` caps the distinct cards studied in the session; same-day repeats owed from
        earlier today are carried in.
        """
        if limit is not None:
            _validate_limit("session limit", limit)
        _validate_limit("study ahead days", study_ahead_days)
        clock = self._clock()
        with self.repository.engine.connect() as connection:
            today = _read_today(connection, clock)
        return StudySession(
            id=uuid.uuid4().hex,
            deck=deck,
            tag=tag,
            kinds=tuple(include_kinds),
            limit=limit,
            study_ahead_days=study_ahead_days,
            state=ReviewSession.start(today.owed_repeats, limit=limit),
        )

    def next_card(self, session: StudySession) -> CardView | None:
        """The card to study now, or None when the session has nothing left."""
        clock = self._clock()
        with self.repository.engine.connect() as connection:
            queue = self._queue(connection, _scope_of(session), clock, session.state,
                                session.study_ahead_days)  # fmt: skip
            if not queue:
                return None
            return _card_view(connection, queue[0])

    def upcoming(self, session: StudySession, count: int = 10) -> list[CardView]:
        """The next ``count`` cards in queue order (the first is what ``next_card`` returns)."""
        clock = self._clock()
        with self.repository.engine.connect() as connection:
            queue = self._queue(connection, _scope_of(session), clock, session.state,
                                session.study_ahead_days)  # fmt: skip
            return [_card_view(connection, entry) for entry in queue[:count]]

    def skip(self, session: StudySession, card_id: int) -> None:
        """Leave ``card_id`` out for the rest of this session (nothing is written)."""
        session.state = session.state.after_skip(card_id)

    def study_ahead(self, session: StudySession, days: int = 1) -> None:
        """Let the session also take reviews due within ``days`` after today."""
        session.study_ahead_days = _validate_limit("study ahead days", days)

    # Grading
    def grade(
        self,
        session: StudySession,
        card_id: int,
        quality: int,
        duration_ms: int | None = None,
        typed_answer: str | None = None,
        correct: bool | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> GradeResult:
        """Grade ``card_id`` 0..5; the state and the log row are committed before returning.

        ``correct``/``detail`` record a scenario answer's result and question in the log.
        """
        try:
            quality = validate_quality(quality)
        except ValueError as error:
            raise ReviewError(str(error)) from None
        if duration_ms is not None:
            _validate_limit("duration_ms", duration_ms)
        settings = self.settings()
        clock = self._clock(settings)
        with self.repository.writing() as db_session:
            connection = db_session.connection()
            deck = _card_deck(connection, card_id)
            before = _read_state(connection, card_id)
            scheduler = settings.for_deck(deck).scheduler
            pending = session.state.is_pending(card_id)
            after, repeat_today, same_day = _next_state(
                connection, card_id, before, scheduler, quality, clock, pending
            )
            _write_state(connection, card_id, after)
            log_id = connection.execute(
                insert(_log).values(
                    card_id=card_id, reviewed_at=clock.now, quality=quality,
                    state_before=before, state_after=after, duration_ms=duration_ms,
                    typed_answer=typed_answer, session_id=session.id, scheduler=scheduler,
                    correct=correct, detail=None if detail is None else dict(detail),
                )
            ).inserted_primary_key[0]  # fmt: skip
        session.history.append(_UndoStep(int(log_id), card_id, session.state))
        session.state = session.state.after_grade(card_id, repeat_today)
        return GradeResult(
            card_id=card_id, log_id=int(log_id), quality=quality, scheduler=scheduler,
            state=after["state"], due=_time(after["due"]), interval=after["interval"],
            repeat_today=repeat_today, same_day_repeat=same_day,
        )  # fmt: skip

    def preview(self, session: StudySession, card_id: int) -> dict[int, datetime | None]:
        """When the card would be due after each grade 0..5 (nothing is written)."""
        settings = self.settings()
        clock = self._clock(settings)
        with self.repository.engine.connect() as connection:
            deck = _card_deck(connection, card_id)
            before = _read_state(connection, card_id)
            scheduler = settings.for_deck(deck).scheduler
            pending = session.state.is_pending(card_id)
            outcomes = {
                quality: _next_state(
                    connection, card_id, before, scheduler, quality, clock, pending
                )
                for quality in range(6)
            }
        return {quality: _time(after["due"]) for quality, (after, _, _) in outcomes.items()}

    def undo(self, session: StudySession) -> int | None:
        """Undo the session's last grade: restore the logged state, delete the log row.

        Returns the card id (shown next), or None when the session has nothing to undo.
        """
        if not session.history:
            return None
        step = session.history[-1]
        with self.repository.writing() as db_session:
            connection = db_session.connection()
            row = connection.execute(
                select(_log.c.card_id, _log.c.state_before).where(_log.c.id == step.log_id)
            ).first()
            if row is None:
                session.history.pop()
                raise UndoConflictError(f"the grade to undo (log {step.log_id}) no longer exists")
            later = connection.execute(
                select(_log.c.id).where(_log.c.card_id == step.card_id, _log.c.id > step.log_id)
            ).first()
            if later is not None:
                raise UndoConflictError(
                    f"card {step.card_id} was graded again after this grade; undo that first"
                )
            _write_state(connection, step.card_id, dict(row.state_before))
            connection.execute(delete(_log).where(_log.c.id == step.log_id))
        session.history.pop()
        session.state = step.session_before.with_front(step.card_id)
        return step.card_id

    # Overviews
    def counts(
        self,
        session: StudySession | None = None,
        deck: str | None = None,
        tag: str | None = None,
        include_kinds: Sequence[str] = DEFAULT_KINDS,
    ) -> Counts:
        """Due, new-left and reviewed counts for a session, or for ``deck``/``tag`` today."""
        clock = self._clock()
        scope = _scope_of(session) if session else _Scope(deck, tag, tuple(include_kinds))
        with self.repository.engine.connect() as connection:
            today = _read_today(connection, clock)
            state = session.state if session else ReviewSession.start(today.owed_repeats)
            ahead = session.study_ahead_days if session else 0
            queue = self._queue(connection, scope, clock, state, ahead, today)
            reviewed = _reviewed_today(connection, scope, clock)
        counted = count_queue(queue)
        return Counts(due_today=counted.due, new_left_today=counted.new, reviewed_today=reviewed)

    def next_due_at(
        self,
        session: StudySession | None = None,
        deck: str | None = None,
        tag: str | None = None,
        include_kinds: Sequence[str] = DEFAULT_KINDS,
    ) -> datetime | None:
        """When a fresh session in this scope would next have a card (now if it has one).

        None when the scope has no cards at all. The value is UTC.
        """
        clock = self._clock()
        scope = _scope_of(session) if session else _Scope(deck, tag, tuple(include_kinds))
        with self.repository.engine.connect() as connection:
            today = _read_today(connection, clock)
            queue = self._queue(connection, scope, clock, ReviewSession.start(today.owed_repeats),
                                0, today)  # fmt: skip
            if queue:
                return clock.now
            candidates, _ = _candidates(connection, scope, clock, None)
        return next_available_at(candidates, clock, today.progress)

    def forecast(
        self,
        days: int = 7,
        session: StudySession | None = None,
        deck: str | None = None,
        tag: str | None = None,
        include_kinds: Sequence[str] = DEFAULT_KINDS,
    ) -> list[tuple[date, int]]:
        """Cards falling due on each of the next ``days`` study days (overdue ones on today)."""
        clock = self._clock()
        scope = _scope_of(session) if session else _Scope(deck, tag, tuple(include_kinds))
        with self.repository.engine.connect() as connection:
            candidates, _ = _candidates(connection, scope, clock, None)
        try:
            return forecast_queue(candidates, clock, days)
        except ValueError as error:
            raise ReviewError(str(error)) from None

    # Internals
    def _clock(self, settings: SchedulingSettings | None = None) -> DayClock:
        now = self._now()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ReviewError("the review clock returned a naive datetime")
        hour = (settings or self.settings()).day_start_hour
        return DayClock(now=now, tz=self.tz, day_start_hour=hour)

    def _queue(
        self,
        connection: Any,
        scope: _Scope,
        clock: DayClock,
        state: ReviewSession,
        study_ahead_days: int,
        today: _Today | None = None,
    ) -> list[QueueEntry]:
        """The queue, reading only the first ``cap`` new cards of each deck.

        Daily limits make later new cards irrelevant; if a deck's limit is not filled from the
        cards read (siblings buried, say) while more exist, read again with a larger cap.
        """
        settings = _read_settings(connection)
        today = today or _read_today(connection, clock)
        cap = _INITIAL_NEW_CAP + max(
            [settings.new_per_day] + [o.new_per_day for o in settings.decks if o.new_per_day]
        )
        while True:
            candidates, new_read = _candidates(connection, scope, clock, study_ahead_days, cap)
            decks = {c.deck for c in candidates}
            limits = {deck: settings.for_deck(deck).limits for deck in decks}
            queue = build_queue(
                candidates, clock, state, today.progress, limits,
                DeckLimits(settings.new_per_day, settings.reviews_per_day), study_ahead_days,
            )  # fmt: skip
            if not _may_need_more_new(queue, new_read, cap, limits, today.progress, state):
                return queue
            cap *= 4


def _may_need_more_new(
    queue: list[QueueEntry],
    new_read: Mapping[str, int],
    cap: int,
    limits: Mapping[str, DeckLimits],
    progress: DayProgress,
    state: ReviewSession,
) -> bool:
    """Whether a deck read ``cap`` new cards (so may have more) yet did not fill its limit."""
    if state.limit is not None:
        introduced = sum(1 for entry in queue if entry.kind in (NEW, REVIEW))
        if len(state.studied) + introduced >= state.limit:
            return False
    placed = Counter(entry.candidate.deck for entry in queue if entry.kind == NEW)
    for deck, read in new_read.items():
        wanted = limits[deck].new_per_day - progress.new_done.get(deck, 0)
        if read >= cap and placed[deck] < wanted:
            return True
    return False


def _scope_of(session: StudySession) -> _Scope:
    return _Scope(session.deck, session.tag, session.kinds)


# Reading ----------------------------------------------------------------------------------------


def _read_settings(connection: Any) -> SchedulingSettings:
    rows = connection.execute(select(_setting.c.key, _setting.c.value))
    values = {row.key: row.value for row in rows}
    overrides = tuple(
        DeckOverride(row.deck, row.new_per_day, row.reviews_per_day, row.scheduler)
        for row in connection.execute(select(_deck_config).order_by(_deck_config.c.deck))
    )
    return SchedulingSettings(
        day_start_hour=_int_setting(values, SETTING_DAY_START, DEFAULT_DAY_START_HOUR, 23),
        scheduler=values.get(SETTING_SCHEDULER) if values.get(SETTING_SCHEDULER) in SCHEDULERS
        else SM2,
        new_per_day=_int_setting(values, SETTING_NEW_PER_DAY, DEFAULT_NEW_PER_DAY),
        reviews_per_day=_int_setting(values, SETTING_REVIEWS_PER_DAY, DEFAULT_REVIEWS_PER_DAY),
        decks=overrides,
    )  # fmt: skip


def _int_setting(
    values: Mapping[str, str], key: str, default: int, maximum: int | None = None
) -> int:
    """A stored integer setting; a missing or unreadable value falls back to the default."""
    try:
        value = int(values[key])
    except (KeyError, ValueError):
        return default
    if value < 0 or (maximum is not None and value > maximum):
        return default
    return value


def _candidates(
    connection: Any,
    scope: _Scope,
    clock: DayClock,
    study_ahead_days: int | None,
    new_cap: int | None = None,
) -> tuple[list[Candidate], Counter[str]]:
    """Active, unburied cards in scope, and how many new cards were read per deck.

    With ``study_ahead_days`` set, only studiable cards: new ones, those due before the
    horizon, and those graded today (repeats). With ``new_cap``, only the first ``new_cap``
    new cards of each deck in note order.
    """
    in_scope = (
        _card.c.retired.is_(False), card_clause(scope.deck, scope.tag),
        _card.c.kind.in_(scope.kinds),
        _state.c.buried_until.is_(None) | (_state.c.buried_until <= clock.now),
    )  # fmt: skip
    joined = _card.outerjoin(_state, _state.c.card_id == _card.c.id)
    is_new = _state.c.state.is_(None) | (_state.c.state == NEW) | _state.c.due.is_(None)
    scheduled = select(
        _card.c.id, _card.c.deck, _card.c.group_key, _card.c.position, _state.c.state,
        _state.c.due, _state.c.scheduler,
    ).select_from(joined).where(*in_scope, ~is_new)  # fmt: skip
    if study_ahead_days is not None:
        horizon = clock.start_of(clock.today + timedelta(days=study_ahead_days + 1))
        graded_today = _state.c.last_reviewed >= clock.start_of(clock.today)  # repeats
        scheduled = scheduled.where((_state.c.due < horizon) | graded_today)
    candidates = [
        Candidate(
            card_id=row.id, deck=row.deck, group=row.group_key, position=row.position,
            due=row.due, intraday=row.scheduler == FSRS and row.state == LEARNING,
        )
        for row in connection.execute(scheduled)
    ]  # fmt: skip
    rank = func.row_number().over(
        partition_by=_card.c.deck, order_by=(_card.c.position, _card.c.id)
    )
    new = (
        select(_card.c.id, _card.c.deck, _card.c.group_key, _card.c.position, rank.label("rank"))
        .select_from(joined).where(*in_scope, is_new).subquery()
    )  # fmt: skip
    new_query = select(new.c.id, new.c.deck, new.c.group_key, new.c.position)
    if new_cap is not None:
        new_query = new_query.where(new.c.rank <= new_cap)
    new_read: Counter[str] = Counter()
    for card_id, deck, group, position in connection.execute(new_query):
        candidates.append(Candidate(card_id=card_id, deck=deck, group=group, position=position))
        new_read[deck] += 1
    return candidates, new_read


def _read_today(connection: Any, clock: DayClock) -> _Today:
    """Today's log: first-grade counts per deck, cards and groups shown, repeats still owed.

    A card counts once a day: as new if it was new at its first grade today, else as a review
    (unless it was in an FSRS learning step).
    """
    start = clock.start_of(clock.today)
    rows = connection.execute(
        select(_log.c.card_id, _log.c.quality, _log.c.state_before, _log.c.scheduler,
               _card.c.deck, _card.c.group_key)
        .select_from(_log.join(_card, _card.c.id == _log.c.card_id))
        .where(_log.c.reviewed_at >= start, _log.c.reviewed_at <= clock.now)
        .order_by(_log.c.id)
    ).all()  # fmt: skip
    new_done: Counter[str] = Counter()
    reviews_done: Counter[str] = Counter()
    first_seen: set[int] = set()
    last: dict[int, tuple[int, str]] = {}
    groups: set[str] = set()
    for row in rows:
        if row.card_id not in first_seen:
            first_seen.add(row.card_id)
            before = row.state_before or {}
            if before.get("state", NEW) == NEW:
                new_done[row.deck] += 1
            elif not (before.get("state") == LEARNING and before.get("scheduler") == FSRS):
                reviews_done[row.deck] += 1  # FSRS learning steps do not count as reviews
        last[row.card_id] = (row.quality, row.scheduler)
        groups.add(row.group_key)
    owed = tuple(
        card_id for card_id, (quality, scheduler) in last.items()
        if scheduler == SM2 and needs_same_day_repeat(quality)
    )  # fmt: skip
    progress = DayProgress(
        new_done=dict(new_done), reviews_done=dict(reviews_done),
        shown_cards=frozenset(first_seen), shown_groups=frozenset(groups),
    )  # fmt: skip
    return _Today(progress=progress, owed_repeats=owed)


def _reviewed_today(connection: Any, scope: _Scope, clock: DayClock) -> int:
    start = clock.start_of(clock.today)
    query = (
        select(func.count(func.distinct(_log.c.card_id)))
        .select_from(_log.join(_card, _card.c.id == _log.c.card_id))
        .where(_log.c.reviewed_at >= start, _log.c.reviewed_at <= clock.now,
               card_clause(scope.deck, scope.tag), _card.c.kind.in_(scope.kinds))
    )  # fmt: skip
    return int(connection.execute(query).scalar_one())


def _card_deck(connection: Any, card_id: int) -> str:
    deck = connection.execute(select(_card.c.deck).where(_card.c.id == card_id)).scalar()
    if deck is None:
        raise ReviewError(f"no card with id {card_id}")
    return str(deck)


def _card_view(connection: Any, entry: QueueEntry) -> CardView:
    row = connection.execute(
        select(_card, *[_state.c[name] for name in _STATE_FIELDS if name != "fsrs_state"])
        .select_from(_card.outerjoin(_state, _state.c.card_id == _card.c.id))
        .where(_card.c.id == entry.card_id)
    ).mappings().one()  # fmt: skip
    return CardView(
        id=row["id"], kind=row["kind"], deck=row["deck"], note=row["note_path"], line=row["line"],
        context=tuple(row["context"]), prompt=row["prompt"], answer=row["answer"],
        tags=tuple(row["tags"]), colour=row["colour"], text=row["text"],
        state=row["state"] or NEW, answer_start=row["answer_start"],
        answer_end=row["answer_end"], extra=row["extra"], group=row["group_key"],
        queue_kind=entry.kind, scheduler=row["scheduler"] or SM2, due=row["due"],
        interval=row["interval"] or 0, ef=(row["ef_hundredths"] or 250) / 100,
        repetitions=row["repetitions"] or 0, lapses=row["lapses"] or 0, reps=row["reps"] or 0,
        last_reviewed=row["last_reviewed"],
    )  # fmt: skip


def _read_state(connection: Any, card_id: int) -> dict[str, Any]:
    """The card's review state as the JSON snapshot the log stores (times as UTC text)."""
    row = connection.execute(
        select(*[_state.c[name] for name in _STATE_FIELDS]).where(_state.c.card_id == card_id)
    ).mappings().first()  # fmt: skip
    if row is None:
        return dict(_NEW_STATE)
    snapshot = dict(row)
    for name in _TIME_FIELDS:
        snapshot[name] = None if snapshot[name] is None else to_utc_text(snapshot[name])
    return snapshot


def _history(connection: Any, card_id: int) -> list[tuple[datetime, int]]:
    rows = connection.execute(
        select(_log.c.reviewed_at, _log.c.quality).where(_log.c.card_id == card_id)
        .order_by(_log.c.reviewed_at, _log.c.id)
    )  # fmt: skip
    return [(row.reviewed_at, row.quality) for row in rows]


# Writing ----------------------------------------------------------------------------------------


def _write_state(connection: Any, card_id: int, snapshot: Mapping[str, Any]) -> None:
    values = {name: snapshot.get(name, _NEW_STATE[name]) for name in _STATE_FIELDS}
    for name in _TIME_FIELDS:
        values[name] = _time(values[name])
    statement = sqlite_insert(_state).values(card_id=card_id, **values)
    connection.execute(statement.on_conflict_do_update(index_elements=["card_id"], set_=values))


def _time(text: str | None) -> datetime | None:
    return None if text is None else from_utc_text(text)


def _next_state(
    connection: Any,
    card_id: int,
    before: Mapping[str, Any],
    scheduler: str,
    quality: int,
    clock: DayClock,
    pending: bool,
) -> tuple[dict[str, Any], bool, bool]:
    """``(state after, repeat today?, was a same-day repeat?)`` for one grade (nothing written)."""
    if scheduler == FSRS:
        return _next_fsrs(connection, card_id, before, quality, clock), False, False
    return _next_sm2(connection, card_id, before, quality, clock, pending)


def _next_sm2(
    connection: Any,
    card_id: int,
    before: Mapping[str, Any],
    quality: int,
    clock: DayClock,
    pending: bool,
) -> tuple[dict[str, Any], bool, bool]:
    after = dict(before)
    after["reps"] = before["reps"] + 1
    after["last_reviewed"] = to_utc_text(clock.now)
    repeat_today = needs_same_day_repeat(quality)
    after["state"] = LEARNING if repeat_today else REVIEW
    if before["state"] != NEW and before["scheduler"] != SM2:
        replayed = replay_sm2(_history(connection, card_id), clock.tz, clock.day_start_hour)
        base, lapses = replayed.state, replayed.lapses
        pending = replayed.owes_repeat_on == clock.today
    else:
        base = SM2State(before["repetitions"], before["ef_hundredths"] / 100, before["interval"])
        lapses = before["lapses"]
        last = _time(before["last_reviewed"])
        pending = pending and last is not None and clock.day_of(last) == clock.today
    after["scheduler"] = SM2
    if pending:
        after.update(repetitions=base.repetitions, interval=base.interval, lapses=lapses,
                     ef_hundredths=round(base.ef * 100))  # fmt: skip
        if before["scheduler"] != SM2:
            after["due"] = to_utc_text(due_after(clock.now, base.interval, clock.tz,
                                                 clock.day_start_hour))  # fmt: skip
        return after, repeat_today, True
    reviewed = review(base, quality)
    after.update(
        repetitions=reviewed.repetitions, ef_hundredths=round(reviewed.ef * 100),
        interval=reviewed.interval,
        lapses=lapses + (1 if quality < 3 and base.repetitions > 0 else 0),
        due=to_utc_text(due_after(clock.now, reviewed.interval, clock.tz, clock.day_start_hour)),
    )  # fmt: skip
    return after, repeat_today, False


def _next_fsrs(
    connection: Any, card_id: int, before: Mapping[str, Any], quality: int, clock: DayClock
) -> dict[str, Any]:
    if before["scheduler"] == FSRS and before["fsrs_state"]:
        current: dict[str, Any] | None = dict(before["fsrs_state"])
    elif before["state"] == NEW:
        current = None
    else:
        current = fsrs_adapter.state_from_history(_history(connection, card_id), card_id)
    outcome = fsrs_adapter.review(current, quality, clock.now, card_id=card_id)
    lapse = quality < 3 and current is not None and not fsrs_adapter.is_intraday(current)
    after = dict(before)
    after.update(
        state=LEARNING if outcome.intraday else REVIEW, due=to_utc_text(outcome.due),
        interval=fsrs_adapter.interval_days(outcome.state), reps=before["reps"] + 1,
        lapses=before["lapses"] + (1 if lapse else 0), last_reviewed=to_utc_text(clock.now),
        scheduler=FSRS, fsrs_state=outcome.state,
    )  # fmt: skip
    return after
