"""Review statistics as plain values: the report, interval ranges, streaks, heatmap layout (pure).

The store (:mod:`studytool.store.stats`) counts; this module says what the counts mean and
how they are laid out, with no database or UI imports, so the CLI, the TUI screen and tests
share one definition:

- *retention* is the share of grades >= 3 (SM-2's pass line) over the last
  :data:`PERIOD_DAYS` days (as is scenario accuracy), grouped by the interval the card
  had *before* the review (``new`` for a card's first grade, ``same-day`` for repeats, learning
  steps and early reviews, which say little about memory over the interval) and by deck;
- the *streak* is the number of consecutive study days with at least one review, ending today,
  or ending yesterday while today has no review yet (the day is not over);
- the *heatmap* lays the last year's days out as week columns (Monday at the top), like Anki's
  and GitHub's calendars, with each day's count mapped to an intensity level 0..4.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from studytool.scheduling.sm2 import PASSING_QUALITY

HEATMAP_DAYS = 365
#: Retention and scenario accuracy count the grades of this many study days up to today by
#: default (Anki's statistics default to the last month too); ``studytool stats --days``.
PERIOD_DAYS = 30
FORECAST_DAYS = 30
HEAT_LEVELS = 4
CARD_STATES = ("new", "learning", "review", "retired")
NO_TOPIC = "(no topic)"


NEW_GROUP = "new"
SAME_DAY_GROUP = "same-day"


@dataclass(frozen=True, slots=True)
class IntervalRange:
    """An inclusive range of intervals in days; ``high`` None means no upper bound."""

    label: str
    low: int
    high: int | None

    def contains(self, interval: int) -> bool:
        return interval >= self.low and (self.high is None or interval <= self.high)


INTERVAL_RANGES: tuple[IntervalRange, ...] = (
    IntervalRange("1d", 1, 1),
    IntervalRange("2-7d", 2, 7),
    IntervalRange("8-30d", 8, 30),
    IntervalRange("31-90d", 31, 90),
    IntervalRange(">90d", 91, None),
)
#: Every retention group, in display order.
RETENTION_GROUPS: tuple[str, ...] = (
    NEW_GROUP,
    SAME_DAY_GROUP,
    *(item.label for item in INTERVAL_RANGES),
)


def retention_group(was_new: bool, interval_before: int | None, early: bool) -> str:
    """Which retention group a grade belongs to.

    ``new`` for the grade of a card that had never been scheduled (no due date yet);
    ``same-day`` for a grade given before the card was due (an SM-2 same-day repeat, an FSRS
    learning step, studying ahead) or with no whole-day interval yet; else the range holding
    the interval the card had before the grade.
    """
    if was_new:
        return NEW_GROUP
    if early or interval_before is None or interval_before < 1:
        return SAME_DAY_GROUP
    for candidate in INTERVAL_RANGES:
        if candidate.contains(interval_before):
            return candidate.label
    raise AssertionError("the last interval range is unbounded")


def is_pass(quality: int) -> bool:
    """Whether a grade counts as remembered for retention (>= 3)."""
    return quality >= PASSING_QUALITY


@dataclass(frozen=True, slots=True)
class DayCount:
    """How many reviews happened (or fall due) on one study day."""

    day: date
    count: int

    def to_json(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "count": self.count}


@dataclass(frozen=True, slots=True)
class RetentionRow:
    """Grades in one group (an interval range or a deck) and how many passed."""

    label: str
    reviews: int
    passed: int

    @property
    def retention(self) -> float | None:
        """``passed / reviews``, or None when there were no reviews."""
        return None if self.reviews == 0 else self.passed / self.reviews

    def to_json(self, key: str) -> dict[str, Any]:
        rate = self.retention
        return {
            key: self.label,
            "reviews": self.reviews,
            "passed": self.passed,
            "retention": None if rate is None else round(rate, 4),
        }


@dataclass(frozen=True, slots=True)
class TopicAccuracy:
    """Scenario answers on one topic: how many were given and how many were right."""

    topic: str
    answered: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return None if self.answered == 0 else self.correct / self.answered

    def to_json(self) -> dict[str, Any]:
        rate = self.accuracy
        return {
            "topic": self.topic,
            "answered": self.answered,
            "correct": self.correct,
            "accuracy": None if rate is None else round(rate, 4),
        }


@dataclass(frozen=True, slots=True)
class StatsReport:
    """Everything ``studytool stats`` and the TUI stats screen show."""

    generated_at: datetime
    today: date
    deck: str | None
    day_start_hour: int
    timezone: str
    reviews_per_day: tuple[DayCount, ...]
    due_per_day: tuple[DayCount, ...]
    retention_by_interval: tuple[RetentionRow, ...]
    retention_by_deck: tuple[RetentionRow, ...]
    cards_by_state: Mapping[str, int] = field(default_factory=dict)
    average_ef: float | None = None
    streak: int = 0
    scenario_accuracy: tuple[TopicAccuracy, ...] = ()
    total_reviews: int = 0
    period_days: int = PERIOD_DAYS

    @property
    def reviews_last_year(self) -> int:
        return sum(day.count for day in self.reviews_per_day)

    @property
    def days_studied_last_year(self) -> int:
        return sum(1 for day in self.reviews_per_day if day.count)

    @property
    def overall_retention(self) -> RetentionRow:
        return RetentionRow(
            "all",
            sum(row.reviews for row in self.retention_by_interval),
            sum(row.passed for row in self.retention_by_interval),
        )

    def to_json(self) -> dict[str, Any]:
        """The numbers, JSON-ready (``studytool stats --json``)."""
        return {
            "generated_at": self.generated_at.isoformat(),
            "today": self.today.isoformat(),
            "deck": self.deck,
            "day_start_hour": self.day_start_hour,
            "timezone": self.timezone,
            "total_reviews": self.total_reviews,
            "period_days": self.period_days,
            "reviews_last_year": self.reviews_last_year,
            "days_studied_last_year": self.days_studied_last_year,
            "streak": self.streak,
            "average_ef": self.average_ef,
            "cards_by_state": dict(self.cards_by_state),
            "retention": self.overall_retention.to_json("group")["retention"],
            "retention_by_interval": [
                row.to_json("interval") for row in self.retention_by_interval
            ],
            "retention_by_deck": [row.to_json("deck") for row in self.retention_by_deck],
            "scenario_accuracy": [row.to_json() for row in self.scenario_accuracy],
            "reviews_per_day": [day.to_json() for day in self.reviews_per_day],
            "due_per_day": [day.to_json() for day in self.due_per_day],
        }


def window(last_day: date, days: int) -> list[date]:
    """``days`` consecutive days ending with ``last_day``, oldest first."""
    if days < 1:
        raise ValueError(f"a window needs at least one day, got {days}")
    return [last_day - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def forecast_window(today: date, days: int = FORECAST_DAYS) -> list[date]:
    """``days`` consecutive days starting with ``today``."""
    if days < 1:
        raise ValueError(f"a forecast needs at least one day, got {days}")
    return [today + timedelta(days=offset) for offset in range(days)]


def current_streak(study_days: Collection[date], today: date) -> int:
    """Consecutive days in ``study_days`` ending today (or yesterday, if today has none yet)."""
    day = today if today in study_days else today - timedelta(days=1)
    streak = 0
    while day in study_days:
        streak += 1
        day -= timedelta(days=1)
    return streak


def heat_level(count: int, maximum: int, levels: int = HEAT_LEVELS) -> int:
    """0 for no reviews, else 1..``levels`` in proportion to the busiest day."""
    if count <= 0 or maximum <= 0:
        return 0
    return max(1, min(levels, -(-count * levels // maximum)))


@dataclass(frozen=True, slots=True)
class HeatCell:
    """One square of the calendar: a day inside the window, or padding (``day`` None)."""

    day: date | None
    count: int
    level: int


def heatmap_columns(days: Sequence[DayCount]) -> list[list[HeatCell]]:
    """Week columns of seven cells (Monday first) covering ``days``; days outside are padding."""
    if not days:
        return []
    maximum = max(day.count for day in days)
    by_day = {day.day: day.count for day in days}
    first = days[0].day - timedelta(days=days[0].day.weekday())
    last = days[-1].day
    columns: list[list[HeatCell]] = []
    monday = first
    while monday <= last:
        column = []
        for offset in range(7):
            day = monday + timedelta(days=offset)
            if day in by_day:
                count = by_day[day]
                column.append(HeatCell(day, count, heat_level(count, maximum)))
            else:
                column.append(HeatCell(None, 0, 0))
        columns.append(column)
        monday += timedelta(days=7)
    return columns


def month_labels(columns: Sequence[Sequence[HeatCell]]) -> list[tuple[int, str]]:
    """``(column index, "Jan")`` where a new month starts in the calendar's top-left reading."""
    labels: list[tuple[int, str]] = []
    previous: tuple[int, int] | None = None
    for index, column in enumerate(columns):
        first = next((cell.day for cell in column if cell.day is not None), None)
        if first is None:
            continue
        month = (first.year, first.month)
        if month != previous:
            labels.append((index, first.strftime("%b")))
            previous = month
    return labels
