"""Opt-in FSRS scheduling through py-fsrs 6, behind the same 0..5 grades as SM-2 (pure).

Grades map to FSRS ratings as follows (documented for users comparing with Anki):

======  ======================================  ============
grade   meaning (SM-2 wording)                  FSRS rating
======  ======================================  ============
0, 1, 2 wrong (blackout / recognised / easy)    Again
3       correct with serious difficulty         Hard
4       correct after hesitation                Good
5       perfect                                 Easy
======  ======================================  ============

This is the SM-2 pass line (3) turned into FSRS's: every failing grade is a lapse.

A card's FSRS state is py-fsrs's ``Card.to_dict()`` (JSON-ready: state, step, stability,
difficulty, due and last review in ISO 8601 UTC). New cards pass through py-fsrs's learning
steps (1 and 10 minutes) and lapsed ones through its relearning step (10 minutes): while in a
step the card is *intraday* and its ``due`` is an exact moment; in the Review state ``due`` is a
whole number of days after the review, and the queue uses its study day. FSRS has no SM-2
same-day repeat rule: its learning steps play that part. Fuzzing is off by default so that
schedules are reproducible and undo/redo give identical results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fsrs import Card, Rating, Scheduler, State

from studytool.scheduling.sm2 import validate_quality

QUALITY_TO_RATING: Mapping[int, Rating] = {
    0: Rating.Again,
    1: Rating.Again,
    2: Rating.Again,
    3: Rating.Hard,
    4: Rating.Good,
    5: Rating.Easy,
}
DEFAULT_DESIRED_RETENTION = 0.9


def rating_for_quality(quality: int) -> Rating:
    """The FSRS rating for an SM-2 style grade 0..5 (see the module table)."""
    return QUALITY_TO_RATING[validate_quality(quality)]


def make_scheduler(
    desired_retention: float = DEFAULT_DESIRED_RETENTION, enable_fuzzing: bool = False
) -> Scheduler:
    """A py-fsrs scheduler with its default FSRS-6 parameters and learning steps."""
    if not 0 < desired_retention < 1:
        raise ValueError(f"desired retention must be between 0 and 1, got {desired_retention}")
    return Scheduler(desired_retention=desired_retention, enable_fuzzing=enable_fuzzing)


@dataclass(frozen=True)
class FSRSOutcome:
    """The result of one FSRS review: the new state (JSON-ready) and when the card is due."""

    state: dict[str, Any]
    due: datetime
    intraday: bool


def _to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def card_from_state(state: Mapping[str, Any]) -> Card:
    """A py-fsrs ``Card`` from a stored state dict; ``ValueError`` if it is malformed."""
    try:
        card = Card.from_dict(dict(state))  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"not an FSRS card state: {state!r}") from error
    card.due = _to_utc(card.due)
    if card.last_review is not None:
        card.last_review = _to_utc(card.last_review)
    return card


def is_intraday(state: Mapping[str, Any]) -> bool:
    """Whether a stored FSRS state is in a (re)learning step, due at an exact moment."""
    return int(state["state"]) in (State.Learning, State.Relearning)


def due_of(state: Mapping[str, Any]) -> datetime:
    """The due moment of a stored FSRS state, in UTC."""
    return card_from_state(state).due


def review(
    state: Mapping[str, Any] | None,
    quality: int,
    reviewed_at: datetime,
    card_id: int = 0,
    scheduler: Scheduler | None = None,
) -> FSRSOutcome:
    """Grade a card in ``state`` (``None`` for a new card) at ``reviewed_at``; a new outcome."""
    rating = rating_for_quality(quality)
    when = _to_utc(reviewed_at)
    scheduler = scheduler or make_scheduler()
    card = Card(card_id=card_id, due=when) if state is None else card_from_state(state)
    updated, _log = scheduler.review_card(card, rating, review_datetime=when)
    return FSRSOutcome(
        state=dict(updated.to_dict()),
        due=_to_utc(updated.due),
        intraday=updated.state in (State.Learning, State.Relearning),
    )


def state_from_history(
    history: Iterable[tuple[datetime, int]],
    card_id: int = 0,
    scheduler: Scheduler | None = None,
) -> dict[str, Any] | None:
    """Replay ``(reviewed_at, quality)`` grades (any order) into an FSRS state; None if empty.

    Used when a deck switches from SM-2 to FSRS: the review log already holds every grade.
    """
    scheduler = scheduler or make_scheduler()
    state: dict[str, Any] | None = None
    for reviewed_at, quality in sorted(history, key=lambda item: _to_utc(item[0])):
        state = review(state, quality, reviewed_at, card_id, scheduler).state
    return state


def interval_days(state: Mapping[str, Any]) -> int:
    """Whole days between the last review and the due moment (0 inside a learning step)."""
    card = card_from_state(state)
    if card.last_review is None:
        return 0
    return (card.due - card.last_review) // timedelta(days=1)
