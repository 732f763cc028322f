"""Rebuilding SM-2 state from a graded history, with the same-day rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from studytool.scheduling.replay import replay_sm2
from studytool.scheduling.sm2 import SM2State

DAY1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_one_grade_per_due_day_matches_the_reference() -> None:
    days = [0, 1, 7, 24, 72]  # each grade on the day the one before made it due
    grades = [5, 5, 5, 4, 3]
    history = [(DAY1 + timedelta(days=day), q) for day, q in zip(days, grades, strict=True)]
    result = replay_sm2(history, UTC)
    assert result.state == SM2State(repetitions=5, ef=2.66, interval=128)
    assert result.due == datetime(2026, 3, 2, 4, tzinfo=UTC) + timedelta(days=72 + 128)
    assert result.owes_repeat_on == date(2026, 3, 2) + timedelta(days=72)
    assert result.lapses == 0


def test_a_grade_before_the_due_day_gets_the_early_review_interval() -> None:
    """Grades every 30 days: the fifth comes 18 days before its due day (day 90 + 48), so 30
    of its 48 days have passed: 30 x EF 2.66 = 80 days instead of SM-2's 48 x 2.66 = 128."""
    history = [(DAY1 + timedelta(days=i * 30), q) for i, q in enumerate([5, 5, 5, 4, 3])]
    result = replay_sm2(history, UTC)
    assert result.state == SM2State(repetitions=5, ef=2.66, interval=80)
    assert result.due == datetime(2026, 3, 2, 4, tzinfo=UTC) + timedelta(days=120 + 80)


def test_same_day_repeats_change_nothing() -> None:
    history = [
        (DAY1, 4),
        (DAY1 + timedelta(days=1), 2),  # a lapse: repetitions restart
        (DAY1 + timedelta(days=1, minutes=5), 3),  # repeat, still below 4
        (DAY1 + timedelta(days=1, minutes=9), 5),  # repeat, done
        (DAY1 + timedelta(days=1, minutes=20), 0),  # no repeat owed: a real grade
    ]
    result = replay_sm2(reversed(history), UTC)
    assert result.state == SM2State(repetitions=0, ef=2.5, interval=1)
    assert result.lapses == 1
    assert result.owes_repeat_on == date(2026, 3, 3)


def test_empty_history_is_a_new_card() -> None:
    result = replay_sm2([], UTC)
    assert (result.state, result.due, result.owes_repeat_on, result.lapses) == (
        SM2State(),
        None,
        None,
        0,
    )
