"""The review service against a temporary database with a fixed, movable clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select, update

from studytool.scheduling import fsrs_adapter
from studytool.scheduling.days import day_start
from studytool.store.repository import Repository
from studytool.store.reviews import (
    ALL_DECKS,
    Counts,
    ReviewError,
    ReviewService,
    StudySession,
    UndoConflictError,
)
from studytool.store.tables import Card, ReviewLog, ReviewState
from tests.conftest import WriteNote

TZ = ZoneInfo("Europe/Berlin")
_card = Card.__table__  # type: ignore[attr-defined]
_state = ReviewState.__table__  # type: ignore[attr-defined]
_log = ReviewLog.__table__  # type: ignore[attr-defined]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set_local(self, *args: int) -> None:
        self.now = datetime(*args, tzinfo=TZ)  # type: ignore[misc]


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 10, 0, tzinfo=TZ))


@pytest.fixture
def repo(db_path: Path, clock: Clock) -> Iterator[Repository]:
    repository = Repository.open(db_path, clock=clock)
    yield repository
    repository.close()


@pytest.fixture
def service(repo: Repository, clock: Clock) -> ReviewService:
    return ReviewService(repo, now=clock, tz=TZ)


def add_card(
    repo: Repository, name: str, deck: str = "A", group: str | None = None,
    position: int | None = None, kind: str = "cloze", due_in_days: int | None = None,
    repetitions: int = 0, interval: int = 0, ef_hundredths: int = 250,
    tags: tuple[str, ...] = ("t",),
) -> int:  # fmt: skip
    """Insert a card (new, or a review due ``due_in_days`` from 2 March 2026) and its state."""
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    with repo.writing() as session:
        connection = session.connection()
        count = connection.execute(select(_card.c.id)).all()
        card_id = connection.execute(
            insert(_card).values(
                key=f"key-{name}", kind=kind, note_id=None, note_path=f"{deck}/note.md", line=1,
                context=["Heading"], text=f"{name} text", prompt=f"{name} [...]", answer=name,
                answer_start=0, answer_end=len(name), group_key=group or f"group-{name}",
                ordinal=1, tags=list(tags), colour=None, deck=deck, extra=None,
                position=len(count) + 1 if position is None else position, retired=False,
                created_at=stamp, updated_at=stamp,
            )
        ).inserted_primary_key[0]  # fmt: skip
        values: dict[str, Any] = {"card_id": card_id}
        if due_in_days is not None:
            values.update(
                state="review", repetitions=repetitions, interval=interval,
                ef_hundredths=ef_hundredths, reps=repetitions,
                due=day_start(date(2026, 3, 2) + timedelta(days=due_in_days), TZ, 4),
                last_reviewed=datetime(2026, 2, 1, 12, tzinfo=UTC),
            )  # fmt: skip
        connection.execute(insert(_state).values(**values))
    return int(card_id)


def state_row(repo: Repository, card_id: int) -> dict[str, Any]:
    with repo.engine.connect() as connection:
        row = connection.execute(select(_state).where(_state.c.card_id == card_id)).mappings()
        return dict(row.one())


def log_rows(repo: Repository) -> list[dict[str, Any]]:
    with repo.engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(_log).order_by(_log.c.id)).mappings()]


def study_all(service: ReviewService, session: StudySession, quality: int = 4) -> list[int]:
    seen = []
    while (card := service.next_card(session)) is not None:
        seen.append(card.id)
        service.grade(session, card.id, quality)
    return seen


def test_due_reviews_first_most_overdue_then_new_in_note_order(
    repo: Repository, service: ReviewService
) -> None:
    new_late = add_card(repo, "n2", position=20)
    due_today = add_card(repo, "r0", due_in_days=0, repetitions=1, interval=1)
    new_early = add_card(repo, "n1", position=10)
    overdue = add_card(repo, "r5", due_in_days=-5, repetitions=2, interval=6)
    add_card(repo, "later", due_in_days=3, repetitions=2, interval=6)
    session = service.start_session()
    first = service.next_card(session)
    assert first is not None and first.id == overdue and first.queue_kind == "review"
    assert (first.prompt, first.answer, first.context, first.tags) == (
        "r5 [...]",
        "r5",
        ("Heading",),
        ("t",),
    )
    assert service.counts(session) == Counts(due_today=2, new_left_today=2, reviewed_today=0)
    assert study_all(service, session) == [overdue, due_today, new_early, new_late]
    assert service.counts(session) == Counts(due_today=0, new_left_today=0, reviewed_today=4)


def test_grade_commits_state_and_log_before_returning(
    repo: Repository, service: ReviewService, clock: Clock, db_path: Path
) -> None:
    card_id = add_card(repo, "x", due_in_days=0, repetitions=2, interval=6)
    session = service.start_session()
    result = service.grade(session, card_id, 5, duration_ms=4200, typed_answer="x!")
    other = Repository.open(db_path)  # a second connection sees the committed grade
    try:
        with other.engine.connect() as connection:
            row = connection.execute(select(_state).where(_state.c.card_id == card_id)).mappings()
            stored = dict(row.one())
            logs = connection.execute(select(_log)).mappings().all()
    finally:
        other.close()
    assert (stored["repetitions"], stored["ef_hundredths"], stored["interval"]) == (3, 260, 16)
    assert stored["due"] == day_start(date(2026, 3, 18), TZ, 4)
    assert result.interval == 16 and result.due == stored["due"] and result.scheduler == "sm2"
    (log,) = logs
    assert log["reviewed_at"] == clock.now and log["reviewed_at"].utcoffset() == timedelta(0)
    assert (log["quality"], log["duration_ms"], log["typed_answer"]) == (5, 4200, "x!")
    assert log["session_id"] == session.id
    assert log["state_before"]["repetitions"] == 2 and log["state_before"]["interval"] == 6
    assert log["state_after"]["interval"] == 16 and log["state_after"]["ef_hundredths"] == 260
    assert log["state_after"]["due"] == "2026-03-18T03:00:00.000000+00:00"


def test_sm2_reference_sequence_end_to_end(
    repo: Repository, service: ReviewService, clock: Clock
) -> None:
    card_id = add_card(repo, "ref")
    intervals = []
    for quality in (5, 5, 5, 4, 3):
        session = service.start_session()
        card = service.next_card(session)
        assert card is not None and card.id == card_id
        result = service.grade(session, card_id, quality)
        intervals.append(result.interval)
        if quality == 3:  # graded below 4: repeated today until 4, which changes nothing
            repeat = service.next_card(session)
            assert repeat is not None and repeat.queue_kind == "repeat"
        clock.now = result.due + timedelta(hours=8)  # due day, at noon
    assert intervals == [1, 6, 17, 48, 128]
    state = state_row(repo, card_id)
    assert (state["repetitions"], state["ef_hundredths"]) == (5, 266)


def test_same_day_repeats_leave_the_sm2_state_alone(
    repo: Repository, service: ReviewService
) -> None:
    card_id = add_card(repo, "r", due_in_days=-1, repetitions=3, interval=15, ef_hundredths=250)
    session = service.start_session()
    service.grade(session, card_id, 2)
    after_fail = state_row(repo, card_id)
    assert (after_fail["repetitions"], after_fail["interval"], after_fail["state"]) == (
        0,
        1,
        "learning",
    )
    assert after_fail["lapses"] == 1
    for quality in (3, 1, 4):
        card = service.next_card(session)
        assert card is not None and card.id == card_id and card.queue_kind == "repeat"
        result = service.grade(session, card_id, quality)
        assert result.same_day_repeat
    assert service.next_card(session) is None
    final = state_row(repo, card_id)
    for key in ("repetitions", "ef_hundredths", "interval", "due", "lapses"):
        assert final[key] == after_fail[key]
    assert final["state"] == "review" and final["reps"] == after_fail["reps"] + 3
    assert len(log_rows(repo)) == 4


def test_repeat_owed_carries_into_a_new_session_the_same_day(
    repo: Repository, service: ReviewService
) -> None:
    card_id = add_card(repo, "r", due_in_days=0, repetitions=2, interval=6)
    add_card(repo, "other", due_in_days=-2, repetitions=2, interval=6)
    service.grade(service.start_session(), card_id, 3)
    card = service.next_card(service.start_session())
    assert card is not None and card.id == card_id and card.queue_kind == "repeat"


def test_siblings_are_buried_until_the_next_day(
    repo: Repository, service: ReviewService, clock: Clock
) -> None:
    first = add_card(repo, "a", group="statement")
    second = add_card(repo, "b", group="statement")
    session = service.start_session()
    assert study_all(service, session) == [first]
    clock.set_local(2026, 3, 3, 3, 59)  # still 2 March's study day
    assert service.next_card(service.start_session()) is None
    clock.set_local(2026, 3, 3, 4, 0)  # the first is due again (interval 1): the second waits
    assert study_all(service, service.start_session()) == [first]
    clock.set_local(2026, 3, 4, 12, 0)
    assert study_all(service, service.start_session()) == [second]


def test_day_starts_at_four_local_time(
    repo: Repository, service: ReviewService, clock: Clock
) -> None:
    service.set_new_per_day(1)
    first = add_card(repo, "n1")
    second = add_card(repo, "n2")
    clock.set_local(2026, 3, 2, 23, 0)
    assert study_all(service, service.start_session()) == [first]
    clock.set_local(2026, 3, 3, 1, 30)  # after midnight: the same study day
    assert service.next_card(service.start_session()) is None
    assert service.counts().new_left_today == 0
    clock.set_local(2026, 3, 3, 4, 30)  # a new study day: the first is due, one more new card
    assert study_all(service, service.start_session()) == [first, second]
    service.set_day_start_hour(0)
    clock.set_local(2026, 3, 4, 1, 30)
    assert service.counts().reviewed_today == 0


def test_review_late_at_night_is_scheduled_from_its_study_day(
    repo: Repository, service: ReviewService, clock: Clock
) -> None:
    card_id = add_card(repo, "n")
    clock.set_local(2026, 3, 3, 1, 30)  # counts for 2 March
    result = service.grade(service.start_session(), card_id, 4)
    assert result.due == day_start(date(2026, 3, 3), TZ, 4)


def test_overdue_card_is_scheduled_from_the_day_it_is_reviewed(
    repo: Repository, service: ReviewService
) -> None:
    card_id = add_card(repo, "late", due_in_days=-10, repetitions=2, interval=6)
    result = service.grade(service.start_session(), card_id, 4)
    assert result.interval == 15
    assert result.due == day_start(date(2026, 3, 17), TZ, 4)


def test_undo_walks_back_exactly(repo: Repository, service: ReviewService) -> None:
    ids = [add_card(repo, f"c{i}", due_in_days=-i, repetitions=2, interval=6) for i in (1, 2)]
    ids.append(add_card(repo, "new"))
    before = {card_id: state_row(repo, card_id) for card_id in ids}
    session = service.start_session()
    graded = []
    for quality in (5, 2, 4):
        card = service.next_card(session)
        assert card is not None
        graded.append(card.id)
        service.grade(session, card.id, quality)
    assert len(log_rows(repo)) == 3
    assert service.undo(session) == graded[2]
    card = service.next_card(session)
    assert card is not None and card.id == graded[2] and card.queue_kind == "front"
    assert service.undo(session) == graded[1]
    assert service.undo(session) == graded[0]
    assert service.undo(session) is None
    assert log_rows(repo) == []
    assert {card_id: state_row(repo, card_id) for card_id in ids} == before
    assert service.counts(session) == Counts(due_today=2, new_left_today=1, reviewed_today=0)
    # After undoing everything, the session studies the same cards again.
    assert sorted(study_all(service, session)) == sorted(ids)


def test_counts_after_an_undo_match_a_fresh_session(
    repo: Repository, service: ReviewService
) -> None:
    """The undone card comes back in front and still uses the new-card place it used."""
    service.set_new_per_day(2)
    for i in range(4):
        add_card(repo, f"n{i}")
    session = service.start_session()
    for quality in (1, 4):
        card = service.next_card(session)
        assert card is not None
        service.grade(session, card.id, quality)
    service.undo(session)
    expected = Counts(due_today=1, new_left_today=1, reviewed_today=1)
    assert service.counts(session) == expected
    assert service.counts(service.start_session()) == expected


def test_undo_of_a_failed_grade_drops_its_repeat(repo: Repository, service: ReviewService) -> None:
    card_id = add_card(repo, "x", due_in_days=0, repetitions=2, interval=6)
    session = service.start_session()
    service.grade(session, card_id, 1)
    assert service.undo(session) == card_id
    service.grade(session, card_id, 5)
    assert service.next_card(session) is None


def test_undo_refuses_when_the_card_was_graded_again_elsewhere(
    repo: Repository, service: ReviewService
) -> None:
    card_id = add_card(repo, "x", due_in_days=0, repetitions=2, interval=6)
    first, second = service.start_session(), service.start_session()
    service.grade(first, card_id, 5)
    service.grade(second, card_id, 3)
    with pytest.raises(UndoConflictError):
        service.undo(first)
    assert service.undo(second) == card_id
    assert service.undo(first) == card_id
    assert log_rows(repo) == []


def test_skip_session_limit_and_filters(repo: Repository, service: ReviewService) -> None:
    a = add_card(repo, "a", deck="AWS/Networking")
    b = add_card(repo, "b", deck="AWS")
    c = add_card(repo, "c", deck="Other", kind="scenario")
    session = service.start_session(deck="aws")
    service.skip(session, a, later=False)  # left out for the whole session
    assert study_all(service, session) == [b]
    assert study_all(service, service.start_session(include_kinds=("scenario",))) == [c]
    limited = service.start_session(limit=1)
    assert len(study_all(service, limited, quality=5)) == 1


def test_retired_cards_are_not_studied(repo: Repository, service: ReviewService) -> None:
    card_id = add_card(repo, "gone", due_in_days=0, repetitions=1, interval=1)
    with repo.writing() as session:
        session.connection().execute(
            update(_card).where(_card.c.id == card_id).values(retired=True)
        )
    assert service.next_card(service.start_session()) is None


def test_deck_limits_and_parent_overrides(repo: Repository, service: ReviewService) -> None:
    for i in range(4):
        add_card(repo, f"net{i}", deck="AWS/Networking")
        add_card(repo, f"oth{i}", deck="Other")
    service.set_new_per_day(3)
    service.set_new_per_day(1, deck="AWS")
    settings = service.settings()
    assert settings.for_deck("AWS/Networking").new_per_day == 1
    assert settings.for_deck("Other").new_per_day == 3
    assert service.counts().new_left_today == 4
    service.set_new_per_day(None, deck="aws")
    assert service.settings().decks == ()
    assert service.counts().new_left_today == 6


def test_review_limit(repo: Repository, service: ReviewService) -> None:
    for i in range(5):
        add_card(repo, f"r{i}", due_in_days=-i, repetitions=2, interval=6)
    service.set_reviews_per_day(2, deck="A")
    session = service.start_session()
    assert len(study_all(service, session)) == 2
    assert service.counts(session).due_today == 0


def test_next_due_at_and_forecast(repo: Repository, service: ReviewService) -> None:
    add_card(repo, "soon", due_in_days=2, repetitions=2, interval=6)
    add_card(repo, "later", due_in_days=5, repetitions=2, interval=6)
    assert service.next_card(service.start_session()) is None
    assert service.next_due_at() == day_start(date(2026, 3, 4), TZ, 4)
    counts = [count for _, count in service.forecast(days=7)]
    assert counts == [0, 0, 1, 0, 0, 1, 0]
    add_card(repo, "now", due_in_days=0, repetitions=2, interval=6)
    assert service.next_due_at() == service._now()


def test_study_ahead(repo: Repository, service: ReviewService) -> None:
    soon = add_card(repo, "soon", due_in_days=2, repetitions=2, interval=6)
    session = service.start_session()
    assert service.next_card(session) is None
    service.study_ahead(session, days=2)
    card = service.next_card(session)
    assert card is not None and card.id == soon
    result = service.grade(session, soon, 4)
    # its last review (1 February) is more than its 6 days ago, so this is no early review,
    # whatever the due date says: SM-2's 6 x 2.5 = 15 days from today
    assert (result.interval, result.due) == (15, day_start(date(2026, 3, 17), TZ, 4))


def test_studying_ahead_every_day_does_not_run_the_interval_away(
    repo: Repository, service: ReviewService, clock: Clock
) -> None:
    """A card answered right every day, as a daily quiz studies ahead: SM-2 alone would
    multiply its interval by the EF each day (1, 6, 17, 50, 150, 465, ... 160 years by day
    ten); the days that actually passed keep it at 6 days from the last answer."""
    card_id = add_card(repo, "quizzed")
    intervals = []
    for _day in range(15):
        session = service.start_session(study_ahead_days=36_500)
        card = service.next_card(session)
        assert card is not None and card.id == card_id
        intervals.append(service.grade(session, card_id, 5).interval)
        clock.now += timedelta(days=1)
    assert intervals == [1] + [6] * 14
    due = state_row(repo, card_id)["due"]
    assert due.date() - (clock.now - timedelta(days=1)).date() == timedelta(days=6)


def test_a_card_brought_forward_and_passed_keeps_its_interval(
    repo: Repository, service: ReviewService, clock: Clock
) -> None:
    """A wrong scenario answer moves a statement's card to today (bring_forward sets ``due``):
    passed 5 days after a review that gave it 38 days, it keeps 38 days instead of SM-2's
    38 x 2.5 = 95, which would assume the 38 days had passed."""
    card_id = add_card(repo, "forwarded")
    for days_later in (0, 1, 6, 15):  # on time each time: intervals 1, 6, 15, then 38
        clock.now += timedelta(days=days_later)
        assert service.grade(service.start_session(), card_id, 4).interval in (1, 6, 15, 38)
    assert state_row(repo, card_id)["interval"] == 38
    clock.now += timedelta(days=5)
    with repo.engine.begin() as connection:
        connection.execute(update(_state).where(_state.c.card_id == card_id).values(
            due=day_start(clock.now.date(), TZ, 4)))  # fmt: skip
    result = service.grade(service.start_session(), card_id, 4)
    assert result.interval == 38  # 5 x 2.5 = 13 is shorter: the interval it had stays


def test_bad_requests(repo: Repository, service: ReviewService) -> None:
    card_id = add_card(repo, "x")
    session = service.start_session()
    with pytest.raises(ReviewError, match="no card"):
        service.grade(session, 9999, 4)
    with pytest.raises(ReviewError):
        service.grade(session, card_id, 7)
    with pytest.raises(ReviewError):
        service.set_scheduler("anki")
    with pytest.raises(ReviewError):
        service.set_day_start_hour(24)
    with pytest.raises(ReviewError):
        service.set_new_per_day(-1)
    assert log_rows(repo) == []


def test_preview_writes_nothing(repo: Repository, service: ReviewService) -> None:
    card_id = add_card(repo, "x", due_in_days=0, repetitions=2, interval=6)
    session = service.start_session()
    preview = service.preview(session, card_id)
    assert preview[5] == day_start(date(2026, 3, 18), TZ, 4)
    assert preview[0] == day_start(date(2026, 3, 3), TZ, 4)
    assert log_rows(repo) == []


def test_fsrs_end_to_end(repo: Repository, service: ReviewService, clock: Clock) -> None:
    card_id = add_card(repo, "f", deck="AWS/Networking")
    clock.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    service.set_scheduler("fsrs", deck="AWS")
    assert service.settings().for_deck("AWS/Networking").scheduler == "fsrs"
    session = service.start_session()
    first = service.grade(session, card_id, 4)
    assert first.scheduler == "fsrs" and first.state == "learning"
    assert first.due == clock.now + timedelta(minutes=10)
    stored = state_row(repo, card_id)
    assert stored["fsrs_state"]["step"] == 1 and stored["scheduler"] == "fsrs"
    learning = service.next_card(session)  # nothing else left: the learning step is offered
    assert learning is not None and learning.queue_kind == "learning"
    clock.now += timedelta(minutes=10)
    second = service.grade(session, card_id, 4)
    assert second.state == "review" and second.interval == 2
    assert second.due == clock.now + timedelta(days=2)
    expected = fsrs_adapter.state_from_history(
        [(clock.now - timedelta(minutes=10), 4), (clock.now, 4)], card_id
    )
    assert state_row(repo, card_id)["fsrs_state"] == expected
    logs = log_rows(repo)
    assert [log["scheduler"] for log in logs] == ["fsrs", "fsrs"]
    assert logs[1]["state_before"]["fsrs_state"]["step"] == 1
    assert service.undo(session) == card_id
    assert state_row(repo, card_id) == stored
    assert service.undo(session) == card_id
    restored = state_row(repo, card_id)
    assert (restored["state"], restored["fsrs_state"], restored["scheduler"]) == (
        "new",
        None,
        "sm2",
    )


def test_switching_scheduler_replays_the_log(
    repo: Repository, service: ReviewService, clock: Clock
) -> None:
    card_id = add_card(repo, "s")
    history = []
    for quality in (4, 4, 5):
        clock.now = clock.now + timedelta(days=7)
        service.grade(service.start_session(), card_id, quality)
        history.append((clock.now, quality))
    sm2_state = state_row(repo, card_id)
    assert (sm2_state["repetitions"], sm2_state["interval"]) == (3, 16)
    service.set_scheduler("fsrs")
    clock.now += timedelta(days=20)
    result = service.grade(service.start_session(), card_id, 4)
    history.append((clock.now, 4))
    assert result.scheduler == "fsrs"
    assert state_row(repo, card_id)["fsrs_state"] == fsrs_adapter.state_from_history(
        history, card_id
    )
    service.set_scheduler("sm2")
    clock.now += timedelta(days=40)
    back = service.grade(service.start_session(), card_id, 4)
    # SM-2 rebuilt from all five grades 4, 4, 5, 4, 4: intervals 1, 6, 16, 42, then 110 on the
    # due day; this grade comes 2 days before the rebuilt due day (the day of the FSRS grade +
    # 42), so it is an early review: 40 days passed, 40 x EF 2.6 = 104 (scheduling.early).
    assert back.scheduler == "sm2" and back.interval == 104
    assert state_row(repo, card_id)["repetitions"] == 5


def test_new_cards_beyond_the_first_read_are_found(
    repo: Repository, service: ReviewService, monkeypatch: pytest.MonkeyPatch
) -> None:
    import studytool.store.reviews as reviews

    monkeypatch.setattr(reviews, "_INITIAL_NEW_CAP", 0)  # read only `limit` new cards at first
    service.set_new_per_day(2)
    siblings = [add_card(repo, f"s{i}", group="one statement") for i in range(4)]
    loners = [add_card(repo, f"l{i}") for i in range(3)]
    queue = service.upcoming(service.start_session())
    assert [card.id for card in queue] == [siblings[0], loners[0]]
    assert service.counts().new_left_today == 2


def test_scenario_result_is_logged(repo: Repository, service: ReviewService) -> None:
    card_id = add_card(repo, "sc", kind="scenario")
    session = service.start_session(include_kinds=("scenario",))
    service.grade(session, card_id, 1, correct=False, detail={"question": "Can A reach B?"})
    (log,) = log_rows(repo)
    assert (log["correct"], log["detail"], log["quality"]) == (
        False,
        {"question": "Can A reach B?"},
        1,
    )


NOTE = """\
# NAT
- A NAT gateway needs an ==Elastic IP==
- NAT gateways live in a ==public subnet==
"""


def test_next_card_and_counts_is_next_card_and_counts_at_once(
    repo: Repository, service: ReviewService
) -> None:
    add_card(repo, "n1")
    overdue = add_card(repo, "r1", due_in_days=-2, repetitions=2, interval=6)
    add_card(repo, "r2", due_in_days=0, repetitions=2, interval=6)
    session = service.start_session()
    card, counts = service.next_card_and_counts(session)
    assert card is not None and card.id == overdue
    assert counts == service.counts(session) == Counts(2, 1, 0)
    service.grade(session, overdue, 4)
    card, counts = service.next_card_and_counts(session)
    assert card == service.next_card(session)
    assert counts == Counts(due_today=1, new_left_today=1, reviewed_today=1)
    study_all(service, session)
    assert service.next_card_and_counts(session) == (None, Counts(0, 0, 3))


def test_counts_by_deck_gives_every_deck_and_parent_as_counts_would(
    repo: Repository, service: ReviewService
) -> None:
    for i in range(3):
        add_card(repo, f"net{i}", deck="AWS/Networking", due_in_days=-i, repetitions=2,
                 interval=6)  # fmt: skip
        add_card(repo, f"sec{i}", deck="AWS/Security", tags=("t", "exam"))
        add_card(repo, f"aws{i}", deck="AWS")
        add_card(repo, f"lin{i}", deck="Linux/Kernel", kind="scenario")
    add_card(repo, "sib1", deck="AWS/Security", group="statement")
    add_card(repo, "sib2", deck="AWS/Security", group="statement")
    service.set_new_per_day(2, deck="AWS/Security")
    session = service.start_session()
    service.grade(session, add_card(repo, "done", deck="Linux/Kernel"), 5)
    by_deck = service.counts_by_deck()
    expected_names = {ALL_DECKS, "AWS", "AWS/Networking", "AWS/Security", "Linux",
                      "Linux/Kernel"}  # fmt: skip
    assert set(by_deck) == expected_names
    for name in expected_names - {ALL_DECKS}:
        assert by_deck[name] == service.counts(deck=name), name
    assert by_deck[ALL_DECKS] == service.counts() == Counts(3, 8, 1)
    assert by_deck["AWS"] == Counts(due_today=3, new_left_today=5, reviewed_today=0)
    assert by_deck["Linux"] == Counts(due_today=0, new_left_today=3, reviewed_today=1)
    tagged = service.counts_by_deck(tag="exam")
    assert tagged["AWS/Security"] == service.counts(deck="AWS/Security", tag="exam")
    assert tagged["AWS"] == Counts(0, 2, 0) and tagged["Linux"] == Counts(0, 0, 0)
    scoped = service.counts_by_deck(service.start_session(deck="aws", include_kinds=("cloze",)))
    assert set(scoped) == {ALL_DECKS, "AWS", "AWS/Networking", "AWS/Security"}
    assert scoped[ALL_DECKS] == scoped["AWS"] == service.counts(deck="AWS")


def test_counts_by_deck_when_a_sibling_group_spans_decks(
    repo: Repository, service: ReviewService
) -> None:
    add_card(repo, "a", deck="X/One", group="shared")
    add_card(repo, "b", deck="X/Two", group="shared")
    by_deck = service.counts_by_deck()
    assert by_deck["X/One"] == by_deck["X/Two"] == Counts(0, 1, 0)
    assert by_deck["X"] == by_deck[ALL_DECKS] == service.counts(deck="X") == Counts(0, 1, 0)


def test_skip_brings_the_card_back_after_the_others(
    repo: Repository, service: ReviewService
) -> None:
    first = add_card(repo, "r1", due_in_days=-3, repetitions=2, interval=6)
    second = add_card(repo, "r2", due_in_days=-1, repetitions=2, interval=6)
    new = add_card(repo, "n")
    session = service.start_session()
    before = service.counts(session)
    service.skip(session, first)
    assert service.counts(session) == before  # still to do today, only later
    assert session.skipped_count == 1
    assert study_all(service, session) == [second, new, first]
    assert [row["card_id"] for row in log_rows(repo)] == [second, new, first]


def test_the_card_view_names_the_vault_of_its_note(
    repo: Repository, service: ReviewService, vault: Path, write_note: WriteNote
) -> None:
    write_note("AWS/NAT.md", NOTE)
    repo.import_paths([vault])
    card = service.next_card(service.start_session())
    assert card is not None and card.note == "AWS/NAT.md"
    assert card.vault is not None and Path(card.vault) == vault.resolve()
    bare = add_card(repo, "no note", due_in_days=-9, repetitions=2, interval=6)
    card = service.next_card(service.start_session())
    assert card is not None and card.id == bare and card.vault is None


def test_an_import_in_another_process_is_seen_at_the_next_card(
    repo: Repository, service: ReviewService, vault: Path, write_note: WriteNote,
    db_path: Path, clock: Clock,
) -> None:  # fmt: skip
    only = add_card(repo, "old", due_in_days=0, repetitions=2, interval=6)
    session = service.start_session()
    card, counts = service.next_card_and_counts(session)
    assert card is not None and card.id == only and counts == Counts(1, 0, 0)
    service.grade(session, only, 5)
    assert service.next_card(session) is None
    write_note("AWS/NAT.md", NOTE)
    other = Repository.open(db_path, clock=clock)  # the import running in another terminal
    try:
        assert other.import_paths([vault]).cards_new == 2
    finally:
        other.close()
    card, counts = service.next_card_and_counts(session)
    assert card is not None and card.answer == "Elastic IP" and card.queue_kind == "new"
    assert counts == Counts(due_today=0, new_left_today=2, reviewed_today=1)
    assert service.counts_by_deck()["AWS"] == Counts(0, 2, 0)


def test_changes_written_through_another_connection_are_seen(
    repo: Repository, service: ReviewService
) -> None:
    first = add_card(repo, "r1", due_in_days=-2, repetitions=2, interval=6)
    later = add_card(repo, "r2", due_in_days=5, repetitions=2, interval=6)
    session = service.start_session()
    assert [c.id for c in service.upcoming(session)] == [first]
    with repo.writing() as db_session:  # another connection: retire one, bring one forward
        connection = db_session.connection()
        connection.execute(update(_card).where(_card.c.id == first).values(retired=True))
        connection.execute(
            update(_state).where(_state.c.card_id == later)
            .values(due=day_start(date(2026, 3, 2), TZ, 4))
        )  # fmt: skip
    assert [c.id for c in service.upcoming(session)] == [later]
    assert service.counts(session) == Counts(1, 0, 0)


def test_grades_given_by_another_service_are_seen(
    repo: Repository, service: ReviewService, clock: Clock
) -> None:
    cards = [add_card(repo, f"r{i}", due_in_days=-i, repetitions=2, interval=6) for i in (3, 2)]
    session = service.start_session()
    assert service.next_card(session).id == cards[0]  # type: ignore[union-attr]
    elsewhere = ReviewService(repo, now=clock, tz=TZ)
    elsewhere.grade(elsewhere.start_session(), cards[0], 5)
    elsewhere.close()
    card, counts = service.next_card_and_counts(session)
    assert card is not None and card.id == cards[1]
    assert counts == Counts(due_today=1, new_left_today=0, reviewed_today=1)


def test_reading_only_a_few_cards_per_deck_gives_the_same_queue(
    repo: Repository, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import studytool.store.reviews as reviews

    for i in range(12):
        deck = ("A", "B", "C/D")[i % 3]
        add_card(repo, f"n{i}", deck=deck, group=f"s{i // 2}", position=100 - i)
        add_card(repo, f"r{i}", deck=deck, group=f"s{i // 3}", due_in_days=-(i % 4),
                 repetitions=2, interval=6)  # fmt: skip
    ample = ReviewService(repo, now=clock, tz=TZ)
    ample.set_new_per_day(3)
    ample.set_reviews_per_day(3)
    ample.set_reviews_per_day(2, deck="B")
    expected = [card.id for card in ample.upcoming(ample.start_session(), 100)]
    expected_counts = (ample.counts(), ample.counts_by_deck())
    monkeypatch.setattr(reviews, "_INITIAL_NEW_CAP", 0)
    monkeypatch.setattr(reviews, "_INITIAL_REVIEW_CAP", 0)
    scarce = ReviewService(repo, now=clock, tz=TZ)  # reads 1..3 cards per deck at first
    limited = scarce.start_session(limit=4)
    assert [card.id for card in scarce.upcoming(limited, 100)] == expected[:4]
    scarce = ReviewService(repo, now=clock, tz=TZ)
    session = scarce.start_session()
    assert [card.id for card in scarce.upcoming(session, 100)] == expected
    assert (scarce.counts(), scarce.counts_by_deck()) == expected_counts
    assert study_all(scarce, session)[: len(expected)] == expected
