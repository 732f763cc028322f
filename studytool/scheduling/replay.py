"""Rebuild a card's scheduling state from its graded history (pure).

Used when a deck changes scheduler: the review log holds every grade, so the new scheduler's
state is what it would be had it scheduled the card from the start. SM-2 replay applies the
same-day rule: a grade on the study day of an earlier grade below 4, while the card still owes
its repeat, is a repeat and changes nothing; a grade sooner than the interval after the one
before gets the early-review interval (:mod:`studytool.scheduling.early`), as when it was
graded. FSRS replay is
:func:`studytool.scheduling.fsrs_adapter.state_from_history`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo

from studytool.scheduling.days import DEFAULT_DAY_START_HOUR, due_after, study_day
from studytool.scheduling.early import early_interval
from studytool.scheduling.sm2 import SM2State, needs_same_day_repeat, review


@dataclass(frozen=True)
class SM2Replay:
    """The SM-2 state after a history, when it is due, and whether it still owes a repeat.

    ``lapses`` counts failing grades (below 3) of a card that had been recalled before
    (``repetitions > 0``), same-day repeats excluded.
    """

    state: SM2State
    due: datetime | None
    owes_repeat_on: date | None
    lapses: int


def replay_sm2(
    history: Iterable[tuple[datetime, int]],
    tz: tzinfo,
    day_start_hour: int = DEFAULT_DAY_START_HOUR,
) -> SM2Replay:
    """Replay ``(reviewed_at, quality)`` grades (any order) through SM-2 and its same-day rule."""
    state = SM2State()
    due: datetime | None = None
    owes_on: date | None = None
    last_day: date | None = None
    lapses = 0
    for reviewed_at, quality in sorted(history, key=lambda item: item[0]):
        day = study_day(reviewed_at, tz, day_start_hour)
        if owes_on == day:
            owes_on = day if needs_same_day_repeat(quality) else None
            continue
        if quality < 3 and state.repetitions > 0:
            lapses += 1
        reviewed = review(state, quality)
        elapsed = state.interval if last_day is None else (day - last_day).days
        interval = early_interval(state, reviewed, quality, elapsed)
        last_day = day
        state = replace(reviewed, interval=interval)
        due = due_after(reviewed_at, state.interval, tz, day_start_hour)
        owes_on = day if needs_same_day_repeat(quality) else None
    return SM2Replay(state=state, due=due, owes_repeat_on=owes_on, lapses=lapses)
