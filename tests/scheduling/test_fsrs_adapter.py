"""FSRS through py-fsrs 6: grade mapping, py-fsrs's own reference vectors, JSON state."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fsrs import Rating

from studytool.scheduling.fsrs_adapter import (
    card_from_state,
    due_of,
    interval_days,
    is_intraday,
    make_scheduler,
    rating_for_quality,
    review,
    state_from_history,
)

START = datetime(2022, 11, 29, 12, 30, tzinfo=UTC)


def test_quality_mapping() -> None:
    assert [rating_for_quality(q) for q in range(6)] == [
        Rating.Again,
        Rating.Again,
        Rating.Again,
        Rating.Hard,
        Rating.Good,
        Rating.Easy,
    ]
    for bad in (-1, 6, True, 2.0):
        with pytest.raises(ValueError):
            rating_for_quality(bad)  # type: ignore[arg-type]


def test_py_fsrs_reference_interval_history() -> None:
    # py-fsrs tests/test_basic.py::test_review_card: Good x6, Again x2, Good x5, each at due.
    qualities = [4, 4, 4, 4, 4, 4, 0, 1, 4, 4, 4, 4, 4]
    state = None
    when = START
    history = []
    for quality in qualities:
        outcome = review(state, quality, when, card_id=7)
        state = outcome.state
        history.append(interval_days(state))
        when = outcome.due
    assert history == [0, 2, 11, 46, 163, 498, 0, 0, 2, 4, 7, 12, 21]


def test_new_card_learning_steps() -> None:
    good = review(None, 4, START, card_id=1)
    assert good.intraday and is_intraday(good.state)
    assert good.due == START + timedelta(minutes=10)
    assert good.state["step"] == 1
    again = review(None, 0, START, card_id=1)
    assert again.due == START + timedelta(minutes=1)
    hard = review(None, 3, START, card_id=1)
    assert hard.due == START + timedelta(minutes=5, seconds=30)
    easy = review(None, 5, START, card_id=1)
    assert not easy.intraday and easy.due - START >= timedelta(days=1)
    graduated = review(good.state, 4, good.due, card_id=1)
    assert not graduated.intraday
    assert graduated.due == good.due + timedelta(days=2)


def test_lapse_goes_to_relearning_for_ten_minutes() -> None:
    state = review(None, 5, START, card_id=1).state
    due = due_of(state)
    lapse = review(state, 2, due, card_id=1)
    assert lapse.intraday and lapse.state["state"] == 3
    assert lapse.due == due + timedelta(minutes=10)


def test_state_is_json_and_round_trips() -> None:
    outcome = review(None, 4, START, card_id=42)
    text = json.dumps(outcome.state)
    restored = json.loads(text)
    assert restored == outcome.state
    assert card_from_state(restored).to_dict() == outcome.state
    again_direct = review(outcome.state, 4, outcome.due, card_id=42)
    again_restored = review(restored, 4, outcome.due, card_id=42)
    assert again_direct == again_restored


def test_review_time_in_any_zone_is_converted_to_utc() -> None:
    local = START.astimezone(ZoneInfo("Asia/Tokyo"))
    assert review(None, 4, local, card_id=1) == review(None, 4, START, card_id=1)
    with pytest.raises(ValueError):
        review(None, 4, datetime(2022, 11, 29, 12, 30), card_id=1)


def test_bad_state_raises() -> None:
    with pytest.raises(ValueError):
        card_from_state({"state": 2})


def test_history_replay_matches_step_by_step() -> None:
    grades = [
        (START, 4),
        (START + timedelta(minutes=10), 4),
        (START + timedelta(days=2, minutes=10), 3),
    ]
    state = None
    for when, quality in grades:
        state = review(state, quality, when, card_id=5).state
    assert state_from_history(reversed(grades), card_id=5) == state
    assert state_from_history([], card_id=5) is None


def test_scheduler_validation() -> None:
    with pytest.raises(ValueError):
        make_scheduler(desired_retention=1.5)
    assert make_scheduler().enable_fuzzing is False
