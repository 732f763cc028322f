"""SM-2 exactly as published by Wozniak (1990): one review in, the next state out (pure).

The algorithm, as this module reads the 1990 text:

1. A new item has E-Factor (EF) 2.5, no repetitions and no interval.
2. After a review the answer is graded 0..5 (5 perfect, 4 correct after hesitation, 3 correct
   with serious difficulty, 2 wrong but the answer seemed easy, 1 wrong but remembered on seeing
   it, 0 blackout).
3. Quality >= 3: the repetition counts. ``repetitions += 1``; then
   ``EF' = max(1.3, EF + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02))``; then the interval is
   1 day for the first repetition, 6 days for the second and ``ceil(I(n-1) * EF')`` after that.
   The interval uses the *new* EF (the one just computed from this grade), and the product is
   rounded up to a whole day.
4. Quality < 3: repetitions start again from the beginning (``repetitions = 0``, interval 1
   day) and the EF is left unchanged ("without changing the E-Factor").
5. Same day: every item graded below 4 is repeated again in the same session until it scores
   at least 4. Those repeats change nothing here; :mod:`studytool.scheduling.queue` handles
   them and never calls :func:`review` for them.

EF changes are whole hundredths (+10, 0, -14, then -32, -54, -80 for the grades that reset),
so the EF is kept as integer hundredths while computing and the interval is
``ceil(interval * ef_hundredths / 100)`` in integer arithmetic: float noise such as
``6 * 2.8 == 16.799999999999997`` or ``2.5 + 0.1 == 2.6000000000000001`` never moves a ``ceil``
by a day. From a new item, grades 5,5,5,4,3,2,4,4,4 give intervals 1,6,17,48,128,1,1,6,16 and
EF 2.6,2.7,2.8,2.8,2.66,2.66,2.66,2.66,2.66.

Where other tools differ (so results can be compared knowingly):

- Anki's "SM-2" scheduler (v1 to v3, before FSRS) is a variant: four buttons instead of six
  grades; new and lapsed cards pass through minute-based learning/relearning steps before they
  get day intervals (graduating interval 1 day, easy interval 4 days); ease starts at 250% and
  changes by -20% (Again), -15% (Hard), 0 (Good), +15% (Easy) with a 130% floor; Hard
  multiplies the interval by 1.2 and Easy by ease x 1.3 (easy bonus); a lapse multiplies the
  interval by the "new interval" factor (default 0, so 1 day) and keeps the reduced ease instead
  of restarting the 1, 6 sequence; late reviews get credit for the delay; intervals are fuzzed.
- The srs-benchmark's SM-2 model (open-spaced-repetition/srs-benchmark) maps Anki's buttons
  1..4 to q = 2..5, applies the EF formula on failures too, restarts a failed card at
  ``repetitions = 1``, multiplies by the EF from *before* the update, keeps intervals
  unrounded, caps EF at 10 and makes the 1/6-day intervals and EF constants trainable; it is a
  predictor of recall, not a scheduler.
- Here: exactly the steps above, day granularity, no fuzz. Overdue items are scheduled from
  the day they are actually reviewed (the queue sets ``due = review day + interval``). Items
  passed sooner than their interval (studied ahead, or brought forward) get the shorter
  interval of :mod:`studytool.scheduling.early`, from the store; :func:`review` itself stays
  the 1990 algorithm.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_EF = 1.3
INITIAL_EF = 2.5
MIN_QUALITY = 0
MAX_QUALITY = 5
PASSING_QUALITY = 3
SAME_DAY_PASS_QUALITY = 4
_MIN_EF_HUNDREDTHS = 130


@dataclass(frozen=True)
class SM2State:
    """An item's SM-2 state; the defaults describe a new item.

    ``ef`` must be a whole number of hundredths >= 1.3 (every SM-2 change is), ``repetitions``
    and ``interval`` (days) non-negative integers.
    """

    repetitions: int = 0
    ef: float = INITIAL_EF
    interval: int = 0

    def __post_init__(self) -> None:
        _require_non_negative_int("repetitions", self.repetitions)
        _require_non_negative_int("interval", self.interval)
        ef_to_hundredths(self.ef)

    def to_dict(self) -> dict[str, int | float]:
        """A JSON-ready dict: ``{"repetitions": .., "ef": .., "interval": ..}``."""
        return {"repetitions": self.repetitions, "ef": self.ef, "interval": self.interval}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> SM2State:
        """The inverse of :meth:`to_dict`; raises ``ValueError`` on missing or bad fields."""
        try:
            repetitions = data["repetitions"]
            ef = data["ef"]
            interval = data["interval"]
        except (KeyError, TypeError) as error:
            raise ValueError(f"SM-2 state needs repetitions, ef and interval: {data!r}") from error
        if isinstance(ef, bool) or not isinstance(ef, int | float):
            raise ValueError(f"SM-2 ef must be a number, got {ef!r}")
        return cls(repetitions=repetitions, ef=float(ef), interval=interval)  # type: ignore[arg-type]


def _require_non_negative_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"SM-2 {name} must be a non-negative integer, got {value!r}")


def ef_to_hundredths(ef: float) -> int:
    """``ef`` as exact integer hundredths; ``ValueError`` unless a whole hundredth >= 1.3."""
    if isinstance(ef, bool) or not isinstance(ef, int | float):
        raise ValueError(f"SM-2 ef must be a number, got {ef!r}")
    hundredths = round(ef * 100)
    if abs(ef * 100 - hundredths) > 1e-6:
        raise ValueError(f"SM-2 ef must be a whole number of hundredths, got {ef!r}")
    if hundredths < _MIN_EF_HUNDREDTHS:
        raise ValueError(f"SM-2 ef must be at least {MIN_EF}, got {ef!r}")
    return hundredths


def validate_quality(quality: object) -> int:
    """Return ``quality`` if it is an int 0..5 (not a bool), else raise ``ValueError``."""
    if isinstance(quality, bool) or not isinstance(quality, int):
        raise ValueError(f"quality must be an integer 0..5, got {quality!r}")
    if not MIN_QUALITY <= quality <= MAX_QUALITY:
        raise ValueError(f"quality must be between 0 and 5, got {quality}")
    return int(quality)


def ef_change_hundredths(quality: int) -> int:
    """The EF change the 1990 formula gives for ``quality``, in hundredths (5 -> +10, 4 -> 0)."""
    miss = MAX_QUALITY - validate_quality(quality)
    return 10 - miss * (8 + miss * 2)


def review(state: SM2State, quality: int) -> SM2State:
    """The state after one graded review of an item in ``state`` (a new object)."""
    quality = validate_quality(quality)
    ef_hundredths = ef_to_hundredths(state.ef)
    if quality < PASSING_QUALITY:
        return SM2State(repetitions=0, ef=ef_hundredths / 100, interval=1)
    repetitions = state.repetitions + 1
    ef_hundredths = max(_MIN_EF_HUNDREDTHS, ef_hundredths + ef_change_hundredths(quality))
    if repetitions == 1:
        interval = 1
    elif repetitions == 2:
        interval = 6
    else:
        interval = _ceil_div(state.interval * ef_hundredths, 100)
    return SM2State(repetitions=repetitions, ef=ef_hundredths / 100, interval=interval)


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def needs_same_day_repeat(quality: int) -> bool:
    """Whether SM-2 repeats an item graded ``quality`` again today (below 4)."""
    return validate_quality(quality) < SAME_DAY_PASS_QUALITY
