"""Reviews before the due day (studying ahead): the interval SM-2 gives them (pure).

SM-2 (1990) assumes every review happens when it is due: from the third repetition on, the
next interval is the last one times the E-Factor. A card graded days before its due day, as
``studytool quiz`` does once nothing is due and ``studytool review`` does when asked to study
ahead, would get that product as if the whole interval had passed: ten daily quizzes answered
right took a card from 1 day to 160 years.

So a passing grade before the due day gets what Anki gives an early review (its v2
scheduler's ``_earlyReviewIvl``, for "Good"): the days that actually passed since the last
review times the new E-Factor, never shorter than the interval the card already had, and never
longer than SM-2's own product. The days that passed are the interval minus the days still to
go, as Anki counts them, so a card needs no date of its last review. The 1-day and 6-day steps
of the first two repetitions, failing grades and reviews on or after the due day follow SM-2
unchanged (:func:`studytool.scheduling.sm2.review`).
"""

from __future__ import annotations

from studytool.scheduling.sm2 import PASSING_QUALITY, SM2State, ef_to_hundredths


def early_interval(before: SM2State, after: SM2State, quality: int, days_early: int) -> int:
    """The interval for a review ``days_early`` days before the due day (0: not early).

    ``before`` and ``after`` are the SM-2 states around the grade (``after`` from
    :func:`~studytool.scheduling.sm2.review`); returns ``after.interval`` when the rule does
    not apply.
    """
    if days_early <= 0 or quality < PASSING_QUALITY or after.repetitions < 3:
        return after.interval
    elapsed = max(before.interval - days_early, 1)
    from_elapsed = -(-elapsed * ef_to_hundredths(after.ef) // 100)  # ceil, in whole hundredths
    return min(after.interval, max(before.interval, from_elapsed))
