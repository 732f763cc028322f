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

Cards skipped "for later" (``ReviewSession.deferred``) keep their place in the limits and come
after everything else, in the order they were skipped; cards skipped for the session
(``ReviewSession.skipped``) are left out.

:func:`plan_queue` is the working form of :func:`build_queue`: it takes the candidates already
sorted (:class:`SortedCandidates`, which a caller can keep between calls), counts the whole
queue but keeps only its first entries, and, given how far each deck's candidates were read
(``review_bounds``/``new_bounds``), says which decks need more of them to be exact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from studytool.scheduling.days import DEFAULT_DAY_START_HOUR, day_start, study_day

DEFAULT_NEW_PER_DAY = 20
DEFAULT_REVIEWS_PER_DAY = 200
#: the largest daily limit (new cards or reviews): no limit in practice, and small enough for
#: SQLite's 64-bit integers, in which the limits reach the queue's queries
MAX_DAILY_LIMIT = 1_000_000
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
    session, ``deferred`` cards (skipped for later) come after all others, in this order;
    ``front`` is a card to show first (set by undo).
    """

    pending: tuple[PendingRepeat, ...] = ()
    grades: int = 0
    studied: frozenset[int] = frozenset()
    skipped: frozenset[int] = frozenset()
    front: int | None = None
    limit: int | None = None
    repeat_gap: int = DEFAULT_REPEAT_GAP
    deferred: tuple[int, ...] = ()

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
            deferred=_without(self.deferred, card_id),
        )

    def after_skip(self, card_id: int) -> ReviewSession:
        """The session after skipping ``card_id``: not offered again in this session."""
        return replace(
            self,
            skipped=self.skipped | {card_id},
            pending=tuple(item for item in self.pending if item.card_id != card_id),
            front=None if self.front == card_id else self.front,
            deferred=_without(self.deferred, card_id),
        )

    def after_defer(self, card_id: int) -> ReviewSession:
        """The session after skipping ``card_id`` for later: it comes after every other card.

        It keeps its place in the daily limits (skipping does not bring in another card); a
        card deferred again goes behind the other deferred cards.
        """
        return replace(
            self,
            deferred=(*_without(self.deferred, card_id), card_id),
            front=None if self.front == card_id else self.front,
        )

    def with_front(self, card_id: int) -> ReviewSession:
        """This session with ``card_id`` shown next (used after an undo)."""
        return replace(
            self,
            front=card_id,
            skipped=self.skipped - {card_id},
            deferred=_without(self.deferred, card_id),
        )


def _without(ids: tuple[int, ...], card_id: int) -> tuple[int, ...]:
    return tuple(item for item in ids if item != card_id)


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


ReviewKey = tuple[datetime, int, int]
NewKey = tuple[int, int]


def review_order(candidate: Candidate) -> ReviewKey:
    """The order of due reviews: most overdue first, then note order (``due`` must be set)."""
    assert candidate.due is not None
    return (candidate.due, candidate.position, candidate.card_id)


def new_order(candidate: Candidate) -> NewKey:
    """The order new cards are introduced in: note order."""
    return (candidate.position, candidate.card_id)


def learning_order(candidate: Candidate) -> tuple[datetime, int]:
    """The order of learning-step cards: the earliest due first (``due`` must be set)."""
    assert candidate.due is not None
    return (candidate.due, candidate.card_id)


@dataclass(frozen=True)
class SortedCandidates:
    """Candidates sorted the way the queue takes them; a caller may keep and update them.

    ``by_id`` holds every candidate (cards reachable only as a repeat, the front or a deferred
    card included); ``reviews`` the day-scheduled ones with a due moment in
    :func:`review_order`, ``news`` the new ones in :func:`new_order`, ``learning`` the
    intraday ones with a due moment in :func:`learning_order`.
    """

    by_id: Mapping[int, Candidate]
    reviews: Sequence[Candidate] = ()
    news: Sequence[Candidate] = ()
    learning: Sequence[Candidate] = ()

    @classmethod
    def of(cls, candidates: Iterable[Candidate]) -> SortedCandidates:
        """Sort ``candidates`` (a later duplicate of a card id replaces an earlier one)."""
        by_id = {candidate.card_id: candidate for candidate in candidates}
        scheduled = [c for c in by_id.values() if c.due is not None]
        return cls(
            by_id=by_id,
            reviews=sorted((c for c in scheduled if not c.intraday), key=review_order),
            news=sorted((c for c in by_id.values() if c.due is None), key=new_order),
            learning=sorted((c for c in scheduled if c.intraday), key=learning_order),
        )


@dataclass(frozen=True)
class QueuePlan:
    """The queue's first entries, what the whole queue holds, and which decks need more cards.

    ``deck_counts`` splits ``counts`` by the deck of each card. ``short_reviews``/``short_news``
    name the decks whose candidates were read only up to a bound and whose next unread cards
    might change the queue: read more of them and plan again.
    """

    entries: tuple[QueueEntry, ...]
    counts: QueueCounts
    deck_counts: Mapping[str, QueueCounts]
    short_reviews: frozenset[str] = frozenset()
    short_news: frozenset[str] = frozenset()

    @property
    def head(self) -> QueueEntry | None:
        return self.entries[0] if self.entries else None

    @property
    def complete(self) -> bool:
        """Whether no deck needs more candidates (the plan is exact)."""
        return not (self.short_reviews or self.short_news)


class _Placement:
    """The queue being laid out: entries kept, counts, and cards deferred to the end."""

    def __init__(self, keep: int | None, deferred: tuple[int, ...]) -> None:
        self.keep = keep
        self.entries: list[QueueEntry] = []
        self.placed: set[int] = set()
        self.deferred_order = deferred
        self.deferred_ids = frozenset(deferred)
        self.deferred: dict[int, QueueEntry] = {}
        self.due: Counter[str] = Counter()
        self.new: Counter[str] = Counter()
        self.left_out: AbstractSet[int] = frozenset()  # not to be taken from the pools
        self.taken_groups: set[str] = set()  # sibling groups already studied or placed

    def place(self, candidate: Candidate, kind: str) -> None:
        card_id = candidate.card_id
        self.placed.add(card_id)
        if candidate.due is None and kind in (NEW, FRONT):
            self.new[candidate.deck] += 1
        else:
            self.due[candidate.deck] += 1
        if card_id in self.deferred_ids:
            self.deferred[card_id] = QueueEntry(candidate, kind)
        elif self.keep is None or len(self.entries) < self.keep:
            self.entries.append(QueueEntry(candidate, kind))

    def place_all(self, candidates: list[Candidate], kind: str) -> None:
        """Place a pool's chosen cards (reviews, or new cards) in order, at once."""
        self.placed.update(candidate.card_id for candidate in candidates)
        (self.new if kind == NEW else self.due).update(c.deck for c in candidates)
        if self.deferred_ids:
            for candidate in candidates:
                if candidate.card_id in self.deferred_ids:
                    self.deferred[candidate.card_id] = QueueEntry(candidate, kind)
            candidates = [c for c in candidates if c.card_id not in self.deferred_ids]
        wanted = len(candidates) if self.keep is None else self.keep - len(self.entries)
        self.entries.extend(QueueEntry(candidate, kind) for candidate in candidates[:wanted])

    def finish(self) -> tuple[tuple[QueueEntry, ...], QueueCounts, dict[str, QueueCounts]]:
        entries = self.entries + [
            self.deferred[card_id] for card_id in self.deferred_order if card_id in self.deferred
        ]
        if self.keep is not None:
            entries = entries[: self.keep]
        decks = {
            deck: QueueCounts(due=self.due[deck], new=self.new[deck])
            for deck in sorted(set(self.due) | set(self.new))
        }
        total = QueueCounts(due=sum(self.due.values()), new=sum(self.new.values()))
        return tuple(entries), total, decks


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
    plan = plan_queue(
        SortedCandidates.of(candidates), clock, session, progress, limits, default_limits,
        study_ahead_days,
    )  # fmt: skip
    return list(plan.entries)


