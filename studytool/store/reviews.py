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

Speed. The service keeps one SQLite connection of its own and, between calls, what the queue
is built from: the settings, today's log, and for each scope the sorted candidates (due
reviews and the first new cards of each deck in note order, read through indexes, a few dozen
per deck beyond the daily limits; more are read when a deck runs short). Its own grades and
undos update these in place. Whatever any other connection commits (an import in another
terminal, a second review, ``studytool config``, a test writing rows) changes SQLite's
``PRAGMA data_version`` on this connection, and the next call then reads everything afresh,
so a running review sees new cards at the next card.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
import weakref
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.pool import StaticPool

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
    NewKey,
    QueueCounts,
    QueueEntry,
    QueuePlan,
    ReviewKey,
    ReviewSession,
    SortedCandidates,
    learning_order,
    new_order,
    plan_queue,
    review_order,
)
from studytool.scheduling.replay import replay_sm2
from studytool.scheduling.sm2 import SM2State, needs_same_day_repeat, review, validate_quality
from studytool.store import schema
from studytool.store.db import IMMEDIATE, begin_transaction, configure_connection
from studytool.store.filters import card_clause
from studytool.store.records import LEARNING, NEW, REVIEW
from studytool.store.repository import Repository
from studytool.store.utc import from_utc_text, to_utc_text

SM2 = "sm2"
FSRS = "fsrs"
SCHEDULERS = (SM2, FSRS)
DEFAULT_KINDS = ("cloze", "scenario")
#: The key of :meth:`ReviewService.counts_by_deck` for all decks of the scope together.
ALL_DECKS = ""

SETTING_DAY_START = "day_start_hour"
SETTING_SCHEDULER = "scheduler"
SETTING_NEW_PER_DAY = "new_per_day"
SETTING_REVIEWS_PER_DAY = "reviews_per_day"

_card = schema.card
_note = schema.note
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
_INITIAL_REVIEW_CAP = 50  # due reviews read per deck beyond the largest daily limit
_GROWTH = 4  # a deck that runs short is read again with this many times more cards
_SCOPES_KEPT = 8  # scopes whose candidates are kept between calls
_NEW_STATE: dict[str, Any] = {
    "state": NEW, "repetitions": 0, "ef_hundredths": 250, "interval": 0, "due": None,
    "lapses": 0, "reps": 0, "last_reviewed": None, "scheduler": SM2, "fsrs_state": None,
    "buried_until": None,
}  # fmt: skip
_EXTRA = "extra"  # a candidate reachable only by id (a repeat, the front, a deferred card)


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
    ``vault`` is the vault folder the card's note was imported from (absolute, as imported),
    or None for a card without a note.
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
    vault: str | None = None


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

    @property
    def skipped_count(self) -> int:
        """Cards skipped in this session: left out, or waiting at the end of the queue."""
        return len(self.state.skipped) + len(self.state.deferred)


@dataclass(frozen=True)
class _Scope:
    deck: str | None = None
    tag: str | None = None
    kinds: tuple[str, ...] = DEFAULT_KINDS


@dataclass(frozen=True)
class _Today:
    progress: DayProgress
    owed_repeats: tuple[int, ...]


def _scope_of(session: StudySession) -> _Scope:
    return _Scope(session.deck, session.tag, session.kinds)


def _deck_matches(deck: str, name: str | None) -> bool:
    """Whether ``deck`` is ``name`` or under it, exactly as :func:`filters.deck_clause` decides.

    Both sides are case-folded by Python's ``str.casefold`` (``st_fold`` in SQL).
    """
    if not name:
        return True
    wanted = name.strip().strip("/").casefold()
    folded = deck.casefold()
    return folded == wanted or folded[: len(wanted) + 1] == wanted + "/"


def _deck_tree(decks: Iterable[str]) -> list[str]:
    """Every deck and each of its parents (``AWS`` for ``AWS/Networking``), sorted."""
    names: set[str] = set()
    for deck in decks:
        parts = deck.split("/")
        names.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(names, key=lambda name: (name.lower(), name))


# The service's connection ---------------------------------------------------------------------


class _Database:
    """The service's own SQLite connection, and whether anyone else has written since.

    ``PRAGMA data_version`` changes when another connection (this process or another) commits,
    never for this connection's own commits: so the service can keep what it read as long as
    the value stays put, and update it in place for its own writes. The connection has the
    same settings as :mod:`studytool.store.db` gives its own (WAL, foreign keys, busy timeout,
    explicit ``BEGIN``/``BEGIN IMMEDIATE``); calls are serialised by the service's lock.
    """

    def __init__(self, path: str) -> None:
        raw = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        configure_connection(raw)
        self.raw = raw
        self.engine: Engine = create_engine("sqlite://", creator=lambda: raw, poolclass=StaticPool)
        event.listen(self.engine, "begin", begin_transaction)
        self._version = self._data_version()
        self._finalizer = weakref.finalize(self, _close_connection, self.engine, raw)

    def _data_version(self) -> int:
        return int(self.raw.execute("PRAGMA data_version").fetchone()[0])

    def changed_elsewhere(self) -> bool:
        """Whether another connection committed since the last time this was asked."""
        version = self._data_version()
        changed = version != self._version
        self._version = version
        return changed

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read transaction (one snapshot), ended when the block ends."""
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction holding the write lock from its start; committed on success."""
        with self.engine.connect() as connection:
            connection = connection.execution_options(**{IMMEDIATE: True})
            with connection.begin():
                yield connection

    def close(self) -> None:
        self._finalizer()


def _close_connection(engine: Engine, raw: sqlite3.Connection) -> None:
    engine.dispose()
    raw.close()


def _database_path(repository: Repository) -> str:
    database = repository.engine.url.database
    return database if database else str(repository.path)


# Today's log ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Graded:
    """One of today's review log rows, as the queue needs it (deck and group of its card)."""

    log_id: int
    card_id: int
    reviewed_at: datetime
    quality: int
    new_before: bool
    learning_before: bool  # in an FSRS learning step before the grade
    scheduler: str
    deck: str
    group: str


