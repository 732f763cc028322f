"""Early reviews (studying ahead, cards brought forward): the interval a passing grade gets
when fewer days than the interval have passed since the last review."""

from __future__ import annotations

import pytest

from studytool.scheduling.early import early_interval
from studytool.scheduling.sm2 import SM2State, review


def _early(before: SM2State, quality: int, elapsed: int) -> int:
    return early_interval(before, review(before, quality), quality, elapsed)


def test_a_day_after_a_long_interval_keeps_the_interval() -> None:
    """1 of 465 days passed: Anki's rule keeps 465 (SM-2 alone would give 1302)."""
    before = SM2State(repetitions=5, ef=2.7, interval=465)
    assert review(before, 5).interval == 1302
    assert _early(before, 5, elapsed=1) == 465


def test_the_days_that_passed_times_the_new_ef() -> None:
    """100 of 150 days passed; grade 5 makes EF 2.8: 280 days, between 150 and SM-2's 420."""
    before = SM2State(repetitions=4, ef=2.7, interval=150)
    assert _early(before, 5, elapsed=100) == 280
    assert review(before, 5).interval == 420


def test_one_day_early_is_nearly_the_sm2_interval() -> None:
    before = SM2State(repetitions=3, ef=2.5, interval=16)
    assert _early(before, 4, elapsed=15) == 38  # 15 x 2.5 = 37.5 -> 38; SM-2: 40
    assert review(before, 4).interval == 40


@pytest.mark.parametrize(
    ("before", "quality", "elapsed"),
    [
        (SM2State(repetitions=4, ef=2.5, interval=40), 5, 40),  # on the due day
        (SM2State(repetitions=4, ef=2.5, interval=40), 5, 43),  # late
        (SM2State(repetitions=4, ef=2.5, interval=40), 2, 20),  # a lapse resets as in SM-2
        (SM2State(repetitions=1, ef=2.5, interval=1), 5, 0),  # the fixed 6-day step
        (SM2State(), 5, 0),  # a new card's first 1-day step
    ],
)
def test_sm2_unchanged_where_the_rule_does_not_apply(
    before: SM2State, quality: int, elapsed: int
) -> None:
    assert _early(before, quality, elapsed) == review(before, quality).interval


def test_never_longer_than_sm2_nor_shorter_than_the_interval_it_had() -> None:
    for interval in (6, 17, 48, 300):
        for elapsed in range(interval + 3):
            for quality in (3, 4, 5):
                before = SM2State(repetitions=4, ef=2.36, interval=interval)
                got = _early(before, quality, elapsed)
                assert interval <= got <= review(before, quality).interval