def plan_queue(
    candidates: SortedCandidates,
    clock: DayClock,
    session: ReviewSession | None = None,
    progress: DayProgress | None = None,
    limits: Mapping[str, DeckLimits] | None = None,
    default_limits: DeckLimits | None = None,
    study_ahead_days: int = 0,
    *,
    keep: int | None = None,
    exclude: AbstractSet[int] = frozenset(),
    review_bounds: Mapping[str, ReviewKey] | None = None,
    new_bounds: Mapping[str, NewKey] | None = None,
) -> QueuePlan:
    """The queue :func:`build_queue` would build: its first ``keep`` entries (all if None).

    ``exclude`` leaves cards out as if they were not candidates. ``review_bounds[deck]`` says
    that the deck's due reviews were read only up to that :func:`review_order` key (and
    ``new_bounds`` the same for new cards in :func:`new_order`); a deck whose unread cards
    could have been placed is named in the plan's ``short_reviews``/``short_news``.
    """
    session = session or ReviewSession()
    progress = progress or DayProgress()
    limits = {} if limits is None else limits
    default_limits = default_limits or DeckLimits()
    if study_ahead_days < 0:
        raise ValueError(f"study ahead days must be >= 0, got {study_ahead_days}")
    blocked = session.skipped | exclude
    by_id = candidates.by_id

    def lookup(card_id: int) -> Candidate | None:
        return None if card_id in blocked else by_id.get(card_id)

    layout = _Placement(keep, session.deferred)
    placed = layout.placed
    front = None if session.front is None else lookup(session.front)
    if front is not None:
        layout.place(front, FRONT)

    # A due moment belongs to a study day <= last day exactly when it is before the next start.
    horizon = clock.start_of(clock.today + timedelta(days=study_ahead_days + 1))
    ready_repeats, waiting_repeats = _split_repeats(session, lookup, placed)
    ready_learning, waiting_learning = _split_learning(
        candidates.learning, clock, placed, blocked, horizon
    )
    for candidate in ready_repeats:
        layout.place(candidate, REPEAT)
    for candidate in ready_learning:
        layout.place(candidate, LEARNING)

    taken_groups = set(progress.shown_groups) | {by_id[i].group for i in placed}
    pending = {item.card_id for item in session.pending}
    left_out = blocked | pending | progress.shown_cards
    room = None if session.limit is None else max(0, session.limit - len(session.studied))

    def limit_of(deck: str) -> DeckLimits:
        return limits.get(deck, default_limits)

    # The card an undo put in front takes one of its deck's places for today, as it did when it
    # was first shown (unless it was already graded earlier today: then it counted already).
    front_slot = _front_slot(front, progress)

    def reviews_left(deck: str) -> int:
        taken = 1 if front_slot == (REVIEW, deck) else 0
        return limit_of(deck).reviews_per_day - progress.reviews_done.get(deck, 0) - taken

    def news_left(deck: str) -> int:
        taken = 1 if front_slot == (NEW, deck) else 0
        return limit_of(deck).new_per_day - progress.new_done.get(deck, 0) - taken

    layout.left_out = left_out
    layout.taken_groups = taken_groups
    review_room, short_reviews = _take_pool(
        layout, candidates.reviews, REVIEW, reviews_left, horizon, room, review_bounds or {}
    )
    _, short_news = _take_pool(
        layout, candidates.news, NEW, news_left, None, review_room, new_bounds or {}
    )
    for candidate in waiting_repeats:
        layout.place(candidate, REPEAT)
    for candidate in waiting_learning:
        layout.place(candidate, LEARNING)
    entries, counts, deck_counts = layout.finish()
    return QueuePlan(entries, counts, deck_counts, short_reviews, short_news)


