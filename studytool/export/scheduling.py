"""studytool's review state and review log as Anki card columns and revlog rows (pure).

Anki counts a review card's ``due`` in days since its collection's creation (``col.crt``).
genanki writes every package with ``crt = 1411124400`` (2014-09-19 11:00 UTC, see
``genanki/apkg_col.py``); when a package is imported with scheduling, Anki shifts those day
numbers by the difference between the two collections' "today", so ``due`` here is the number
of days from 2014-09-19 to the card's due study day. The export also writes ``rollover`` and
``creationOffset = 0`` into the package's collection config, so that Anki computes the
package's "today" as whole calendar days since 2014-09-19 (the same arithmetic as here), with
the day starting at studytool's day-start hour, and ``schedVer = 2``: without it Anki takes
the package for a v1-scheduler collection and "upgrades" it on import, turning every learn
revlog ease 3 (Good) into 4.

Card state mapping (``cards`` columns):

* new (never reviewed): ``type=0, queue=0``, ``due`` = the card's position (new-card order).
* review, and learning with an interval of at least one day: ``type=2, queue=2``, ``ivl`` =
  interval in days (at least 1), ``factor`` = EF x 1000, ``due`` = days from 2014-09-19 to the
  due day. (An SM-2 card graded below 4 is "learning" in studytool because it is repeated the
  same day; that same-day repeat is not carried over, Anki shows the card on its due day.)
* learning within the day (an FSRS learning or relearning step, interval 0): ``type=1``
  (``type=3`` relearning when the card has lapses), ``queue=1``, ``due`` = the due moment in
  Unix seconds, ``left=1`` (one step to go); Anki shows it once that moment has passed.
* ``reps`` and ``lapses`` are copied in every case.

Anki applies this state only to cards it does not have yet: re-importing a package updates the
notes' fields but never the scheduling of cards already in the collection (Anki's apkg
importer, ``import_cards``: "could update existing card" is left to do).

Review log mapping (``revlog`` rows): ``id`` = the review time in Unix milliseconds (made
unique by adding milliseconds, since Anki skips a revlog id it already has); ``ease`` from the
grade 0..5 as below (the same split as the FSRS rating table); ``ivl``/``lastIvl`` = interval
after/before the review, days when positive, seconds when negative (Anki's convention);
``factor`` = the EF after the review x 1000; ``time`` = answer time in ms capped at Anki's
60 s; ``type`` = learn (0) when the card was new or learning, review (1) when it was in
review, relearn (2) when it was learning again after a lapse.

======  ====================  ==========
grade   SM-2 meaning          Anki ease
======  ====================  ==========
0..2    wrong                 1 (Again)
3       hard                  2 (Hard)
4       hesitation            3 (Good)
5       perfect               4 (Easy)
======  ====================  ==========
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, tzinfo
from enum import IntEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from studytool.scheduling.days import study_day

if TYPE_CHECKING:
    from studytool.export.store_reader import ReviewLogEntry
    from studytool.store.records import CardRecord

#: genanki's ``col.crt`` (``genanki/apkg_col.py``): 2014-09-19 11:00:00 UTC.
GENANKI_CRT = 1411124400
#: The calendar day Anki counts a package's review ``due`` from.
ANKI_CRT_DATE = date(2014, 9, 19)
#: Anki records at most this answer time (its default "maximum answer seconds").
MAX_ANSWER_MS = 60_000
QUALITY_TO_EASE: Mapping[int, int] = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}
_DAY_SECONDS = 86_400


class CardType(IntEnum):
    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


class CardQueue(IntEnum):
    NEW = 0
    LEARNING = 1
    REVIEW = 2


class RevlogKind(IntEnum):
    LEARN = 0
    REVIEW = 1
    RELEARN = 2


class AnkiCardState(NamedTuple):
    """The scheduling columns of one Anki ``cards`` row."""

    type: int
    queue: int
    due: int
    ivl: int
    factor: int
    reps: int
    lapses: int
    left: int = 0


class RevlogRow(NamedTuple):
    """One Anki ``revlog`` row (``cid`` is the Anki card id inside the package)."""

    id: int
    cid: int
    ease: int
    ivl: int
    last_ivl: int
    factor: int
    time: int
    type: int


def anki_day_number(day: date) -> int:
    """Days from genanki's collection creation day to ``day``."""
    return (day - ANKI_CRT_DATE).days


def new_card_state(position: int) -> AnkiCardState:
    """A new card, introduced in ``position`` order."""
    return AnkiCardState(CardType.NEW, CardQueue.NEW, max(position, 0), 0, 0, 0, 0)


