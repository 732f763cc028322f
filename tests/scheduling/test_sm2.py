"""SM-2 against hand-computed reference values and an exact (Fraction) model of the 1990 text."""

from __future__ import annotations

import math
from dataclasses import FrozenInstanceError
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studytool.scheduling.sm2 import (
    SM2State,
    ef_change_hundredths,
    needs_same_day_repeat,
    review,
)


def exact_sm2(qualities: list[int]) -> list[tuple[int, Fraction, int]]:
    """An independent reading of Wozniak (1990) in exact arithmetic: (repetitions, ef, interval)."""
    repetitions, ef, interval = 0, Fraction(5, 2), 0
    history = []
    for q in qualities:
        if q >= 3:
            repetitions += 1
            ef = max(
                Fraction(13, 10),
                ef + Fraction(1, 10) - (5 - q) * (Fraction(8, 100) + (5 - q) * Fraction(2, 100)),
            )
            if repetitions == 1:
                interval = 1
            elif repetitions == 2:
                interval = 6
            else:
                interval = math.ceil(interval * ef)
        else:
            repetitions, interval = 0, 1
        history.append((repetitions, ef, interval))
    return history


def run(qualities: list[int], start: SM2State | None = None) -> list[SM2State]:
    state = start or SM2State()
    states = []
    for q in qualities:
        state = review(state, q)
        states.append(state)
    return states


def test_new_card_defaults() -> None:
    assert SM2State() == SM2State(repetitions=0, ef=2.5, interval=0)


def test_issue_reference_sequence() -> None:
    states = run([5, 5, 5, 4, 3, 2, 4, 4, 4])
    assert [s.interval for s in states] == [1, 6, 17, 48, 128, 1, 1, 6, 16]
    assert [s.ef for s in states] == [2.6, 2.7, 2.8, 2.8, 2.66, 2.66, 2.66, 2.66, 2.66]
    assert [s.repetitions for s in states] == [1, 2, 3, 4, 5, 0, 1, 2, 3]


# (qualities from a new card, expected intervals, expected ef), computed by hand.
TABLE = [
    ([4, 4, 4, 4, 4, 4], [1, 6, 15, 38, 95, 238], [2.5] * 6),
    ([5, 5, 5, 5, 5], [1, 6, 17, 50, 150], [2.6, 2.7, 2.8, 2.9, 3.0]),
    (
        [3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
        [1, 6, 13, 26, 47, 79, 121, 167, 218, 284],
        [2.36, 2.22, 2.08, 1.94, 1.8, 1.66, 1.52, 1.38, 1.3, 1.3],
    ),
    ([4, 4, 4, 0, 5, 5, 5], [1, 6, 15, 1, 1, 6, 17], [2.5, 2.5, 2.5, 2.5, 2.6, 2.7, 2.8]),
    ([0, 1, 2], [1, 1, 1], [2.5, 2.5, 2.5]),
    ([5, 1, 5, 5, 5], [1, 1, 1, 6, 18], [2.6, 2.6, 2.7, 2.8, 2.9]),
    ([3, 5, 4, 3, 2, 3], [1, 6, 15, 35, 1, 1], [2.36, 2.46, 2.46, 2.32, 2.32, 2.18]),
]


@pytest.mark.parametrize(("qualities", "intervals", "efs"), TABLE)
def test_table(qualities: list[int], intervals: list[int], efs: list[float]) -> None:
    states = run(qualities)
    assert [s.interval for s in states] == intervals
    assert [s.ef for s in states] == efs
    exact = exact_sm2(qualities)
    assert [s.interval for s in states] == [e[2] for e in exact]
    assert [Fraction(round(s.ef * 100), 100) for s in states] == [e[1] for e in exact]


def test_ef_floor_at_1_3() -> None:
    state = review(SM2State(repetitions=3, ef=1.35, interval=10), 3)
    assert state == SM2State(repetitions=4, ef=1.3, interval=13)
    assert review(SM2State(repetitions=3, ef=1.3, interval=10), 3).ef == 1.3


def test_float_noise_never_adds_a_day() -> None:
    # 75 * 1.36 is exactly 102, but 75 * 1.36 in floats is 102.00000000000001.
    assert math.ceil(75 * 1.36) == 103
    assert review(SM2State(repetitions=5, ef=1.36, interval=75), 4).interval == 102
    # 1.5 - 0.14 = 1.36 exactly, then 150 * 1.36 = 204.
    assert review(SM2State(repetitions=5, ef=1.5, interval=150), 3) == SM2State(6, 1.36, 204)


def test_interval_uses_the_new_ef() -> None:
    # ceil(10 * 2.6) = 26 with the new ef; the old ef would give 25.
    assert review(SM2State(repetitions=2, ef=2.5, interval=10), 5).interval == 26
    # ceil(10 * 2.36) = 24 with the new ef; the old ef would give 25.
    assert review(SM2State(repetitions=2, ef=2.5, interval=10), 3).interval == 24


def test_failure_keeps_ef_and_restarts() -> None:
    before = SM2State(repetitions=7, ef=1.94, interval=300)
    for q in (0, 1, 2):
        assert review(before, q) == SM2State(repetitions=0, ef=1.94, interval=1)


def test_ef_changes_in_hundredths() -> None:
    assert [ef_change_hundredths(q) for q in range(6)] == [-80, -54, -32, -14, 0, 10]


@pytest.mark.parametrize("bad", [-1, 6, True, False, 3.0, "4", None, 4.5])
def test_bad_quality_raises(bad: object) -> None:
    with pytest.raises(ValueError):
        review(SM2State(), bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fields",
    [{"ef": 1.2}, {"ef": 2.555}, {"repetitions": -1}, {"interval": -3}, {"interval": 1.5}],
)
def test_bad_state_raises(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        SM2State(**fields)  # type: ignore[arg-type]


def test_review_returns_a_new_state() -> None:
    state = SM2State()
    after = review(state, 5)
    assert state == SM2State() and after is not state
    with pytest.raises(FrozenInstanceError):
        after.ef = 3.0  # type: ignore[misc]


def test_dict_round_trip() -> None:
    state = SM2State(repetitions=4, ef=2.66, interval=48)
    assert state.to_dict() == {"repetitions": 4, "ef": 2.66, "interval": 48}
    assert SM2State.from_dict(state.to_dict()) == state
    with pytest.raises(ValueError):
        SM2State.from_dict({"ef": 2.5})


def test_same_day_repeat_below_four() -> None:
    assert [needs_same_day_repeat(q) for q in range(6)] == [True, True, True, True, False, False]


qualities = st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=60)


@given(qualities)
def test_ef_never_below_floor(sequence: list[int]) -> None:
    assert all(state.ef >= 1.3 for state in run(sequence))


@given(qualities)
def test_ef_is_whole_hundredths(sequence: list[int]) -> None:
    for state in run(sequence):
        hundredths = round(state.ef * 100)
        assert abs(state.ef * 100 - hundredths) < 1e-9
        assert state.ef == hundredths / 100  # the float nearest to a whole hundredth


@given(qualities)
def test_intervals_never_shrink_on_pass_after_second_repetition(sequence: list[int]) -> None:
    state = SM2State()
    for q in sequence:
        after = review(state, q)
        if q >= 3 and state.repetitions >= 2:
            assert after.interval >= state.interval
        state = after


@given(qualities)
def test_matches_exact_model(sequence: list[int]) -> None:
    states = run(sequence)
    exact = exact_sm2(sequence)
    assert [(s.repetitions, Fraction(round(s.ef * 100), 100), s.interval) for s in states] == exact
