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

Speed. The service keeps one plain ``sqlite3`` connection of its own (reads in ``BEGIN`` ...
``ROLLBACK``, one snapshot each; writes in ``BEGIN IMMEDIATE`` ... ``COMMIT``) and queries it
with hand-written SQL: this module imports no SQLAlchemy, at import or at call time, so that
``studytool review`` starts fast. Times are stored as fixed-width UTC text
(:mod:`studytool.store.utc`), JSON columns as compact JSON text, the deck and tag filters come
from :mod:`studytool.store.sql_filters`. Between calls the service keeps what the queue
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
import threading
import uuid
import weakref
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache
from sqlite3 import Connection
from typing import TYPE_CHECKING, Any, NamedTuple

from studytool.scheduling.days import (
    DEFAULT_DAY_START_HOUR,
    due_after,
    local_timezone,
    validate_day_start_hour,
)
from studytool.scheduling.early import early_interval
from studytool.scheduling.queue import (
    DEFAULT_NEW_PER_DAY,
    DEFAULT_REVIEWS_PER_DAY,
    MAX_DAILY_LIMIT,
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
from studytool.store.records import LEARNING, NEW, REVIEW
from studytool.store.sql_filters import card_filter, deck_matches
from studytool.store.sqlite import open_connection
from studytool.store.utc import from_utc_text, to_utc_text

if TYPE_CHECKING:
    from studytool.store.repository import Repository

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


class StaleCardError(ReviewError):
    """A grade refused (nothing written): the card is no longer what the sitting showed."""

    def __init__(self, card_id: int, message: str) -> None:
        super().__init__(message)
        self.card_id = card_id


class GradedElsewhereError(StaleCardError):
    """The card's stored state changed since the sitting showed it (another window or program
    graded it, or undid a grade of it)."""


class CardRetiredError(StaleCardError):
    """The card was retired (its highlight removed from its note, then imported) since."""


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


def _validate_limit(name: str, value: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ReviewError(f"{name} must be a whole number >= 0, got {value!r}")
    if maximum is not None and value > maximum:
        raise ReviewError(f"{name} must be at most {maximum:,} (no limit in practice), got {value}")
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


class _Shown(NamedTuple):
    """A card as a sitting last showed it: its newest log row and its scheduling state."""

    log_id: int | None
    state: tuple[Any, ...]


class _UndoStep(NamedTuple):
    log_id: int
    card_id: int
    session_before: ReviewSession


@dataclass
class StudySession:
    """One sitting, kept by the caller between service calls (create with ``start_session``).

    ``state`` is the pure queue session (pending repeats, skips, undo front); ``history`` the
    grades this session can still undo, newest last; ``shown`` what each card offered was.
    """

    id: str
    deck: str | None
    tag: str | None
    kinds: tuple[str, ...]
    limit: int | None
    study_ahead_days: int
    state: ReviewSession
    history: list[_UndoStep] = field(default_factory=list)
    #: each card as this session last showed it (or graded it); a grade checks it is unchanged
    shown: dict[int, _Shown] = field(default_factory=dict)

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


class _Scope(NamedTuple):
    deck: str | None = None
    tag: str | None = None
    kinds: tuple[str, ...] = DEFAULT_KINDS


class _Today(NamedTuple):
    progress: DayProgress
    owed_repeats: tuple[int, ...]


def _scope_of(session: StudySession) -> _Scope:
    return _Scope(session.deck, session.tag, session.kinds)


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
    settings of every studytool connection (:func:`studytool.store.sqlite.open_connection`:
    WAL, foreign keys, busy timeout, autocommit mode so that this class emits ``BEGIN`` /
    ``BEGIN IMMEDIATE`` itself); calls are serialised by the service's lock.
    """

    def __init__(self, path: str) -> None:
        self.raw = open_connection(path)
        self._version = self._data_version()
        self._finalizer = weakref.finalize(self, self.raw.close)

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
        """A read transaction (one snapshot), rolled back when the block ends."""
        with self._transaction("BEGIN", commit=False) as connection:
            yield connection

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction holding the write lock from its start; committed on success."""
        with self._transaction("BEGIN IMMEDIATE", commit=True) as connection:
            yield connection

    @contextmanager
    def _transaction(self, begin: str, commit: bool) -> Iterator[Connection]:
        raw = self.raw
        raw.execute(begin)
        try:
            yield raw
            if commit:
                raw.execute("COMMIT")
        finally:
            if raw.in_transaction:  # not committed, or an error: leave the database as it was
                raw.execute("ROLLBACK")

    def close(self) -> None:
        self._finalizer()


def _database_path(repository: Repository) -> str:
    """The database file (``Repository.path``; its SQLAlchemy engine is never touched here)."""
    return str(repository.path)


# Today's log ----------------------------------------------------------------------------------


class _Graded(NamedTuple):
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


_TODAYS_LOG = """
WITH todays_log AS MATERIALIZED (
    SELECT id, card_id, reviewed_at, quality, state_before, scheduler
    FROM review_log WHERE reviewed_at >= :start
)
SELECT todays_log.id, todays_log.card_id, todays_log.reviewed_at, todays_log.quality,
       todays_log.state_before, todays_log.scheduler, card.deck, card.group_key
FROM todays_log JOIN card ON card.id = todays_log.card_id
ORDER BY todays_log.id
"""


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
        rows = connection.execute(_TODAYS_LOG, {"start": to_utc_text(start)})
        return cls(start, [
            _graded(log_id, card_id, from_utc_text(reviewed_at), quality, json.loads(before),
                    scheduler, deck, group)
            for log_id, card_id, reviewed_at, quality, before, scheduler, deck, group in rows
        ])  # fmt: skip

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


class _StateRow(NamedTuple):
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


_UPSERT_SETTING = """
INSERT INTO setting (key, value) VALUES (:key, :value)
ON CONFLICT (key) DO UPDATE SET value = excluded.value
"""
_DECK_CONFIG_KEY = "SELECT deck FROM deck_config WHERE st_fold(deck) = :name"
_UPSERT_DECK_CONFIG = {
    column: f"INSERT INTO deck_config (deck, {column}) VALUES (:deck, :value)"
    f" ON CONFLICT (deck) DO UPDATE SET {column} = excluded.{column}"
    for column in (SETTING_NEW_PER_DAY, SETTING_REVIEWS_PER_DAY, SETTING_SCHEDULER)
}
_DELETE_EMPTY_DECK_CONFIG = """
DELETE FROM deck_config WHERE deck = :deck
AND new_per_day IS NULL AND reviews_per_day IS NULL AND scheduler IS NULL
"""


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
            limit = _validate_limit(name, default if count is None else count, MAX_DAILY_LIMIT)
            self._write_setting(name, str(limit))
        else:
            value = None if count is None else _validate_limit(name, count, MAX_DAILY_LIMIT)
            self._write_deck_config(deck, name, value)

    def _write_setting(self, key: str, value: str) -> None:
        with self._writing() as connection:
            connection.execute(_UPSERT_SETTING, {"key": key, "value": value})
            self._cache.clear()

    def _write_deck_config(self, deck: str, column: str, value: Any) -> None:
        name = deck.strip().strip("/")
        if not name:
            raise ReviewError("deck name is empty")
        with self._writing() as connection:
            existing = connection.execute(_DECK_CONFIG_KEY, {"name": name.casefold()}).fetchone()
            key = (existing[0] if existing else None) or name
            connection.execute(_UPSERT_DECK_CONFIG[column], {"deck": key, "value": value})
            connection.execute(_DELETE_EMPTY_DECK_CONFIG, {"deck": key})
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
            return None if plan.head is None else _offer(connection, session, plan.head)

    def next_card_and_counts(self, session: StudySession) -> tuple[CardView | None, Counts]:
        """:meth:`next_card` and :meth:`counts` for the session, from one look at the queue."""
        with self._reading() as connection:
            plan = self._session_plan(connection, session, keep=1)
            card = None if plan.head is None else _offer(connection, session, plan.head)
            reviewed = self._reviewed_today(connection, _scope_of(session))
        return card, Counts(plan.counts.due, plan.counts.new, reviewed)

    def upcoming(self, session: StudySession, count: int = 10) -> list[CardView]:
        """The next ``count`` cards in queue order (the first is what ``next_card`` returns)."""
        with self._reading() as connection:
            plan = self._session_plan(connection, session, keep=max(0, count))
            return [_offer(connection, session, entry) for entry in plan.entries]

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

        A card this session was offered (:meth:`next_card`, :meth:`upcoming`) is graded only
        if it is stored as it was offered (or as this session's own last grade or undo left
        it): otherwise :class:`GradedElsewhereError` (another window graded it), and a retired
        card :class:`CardRetiredError`; nothing is written then.
        """
        try:
            quality = validate_quality(quality)
        except ValueError as error:
            raise ReviewError(str(error)) from None
        if duration_ms is not None:
            _validate_limit("duration_ms", duration_ms)
        try:
            return self._grade(
                session, card_id, quality, duration_ms, typed_answer, correct, detail
            )
        except StaleCardError:
            # The card is the other sitting's now (its repeat, its undo): this one lets it go.
            session.state = _without_card(session.state, card_id)
            session.shown.pop(card_id, None)
            raise

    def _grade(
        self,
        session: StudySession,
        card_id: int,
        quality: int,
        duration_ms: int | None,
        typed_answer: str | None,
        correct: bool | None,
        detail: Mapping[str, Any] | None,
    ) -> GradeResult:
        with self._writing() as connection:
            settings = self._settings(connection)
            clock = self._clock(settings)
            deck, group = _card_deck_and_group(connection, card_id)
            before = _read_state(connection, card_id)
            _check_unchanged(connection, session, card_id, before)
            scheduler = settings.for_deck(deck).scheduler
            pending = session.state.is_pending(card_id)
            after, repeat_today, same_day = _next_state(
                connection, card_id, before, scheduler, quality, clock, pending
            )
            _write_state(connection, card_id, after)
            log_id = _insert_log(connection, {
                "card_id": card_id, "reviewed_at": to_utc_text(clock.now), "quality": quality,
                "state_before": _json_text(before), "state_after": _json_text(after),
                "duration_ms": duration_ms, "typed_answer": typed_answer,
                "session_id": session.id, "scheduler": scheduler,
                "correct": None if correct is None else bool(correct),
                "detail": None if detail is None else _json_text(dict(detail)),
            })  # fmt: skip
            graded_as = _shown(connection, card_id)
        # Committed: keep what the service holds in step with what it wrote.
        self._logged(
            clock, _graded(log_id, card_id, clock.now, quality, before, scheduler, deck, group)
        )
        self._cache.changed(card_id, after)
        session.shown[card_id] = graded_as
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
            row = connection.execute(_LOGGED_BEFORE, {"log_id": step.log_id}).fetchone()
            if row is None:
                session.history.pop()
                raise UndoConflictError(f"the grade to undo (log {step.log_id}) no longer exists")
            later = connection.execute(
                _LATER_GRADE, {"card_id": step.card_id, "log_id": step.log_id}
            ).fetchone()
            if later is not None:
                raise UndoConflictError(
                    f"card {step.card_id} was graded again after this grade; undo that first"
                )
            before = dict(json.loads(row[0]))
            _write_state(connection, step.card_id, before)
            connection.execute(_DELETE_LOG, {"log_id": step.log_id})
            session.shown[step.card_id] = _shown(connection, step.card_id)
        if self._cache.day_log is not None:
            self._cache.day_log.remove(step.log_id)
        self._cache.changed(step.card_id, before)
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
            names = [name for name in _deck_tree(decks) if deck_matches(name, scope.deck)]
            if _groups_span_decks(pools):  # decks interact: count each one on its own
                return self._counts_one_by_one(connection, scope, names, reviewed)
        result = {ALL_DECKS: Counts(plan.counts.due, plan.counts.new, sum(reviewed.values()))}
        nothing = QueueCounts(0, 0)
        for name in names:
            inside = [plan.deck_counts.get(d, nothing) for d in decks if deck_matches(d, name)]
            result[name] = Counts(
                due_today=sum(counts.due for counts in inside),
                new_left_today=sum(counts.new for counts in inside),
                reviewed_today=sum(n for d, n in reviewed.items() if deck_matches(d, name)),
            )
        return result

    def _counts_one_by_one(
        self, connection: Connection, scope: _Scope, names: list[str], reviewed: Mapping[str, int]
    ) -> dict[str, Counts]:
        result: dict[str, Counts] = {}
        for name in [ALL_DECKS, *names]:
            deck_scope = _Scope(name or scope.deck, scope.tag, scope.kinds)
            plan = self._fresh_plan(connection, deck_scope, keep=0)
            inside = sum(count for deck, count in reviewed.items() if deck_matches(deck, name))
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
            inside = _members(connection, scope, unknown)
            members.update((card_id, card_id in inside) for card_id in unknown)
        return dict(Counter(deck for card_id, deck in decks.items() if members[card_id]))


def _members(connection: Connection, scope: _Scope, card_ids: Sequence[int]) -> set[int]:
    """Which of ``card_ids`` are in the scope (retired ones too)."""
    rows = connection.execute(_sql(_MEMBERS, scope), _params(scope, ids=json.dumps(card_ids)))
    return {card_id for (card_id,) in rows}


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

_SETTINGS = "SELECT key, value FROM setting"
_DECK_CONFIGS = (
    "SELECT deck, new_per_day, reviews_per_day, scheduler FROM deck_config ORDER BY deck"
)


def _read_settings(connection: Connection) -> SchedulingSettings:
    values = dict(connection.execute(_SETTINGS).fetchall())
    overrides = tuple(
        DeckOverride(
            deck,
            None if new is None else _capped(new),
            None if reviews is None else _capped(reviews),
            scheduler,
        )
        for deck, new, reviews, scheduler in connection.execute(_DECK_CONFIGS)
    )
    return SchedulingSettings(
        day_start_hour=_int_setting(values, SETTING_DAY_START, DEFAULT_DAY_START_HOUR, 23),
        scheduler=values.get(SETTING_SCHEDULER) if values.get(SETTING_SCHEDULER) in SCHEDULERS
        else SM2,
        new_per_day=_capped(_int_setting(values, SETTING_NEW_PER_DAY, DEFAULT_NEW_PER_DAY)),
        reviews_per_day=_capped(
            _int_setting(values, SETTING_REVIEWS_PER_DAY, DEFAULT_REVIEWS_PER_DAY)
        ),
        decks=overrides,
    )  # fmt: skip


def _capped(limit: int) -> int:
    """A stored daily limit, at most :data:`MAX_DAILY_LIMIT` (a database written before that
    maximum existed may hold more, which SQLite cannot take back as a query parameter)."""
    return min(limit, MAX_DAILY_LIMIT)


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


# SQL over one scope. A template names the scope's deck and tag filter on ``card`` ``{cards}``,
# that filter and the scope's kinds ``{scope}``, and the review states that have a due moment
# (not new, read through the due index first) ``{states}``, bounded by ``:before`` unless
# asked otherwise. Lists of ids or decks are passed as one JSON array (``json_each``). The
# literals 'new', 'learning' and 'fsrs' are the values of NEW, LEARNING and FSRS.

_SCHEDULED_STATES = """WITH scheduled_states AS MATERIALIZED (
    SELECT card_id, due, state, scheduler, buried_until FROM review_state
    WHERE due IS NOT NULL AND state != 'new'{before}
)"""
_INTRADAY = "(scheduled_states.scheduler = 'fsrs' AND scheduled_states.state = 'learning')"
_IS_NEW = "(review_state.state IS NULL OR review_state.state = 'new' OR review_state.due IS NULL)"


class _ScopeSql(NamedTuple):
    cards: str  # the deck and tag filter
    kinds: str  # the kinds filter
    params: dict[str, Any]


@lru_cache(maxsize=64)
def _scope_sql(scope: _Scope) -> _ScopeSql:
    found = card_filter(scope.deck, scope.tag)
    names = [f"scope_kind_{index}" for index in range(len(scope.kinds))]
    kinds = "card.kind IN ({})".format(", ".join(f":{name}" for name in names))
    params = {**found.params, **dict(zip(names, scope.kinds, strict=True))}
    return _ScopeSql(found.sql, kinds, params)


@lru_cache(maxsize=256)
def _sql(template: str, scope: _Scope, bounded: bool = True) -> str:
    """``template`` with the scope's conditions filled in."""
    parts = _scope_sql(scope)
    states = _SCHEDULED_STATES.format(before=" AND due < :before" if bounded else "")
    return template.format(
        cards=parts.cards, scope=f"{parts.cards} AND {parts.kinds}", states=states
    )


def _params(scope: _Scope, **values: Any) -> dict[str, Any]:
    """The scope's parameters and ``values`` (times as UTC text)."""
    params = dict(_scope_sql(scope).params)
    for name, value in values.items():
        params[name] = to_utc_text(value) if isinstance(value, datetime) else value
    return params


def _initial_cap(margin: int, default: int, overrides: Iterable[int | None]) -> int:
    return max(1, margin + max([default, *(value for value in overrides if value)]))


# The decks with active cards of the kinds asked: skip along the deck index one deck at a time.
_ACTIVE_DECKS = """
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
"""


def _read_pools(
    connection: Connection,
    scope: _Scope,
    horizon: datetime,
    day_start: datetime,
    settings: SchedulingSettings,
) -> _Pools:
    """A scope's candidates: all due reviews and learning steps, the first new cards per deck."""
    pools = _Pools(scope, horizon, day_start)
    rows = connection.execute(_ACTIVE_DECKS, {"kinds": json.dumps(list(scope.kinds))})
    pools.decks = tuple(sorted(deck for (deck,) in rows if deck_matches(deck, scope.deck)))
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


# Due cards ranked within their deck in review order (most overdue first, then note order;
# due times are fixed-width UTC text, so text order is time order). Only the first ``:cap`` of
# each deck come back, with the deck's count; learning steps (intraday) all come back.
_DUE_CARDS = f"""{{states}}
SELECT id, deck, group_key, position, due, buried_until, intraday, deck_due FROM (
    SELECT card.id, card.deck, card.group_key, card.position, scheduled_states.due,
           scheduled_states.buried_until, {_INTRADAY} AS intraday,
           ROW_NUMBER() OVER (
               PARTITION BY card.deck, {_INTRADAY}
               ORDER BY scheduled_states.due, card.position, card.id
           ) AS rank,
           COUNT(*) OVER (PARTITION BY card.deck, {_INTRADAY}) AS deck_due
    FROM scheduled_states JOIN card ON card.id = scheduled_states.card_id
    WHERE card.retired = 0 AND {{scope}}{{decks}}
)
WHERE intraday OR rank <= :cap
ORDER BY intraday, deck, due, position, id
"""
_OF_DECKS = "\n      AND card.deck IN (SELECT value FROM json_each(:decks))"


def _read_reviews(
    connection: Connection,
    pools: _Pools,
    decks: Sequence[str],
    cap: int,
    learning: bool = False,
) -> None:
    """The first ``cap`` due reviews of each deck (and, with ``learning``, every due step).

    SQLite ranks the due cards of each deck and returns the first ``cap`` in review order;
    a deck with more due than that is bounded by the last one read.
    """
    of_decks = "" if set(decks) == set(pools.decks) else _OF_DECKS
    template = _DUE_CARDS.replace("{decks}", of_decks)
    params = _params(pools.scope, before=pools.horizon, decks=json.dumps(list(decks)), cap=cap)
    rows = connection.execute(_sql(template, pools.scope), params).fetchall()
    for deck in decks:
        pools.drop_deck(REVIEW, deck)
        pools.review_bounds.pop(deck, None)
        pools.review_caps[deck] = cap
    loaded: list[tuple[Candidate, str, datetime | None]] = []
    for card_id, deck, group, position, due, buried_until, intraday, deck_due in rows:
        candidate = Candidate(card_id, deck, group, position, due=from_utc_text(due),
                              intraday=bool(intraday))  # fmt: skip
        if intraday:
            if learning:
                loaded.append((candidate, LEARNING, _time(buried_until)))
            continue
        loaded.append((candidate, REVIEW, _time(buried_until)))
        if deck_due > cap:
            pools.review_bounds[deck] = review_order(candidate)  # the last read is the bound
    pools.load(loaded)


# The first ``:cap`` new cards of each (kind, deck) pair, each pair read through the card index.
_NEW_CARDS = f"""
SELECT picked.id, picked.deck, picked.kind, picked.group_key, picked.position,
       picked_state.buried_until
FROM (
    SELECT json_extract(entry.value, '$[0]') AS kind, json_extract(entry.value, '$[1]') AS deck
    FROM json_each(:pairs) AS entry
) AS pairs
JOIN card AS picked ON picked.id IN (
    SELECT card.id FROM card LEFT OUTER JOIN review_state ON review_state.card_id = card.id
    WHERE card.retired = 0 AND card.kind = pairs.kind AND card.deck = pairs.deck
      AND {_IS_NEW} AND {{cards}}
    ORDER BY card.position, card.id LIMIT :cap
)
LEFT OUTER JOIN review_state AS picked_state ON picked_state.card_id = picked.id
"""


def _read_news(connection: Connection, pools: _Pools, decks: Sequence[str], cap: int) -> None:
    """The first ``cap`` new cards of each deck and kind, in note order (by the card index)."""
    pairs = json.dumps([[kind, deck] for deck in decks for kind in pools.scope.kinds])
    params = _params(pools.scope, pairs=pairs, cap=cap)
    rows = connection.execute(_sql(_NEW_CARDS, pools.scope), params).fetchall()
    for deck in decks:
        pools.drop_deck(NEW, deck)
        pools.new_bounds.pop(deck, None)
        pools.new_caps[deck] = cap
    read: dict[tuple[str, str], list[Candidate]] = {}
    loaded = []
    for card_id, deck, kind, group, position, buried_until in rows:
        candidate = Candidate(card_id, deck, group, position)
        read.setdefault((deck, kind), []).append(candidate)
        loaded.append((candidate, NEW, _time(buried_until)))
    pools.load(loaded)
    for (deck, _kind), candidates in read.items():
        if len(candidates) >= cap:
            bound = max(map(new_order, candidates))
            pools.new_bounds[deck] = min(pools.new_bounds.get(deck, bound), bound)


_BY_ID = """
SELECT card.id, card.deck, card.group_key, card.position, review_state.state, review_state.due,
       review_state.scheduler, review_state.buried_until, review_state.last_reviewed
FROM card LEFT OUTER JOIN review_state ON review_state.card_id = card.id
WHERE card.id IN (SELECT value FROM json_each(:ids)) AND card.retired = 0 AND {scope}
"""


def _by_id(connection: Connection, scope: _Scope, card_ids: Iterable[int]) -> list[_StateRow]:
    """The scope's active cards among ``card_ids``, with their review state."""
    params = _params(scope, ids=json.dumps(sorted(card_ids)))
    return [
        _StateRow(id=card_id, deck=deck, group_key=group, position=position, state=state,
                  due=_time(due), scheduler=scheduler, buried_until=_time(buried_until),
                  last_reviewed=_time(last_reviewed))
        for card_id, deck, group, position, state, due, scheduler, buried_until, last_reviewed
        in connection.execute(_sql(_BY_ID, scope), params)
    ]  # fmt: skip


def _place(pools: _Pools, row: _StateRow) -> bool:
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


_EARLIEST_DUE = f"""{{states}}
SELECT {_INTRADAY} AS intraday, min(scheduled_states.due) AS due
FROM scheduled_states JOIN card ON card.id = scheduled_states.card_id
WHERE card.retired = 0 AND {{scope}}
  AND (scheduled_states.buried_until IS NULL OR scheduled_states.buried_until <= :now)
  AND card.id NOT IN (SELECT value FROM json_each(:shown))
GROUP BY {_INTRADAY}
"""


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
    query = _sql(_EARLIEST_DUE, scope, bounded=bool(moments))
    params = _params(scope, before=tomorrow, now=clock.now, shown=json.dumps(shown))
    for intraday, due_text in connection.execute(query, params):
        due = from_utc_text(due_text)
        if intraday:
            moments.append(max(due, clock.now))
        else:
            moments.append(max(clock.start_of(clock.day_of(due)), tomorrow))
    return min(moments) if moments else None


_ANY_NEW = f"""
SELECT card.id FROM card LEFT OUTER JOIN review_state ON review_state.card_id = card.id
WHERE card.retired = 0 AND {{scope}} AND {_IS_NEW}
  AND (review_state.buried_until IS NULL OR review_state.buried_until <= :now)
LIMIT 1
"""


def _has_new(connection: Connection, scope: _Scope, now: datetime, pools: _Pools) -> bool:
    buried = pools.buried_now(now)
    if any(candidate.card_id not in buried for candidate in pools.lists[NEW].items):
        return True
    if not pools.new_bounds:  # every new card was read: none is free
        return False
    row = connection.execute(_sql(_ANY_NEW, scope), _params(scope, now=now)).fetchone()
    return row is not None


_ANY_ACTIVE = """
SELECT card.id FROM card LEFT OUTER JOIN review_state ON review_state.card_id = card.id
WHERE card.id IN (SELECT value FROM json_each(:ids)) AND card.retired = 0 AND {scope}
  AND (review_state.buried_until IS NULL OR review_state.buried_until <= :now)
LIMIT 1
"""


def _any_active(connection: Connection, scope: _Scope, now: datetime, card_ids: list[int]) -> bool:
    if not card_ids:
        return False
    params = _params(scope, ids=json.dumps(card_ids), now=now)
    return connection.execute(_sql(_ANY_ACTIVE, scope), params).fetchone() is not None


_DUE_BEFORE = """{states}
SELECT scheduled_states.due
FROM scheduled_states JOIN card ON card.id = scheduled_states.card_id
WHERE card.retired = 0 AND {scope}
  AND (scheduled_states.buried_until IS NULL OR scheduled_states.buried_until <= :now)
"""


def _scheduled_due_before(
    connection: Connection, scope: _Scope, end: datetime, now: datetime
) -> list[datetime]:
    """Due moments of the scope's unburied, not new cards due before ``end``."""
    rows = connection.execute(_sql(_DUE_BEFORE, scope), _params(scope, before=end, now=now))
    return [from_utc_text(due) for (due,) in rows]


_MEMBERS = """
SELECT card.id FROM card WHERE card.id IN (SELECT value FROM json_each(:ids)) AND {scope}
"""

_DECK_AND_GROUP = "SELECT deck, group_key FROM card WHERE id = :card_id"


def _card_deck_and_group(connection: Connection, card_id: int) -> tuple[str, str]:
    row = connection.execute(_DECK_AND_GROUP, {"card_id": card_id}).fetchone()
    if row is None:
        raise ReviewError(f"no card with id {card_id}")
    return str(row[0]), str(row[1])


_CARD_VIEW = """
SELECT card.id, card.kind, card.deck, card.note_path, card.line, card.context, card.prompt,
       card.answer, card.tags, card.colour, card.text, review_state.state, card.answer_start,
       card.answer_end, card.extra, card.group_key, review_state.scheduler, review_state.due,
       review_state.interval, review_state.ef_hundredths, review_state.repetitions,
       review_state.lapses, review_state.reps, review_state.last_reviewed, note.vault
FROM card
LEFT OUTER JOIN review_state ON review_state.card_id = card.id
LEFT OUTER JOIN note ON note.id = card.note_id
WHERE card.id = :card_id
"""


def _card_view(connection: Connection, entry: QueueEntry) -> CardView:
    row = connection.execute(_CARD_VIEW, {"card_id": entry.card_id}).fetchone()
    if row is None:
        raise ReviewError(f"no card with id {entry.card_id}")
    (card_id, kind, deck, note, line, context, prompt, answer, tags, colour, text, state,
     answer_start, answer_end, extra, group, scheduler, due, interval, ef_hundredths,
     repetitions, lapses, reps, last_reviewed, vault) = row  # fmt: skip
    return CardView(
        id=card_id, kind=kind, deck=deck, note=note, line=line, context=tuple(json.loads(context)),
        prompt=prompt, answer=answer, tags=tuple(json.loads(tags)), colour=colour, text=text,
        state=state or NEW, answer_start=answer_start, answer_end=answer_end, extra=extra,
        group=group, queue_kind=entry.kind, scheduler=scheduler or SM2, due=_time(due),
        interval=interval or 0, ef=(ef_hundredths or 250) / 100, repetitions=repetitions or 0,
        lapses=lapses or 0, reps=reps or 0, last_reviewed=_time(last_reviewed), vault=vault,
    )  # fmt: skip


_STATE = f"SELECT {', '.join(_STATE_FIELDS)} FROM review_state WHERE card_id = :card_id"


def _read_state(connection: Connection, card_id: int) -> dict[str, Any]:
    """The card's review state as the JSON snapshot the log stores (times as UTC text)."""
    row = connection.execute(_STATE, {"card_id": card_id}).fetchone()
    if row is None:
        return dict(_NEW_STATE)
    snapshot = dict(zip(_STATE_FIELDS, row, strict=True))
    for name in _TIME_FIELDS:
        snapshot[name] = _utc_text(snapshot[name])
    fsrs_state = snapshot["fsrs_state"]
    snapshot["fsrs_state"] = None if fsrs_state is None else json.loads(fsrs_state)
    return snapshot


_SHOWN_FIELDS = ("state", "repetitions", "interval", "due", "reps", "last_reviewed", "scheduler")
_LAST_LOG = "SELECT max(id) FROM review_log WHERE card_id = :card_id"
_RETIRED = "SELECT retired FROM card WHERE id = :card_id"
GRADED_ELSEWHERE = "card {card_id} was graded elsewhere since it was shown; nothing was written"
RETIRED = "card {card_id} was retired (its highlight removed from its note); nothing was written"


def _shown(connection: Connection, card_id: int, state: Mapping[str, Any] | None = None) -> _Shown:
    """The card as it is stored now: its newest log row and what a grade or undo changes
    (``state``: its stored state, when the caller has just read it)."""
    stored = _read_state(connection, card_id) if state is None else state
    last = connection.execute(_LAST_LOG, {"card_id": card_id}).fetchone()
    return _Shown(last[0], tuple(stored[name] for name in _SHOWN_FIELDS))


def _offer(connection: Connection, session: StudySession, entry: QueueEntry) -> CardView:
    """The card of ``entry``, remembered in ``session`` as shown (read in the same snapshot)."""
    card = _card_view(connection, entry)
    session.shown[card.id] = _shown(connection, card.id)
    return card


def _without_card(state: ReviewSession, card_id: int) -> ReviewSession:
    """``state`` no longer owing ``card_id`` a repeat nor showing it first."""
    return replace(
        state,
        pending=tuple(item for item in state.pending if item.card_id != card_id),
        front=None if state.front == card_id else state.front,
    )


def _check_unchanged(
    connection: Connection, session: StudySession, card_id: int, stored: Mapping[str, Any]
) -> None:
    """Refuse (raise) a grade of a retired card, or of one changed since ``session`` showed it
    (``stored``: its state as read in this transaction).

    Run inside the grade's write transaction, so nothing can change between check and write.
    """
    retired = connection.execute(_RETIRED, {"card_id": card_id}).fetchone()
    if retired is not None and retired[0]:
        raise CardRetiredError(card_id, RETIRED.format(card_id=card_id))
    shown = session.shown.get(card_id)
    if shown is not None and shown != _shown(connection, card_id, stored):
        raise GradedElsewhereError(card_id, GRADED_ELSEWHERE.format(card_id=card_id))


_HISTORY = (
    "SELECT reviewed_at, quality FROM review_log WHERE card_id = :card_id ORDER BY reviewed_at, id"
)


def _history(connection: Connection, card_id: int) -> list[tuple[datetime, int]]:
    rows = connection.execute(_HISTORY, {"card_id": card_id})
    return [(from_utc_text(reviewed_at), quality) for reviewed_at, quality in rows]


# Writing ----------------------------------------------------------------------------------------

_UPSERT_STATE = (
    f"INSERT INTO review_state (card_id, {', '.join(_STATE_FIELDS)})"
    f" VALUES (:card_id, {', '.join(f':{name}' for name in _STATE_FIELDS)})"
    " ON CONFLICT (card_id) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in _STATE_FIELDS)
)
_INSERT_LOG = """
INSERT INTO review_log (card_id, reviewed_at, quality, state_before, state_after, duration_ms,
                        typed_answer, session_id, scheduler, correct, detail)
VALUES (:card_id, :reviewed_at, :quality, :state_before, :state_after, :duration_ms,
        :typed_answer, :session_id, :scheduler, :correct, :detail)
"""
_LOGGED_BEFORE = "SELECT state_before FROM review_log WHERE id = :log_id"
_LATER_GRADE = "SELECT id FROM review_log WHERE card_id = :card_id AND id > :log_id LIMIT 1"
_DELETE_LOG = "DELETE FROM review_log WHERE id = :log_id"


def _write_state(connection: Connection, card_id: int, snapshot: Mapping[str, Any]) -> None:
    values = {name: snapshot.get(name, _NEW_STATE[name]) for name in _STATE_FIELDS}
    for name in _TIME_FIELDS:
        values[name] = _utc_text(values[name])
    fsrs_state = values["fsrs_state"]
    values["fsrs_state"] = None if fsrs_state is None else _json_text(fsrs_state)
    connection.execute(_UPSERT_STATE, {"card_id": card_id, **values})


def _insert_log(connection: Connection, values: Mapping[str, Any]) -> int:
    """Append a review log row; its id."""
    return int(connection.execute(_INSERT_LOG, values).lastrowid or 0)


def _json_text(value: Any) -> str:
    """JSON as the JSON columns store it (compact, non-ASCII kept)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _utc_text(text: str | None) -> str | None:
    """A stored time in the stored form (any ISO 8601 text read back as fixed-width UTC)."""
    return None if text is None else to_utc_text(from_utc_text(text))


def _time(text: str | None) -> datetime | None:
    return None if text is None else from_utc_text(text)


def _next_state(
    connection: Connection,
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
    connection: Connection,
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
        elapsed = _elapsed_from_due(replayed.due, base.interval, clock)
        pending = replayed.owes_repeat_on == clock.today
    else:
        base = SM2State(before["repetitions"], before["ef_hundredths"] / 100, before["interval"])
        lapses = before["lapses"]
        last = _time(before["last_reviewed"])
        elapsed = (
            (clock.today - clock.day_of(last)).days if last is not None
            else _elapsed_from_due(_time(before["due"]), base.interval, clock)
        )  # fmt: skip
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
    interval = early_interval(base, reviewed, quality, elapsed)
    after.update(
        repetitions=reviewed.repetitions, ef_hundredths=round(reviewed.ef * 100),
        interval=interval,
        lapses=lapses + (1 if quality < 3 and base.repetitions > 0 else 0),
        due=to_utc_text(due_after(clock.now, interval, clock.tz, clock.day_start_hour)),
    )  # fmt: skip
    return after, repeat_today, False


def _elapsed_from_due(due: datetime | None, interval: int, clock: DayClock) -> int:
    """The days since the last review, read off the due day (due = last review + interval),
    for a state that records no last review; with no due day, the whole interval."""
    if due is None:
        return interval
    return interval - (clock.day_of(due) - clock.today).days


def _next_fsrs(
    connection: Connection, card_id: int, before: Mapping[str, Any], quality: int, clock: DayClock
) -> dict[str, Any]:
    from studytool.scheduling import fsrs_adapter  # only FSRS grades need the fsrs package

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
