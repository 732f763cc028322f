"""Reviews sooner than the interval (studying ahead, cards brought forward): the interval SM-2
gives them (pure).

SM-2 (1990) assumes every review happens when it is due: from the third repetition on, the
next interval is the last one times the E-Factor. A card graded before its interval has passed
would get that product as if it had: ``studytool quiz`` studies ahead once nothing is due (ten
daily quizzes answered right took a card from 1 day to 160 years), ``studytool review`` does
when asked to, and a wrong scenario answer brings the cloze cards of its statements forward to
today.

So a passing grade given fewer days after the last review than the interval gets what Anki
gives an early review (its v2 scheduler's ``_earlyReviewIvl``, for "Good"): the days that
actually passed times the new E-Factor, never shorter than the interval the card already had,
and never longer than SM-2's own product. The 1-day and 6-day steps of the first two
repetitions, failing grades and reviews on time or late follow SM-2 unchanged
(:func:`studytool.scheduling.sm2.review`).
"""

from __future__ import annotations

from studytool.scheduling.sm2 import PASSING_QUALITY, SM2State, ef_to_hundredths


def early_interval(before: SM2State, after: SM2State, quality: int, elapsed_days: int) -> int:
    """The interval after a grade given ``elapsed_days`` after the card's last review.

    ``before`` and ``after`` are the SM-2 states around the grade (``after`` from
    :func:`~studytool.scheduling.sm2.review`); returns ``after.interval`` unless the review
    came early and passed.
    """
    early = elapsed_days < before.interval
    if not early or quality < PASSING_QUALITY or after.repetitions < 3:
        return after.interval
    from_elapsed = -(-max(elapsed_days, 1) * ef_to_hundredths(after.ef) // 100)  # ceil
    return min(after.interval, max(before.interval, from_elapsed))
