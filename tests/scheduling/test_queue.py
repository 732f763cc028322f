"""The review queue: order, daily limits, siblings, same-day repeats and day boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studytool.scheduling.days import day_start
from studytool.scheduling.queue import (
    FRONT,
    LEARNING,
    NEW,
    REPEAT,
    REVIEW,
    Candidate,
    DayClock,
    DayProgress,
    DeckLimits,
    QueueCounts,
    ReviewSession,
    SortedCandidates,
    build_queue,
    count_queue,
    forecast,
    new_order,
    next_available_at,
    next_entry,
    plan_queue,
    review_order,
)

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2024, 5, 10, 12, 0, tzinfo=TZ)
CLOCK = DayClock(now=NOW, tz=TZ, day_start_hour=4)
TODAY = date(2024, 5, 10)


def due_on(day: date) -> datetime:
    return day_start(day, TZ, 4)


def review_card(
    card_id: int, days_overdue: int, deck: str = "A", group: str | None = None, position: int = 0
) -> Candidate:
    return Candidate(
        card_id=card_id,
        deck=deck,
        group=group or f"g{card_id}",
        position=position or card_id,
        due=due_on(TODAY - timedelta(days=days_overdue)),
    )


def new_card(card_id: int, position: int, deck: str = "A", group: str | None = None) -> Candidate:
    return Candidate(card_id=card_id, deck=deck, group=group or f"g{card_id}", position=position)


def ids(entries: list) -> list[int]:
    return [entry.card_id for entry in entries]


def test_reviews_first_most_overdue_first_then_new_in_note_order() -> None:
    cards = [
        new_card(1, 30),
        review_card(2, 0),
        new_card(3, 10),
        review_card(4, 5),
        review_card(5, 2),
        new_card(6, 20),
    ]
    queue = build_queue(cards, CLOCK)
    assert ids(queue) == [4, 5, 2, 3, 6, 1]
    assert [e.kind for e in queue] == [REVIEW] * 3 + [NEW] * 3
    assert count_queue(queue) == QueueCounts(due=3, new=3)


def test_cards_due_later_are_not_in_the_queue() -> None:
    tomorrow = Candidate(7, "A", "g7", 7, due=due_on(TODAY + timedelta(days=1)))
    assert build_queue([tomorrow], CLOCK) == []


def test_new_card_limit_default_twenty_and_already_done_today() -> None:
    cards = [new_card(i, i) for i in range(1, 31)]
    assert ids(build_queue(cards, CLOCK)) == list(range(1, 21))
    progress = DayProgress(new_done={"A": 15})
    assert ids(build_queue(cards, CLOCK, progress=progress)) == [1, 2, 3, 4, 5]


def test_per_deck_limits() -> None:
    cards = [new_card(i, i, deck="A") for i in range(1, 6)] + [
        new_card(i, i, deck="B") for i in range(6, 11)
    ]
    cards += [review_card(i, i - 10, deck="A") for i in range(11, 16)]
    limits = {"A": DeckLimits(new_per_day=2, reviews_per_day=3)}
    queue = build_queue(cards, CLOCK, limits=limits, default_limits=DeckLimits(new_per_day=4))
    assert ids(queue) == [15, 14, 13, 1, 2, 6, 7, 8, 9]
    progress = DayProgress(reviews_done={"A": 3}, new_done={"B": 4})
    queue = build_queue(
        cards, CLOCK, progress=progress, limits=limits, default_limits=DeckLimits(new_per_day=4)
    )
    assert ids(queue) == [1, 2]


def test_siblings_are_never_both_on_one_day() -> None:
    cards = [new_card(1, 1, group="s"), new_card(2, 2, group="s"), new_card(3, 3, group="t")]
    assert ids(build_queue(cards, CLOCK)) == [1, 3]
    # A sibling due for review goes first; the new sibling waits for tomorrow.
    due_sibling = review_card(4, 1, group="t")
    assert ids(build_queue([*cards, due_sibling], CLOCK)) == [4, 1]


def test_sibling_graded_today_buries_the_other_until_tomorrow() -> None:
    cards = [new_card(2, 2, group="s"), review_card(5, 0, group="s")]
    progress = DayProgress(
        new_done={"A": 1}, shown_cards=frozenset({1}), shown_groups=frozenset({"s"})
    )
    assert build_queue(cards, CLOCK, progress=progress) == []
    tomorrow = DayClock(NOW + timedelta(days=1), TZ, 4)
    assert ids(build_queue(cards, tomorrow)) == [5]


def test_day_boundary_uses_the_day_start_hour() -> None:
    card = Candidate(1, "A", "g1", 1, due=due_on(date(2024, 5, 11)))
    late_night = DayClock(datetime(2024, 5, 11, 1, 30, tzinfo=TZ), TZ, 4)
    assert late_night.today == TODAY
    assert build_queue([card], late_night) == []
    morning = DayClock(datetime(2024, 5, 11, 4, 0, tzinfo=TZ), TZ, 4)
    assert ids(build_queue([card], morning)) == [1]
    midnight_start = DayClock(datetime(2024, 5, 11, 1, 30, tzinfo=TZ), TZ, 0)
    assert ids(
        build_queue(
            [Candidate(1, "A", "g1", 1, due=day_start(date(2024, 5, 11), TZ, 0))], midnight_start
        )
    ) == [1]


def test_failed_card_comes_back_after_the_gap_then_at_the_end() -> None:
    cards = [review_card(i, 10 - i) for i in range(1, 9)]
    session = ReviewSession.start(repeat_gap=3)
    progress = DayProgress(
        reviews_done={"A": 1}, shown_cards=frozenset({1}), shown_groups=frozenset({"g1"})
    )
    session = session.after_grade(1, repeat_today=True)
    queue = build_queue(cards, CLOCK, session, progress)
    assert ids(queue) == [2, 3, 4, 5, 6, 7, 8, 1]
    assert queue[-1].kind == REPEAT
    for card_id in (2, 3, 4):
        session = session.after_grade(card_id, repeat_today=False)
    shown = frozenset({1, 2, 3, 4})
    progress = DayProgress(
        reviews_done={"A": 4}, shown_cards=shown, shown_groups=frozenset(f"g{i}" for i in shown)
    )
    queue = build_queue(cards, CLOCK, session, progress)
    assert ids(queue)[:2] == [1, 5] and queue[0].kind == REPEAT
    # Graded 4: no more repeats.
    session = session.after_grade(1, repeat_today=False)
    assert 1 not in ids(build_queue(cards, CLOCK, session, progress))


def test_only_repeats_left_are_shown_at_once() -> None:
    cards = [review_card(1, 0)]
    progress = DayProgress(shown_cards=frozenset({1}), shown_groups=frozenset({"g1"}))
    session = ReviewSession.start().after_grade(1, repeat_today=True)
    entry = next_entry(cards, CLOCK, session, progress)
    assert entry is not None and entry.card_id == 1 and entry.kind == REPEAT


def test_repeats_owed_from_an_earlier_session_are_ready() -> None:
    cards = [review_card(1, 0), review_card(2, 3)]
    progress = DayProgress(shown_cards=frozenset({1}), shown_groups=frozenset({"g1"}))
    queue = build_queue(cards, CLOCK, ReviewSession.start([1]), progress)
    assert ids(queue) == [1, 2]


def test_learning_step_cards() -> None:
    ready = Candidate(1, "A", "g1", 1, due=NOW - timedelta(minutes=1), intraday=True)
    waiting = Candidate(2, "A", "g2", 2, due=NOW + timedelta(minutes=10), intraday=True)
    cards = [ready, waiting, review_card(3, 1), new_card(4, 4)]
    queue = build_queue(cards, CLOCK)
    assert ids(queue) == [1, 3, 4, 2]
    assert [e.kind for e in queue] == [LEARNING, REVIEW, NEW, LEARNING]
    assert count_queue(queue) == QueueCounts(due=3, new=1)


def test_session_limit_counts_distinct_cards() -> None:
    cards = [review_card(i, 0) for i in range(1, 6)]
    session = ReviewSession.start(limit=3)
    assert ids(build_queue(cards, CLOCK, session)) == [1, 2, 3]
    session = session.after_grade(1, repeat_today=True)
    progress = DayProgress(shown_cards=frozenset({1}), shown_groups=frozenset({"g1"}))
    assert ids(build_queue(cards, CLOCK, session, progress)) == [2, 3, 1]


def test_skip_and_front() -> None:
    cards = [review_card(1, 2), review_card(2, 1), new_card(3, 3)]
    session = ReviewSession.start().after_skip(1)
    assert ids(build_queue(cards, CLOCK, session)) == [2, 3]
    session = session.with_front(3)
    queue = build_queue(cards, CLOCK, session)
    assert ids(queue) == [3, 2]
    assert queue[0].kind == FRONT
    assert count_queue(queue).new == 1


def test_an_undone_new_card_in_front_takes_one_of_its_decks_new_places() -> None:
    """After an undo the card comes back in front; it uses the new-card place it used before,
    so the deck still shows exactly its daily limit of new cards (not one more)."""
    cards = [new_card(i, i) for i in range(1, 6)]
    limits = {"A": DeckLimits(new_per_day=3)}
    plain = build_queue(cards, CLOCK, ReviewSession.start(), limits=limits)
    assert ids(plain) == [1, 2, 3]
    undone = build_queue(cards, CLOCK, ReviewSession.start().with_front(4), limits=limits)
    assert ids(undone) == [4, 1, 2]
    assert count_queue(undone).new == 3


def test_an_undone_review_in_front_takes_one_of_its_decks_review_places() -> None:
    cards = [review_card(i, 10 - i) for i in range(1, 6)]
    limits = {"A": DeckLimits(reviews_per_day=2)}
    undone = build_queue(cards, CLOCK, ReviewSession.start().with_front(5), limits=limits)
    assert ids(undone) == [5, 1]
    assert count_queue(undone).due == 2


def test_a_front_card_graded_earlier_today_does_not_take_a_second_place() -> None:
    cards = [new_card(i, i) for i in range(1, 6)]
    limits = {"A": DeckLimits(new_per_day=3)}
    progress = DayProgress(new_done={"A": 1}, shown_cards=frozenset({4}))
    queue = build_queue(cards, CLOCK, ReviewSession.start().with_front(4), progress,
                        limits=limits)  # fmt: skip
    assert ids(queue) == [4, 1, 2]  # card 4's first grade today already used a place


def test_front_is_shown_even_if_skipped_before_and_cleared_by_grading() -> None:
    cards = [review_card(1, 2), review_card(2, 1)]
    session = ReviewSession.start().after_skip(1).with_front(1)
    assert ids(build_queue(cards, CLOCK, session)) == [1, 2]
    session = session.after_grade(1, repeat_today=False)
    assert session.front is None


def test_study_ahead_takes_future_reviews_but_not_cards_done_today() -> None:
    cards = [
        Candidate(i, "A", f"g{i}", i, due=due_on(TODAY + timedelta(days=i))) for i in (1, 2, 5)
    ]
    assert build_queue(cards, CLOCK) == []
    assert ids(build_queue(cards, CLOCK, study_ahead_days=2)) == [1, 2]
    progress = DayProgress(shown_cards=frozenset({1}), shown_groups=frozenset({"g1"}))
    assert ids(build_queue(cards, CLOCK, progress=progress, study_ahead_days=2)) == [2]
    with pytest.raises(ValueError):
        build_queue(cards, CLOCK, study_ahead_days=-1)


def test_next_available_at() -> None:
    assert next_available_at([], CLOCK) is None
    later = Candidate(1, "A", "g1", 1, due=due_on(TODAY + timedelta(days=3)))
    assert next_available_at([later], CLOCK) == due_on(TODAY + timedelta(days=3))
    step = Candidate(2, "A", "g2", 2, due=NOW + timedelta(minutes=10), intraday=True)
    assert next_available_at([later, step], CLOCK) == (NOW + timedelta(minutes=10))
    # A new card past today's limit: tomorrow at the day start.
    assert next_available_at([new_card(3, 3)], CLOCK) == due_on(TODAY + timedelta(days=1))
    assert due_on(TODAY + timedelta(days=1)) == datetime(2024, 5, 11, 2, 0, tzinfo=UTC)


def test_forecast() -> None:
    cards = [
        review_card(1, 4),
        review_card(2, 0),
        new_card(3, 3),
        Candidate(4, "A", "g4", 4, due=due_on(TODAY + timedelta(days=2))),
        Candidate(5, "A", "g5", 5, due=due_on(TODAY + timedelta(days=9))),
    ]
    assert forecast(cards, CLOCK, days=3) == [
        (TODAY, 2),
        (TODAY + timedelta(days=1), 0),
        (TODAY + timedelta(days=2), 1),
    ]
    with pytest.raises(ValueError):
        forecast(cards, CLOCK, days=0)


def test_limits_and_session_validation() -> None:
    with pytest.raises(ValueError):
        DeckLimits(new_per_day=-1)
    with pytest.raises(ValueError):
        ReviewSession(limit=-2)


def test_a_card_skipped_for_later_comes_after_all_others_in_skip_order() -> None:
    cards = [review_card(1, 3), review_card(2, 2), review_card(3, 1), new_card(4, 4)]
    session = ReviewSession.start().after_defer(1).after_defer(2)
    queue = build_queue(cards, CLOCK, session)
    assert ids(queue) == [3, 4, 1, 2]
    assert [entry.kind for entry in queue] == [REVIEW, NEW, REVIEW, REVIEW]
    session = session.after_defer(1)  # skipped again: behind the other skipped card
    assert ids(build_queue(cards, CLOCK, session)) == [3, 4, 2, 1]
    graded = session.after_grade(2, repeat_today=False)
    assert graded.deferred == (1,)
    assert session.with_front(2).deferred == (1,)
    assert session.after_skip(1).deferred == (2,)


def test_a_card_skipped_for_later_keeps_its_place_in_the_daily_limit() -> None:
    cards = [new_card(i, i) for i in range(1, 6)]
    limits = DeckLimits(new_per_day=2)
    session = ReviewSession.start().after_defer(1)
    queue = build_queue(cards, CLOCK, session, default_limits=limits)
    assert ids(queue) == [2, 1]  # card 3 does not move up to take its place
    assert count_queue(queue) == QueueCounts(due=0, new=2)


def test_a_deferred_repeat_waits_behind_fresh_cards() -> None:
    cards = [review_card(1, 0), review_card(2, 1)]
    progress = DayProgress(shown_cards=frozenset({1}), shown_groups=frozenset({"g1"}))
    session = ReviewSession.start([1]).after_defer(1)
    queue = build_queue(cards, CLOCK, session, progress)
    assert ids(queue) == [2, 1] and queue[1].kind == REPEAT


def test_sorted_candidates_split_and_order_the_pools() -> None:
    step = Candidate(9, "A", "g9", 9, due=NOW - timedelta(minutes=5), intraday=True)
    cards = [new_card(1, 30), review_card(2, 0), new_card(3, 10), review_card(4, 5), step]
    pools = SortedCandidates.of(cards)
    assert [c.card_id for c in pools.reviews] == [4, 2]
    assert [c.card_id for c in pools.news] == [3, 1]
    assert [c.card_id for c in pools.learning] == [9]
    assert set(pools.by_id) == {1, 2, 3, 4, 9}


def test_plan_keeps_the_first_entries_and_counts_the_whole_queue_by_deck() -> None:
    cards = [review_card(1, 2, deck="A"), review_card(2, 1, deck="B"), new_card(3, 3, deck="B")]
    plan = plan_queue(SortedCandidates.of(cards), CLOCK, keep=1)
    assert [entry.card_id for entry in plan.entries] == [1]
    assert plan.head is not None and plan.head.card_id == 1
    assert plan.counts == QueueCounts(due=2, new=1)
    assert plan.deck_counts == {"A": QueueCounts(1, 0), "B": QueueCounts(1, 1)}
    assert plan.complete
    assert plan_queue(SortedCandidates.of([]), CLOCK).head is None


def test_plan_names_the_decks_whose_unread_cards_could_change_it() -> None:
    # Deck A was read up to card 2 only; both read cards are siblings of a card shown today.
    cards = [new_card(1, 1, group="s"), new_card(2, 2, group="s"), new_card(5, 5, deck="B")]
    progress = DayProgress(shown_groups=frozenset({"s"}))
    plan = plan_queue(
        SortedCandidates.of(cards), CLOCK, progress=progress, new_bounds={"A": (2, 2)}
    )
    assert plan.short_news == {"A"} and not plan.short_reviews and not plan.complete
    # A deck already at its limit needs nothing more.
    full = DayProgress(new_done={"A": 20}, shown_groups=frozenset({"s"}))
    plan = plan_queue(SortedCandidates.of(cards), CLOCK, progress=full, new_bounds={"A": (2, 2)})
    assert plan.complete
    # When the session's room runs out before the bound, unread cards come too late to count.
    session = ReviewSession.start(limit=1)
    plan = plan_queue(
        SortedCandidates.of([new_card(1, 1), new_card(2, 2)]), CLOCK, session,
        new_bounds={"A": (2, 2)},
    )  # fmt: skip
    assert plan.complete and [entry.card_id for entry in plan.entries] == [1]
    # ... but if it runs out after the bound, an unread card might have taken the last place.
    read = [new_card(1, 1), new_card(3, 3, deck="B")]  # deck A's card 2 (position 2) unread
    session = ReviewSession.start(limit=2)
    plan = plan_queue(SortedCandidates.of(read), CLOCK, session, new_bounds={"A": (1, 1)})
    assert plan.short_news == {"A"}


@st.composite
def _queues(draw: st.DrawFn) -> tuple[list[Candidate], ReviewSession, DayProgress, dict]:
    count = draw(st.integers(min_value=0, max_value=25))
    cards = []
    for card_id in range(1, count + 1):
        deck = draw(st.sampled_from(["A", "B", "C"]))
        group = f"{deck}{draw(st.integers(min_value=0, max_value=8))}"
        position = draw(st.integers(min_value=0, max_value=12))
        overdue = draw(st.none() | st.integers(min_value=-2, max_value=4))
        due = None if overdue is None else due_on(TODAY - timedelta(days=overdue))
        cards.append(Candidate(card_id, deck, group, position, due=due))
    ids_ = [card.card_id for card in cards] or [0]
    session = ReviewSession.start(
        draw(st.lists(st.sampled_from(ids_), max_size=2)),
        limit=draw(st.none() | st.integers(min_value=0, max_value=8)),
    )
    for card_id in draw(st.lists(st.sampled_from(ids_), max_size=2)):
        session = session.after_defer(card_id)
    if draw(st.booleans()):
        session = session.with_front(draw(st.sampled_from(ids_)))
    for step in range(draw(st.integers(min_value=0, max_value=2))):
        minutes = draw(st.integers(min_value=-30, max_value=30))
        cards.append(Candidate(100 + step, "A", f"L{step}", 0, NOW + timedelta(minutes=minutes),
                               intraday=True))  # fmt: skip
    shown = frozenset(draw(st.lists(st.sampled_from(ids_), max_size=3)))
    progress = DayProgress(
        new_done={"A": draw(st.integers(min_value=0, max_value=3))},
        shown_cards=shown,
        shown_groups=frozenset(card.group for card in cards if card.card_id in shown),
    )
    limits = {deck: DeckLimits(draw(st.integers(0, 4)), draw(st.integers(0, 4))) for deck in "AB"}
    return cards, session, progress, limits


@settings(max_examples=300, deadline=None)
@given(_queues(), st.integers(min_value=0, max_value=4), st.integers(min_value=0, max_value=4))
def test_a_plan_from_partly_read_decks_is_exact_once_complete(
    queue: tuple[list[Candidate], ReviewSession, DayProgress, dict], cut_reviews: int,
    cut_news: int,
) -> None:  # fmt: skip
    """Read each deck only up to a bound: a plan that says it is complete is the full one."""
    cards, session, progress, limits = queue
    full = SortedCandidates.of(cards)
    expected = plan_queue(full, CLOCK, session, progress, limits)
    assert list(expected.entries) == build_queue(cards, CLOCK, session, progress, limits)
    assert expected.counts == count_queue(expected.entries)
    review_bounds, new_bounds, kept = {}, {}, []
    for deck in "ABC":
        reviews = [c for c in full.reviews if c.deck == deck]
        news = [c for c in full.news if c.deck == deck]
        if len(reviews) > cut_reviews:
            reviews = reviews[:cut_reviews]
            if reviews:
                review_bounds[deck] = review_order(reviews[-1])
            else:
                review_bounds[deck] = (due_on(TODAY - timedelta(days=99)), -1, -1)
        if len(news) > cut_news:
            news = news[:cut_news]
            new_bounds[deck] = new_order(news[-1]) if news else (-1, -1)
        kept += reviews + news
    # Cards past a bound stay known by id (the service keeps repeats and skipped cards so).
    partial = SortedCandidates(
        by_id=full.by_id,
        reviews=sorted((c for c in kept if c.due is not None), key=review_order),
        news=sorted((c for c in kept if c.due is None), key=new_order),
        learning=full.learning,
    )
    plan = plan_queue(
        partial, CLOCK, session, progress, limits,
        review_bounds=review_bounds, new_bounds=new_bounds,
    )  # fmt: skip
    assert plan.short_reviews <= review_bounds.keys() and plan.short_news <= new_bounds.keys()
    if plan.complete:
        assert plan.entries == expected.entries and plan.counts == expected.counts
    head = plan_queue(partial, CLOCK, session, progress, limits, keep=1,
                      review_bounds=review_bounds, new_bounds=new_bounds)  # fmt: skip
    assert head.counts == plan.counts and head.entries == plan.entries[:1]