def _graded(
    log_id: int, card_id: int, reviewed_at: datetime, quality: int, before: Any,
    scheduler: str, deck: str, group: str,
) -> _Graded:  # fmt: skip
    before = before if isinstance(before, dict) else {}
    return _Graded(
        log_id=log_id, card_id=card_id, reviewed_at=reviewed_at, quality=quality,
        new_before=before.get("state", NEW) == NEW,
        learning_before=before.get("state") == LEARNING and before.get("scheduler") == FSRS,
        scheduler=scheduler, deck=deck, group=group,
    )  # fmt: skip


class _DayLog:
    """The review log rows of one study day (from its start on), in log order."""

    def __init__(self, start: datetime, rows: list[_Graded]) -> None:
        self.start = start
        self.rows = rows
        self._memo: tuple[int, _Today] | None = None
        self._version = 0

    @classmethod
    def read(cls, connection: Connection, start: datetime) -> _DayLog:
        """The rows from ``start`` on, found through the time index (never a scan of the log)."""
        rows = (
            select(_log.c.id, _log.c.card_id, _log.c.reviewed_at, _log.c.quality,
                   _log.c.state_before, _log.c.scheduler)
            .where(_log.c.reviewed_at >= start)
            .cte("todays_log").prefix_with("MATERIALIZED")
        )  # fmt: skip
        query = (
            select(rows.c.id, rows.c.card_id, rows.c.reviewed_at, rows.c.quality,
                   rows.c.state_before, rows.c.scheduler, _card.c.deck, _card.c.group_key)
            .select_from(rows.join(_card, _card.c.id == rows.c.card_id))
            .order_by(rows.c.id)
        )  # fmt: skip
        return cls(start, [_graded(*row) for row in connection.execute(query)])

    def add(self, row: _Graded) -> None:
        self.rows.append(row)
        self._version += 1

    def remove(self, log_id: int) -> None:
        self.rows = [row for row in self.rows if row.log_id != log_id]
        self._version += 1

    def until(self, now: datetime) -> list[_Graded]:
        """The rows graded at or before ``now`` (a clock may stand before a logged time)."""
        return [row for row in self.rows if row.reviewed_at <= now]

    def today(self, now: datetime) -> _Today:
        """First-grade counts per deck, cards and groups shown, and repeats still owed.

        A card counts once a day: as new if it was new at its first grade today, else as a
        review (unless it was in an FSRS learning step).
        """
        complete = all(row.reviewed_at <= now for row in self.rows)
        if complete and self._memo is not None and self._memo[0] == self._version:
            return self._memo[1]
        today = _summarise(self.until(now))
        if complete:
            self._memo = (self._version, today)
        return today


def _summarise(rows: Iterable[_Graded]) -> _Today:
    new_done: Counter[str] = Counter()
    reviews_done: Counter[str] = Counter()
    first_seen: set[int] = set()
    last: dict[int, tuple[int, str]] = {}
    groups: set[str] = set()
    for row in rows:
        if row.card_id not in first_seen:
            first_seen.add(row.card_id)
            if row.new_before:
                new_done[row.deck] += 1
            elif not row.learning_before:
                reviews_done[row.deck] += 1  # FSRS learning steps do not count as reviews
        last[row.card_id] = (row.quality, row.scheduler)
        groups.add(row.group)
    owed = tuple(
        card_id for card_id, (quality, scheduler) in last.items()
        if scheduler == SM2 and needs_same_day_repeat(quality)
    )  # fmt: skip
    progress = DayProgress(
        new_done=dict(new_done), reviews_done=dict(reviews_done),
        shown_cards=frozenset(first_seen), shown_groups=frozenset(groups),
    )  # fmt: skip
    return _Today(progress=progress, owed_repeats=owed)


# Candidates kept between calls ----------------------------------------------------------------


class _SortedPool:
    """Candidates kept in one order (with their keys alongside, for bisection)."""

    def __init__(self, order: Callable[[Candidate], Any]) -> None:
        self.order = order
        self.items: list[Candidate] = []
        self.keys: list[Any] = []

    def insert(self, candidate: Candidate) -> None:
        key = self.order(candidate)
        index = bisect_right(self.keys, key)
        self.keys.insert(index, key)
        self.items.insert(index, candidate)

    def extend(self, candidates: Iterable[Candidate]) -> None:
        self.items.extend(candidates)
        self.items.sort(key=self.order)
        self.keys = [self.order(candidate) for candidate in self.items]

    def remove(self, candidate: Candidate) -> None:
        key = self.order(candidate)
        index = bisect_left(self.keys, key)
        if index < len(self.keys) and self.keys[index] == key:
            del self.keys[index]
            del self.items[index]

    def deck_ids(self, deck: str) -> list[int]:
        return [candidate.card_id for candidate in self.items if candidate.deck == deck]