def anki_card_state(
    card: CardRecord, position: int, tz: tzinfo, day_start_hour: int
) -> AnkiCardState:
    """The Anki scheduling columns for a studytool card (see the module docstring)."""
    due = _due_moment(card)
    if card.state == "new" or due is None:
        return new_card_state(position)
    factor = round(card.ef * 1000)
    if card.state == "learning" and _is_intraday(card, due):
        relearning = card.lapses > 0
        return AnkiCardState(
            type=CardType.RELEARNING if relearning else CardType.LEARNING,
            queue=CardQueue.LEARNING, due=int(due.timestamp()),
            ivl=max(card.interval, 1) if relearning else 0, factor=factor,
            reps=card.reps, lapses=card.lapses, left=1,
        )  # fmt: skip
    return AnkiCardState(
        type=CardType.REVIEW, queue=CardQueue.REVIEW,
        due=anki_day_number(study_day(due, tz, day_start_hour)), ivl=max(card.interval, 1),
        factor=factor, reps=card.reps, lapses=card.lapses,
    )  # fmt: skip


def _due_moment(card: CardRecord) -> datetime | None:
    if card.due is not None:
        return card.due
    if card.last_reviewed is not None and card.state != "new":
        return card.last_reviewed + timedelta(days=card.interval)
    return None


def _is_intraday(card: CardRecord, due: datetime) -> bool:
    if card.interval >= 1:
        return False
    if card.last_reviewed is None:
        return True
    return (due - card.last_reviewed).total_seconds() < _DAY_SECONDS


def anki_ease(quality: int) -> int:
    """Anki's answer button (1..4) for a studytool grade (0..5)."""
    if quality not in QUALITY_TO_EASE:
        raise ValueError(f"grade must be 0..5, got {quality!r}")
    return QUALITY_TO_EASE[quality]


def revlog_rows(
    entries: Iterable[ReviewLogEntry], anki_card_id: int, used_ids: set[int]
) -> list[RevlogRow]:
    """Revlog rows for one card's review log; ``used_ids`` keeps ids unique in the package."""
    rows = []
    for entry in entries:
        if entry.quality not in QUALITY_TO_EASE:
            continue
        revlog_id = int(entry.reviewed_at.timestamp() * 1000)
        while revlog_id in used_ids:
            revlog_id += 1
        used_ids.add(revlog_id)
        rows.append(
            RevlogRow(
                id=revlog_id, cid=anki_card_id, ease=anki_ease(entry.quality),
                ivl=anki_interval(entry.state_after), last_ivl=anki_interval(entry.state_before),
                factor=_factor(entry.state_after), time=_answer_ms(entry.duration_ms),
                type=review_kind(entry.state_before),
            )
        )  # fmt: skip
    return rows


def anki_interval(state: Mapping[str, Any]) -> int:
    """A logged state's interval in Anki's revlog convention (days > 0, seconds < 0, 0 new).

    Review states log whole days (``interval``); a learning step (interval 0) is the time from
    the review to the step's due moment, as negative seconds.
    """
    interval = state.get("interval")
    if isinstance(interval, int) and not isinstance(interval, bool) and interval > 0:
        return interval
    due = _parse_time(state.get("due"))
    last = _parse_time(state.get("last_reviewed") or state.get("last_review"))
    if due is None or last is None:
        return 0
    seconds = int((due - last).total_seconds())
    if seconds >= _DAY_SECONDS:
        return round(seconds / _DAY_SECONDS)
    return -max(seconds, 1)


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _factor(state: Mapping[str, Any]) -> int:
    """EF x 1000 from a logged state (``ef_hundredths`` or ``ef``); 0 when there is none."""
    hundredths = state.get("ef_hundredths")
    if isinstance(hundredths, int) and not isinstance(hundredths, bool):
        return hundredths * 10
    ef = state.get("ef")
    if isinstance(ef, int | float) and not isinstance(ef, bool):
        return round(ef * 1000)
    return 0


def _answer_ms(duration_ms: int | None) -> int:
    if duration_ms is None:
        return 0
    return min(max(duration_ms, 0), MAX_ANSWER_MS)


#: py-fsrs ``State`` values: Learning = 1, Review = 2, Relearning = 3.
_FSRS_STATES: Mapping[int, RevlogKind] = {
    1: RevlogKind.LEARN,
    2: RevlogKind.REVIEW,
    3: RevlogKind.RELEARN,
}


def review_kind(state_before: Mapping[str, Any]) -> int:
    """Anki's revlog type for a review, from the card's logged state before it.

    studytool's ``new`` is learn; ``review`` is review; ``learning`` is relearn when the card
    has lapsed before, else learn. A bare SM-2 or py-fsrs state is read the same way.
    """
    state = state_before.get("state")
    lapses = state_before.get("lapses")
    if isinstance(state, str):
        name = state.lower()
        if name == "review":
            return RevlogKind.REVIEW
        if name in ("learning", "relearning"):
            lapsed = name == "relearning" or (isinstance(lapses, int) and lapses > 0)
            return RevlogKind.RELEARN if lapsed else RevlogKind.LEARN
        return RevlogKind.LEARN
    if isinstance(state, int) and not isinstance(state, bool) and state in _FSRS_STATES:
        return _FSRS_STATES[state]
    interval = state_before.get("interval")
    if not isinstance(interval, int) or interval <= 0:
        return RevlogKind.LEARN
    if state_before.get("repetitions") == 0:
        return RevlogKind.RELEARN
    return RevlogKind.REVIEW
