"""Which card comes next: the day's review queue, limits, siblings and same-day repeats (pure).

Inputs are plain values the store computes (candidate cards with their due moments, what today's
review log says was already done) plus a :class:`ReviewSession`, the small immutable record of
one sitting that the review service keeps between calls. :func:`build_queue` orders:

1. the card put back by an undo (``ReviewSession.front``);
2. same-day repeats that are ready: SM-2 cards graded below 4 this study day (after
   ``repeat_gap`` other cards), and FSRS learning-step cards whose due time has passed;
3. due reviews, most overdue first, up to each deck's review limit (default 200 a day);
4. new cards in note order, up to each deck's new-card limit (default 20 a day);
5. repeats and learning cards that are not ready yet (shown only when nothing else is left).

Cards of one sibling group (cloze cards from one statement) are never both studied on one study
day: once one was graded today, or is ahead in today's queue, the others are left out until the
next day (buried without touching the store). Repeats never change an SM-2 state: the service
records them in the log but does not call :func:`studytool.scheduling.sm2.review` for them.
A study day begins at the configured hour in local time (:mod:`studytool.scheduling.days`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo

from studytool.scheduling.days import DEFAULT_DAY_START_HOUR, day_start, study_day

DEFAULT_NEW_PER_DAY = 20
DEFAULT_REVIEWS_PER_DAY = 200
DEFAULT_REPEAT_GAP = 5

FRONT = "front"
REPEAT = "repeat"
LEARNING = "learning"
REVIEW = "review"
NEW = "new"


@dataclass(frozen=True)
class Candidate:
    """A card the queue may show.

    ``due`` is ``None`` for a new card. For a day-scheduled card (SM-2, FSRS review state) only
    the study day of ``due`` matters; for an ``intraday`` card (an FSRS learning or relearning
    step) ``due`` is the exact moment it becomes ready. ``position`` is the note order (smaller
    first: new cards are introduced in this order); ``group`` is the sibling group;
    ``last_review`` is when it was last graded, if ever.
    """

    card_id: int
    deck: str
    group: str
    position: int = 0
    due: datetime | None = None
    intraday: bool = False
    last_review: datetime | None = None

    @property
    def is_new(self) -> bool:
        return self.due is None


@dataclass(frozen=True)
class DeckLimits:
    """A deck's daily limits: new cards introduced and reviews done per study day."""

    new_per_day: int = DEFAULT_NEW_PER_DAY
    reviews_per_day: int = DEFAULT_REVIEWS_PER_DAY

    def __post_init__(self) -> None:
        for name in ("new_per_day", "reviews_per_day"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


@dataclass(frozen=True)
class DayProgress:
    """What today's review log says: first-time grades today per deck, and who was graded.

    ``new_done``/``reviews_done`` count distinct cards graded today that were new / not new at
    their first grade today; ``shown_cards`` are the cards graded today and ``shown_groups``
    their sibling groups.
    """

    new_done: Mapping[str, int] = field(default_factory=dict)
    reviews_done: Mapping[str, int] = field(default_factory=dict)
    shown_cards: frozenset[int] = frozenset()
    shown_groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PendingRepeat:
    """An SM-2 card graded below 4 today; ready once the session has ``ready_after`` grades."""

    card_id: int
    ready_after: int = 0


@dataclass(frozen=True)
class ReviewSession:
    """One sitting's memory, immutable: each change returns a new session (easy to undo).

    ``grades`` counts grades given in this session, ``studied`` the distinct cards graded (for
    the optional session ``limit`` on cards), ``skipped`` cards are not offered again in this
    session, ``front`` is a card to show first (set by undo).
    """

    pending: tuple[PendingRepeat, ...] = ()
    grades: int = 0
    studied: frozenset[int] = frozenset()
    skipped: frozenset[int] = frozenset()
    front: int | None = None
    limit: int | None = None
    repeat_gap: int = DEFAULT_REPEAT_GAP

    def __post_init__(self) -> None:
        if self.limit is not None and (isinstance(self.limit, bool) or self.limit < 0):
            raise ValueError(f"session limit must be a non-negative integer, got {self.limit!r}")
        if self.repeat_gap < 0:
            raise ValueError(f"repeat gap must be >= 0, got {self.repeat_gap!r}")

    @classmethod
    def start(
        cls,
        pending_card_ids: Iterable[int] = (),
        limit: int | None = None,
        repeat_gap: int = DEFAULT_REPEAT_GAP,
    ) -> ReviewSession:
        """A fresh session; ``pending_card_ids`` are repeats still owed from earlier today."""
        pending = tuple(PendingRepeat(card_id, 0) for card_id in dict.fromkeys(pending_card_ids))
        return cls(pending=pending, limit=limit, repeat_gap=repeat_gap)

    def is_pending(self, card_id: int) -> bool:
        return any(item.card_id == card_id for item in self.pending)

    def after_grade(self, card_id: int, repeat_today: bool) -> ReviewSession:
        """The session after grading ``card_id``; ``repeat_today`` queues a same-day repeat."""
        grades = self.grades + 1
        pending = tuple(item for item in self.pending if item.card_id != card_id)
        if repeat_today:
            pending += (PendingRepeat(card_id, grades + self.repeat_gap),)
        return replace(
            self,
            pending=pending,
            grades=grades,
            studied=self.studied | {card_id},
            front=None if self.front == card_id else self.front,
        )

    def after_skip(self, card_id: int) -> ReviewSession:
        """The session after skipping ``card_id``: not offered again in this session."""
        return replace(
            self,
            skipped=self.skipped | {card_id},
            pending=tuple(item for item in self.pending if item.card_id != card_id),
            front=None if self.front == card_id else self.front,
        )

    def with_front(self, card_id: int) -> ReviewSession:
        """This session with ``card_id`` shown next (used after an undo)."""
        return replace(self, front=card_id, skipped=self.skipped - {card_id})


@dataclass(frozen=True)
class QueueEntry:
    """One place in the queue: the card and why it is there (front/repeat/learning/review/new)."""

    candidate: Candidate
    kind: str

    @property
    def card_id(self) -> int:
        return self.candidate.card_id


@dataclass(frozen=True)
class QueueCounts:
    """What is left today: ``due`` (reviews, repeats, learning steps) and ``new`` cards."""

    due: int
    new: int


@dataclass(frozen=True)
class DayClock:
    """The moment of the question and how study days are cut (zone and day-start hour)."""

    now: datetime
    tz: tzinfo
    day_start_hour: int = DEFAULT_DAY_START_HOUR

    @property
    def today(self) -> date:
        return study_day(self.now, self.tz, self.day_start_hour)

    def day_of(self, moment: datetime) -> date:
        return study_day(moment, self.tz, self.day_start_hour)

    def start_of(self, day: date) -> datetime:
        return day_start(day, self.tz, self.day_start_hour)


def build_queue(
    candidates: Iterable[Candidate],
    clock: DayClock,
    session: ReviewSession | None = None,
    progress: DayProgress | None = None,
    limits: Mapping[str, DeckLimits] | None = None,
    default_limits: DeckLimits | None = None,
    study_ahead_days: int = 0,
) -> list[QueueEntry]:
    """Every card still to study now, in the order to study them (see the module docstring).

    ``study_ahead_days`` > 0 also takes reviews due within that many days after today (cards
    already graded today stay out).
    """
    session = session or ReviewSession()
    progress = progress or DayProgress()
    limits = limits or {}
    default_limits = default_limits or DeckLimits()
    if study_ahead_days < 0:
        raise ValueError(f"study ahead days must be >= 0, got {study_ahead_days}")
    by_id = {c.card_id: c for c in candidates if c.card_id not in session.skipped}
    entries: list[QueueEntry] = []
    placed: set[int] = set()

    def place(candidate: Candidate, kind: str) -> None:
        entries.append(QueueEntry(candidate, kind))
        placed.add(candidate.card_id)

    if session.front is not None and session.front in by_id:
        place(by_id[session.front], FRONT)

    ready_repeats, waiting_repeats = _split_repeats(session, by_id, placed)
    ready_learning, waiting_learning = _split_learning(
        by_id.values(), clock, placed, study_ahead_days
    )
    for candidate in ready_repeats:
        place(candidate, REPEAT)
    for candidate in ready_learning:
        place(candidate, LEARNING)

    taken_groups = set(progress.shown_groups) | {by_id[i].group for i in placed}
    # A due moment belongs to a study day <= last day exactly when it is before the next start.
    horizon = clock.start_of(clock.today + timedelta(days=study_ahead_days + 1))
    pending = {item.card_id for item in session.pending}
    fresh = [
        c
        for c in by_id.values()
        if c.card_id not in placed
        and c.card_id not in progress.shown_cards
        and not c.intraday
        and c.card_id not in pending
    ]
    reviews = sorted(
        (c for c in fresh if c.due is not None and c.due < horizon),
        key=lambda c: (c.due, c.position, c.card_id),
    )
    news = sorted((c for c in fresh if c.due is None), key=lambda c: (c.position, c.card_id))
    room = None if session.limit is None else max(0, session.limit - len(session.studied))

    def limit_of(deck: str) -> DeckLimits:
        return limits.get(deck, default_limits)

    for pool, kind, used, allowed in (
        (reviews, REVIEW, progress.reviews_done, lambda deck: limit_of(deck).reviews_per_day),
        (news, NEW, progress.new_done, lambda deck: limit_of(deck).new_per_day),
    ):
        taken: Counter[str] = Counter()
        for candidate in pool:
            if room is not None and room <= 0:
                break
            if candidate.group in taken_groups:
                continue
            if used.get(candidate.deck, 0) + taken[candidate.deck] >= allowed(candidate.deck):
                continue
            place(candidate, kind)
            taken[candidate.deck] += 1
            taken_groups.add(candidate.group)
            if room is not None:
                room -= 1

    for candidate in waiting_repeats:
        place(candidate, REPEAT)
    for candidate in waiting_learning:
        place(candidate, LEARNING)
    return entries


def _split_repeats(
    session: ReviewSession, by_id: Mapping[int, Candidate], placed: set[int]
) -> tuple[list[Candidate], list[Candidate]]:
    ready: list[Candidate] = []
    waiting: list[Candidate] = []
    for item in sorted(session.pending, key=lambda p: p.ready_after):
        candidate = by_id.get(item.card_id)
        if candidate is None or item.card_id in placed:
            continue
        (ready if item.ready_after <= session.grades else waiting).append(candidate)
    return ready, waiting


def _split_learning(
    candidates: Iterable[Candidate], clock: DayClock, placed: set[int], study_ahead_days: int
) -> tuple[list[Candidate], list[Candidate]]:
    horizon = clock.start_of(clock.today + timedelta(days=study_ahead_days + 1))
    learning = sorted(
        (
            c
            for c in candidates
            if c.intraday and c.due is not None and c.card_id not in placed and c.due < horizon
        ),
        key=lambda c: (c.due, c.card_id),
    )
    ready = [c for c in learning if c.due is not None and c.due <= clock.now]
    waiting = [c for c in learning if c.due is not None and c.due > clock.now]
    return ready, waiting


def next_entry(
    candidates: Iterable[Candidate],
    clock: DayClock,
    session: ReviewSession | None = None,
    progress: DayProgress | None = None,
    limits: Mapping[str, DeckLimits] | None = None,
    default_limits: DeckLimits | None = None,
    study_ahead_days: int = 0,
) -> QueueEntry | None:
    """The first entry of :func:`build_queue`, or ``None`` when nothing is left to study."""
    queue = build_queue(
        candidates, clock, session, progress, limits, default_limits, study_ahead_days
    )
    return queue[0] if queue else None


def count_queue(entries: Iterable[QueueEntry]) -> QueueCounts:
    """How many due (reviews, repeats, learning) and new cards a built queue holds."""
    due = new = 0
    for entry in entries:
        if entry.candidate.is_new and entry.kind in (NEW, FRONT):
            new += 1
        else:
            due += 1
    return QueueCounts(due=due, new=new)


def next_available_at(
    candidates: Iterable[Candidate], clock: DayClock, progress: DayProgress | None = None
) -> datetime | None:
    """When something next becomes studiable, for the "nothing due" screen (UTC), else None.

    Intraday cards count from their due moment; day-scheduled cards from the start of their
    due study day; new cards and cards graded or buried today from tomorrow's start.
    """
    progress = progress or DayProgress()
    tomorrow = clock.start_of(clock.today + timedelta(days=1))
    moments: list[datetime] = []
    for candidate in candidates:
        if candidate.due is None or candidate.card_id in progress.shown_cards:
            moments.append(tomorrow)
        elif candidate.intraday:
            moments.append(max(candidate.due, clock.now))
        else:
            moments.append(max(clock.start_of(clock.day_of(candidate.due)), tomorrow))
    return min(moments) if moments else None


def forecast(
    candidates: Iterable[Candidate], clock: DayClock, days: int = 7
) -> list[tuple[date, int]]:
    """Reviews falling due on each of the next ``days`` study days from today (overdue: today).

    New cards are not counted; learning-step cards count on the day of their due moment.
    """
    if days < 1:
        raise ValueError(f"forecast needs at least one day, got {days}")
    today = clock.today
    counts: Counter[date] = Counter()
    for candidate in candidates:
        if candidate.due is None:
            continue
        day = max(clock.day_of(candidate.due), today)
        counts[day] += 1
    return [(today + timedelta(days=i), counts[today + timedelta(days=i)]) for i in range(days)]