class _Pools:
    """One scope's candidates up to one horizon, sorted for :func:`plan_queue`.

    Reviews and new cards are read per deck up to a cap; ``review_bounds``/``new_bounds`` hold,
    for each deck read only partly, the key of the last card read: every eligible card of that
    deck up to the bound is present. Cards are placed, moved and dropped in place as the
    service's own grades change them (``dirty``); ``buried`` keeps ``buried_until`` per card.
    """

    def __init__(self, scope: _Scope, horizon: datetime, day_start: datetime) -> None:
        self.scope = scope
        self.horizon = horizon
        self.day_start = day_start
        self.decks: tuple[str, ...] = ()
        self.by_id: dict[int, Candidate] = {}
        self.slots: dict[int, str] = {}
        self.lists = {
            REVIEW: _SortedPool(review_order), NEW: _SortedPool(new_order),
            LEARNING: _SortedPool(learning_order),
        }  # fmt: skip
        self.review_bounds: dict[str, ReviewKey] = {}
        self.new_bounds: dict[str, NewKey] = {}
        self.review_caps: dict[str, int] = {}
        self.new_caps: dict[str, int] = {}
        self.buried: dict[int, datetime] = {}
        self.absent: set[int] = set()  # looked up by id: not a candidate
        self.dirty: set[int] = set()  # changed by this service: read again before use

    def sorted(self) -> SortedCandidates:
        return SortedCandidates(
            by_id=self.by_id, reviews=self.lists[REVIEW].items, news=self.lists[NEW].items,
            learning=self.lists[LEARNING].items,
        )  # fmt: skip

    def buried_now(self, now: datetime) -> frozenset[int]:
        return frozenset(card_id for card_id, until in self.buried.items() if until > now)

    def put(self, candidate: Candidate, slot: str, buried_until: datetime | None) -> None:
        """Add (or move) a candidate; past its deck's bound it is kept only for lookups by id."""
        self.drop(candidate.card_id)
        if slot == REVIEW:
            bound: Any = self.review_bounds.get(candidate.deck)
            if bound is not None and review_order(candidate) > bound:
                slot = _EXTRA
        elif slot == NEW:
            bound = self.new_bounds.get(candidate.deck)
            if bound is not None and new_order(candidate) > bound:
                slot = _EXTRA
        if slot != _EXTRA:
            self.lists[slot].insert(candidate)
        self.by_id[candidate.card_id] = candidate
        self.slots[candidate.card_id] = slot
        if buried_until is not None:
            self.buried[candidate.card_id] = buried_until

    def load(self, rows: Iterable[tuple[Candidate, str, datetime | None]]) -> None:
        """Add (or move) candidates read in bulk, as ``(candidate, slot, buried_until)``."""
        added: dict[str, list[Candidate]] = {REVIEW: [], NEW: [], LEARNING: []}
        for candidate, slot, buried_until in rows:
            if candidate.card_id in self.by_id:
                self.drop(candidate.card_id)
            added[slot].append(candidate)
            self.by_id[candidate.card_id] = candidate
            self.slots[candidate.card_id] = slot
            if buried_until is not None:
                self.buried[candidate.card_id] = buried_until
        for slot, candidates in added.items():
            if candidates:
                self.lists[slot].extend(candidates)

    def drop(self, card_id: int) -> None:
        candidate = self.by_id.pop(card_id, None)
        if candidate is None:
            return
        slot = self.slots.pop(card_id)
        if slot != _EXTRA:
            self.lists[slot].remove(candidate)
        self.buried.pop(card_id, None)

    def drop_deck(self, slot: str, deck: str) -> None:
        for card_id in self.lists[slot].deck_ids(deck):
            self.drop(card_id)


# The service ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _StateRow:
    """A card's place in the queue from a state snapshot (the columns :func:`_place` reads)."""

    id: int
    deck: str
    group_key: str
    position: int
    state: str | None
    due: datetime | None
    scheduler: str | None
    buried_until: datetime | None
    last_reviewed: datetime | None


class _Cache:
    """What the service keeps between calls while nobody else writes (see the module doc)."""

    def __init__(self) -> None:
        self.settings: SchedulingSettings | None = None
        self.limits: _DeckLimitsLookup | None = None
        self.day_log: _DayLog | None = None
        self.pools: OrderedDict[tuple[_Scope, datetime, datetime], _Pools] = OrderedDict()
        self.members: dict[_Scope, dict[int, bool]] = {}  # card id -> in the scope?

    def clear(self) -> None:
        """Forget everything (someone else wrote to the database, or the settings changed)."""
        self.settings = None
        self.limits = None
        self.day_log = None
        self.pools.clear()
        self.members.clear()

    def changed(self, card_id: int, state: Mapping[str, Any]) -> None:
        """The service itself set ``card_id``'s review state to the snapshot ``state``.

        A card a scope holds is moved where it now belongs; another is read again before that
        scope's next plan (it may have become a candidate).
        """
        for pools in self.pools.values():
            known = pools.by_id.get(card_id)
            if known is None:
                pools.dirty.add(card_id)
                continue
            row = _StateRow(
                id=card_id, deck=known.deck, group_key=known.group, position=known.position,
                state=state.get("state"), due=_time(state.get("due")),
                scheduler=state.get("scheduler"), buried_until=_time(state.get("buried_until")),
                last_reviewed=_time(state.get("last_reviewed")),
            )  # fmt: skip
            pools.drop(card_id)
            if not _place(pools, row):
                pools.absent.add(card_id)