def _front_slot(front: Candidate | None, progress: DayProgress) -> tuple[str, str] | None:
    """``(NEW or REVIEW, deck)``: the daily allowance the front card uses, None for none."""
    if front is None or front.card_id in progress.shown_cards or front.intraday:
        return None
    return (NEW if front.due is None else REVIEW, front.deck)


def _take_pool(
    layout: _Placement,
    pool: Sequence[Candidate],
    kind: str,
    allowance: Callable[[str], int],
    horizon: datetime | None,
    room: int | None,
    bounds: Mapping[str, Any],
) -> tuple[int | None, frozenset[str]]:
    """Place a sorted pool's cards, each deck up to its ``allowance`` (what it has left today).

    Cards already placed, left out (``layout.left_out``) or of a sibling group already taken
    are passed over. Reviews stop at the first card due at or after ``horizon``. Returns the
    session room left and the decks of ``bounds`` (read only partly) whose unread cards might
    have been placed: ones still under their allowance, unless the room ran out before their
    bound.
    """
    order = review_order if kind == REVIEW else new_order
    remaining: dict[str, int] = {}
    placed, left_out, taken_groups = layout.placed, layout.left_out, layout.taken_groups
    chosen: list[Candidate] = []
    closed = room is not None and room <= 0
    stop = None  # the order key at which the room ran out
    for candidate in pool:
        if horizon is not None and not candidate.due < horizon:  # type: ignore[operator]
            break
        if room is not None and room <= 0:
            break
        deck = candidate.deck
        left = remaining.get(deck)
        if left is None:
            left = remaining[deck] = allowance(deck)
        if left <= 0:
            continue
        card_id = candidate.card_id
        if card_id in placed or card_id in left_out or candidate.intraday:
            continue
        if candidate.group in taken_groups:
            continue
        chosen.append(candidate)
        remaining[deck] = left - 1
        taken_groups.add(candidate.group)
        if room is not None:
            room -= 1
            if room <= 0:
                stop = order(candidate)
    layout.place_all(chosen, kind)
    short = frozenset(
        deck for deck, bound in bounds.items()
        if not closed and remaining.get(deck, allowance(deck)) > 0
        and (stop is None or bound < stop)
    )  # fmt: skip
    return room, short


def _split_repeats(
    session: ReviewSession, lookup: Callable[[int], Candidate | None], placed: set[int]
) -> tuple[list[Candidate], list[Candidate]]:
    ready: list[Candidate] = []
    waiting: list[Candidate] = []
    for item in sorted(session.pending, key=lambda p: p.ready_after):
        candidate = lookup(item.card_id)
        if candidate is None or item.card_id in placed:
            continue
        (ready if item.ready_after <= session.grades else waiting).append(candidate)
    return ready, waiting


def _split_learning(
    learning: Iterable[Candidate],
    clock: DayClock,
    placed: set[int],
    blocked: AbstractSet[int],
    horizon: datetime,
) -> tuple[list[Candidate], list[Candidate]]:
    ready: list[Candidate] = []
    waiting: list[Candidate] = []
    for candidate in learning:
        due = candidate.due
        if due is None or not due < horizon:
            break
        if candidate.card_id in placed or candidate.card_id in blocked:
            continue
        (ready if due <= clock.now else waiting).append(candidate)
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