class ReviewService:
    """Studying against one database, with an injectable clock and local time zone.

    The service holds a connection of its own (released by :meth:`close`, or when the service
    is garbage collected); it may be used from several threads, one call at a time.
    """

    def __init__(
        self,
        repository: Repository,
        now: Callable[[], datetime] | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        self.repository = repository
        self._now = now or repository.clock
        self.tz = tz or local_timezone()
        self._db = _Database(_database_path(repository))
        self._lock = threading.RLock()
        self._cache = _Cache()

    def close(self) -> None:
        """Release the service's connection."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with self._lock:
            if self._db.changed_elsewhere():
                self._cache.clear()
            with self._db.reading() as connection:
                yield connection

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self._lock:
            if self._db.changed_elsewhere():
                self._cache.clear()
            with self._db.writing() as connection:
                yield connection

    # Settings
    def settings(self) -> SchedulingSettings:
        """The current settings and every per-deck override."""
        with self._reading() as connection:
            return self._settings(connection)

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
        with self._writing() as connection:
            connection.execute(statement)
            self._cache.clear()

    def _write_deck_config(self, deck: str, column: str, value: Any) -> None:
        name = deck.strip().strip("/")
        if not name:
            raise ReviewError("deck name is empty")
        with self._writing() as connection:
            existing = connection.execute(
                select(_deck_config.c.deck).where(
                    func.st_fold(_deck_config.c.deck) == name.casefold()
                )
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
            self._cache.clear()

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
        with self._reading() as connection:
            clock = self._clock(self._settings(connection))
            today = self._today(connection, clock)
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
        with self._reading() as connection:
            plan = self._session_plan(connection, session, keep=1)
            return None if plan.head is None else _card_view(connection, plan.head)

    def next_card_and_counts(self, session: StudySession) -> tuple[CardView | None, Counts]:
        """:meth:`next_card` and :meth:`counts` for the session, from one look at the queue."""
        with self._reading() as connection:
            plan = self._session_plan(connection, session, keep=1)
            card = None if plan.head is None else _card_view(connection, plan.head)
            reviewed = self._reviewed_today(connection, _scope_of(session))
        return card, Counts(plan.counts.due, plan.counts.new, reviewed)

    def upcoming(self, session: StudySession, count: int = 10) -> list[CardView]:
        """The next ``count`` cards in queue order (the first is what ``next_card`` returns)."""
        with self._reading() as connection:
            plan = self._session_plan(connection, session, keep=max(0, count))
            return [_card_view(connection, entry) for entry in plan.entries]

    def skip(self, session: StudySession, card_id: int, later: bool = True) -> None:
        """Skip ``card_id`` (nothing is written).

        ``later``: it comes back after every other card of the session (keeping its place in
        the daily limits); otherwise it is left out for the rest of the session.
        """
        if later:
            session.state = session.state.after_defer(card_id)
        else:
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
        with self._writing() as connection:
            settings = self._settings(connection)
            clock = self._clock(settings)
            deck, group = _card_deck_and_group(connection, card_id)
            before = _read_state(connection, card_id)
            scheduler = settings.for_deck(deck).scheduler
            pending = session.state.is_pending(card_id)
            after, repeat_today, same_day = _next_state(
                connection, card_id, before, scheduler, quality, clock, pending
            )
            _write_state(connection, card_id, after)
            log_id = int(connection.execute(insert(_log), {
                "card_id": card_id, "reviewed_at": clock.now, "quality": quality,
                "state_before": before, "state_after": after, "duration_ms": duration_ms,
                "typed_answer": typed_answer, "session_id": session.id, "scheduler": scheduler,
                "correct": correct, "detail": None if detail is None else dict(detail),
            }).inserted_primary_key[0])  # fmt: skip
        # Committed: keep what the service holds in step with what it wrote.
        self._logged(
            clock, _graded(log_id, card_id, clock.now, quality, before, scheduler, deck, group)
        )
        self._cache.changed(card_id, after)
        session.history.append(_UndoStep(log_id, card_id, session.state))
        session.state = session.state.after_grade(card_id, repeat_today)
        return GradeResult(
            card_id=card_id, log_id=log_id, quality=quality, scheduler=scheduler,
            state=after["state"], due=_time(after["due"]), interval=after["interval"],
            repeat_today=repeat_today, same_day_repeat=same_day,
        )  # fmt: skip

    def preview(self, session: StudySession, card_id: int) -> dict[int, datetime | None]:
        """When the card would be due after each grade 0..5 (nothing is written)."""
        with self._reading() as connection:
            settings = self._settings(connection)
            clock = self._clock(settings)
            deck, _ = _card_deck_and_group(connection, card_id)
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
        with self._writing() as connection:
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
        if self._cache.day_log is not None:
            self._cache.day_log.remove(step.log_id)
        self._cache.changed(step.card_id, dict(row.state_before))
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
        scope = _scope_of(session) if session else _Scope(deck, tag, tuple(include_kinds))
        with self._reading() as connection:
            if session is not None:
                plan = self._session_plan(connection, session, keep=0)
            else:
                plan = self._fresh_plan(connection, scope, keep=0)
            reviewed = self._reviewed_today(connection, scope)
        return Counts(plan.counts.due, plan.counts.new, reviewed)

    def counts_by_deck(
        self,
        session: StudySession | None = None,
        tag: str | None = None,
        include_kinds: Sequence[str] = DEFAULT_KINDS,
    ) -> dict[str, Counts]:
        """Today's counts for every deck and parent deck, from one look at all of them.

        ``result[name] == counts(deck=name, tag=tag, include_kinds=include_kinds)`` for every
        deck holding active cards and every parent of one (``AWS`` sums ``AWS/Networking`` and
        the others under it); ``result[ALL_DECKS]`` is the whole scope. With a session, its
        deck, tag and kinds set the scope (the counts are those of a fresh session per deck).
        """
        if session is not None:
            scope = _Scope(session.deck, session.tag, session.kinds)
        else:
            scope = _Scope(None, tag, tuple(include_kinds))
        with self._reading() as connection:
            plan = self._fresh_plan(connection, scope, keep=0)
            pools = self._pools(connection, scope, self._clock(self._settings(connection)), 0)
            reviewed = self._reviewed_by_deck(connection, scope)
            decks = set(pools.decks) | set(plan.deck_counts) | set(reviewed)
            names = [name for name in _deck_tree(decks) if _deck_matches(name, scope.deck)]
            if _groups_span_decks(pools):  # decks interact: count each one on its own
                return self._counts_one_by_one(connection, scope, names, reviewed)
        result = {ALL_DECKS: Counts(plan.counts.due, plan.counts.new, sum(reviewed.values()))}
        nothing = QueueCounts(0, 0)
        for name in names:
            inside = [plan.deck_counts.get(d, nothing) for d in decks if _deck_matches(d, name)]
            result[name] = Counts(
                due_today=sum(counts.due for counts in inside),
                new_left_today=sum(counts.new for counts in inside),
                reviewed_today=sum(n for d, n in reviewed.items() if _deck_matches(d, name)),
            )
        return result

    def _counts_one_by_one(
        self, connection: Connection, scope: _Scope, names: list[str], reviewed: Mapping[str, int]
    ) -> dict[str, Counts]:
        result: dict[str, Counts] = {}
        for name in [ALL_DECKS, *names]:
            deck_scope = _Scope(name or scope.deck, scope.tag, scope.kinds)
            plan = self._fresh_plan(connection, deck_scope, keep=0)
            inside = sum(count for deck, count in reviewed.items() if _deck_matches(deck, name))
            result[name] = Counts(plan.counts.due, plan.counts.new, inside)
        return result

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
        scope = _scope_of(session) if session else _Scope(deck, tag, tuple(include_kinds))
        with self._reading() as connection:
            plan = self._fresh_plan(connection, scope, keep=1)
            clock = self._clock(self._settings(connection))
            if plan.head is not None:
                return clock.now
            today = self._today(connection, clock)
            pools = self._pools(connection, scope, clock, 0)
            return _next_available(connection, scope, clock, today.progress, pools)

    def forecast(
        self,
        days: int = 7,
        session: StudySession | None = None,
        deck: str | None = None,
        tag: str | None = None,
        include_kinds: Sequence[str] = DEFAULT_KINDS,
    ) -> list[tuple[date, int]]:
        """Cards falling due on each of the next ``days`` study days (overdue ones on today)."""
        if days < 1:
            raise ReviewError(f"forecast needs at least one day, got {days}")
        scope = _scope_of(session) if session else _Scope(deck, tag, tuple(include_kinds))
        with self._reading() as connection:
            clock = self._clock(self._settings(connection))
            today = clock.today
            starts = [clock.start_of(today + timedelta(days=i)) for i in range(1, days + 1)]
            counts = [0] * days
            for due in _scheduled_due_before(connection, scope, starts[-1], clock.now):
                counts[bisect_right(starts, due)] += 1
        return [(today + timedelta(days=i), counts[i]) for i in range(days)]

    # Internals
    def _clock(self, settings: SchedulingSettings) -> DayClock:
        now = self._now()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ReviewError("the review clock returned a naive datetime")
        return DayClock(now=now, tz=self.tz, day_start_hour=settings.day_start_hour)

    def _settings(self, connection: Connection) -> SchedulingSettings:
        if self._cache.settings is None:
            self._cache.settings = _read_settings(connection)
        return self._cache.settings

    def _limits(self, settings: SchedulingSettings) -> _DeckLimitsLookup:
        if self._cache.limits is None:
            self._cache.limits = _DeckLimitsLookup(settings)
        return self._cache.limits

    def _day_log(self, connection: Connection, clock: DayClock) -> _DayLog:
        start = clock.start_of(clock.today)
        day_log = self._cache.day_log
        if day_log is None or day_log.start != start:
            day_log = self._cache.day_log = _DayLog.read(connection, start)
        return day_log

    def _today(self, connection: Connection, clock: DayClock) -> _Today:
        return self._day_log(connection, clock).today(clock.now)

    def _logged(self, clock: DayClock, row: _Graded) -> None:
        """Record the service's own grade in what it keeps."""
        day_log = self._cache.day_log
        if day_log is not None and day_log.start == clock.start_of(clock.today):
            day_log.add(row)
        else:
            self._cache.day_log = None

    def _session_plan(self, connection: Connection, session: StudySession, keep: int) -> QueuePlan:
        scope = _scope_of(session)
        return self._plan(connection, scope, session.state, session.study_ahead_days, keep)

    def _fresh_plan(self, connection: Connection, scope: _Scope, keep: int) -> QueuePlan:
        """The plan of a session started now over ``scope``."""
        settings = self._settings(connection)
        today = self._today(connection, self._clock(settings))
        return self._plan(connection, scope, ReviewSession.start(today.owed_repeats), 0, keep)

    def _plan(
        self,
        connection: Connection,
        scope: _Scope,
        state: ReviewSession,
        study_ahead_days: int,
        keep: int,
    ) -> QueuePlan:
        """The queue's first ``keep`` entries and counts; decks that run short are read further."""
        settings = self._settings(connection)
        clock = self._clock(settings)
        today = self._today(connection, clock)
        pools = self._pools(connection, scope, clock, study_ahead_days)
        wanted = {state.front, *(item.card_id for item in state.pending), *state.deferred}
        _look_up(connection, pools, {card_id for card_id in wanted if card_id is not None})
        default = DeckLimits(settings.new_per_day, settings.reviews_per_day)
        limits = self._limits(settings)
        while True:
            plan = plan_queue(
                pools.sorted(), clock, state, today.progress, limits, default, study_ahead_days,
                keep=keep, exclude=pools.buried_now(clock.now),
                review_bounds=pools.review_bounds, new_bounds=pools.new_bounds,
            )  # fmt: skip
            if plan.complete:
                return plan
            for deck in plan.short_reviews:
                _read_reviews(connection, pools, [deck], pools.review_caps[deck] * _GROWTH)
            for deck in plan.short_news:
                _read_news(connection, pools, [deck], pools.new_caps[deck] * _GROWTH)

    def _pools(
        self, connection: Connection, scope: _Scope, clock: DayClock, study_ahead_days: int
    ) -> _Pools:
        """The scope's candidates up to the horizon, read or brought up to date."""
        horizon = clock.start_of(clock.today + timedelta(days=study_ahead_days + 1))
        day_start = clock.start_of(clock.today)
        key = (scope, horizon, day_start)
        pools = self._cache.pools.get(key)
        if pools is None:
            pools = _read_pools(connection, scope, horizon, day_start, self._settings(connection))
            self._cache.pools[key] = pools
            while len(self._cache.pools) > _SCOPES_KEPT:
                self._cache.pools.popitem(last=False)
        else:
            self._cache.pools.move_to_end(key)
        if pools.dirty:
            _refresh(connection, pools)
        return pools

    def _reviewed_today(self, connection: Connection, scope: _Scope) -> int:
        return sum(self._reviewed_by_deck(connection, scope).values())

    def _reviewed_by_deck(self, connection: Connection, scope: _Scope) -> dict[str, int]:
        """Distinct cards of the scope graded today, per deck (retired cards included)."""
        clock = self._clock(self._settings(connection))
        decks = {row.card_id: row.deck for row in self._day_log(connection, clock).until(clock.now)}
        members = self._cache.members.setdefault(scope, {})
        for pools in self._cache.pools.values():  # a candidate of the scope is in it
            if pools.scope == scope:
                members.update((card_id, True) for card_id in decks if card_id in pools.by_id)
        unknown = [card_id for card_id in decks if card_id not in members]
        if unknown:
            query = _members_query(scope)
            inside = set(connection.execute(query, {"ids": unknown}).scalars())
            members.update((card_id, card_id in inside) for card_id in unknown)
        return dict(Counter(deck for card_id, deck in decks.items() if members[card_id]))


@lru_cache(maxsize=64)
def _members_query(scope: _Scope) -> Any:
    """Which of the cards ``ids`` are in the scope (retired ones too)."""
    return select(_card.c.id).where(_card.c.id.in_(bindparam("ids", expanding=True)),
                                    _in_scope(scope))  # fmt: skip


class _DeckLimitsLookup(Mapping[str, DeckLimits]):
    """Each deck's daily limits, worked out from the settings on first use."""

    def __init__(self, settings: SchedulingSettings) -> None:
        self._settings = settings
        self._known: dict[str, DeckLimits] = {}

    def __getitem__(self, deck: str) -> DeckLimits:
        limits = self._known.get(deck)
        if limits is None:
            limits = self._known[deck] = self._settings.for_deck(deck).limits
        return limits

    def __iter__(self) -> Iterator[str]:
        return iter(self._known)

    def __len__(self) -> int:
        return len(self._known)


def _groups_span_decks(pools: _Pools) -> bool:
    """Whether cards of one sibling group sit in different decks (then decks interact)."""
    deck_of: dict[str, str] = {}
    for candidate in pools.by_id.values():
        if deck_of.setdefault(candidate.group, candidate.deck) != candidate.deck:
            return True
    return False


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


def _in_scope(scope: _Scope) -> Any:
    """Cards of the scope's decks, tags and kinds (retired ones too)."""
    return and_(card_clause(scope.deck, scope.tag), _card.c.kind.in_(scope.kinds))


def _active(scope: _Scope) -> Any:
    """Cards of the scope that can be studied (not retired)."""
    return and_(_card.c.retired.is_(False), _in_scope(scope))


def _unburied(buried_until: Any, now: datetime) -> Any:
    return or_(buried_until.is_(None), buried_until <= now)


def _is_new() -> Any:
    return _state.c.state.is_(None) | (_state.c.state == NEW) | _state.c.due.is_(None)


def _scheduled_states(*conditions: Any) -> Any:
    """Review states with a due moment (not new), read through the due index first."""
    query = select(
        _state.c.card_id, _state.c.due, _state.c.state, _state.c.scheduler, _state.c.buried_until
    ).where(_state.c.due.is_not(None), _state.c.state != NEW, *conditions)
    return query.cte("scheduled_states").prefix_with("MATERIALIZED")


def _initial_cap(margin: int, default: int, overrides: Iterable[int | None]) -> int:
    return max(1, margin + max([default, *(value for value in overrides if value)]))


# The decks with active cards of the kinds asked: skip along the deck index one deck at a time.
_ACTIVE_DECKS = text("""
WITH RECURSIVE decks(deck) AS (
    SELECT min(deck) FROM card
    UNION ALL
    SELECT (SELECT min(card.deck) FROM card WHERE card.deck > decks.deck)
    FROM decks WHERE decks.deck IS NOT NULL
)
SELECT deck FROM decks WHERE deck IS NOT NULL AND EXISTS (
    SELECT 1 FROM json_each(:kinds) AS kinds WHERE EXISTS (
        SELECT 1 FROM card
        WHERE card.deck = decks.deck AND card.kind = kinds.value AND card.retired = 0
    )
)
""")


def _read_pools(
    connection: Connection,
    scope: _Scope,
    horizon: datetime,
    day_start: datetime,
    settings: SchedulingSettings,
) -> _Pools:
    """A scope's candidates: all due reviews and learning steps, the first new cards per deck."""
    pools = _Pools(scope, horizon, day_start)
    decks = connection.execute(_ACTIVE_DECKS, {"kinds": json.dumps(list(scope.kinds))}).scalars()
    pools.decks = tuple(sorted(deck for deck in decks if _deck_matches(deck, scope.deck)))
    if not pools.decks:
        return pools
    overrides = settings.decks
    review_cap = _initial_cap(_INITIAL_REVIEW_CAP, settings.reviews_per_day,
                              (o.reviews_per_day for o in overrides))  # fmt: skip
    new_cap = _initial_cap(_INITIAL_NEW_CAP, settings.new_per_day,
                           (o.new_per_day for o in overrides))  # fmt: skip
    _read_reviews(connection, pools, pools.decks, review_cap, learning=True)
    _read_news(connection, pools, pools.decks, new_cap)
    return pools


def _read_reviews(
    connection: Connection,
    pools: _Pools,
    decks: Sequence[str],
    cap: int,
    learning: bool = False,
) -> None:
    """The first ``cap`` due reviews of each deck (and, with ``learning``, every due step).

    All due cards are read through the due index (sorting them in SQL costs more than in
    Python); beyond ``cap`` per deck they are left out and the deck is bounded.
    """
    states = _scheduled_states(_state.c.due < pools.horizon)
    query = (
        select(_card.c.id, _card.c.deck, _card.c.group_key, _card.c.position, states.c.due,
               states.c.buried_until, and_(states.c.scheduler == FSRS,
                                           states.c.state == LEARNING).label("intraday"))
        .select_from(states.join(_card, _card.c.id == states.c.card_id))
        .where(_active(pools.scope))
    )  # fmt: skip
    if set(decks) != set(pools.decks):
        query = query.where(_card.c.deck.in_(decks))
    for deck in decks:
        pools.drop_deck(REVIEW, deck)
        pools.review_bounds.pop(deck, None)
        pools.review_caps[deck] = cap
    steps: list[tuple[Candidate, str, datetime | None]] = []
    by_deck: dict[str, list[tuple[Candidate, datetime | None]]] = {}
    for card_id, deck, group, position, due, buried_until, intraday in connection.execute(query):
        candidate = Candidate(card_id, deck, group, position, due=due, intraday=bool(intraday))
        if intraday:
            steps.append((candidate, LEARNING, buried_until))
        else:
            by_deck.setdefault(deck, []).append((candidate, buried_until))
    reviews: list[tuple[Candidate, str, datetime | None]] = []
    for deck, read in by_deck.items():
        read.sort(key=lambda pair: review_order(pair[0]))
        if len(read) > cap:
            del read[cap:]
            pools.review_bounds[deck] = review_order(read[-1][0])
        reviews.extend((candidate, REVIEW, buried_until) for candidate, buried_until in read)
    pools.load(reviews + steps if learning else reviews)


def _read_news(connection: Connection, pools: _Pools, decks: Sequence[str], cap: int) -> None:
    """The first ``cap`` new cards of each deck and kind, in note order (by the card index)."""
    pairs_json = json.dumps([[kind, deck] for deck in decks for kind in pools.scope.kinds])
    entries = func.json_each(bindparam("pairs", pairs_json)).table_valued("value").alias("entry")
    pairs = select(
        func.json_extract(entries.c.value, "$[0]").label("kind"),
        func.json_extract(entries.c.value, "$[1]").label("deck"),
    ).subquery("pairs")
    first = (
        select(_card.c.id)
        .select_from(_card.outerjoin(_state, _state.c.card_id == _card.c.id))
        .where(_card.c.retired.is_(False), _card.c.kind == pairs.c.kind,
               _card.c.deck == pairs.c.deck, _is_new(), card_clause(pools.scope.deck,
                                                                     pools.scope.tag))
        .order_by(_card.c.position, _card.c.id).limit(cap).correlate(pairs)
    )  # fmt: skip
    picked = _card.alias("picked")
    picked_state = _state.alias("picked_state")
    query = select(
        picked.c.id, picked.c.deck, picked.c.kind, picked.c.group_key, picked.c.position,
        picked_state.c.buried_until,
    ).select_from(
        pairs.join(picked, picked.c.id.in_(first))
        .outerjoin(picked_state, picked_state.c.card_id == picked.c.id)
    )  # fmt: skip
    rows = connection.execute(query).all()
    for deck in decks:
        pools.drop_deck(NEW, deck)
        pools.new_bounds.pop(deck, None)
        pools.new_caps[deck] = cap
    read: dict[tuple[str, str], list[Candidate]] = {}
    loaded = []
    for card_id, deck, kind, group, position, buried_until in rows:
        candidate = Candidate(card_id, deck, group, position)
        read.setdefault((deck, kind), []).append(candidate)
        loaded.append((candidate, NEW, buried_until))
    pools.load(loaded)
    for (deck, _kind), candidates in read.items():
        if len(candidates) >= cap:
            bound = max(map(new_order, candidates))
            pools.new_bounds[deck] = min(pools.new_bounds.get(deck, bound), bound)


@lru_cache(maxsize=64)
def _by_id_query(scope: _Scope) -> Any:
    return (
        select(_card.c.id, _card.c.deck, _card.c.group_key, _card.c.position, _state.c.state,
               _state.c.due, _state.c.scheduler, _state.c.buried_until, _state.c.last_reviewed)
        .select_from(_card.outerjoin(_state, _state.c.card_id == _card.c.id))
        .where(_card.c.id.in_(bindparam("ids", expanding=True)), _active(scope))
    )  # fmt: skip


def _by_id(connection: Connection, scope: _Scope, card_ids: Iterable[int]) -> list[Any]:
    """The scope's active cards among ``card_ids``, with their review state."""
    return list(connection.execute(_by_id_query(scope), {"ids": sorted(card_ids)}))


def _place(pools: _Pools, row: Any) -> bool:
    """Put a card read by id where it belongs; False when it is not a candidate."""
    if row.state is None or row.state == NEW or row.due is None:
        pools.put(Candidate(row.id, row.deck, row.group_key, row.position), NEW, row.buried_until)
        return True
    intraday = row.scheduler == FSRS and row.state == LEARNING
    candidate = Candidate(row.id, row.deck, row.group_key, row.position, due=row.due,
                          intraday=intraday)  # fmt: skip
    if row.due < pools.horizon:
        pools.put(candidate, LEARNING if intraday else REVIEW, row.buried_until)
    elif row.last_reviewed is not None and row.last_reviewed >= pools.day_start:
        pools.put(candidate, _EXTRA, row.buried_until)  # graded today: may be a repeat
    else:
        return False
    return True


def _look_up(connection: Connection, pools: _Pools, card_ids: set[int]) -> None:
    """Make sure the session's repeats, front and deferred cards are there if they qualify."""
    missing = card_ids - pools.by_id.keys() - pools.absent
    if not missing:
        return
    found = {row.id for row in _by_id(connection, pools.scope, missing) if _place(pools, row)}
    pools.absent |= missing - found


def _refresh(connection: Connection, pools: _Pools) -> None:
    """Read again the cards the service changed, and move them where they now belong."""
    changed, pools.dirty = pools.dirty, set()
    for card_id in changed:
        pools.drop(card_id)
    pools.absent -= changed
    found = {row.id for row in _by_id(connection, pools.scope, changed) if _place(pools, row)}
    pools.absent |= changed - found


def _next_available(
    connection: Connection, scope: _Scope, clock: DayClock, progress: DayProgress, pools: _Pools
) -> datetime | None:
    """:func:`queue.next_available_at` over every candidate of the scope, read sparingly.

    New cards and cards graded today make it tomorrow's start; then only learning steps due
    before that can be earlier. Otherwise the earliest due moment of each kind decides.
    """
    tomorrow = clock.start_of(clock.today + timedelta(days=1))
    moments: list[datetime] = []
    shown = sorted(progress.shown_cards)
    if _has_new(connection, scope, clock.now, pools) or _any_active(
        connection, scope, clock.now, shown
    ):
        moments.append(tomorrow)
    states = _scheduled_states(*([_state.c.due < tomorrow] if moments else []))
    intraday = and_(states.c.scheduler == FSRS, states.c.state == LEARNING)
    earliest = (
        select(intraday.label("intraday"), func.min(states.c.due).label("due"))
        .select_from(states.join(_card, _card.c.id == states.c.card_id))
        .where(_active(scope), _unburied(states.c.buried_until, clock.now),
               _card.c.id.not_in(shown))
        .group_by(intraday)
    )  # fmt: skip
    for row in connection.execute(earliest):
        if row.intraday:
            moments.append(max(row.due, clock.now))
        else:
            moments.append(max(clock.start_of(clock.day_of(row.due)), tomorrow))
    return min(moments) if moments else None


def _has_new(connection: Connection, scope: _Scope, now: datetime, pools: _Pools) -> bool:
    buried = pools.buried_now(now)
    if any(candidate.card_id not in buried for candidate in pools.lists[NEW].items):
        return True
    if not pools.new_bounds:  # every new card was read: none is free
        return False
    query = (
        select(_card.c.id).select_from(_card.outerjoin(_state, _state.c.card_id == _card.c.id))
        .where(_active(scope), _is_new(), _unburied(_state.c.buried_until, now)).limit(1)
    )  # fmt: skip
    return connection.execute(query).first() is not None


def _any_active(connection: Connection, scope: _Scope, now: datetime, card_ids: list[int]) -> bool:
    if not card_ids:
        return False
    query = (
        select(_card.c.id).select_from(_card.outerjoin(_state, _state.c.card_id == _card.c.id))
        .where(_card.c.id.in_(card_ids), _active(scope), _unburied(_state.c.buried_until, now))
        .limit(1)
    )  # fmt: skip
    return connection.execute(query).first() is not None


def _scheduled_due_before(
    connection: Connection, scope: _Scope, end: datetime, now: datetime
) -> list[datetime]:
    """Due moments of the scope's unburied, not new cards due before ``end``."""
    states = _scheduled_states(_state.c.due < end)
    query = (
        select(states.c.due).select_from(states.join(_card, _card.c.id == states.c.card_id))
        .where(_active(scope), _unburied(states.c.buried_until, now))
    )  # fmt: skip
    return list(connection.execute(query).scalars())


@cache
def _deck_and_group_query() -> Any:
    return select(_card.c.deck, _card.c.group_key).where(_card.c.id == bindparam("card_id"))


def _card_deck_and_group(connection: Any, card_id: int) -> tuple[str, str]:
    row = connection.execute(_deck_and_group_query(), {"card_id": card_id}).first()
    if row is None:
        raise ReviewError(f"no card with id {card_id}")
    return str(row.deck), str(row.group_key)


@cache
def _card_view_query() -> Any:
    return (
        select(_card, _note.c.vault,
               *[_state.c[name] for name in _STATE_FIELDS if name != "fsrs_state"])
        .select_from(_card.outerjoin(_state, _state.c.card_id == _card.c.id)
                     .outerjoin(_note, _note.c.id == _card.c.note_id))
        .where(_card.c.id == bindparam("card_id"))
    )  # fmt: skip


def _card_view(connection: Any, entry: QueueEntry) -> CardView:
    row = connection.execute(_card_view_query(), {"card_id": entry.card_id}).mappings().one()
    return CardView(
        id=row["id"], kind=row["kind"], deck=row["deck"], note=row["note_path"], line=row["line"],
        context=tuple(row["context"]), prompt=row["prompt"], answer=row["answer"],
        tags=tuple(row["tags"]), colour=row["colour"], text=row["text"],
        state=row["state"] or NEW, answer_start=row["answer_start"],
        answer_end=row["answer_end"], extra=row["extra"], group=row["group_key"],
        queue_kind=entry.kind, scheduler=row["scheduler"] or SM2, due=row["due"],
        interval=row["interval"] or 0, ef=(row["ef_hundredths"] or 250) / 100,
        repetitions=row["repetitions"] or 0, lapses=row["lapses"] or 0, reps=row["reps"] or 0,
        last_reviewed=row["last_reviewed"], vault=row["vault"],
    )  # fmt: skip


@cache
def _state_query() -> Any:
    fields = [_state.c[name] for name in _STATE_FIELDS]
    return select(*fields).where(_state.c.card_id == bindparam("card_id"))


def _read_state(connection: Any, card_id: int) -> dict[str, Any]:
    """The card's review state as the JSON snapshot the log stores (times as UTC text)."""
    row = connection.execute(_state_query(), {"card_id": card_id}).mappings().first()
    if row is None:
        return dict(_NEW_STATE)
    snapshot = dict(row)
    for name in _TIME_FIELDS:
        snapshot[name] = None if snapshot[name] is None else to_utc_text(snapshot[name])
    return snapshot


@cache
def _history_query() -> Any:
    return (
        select(_log.c.reviewed_at, _log.c.quality)
        .where(_log.c.card_id == bindparam("card_id"))
        .order_by(_log.c.reviewed_at, _log.c.id)
    )


def _history(connection: Any, card_id: int) -> list[tuple[datetime, int]]:
    rows = connection.execute(_history_query(), {"card_id": card_id})
    return [(row.reviewed_at, row.quality) for row in rows]


# Writing ----------------------------------------------------------------------------------------


@cache
def _upsert_state() -> Any:
    statement = sqlite_insert(_state)
    return statement.on_conflict_do_update(
        index_elements=["card_id"],
        set_={name: statement.excluded[name] for name in _STATE_FIELDS},
    )


def _write_state(connection: Any, card_id: int, snapshot: Mapping[str, Any]) -> None:
    values = {name: snapshot.get(name, _NEW_STATE[name]) for name in _STATE_FIELDS}
    for name in _TIME_FIELDS:
        values[name] = _time(values[name])
    connection.execute(_upsert_state(), {"card_id": card_id, **values})


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
