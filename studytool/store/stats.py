"""The database side of statistics: counting reviews, due cards, retention and states in SQL.

:func:`collect_stats` returns a :class:`studytool.scheduling.statistics.StatsReport`. Counting
is done by SQLite so a large history stays fast: reviews per study day are counted by joining
the review log's ``reviewed_at`` index against the UTC bounds of each study day (exact across
daylight-saving changes and half-hour time zones); retention and scenario accuracy are one
pass over the log of a recent period (default the last 30 days, as in Anki), counted in Python.
The study day starts at the ``day_start_hour`` setting (default 4, local time); the clock and
the time zone are parameters so tests can fix them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    case,
    column,
    func,
    literal_column,
    select,
    true,
    type_coerce,
    values,
)

from studytool.scheduling.days import DEFAULT_DAY_START_HOUR, local_timezone, study_day
from studytool.scheduling.days import day_start as study_day_start
from studytool.scheduling.sm2 import PASSING_QUALITY
from studytool.scheduling.statistics import (
    CARD_STATES,
    FORECAST_DAYS,
    HEATMAP_DAYS,
    NO_TOPIC,
    PERIOD_DAYS,
    RETENTION_GROUPS,
    DayCount,
    RetentionRow,
    StatsReport,
    TopicAccuracy,
    current_streak,
    forecast_window,
    retention_group,
    window,
)
from studytool.store import schema
from studytool.store.filters import deck_clause
from studytool.store.repository import Repository
from studytool.store.utc import to_utc_text

DAY_START_SETTING = "day_start_hour"
#: Memory-map this much of the file while counting: the long scans and card lookups then read
#: pages without a system call each (the mapping ends with the connection).
MMAP_BYTES = 1 << 30

_card = schema.card
_state = schema.review_state
_log = schema.review_log
_setting = schema.setting

__all__ = ["DAY_START_SETTING", "StatsReport", "collect_stats", "day_start_hour_setting"]


def collect_stats(
    repository: Repository,
    deck: str | None = None,
    tz: tzinfo | None = None,
    now: datetime | None = None,
    period_days: int = PERIOD_DAYS,
) -> StatsReport:
    """Statistics for the whole collection, or for ``deck`` and its sub-decks.

    Retention and scenario accuracy count the grades of the last ``period_days`` study days.
    """
    if period_days < 1:
        raise ValueError(f"the period must be at least one day, got {period_days}")
    tz = tz or local_timezone()
    now = now or repository.clock()
    with repository.engine.connect() as connection:
        connection.connection.driver_connection.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        with connection.begin():
            return _collect(connection, deck, tz, now, period_days)


def _collect(
    connection: Connection, deck: str | None, tz: tzinfo, now: datetime, period_days: int
) -> StatsReport:
    """Every figure of the report, read in one transaction."""
    hour = day_start_hour_setting(connection)
    today = study_day(now, tz, hour)
    days = Days(tz, hour)
    period = window(today, period_days)
    since = days.start_text(period[0])
    heatmap = _reviews_per_day(connection, days, window(today, HEATMAP_DAYS), deck)
    by_interval, by_deck = _retention(connection, since, deck)
    return StatsReport(
        generated_at=now,
        today=today,
        deck=deck,
        day_start_hour=hour,
        timezone=str(tz),
        reviews_per_day=tuple(heatmap),
        due_per_day=tuple(_due_per_day(connection, days, today, deck)),
        retention_by_interval=tuple(by_interval),
        retention_by_deck=tuple(by_deck),
        cards_by_state=_cards_by_state(connection, deck),
        average_ef=_average_ef(connection, deck),
        streak=_streak(connection, days, heatmap, today, deck),
        scenario_accuracy=tuple(_scenario_accuracy(connection, since, deck)),
        total_reviews=_total_reviews(connection, deck),
        period_days=period_days,
    )


class Days:
    """Study-day bounds as the UTC text the database stores (so text order is time order)."""

    def __init__(self, tz: tzinfo, day_start_hour: int) -> None:
        self.tz = tz
        self.hour = day_start_hour

    def start_text(self, day: date) -> str:
        return to_utc_text(study_day_start(day, self.tz, self.hour))

    def bounds(self, days: Sequence[date]) -> list[tuple[str, str, str]]:
        """``(iso day, start, end)`` for each day; ``end`` is the next day's start."""
        return [
            (day.isoformat(), self.start_text(day), self.start_text(day + timedelta(days=1)))
            for day in days
        ]


def day_start_hour_setting(connection: Connection) -> int:
    """The ``day_start_hour`` setting (0..23), or the default 4 when unset or invalid."""
    value = connection.execute(
        select(_setting.c.value).where(_setting.c.key == DAY_START_SETTING)
    ).scalar()
    try:
        hour = int(str(value).strip())
    except (TypeError, ValueError):
        return DEFAULT_DAY_START_HOUR
    return hour if 0 <= hour <= 23 else DEFAULT_DAY_START_HOUR


def _raw(column_: Any) -> Any:
    """A timestamp column as the stored UTC text, without parsing it into a datetime."""
    return type_coerce(column_, String)


def _log_with_deck(deck: str | None) -> tuple[Any, Any]:
    """The review log (joined with its card when filtering by deck) and the deck filter."""
    if not deck:
        return _log, true()
    return _log.join(_card, _card.c.id == _log.c.card_id), deck_clause(deck)


def _bounds(days: Days, wanted: Sequence[date]) -> Any:
    """A ``bounds(day, start, stop)`` CTE: each study day and its UTC start and end."""
    columns = (column("day", String), column("start", String), column("stop", String))
    return values(*columns, name="bounds").data(days.bounds(wanted)).cte("bounds")


def _reviews_per_day(
    connection: Connection, days: Days, wanted: Sequence[date], deck: str | None
) -> list[DayCount]:
    """Reviews on each day: one count over the ``reviewed_at`` index per day (no sorting)."""
    bounds = _bounds(days, wanted)
    reviewed_at = _raw(_log.c.reviewed_at)
    source, deck_filter = _log_with_deck(deck)
    per_day = (
        select(func.count())
        .select_from(source)
        .where(reviewed_at >= bounds.c.start, reviewed_at < bounds.c.stop, deck_filter)
        .scalar_subquery()
    )
    counts = {day: int(count) for day, count in connection.execute(select(bounds.c.day, per_day))}
    return [DayCount(day, counts.get(day.isoformat(), 0)) for day in wanted]


def _streak(
    connection: Connection,
    days: Days,
    recent: Sequence[DayCount],
    today: date,
    deck: str | None,
) -> int:
    """The current streak; looks further back a year at a time while it reaches the start."""
    studied = {day.day for day in recent if day.count}
    earliest = recent[0].day
    while True:
        streak = current_streak(studied, today)
        last = today if today in studied else today - timedelta(days=1)
        if streak == 0 or last - timedelta(days=streak - 1) > earliest:
            return streak
        older = window(earliest - timedelta(days=1), HEATMAP_DAYS)
        studied.update(_days_with_reviews(connection, days, older, deck))
        earliest = older[0]


def _days_with_reviews(
    connection: Connection, days: Days, wanted: Sequence[date], deck: str | None
) -> set[date]:
    """The days in ``wanted`` with at least one review: one index probe per day."""
    bounds = _bounds(days, wanted)
    reviewed_at = _raw(_log.c.reviewed_at)
    source, deck_filter = _log_with_deck(deck)
    probe = (
        select(literal_column("1"))
        .select_from(source)
        .where(reviewed_at >= bounds.c.start, reviewed_at < bounds.c.stop, deck_filter)
        .exists()
    )
    query = select(bounds.c.day).where(probe)
    return {date.fromisoformat(day) for (day,) in connection.execute(query)}


def _due_per_day(
    connection: Connection, days: Days, today: date, deck: str | None
) -> list[DayCount]:
    wanted = forecast_window(today, FORECAST_DAYS)
    starts = [days.start_text(day) for day in wanted]
    end = days.start_text(wanted[-1] + timedelta(days=1))
    due = _raw(_state.c.due)
    query = (
        select(due)
        .select_from(_state.join(_card, _card.c.id == _state.c.card_id))
        .where(_card.c.retired.is_(False), _state.c.due.isnot(None), due < end)
        .where(deck_clause(deck))
    )
    counts: Counter[int] = Counter()
    for (moment,) in connection.execute(query):
        counts[max(0, bisect_right(starts, moment) - 1)] += 1
    return [DayCount(day, counts[index]) for index, day in enumerate(wanted)]


def _cards_by_state(connection: Connection, deck: str | None) -> dict[str, int]:
    label = case((_card.c.retired.is_(True), "retired"), else_=func.coalesce(_state.c.state, "new"))
    query = (
        select(label, func.count())
        .select_from(_card.outerjoin(_state, _state.c.card_id == _card.c.id))
        .where(deck_clause(deck))
        .group_by(label)
    )
    counts = dict.fromkeys(CARD_STATES, 0)
    for state, count in connection.execute(query):
        counts[str(state)] = counts.get(str(state), 0) + int(count)
    return counts


def _average_ef(connection: Connection, deck: str | None) -> float | None:
    """Mean SM-2 ease of the active cards that have been reviewed at least once."""
    query = (
        select(func.avg(_state.c.ef_hundredths))
        .select_from(_card.join(_state, _state.c.card_id == _card.c.id))
        .where(
            _card.c.retired.is_(False),
            _state.c.state != "new",
            _state.c.scheduler == "sm2",
            deck_clause(deck),
        )
    )
    value = connection.execute(query).scalar()
    return None if value is None else round(float(value) / 100, 2)


def _retention_key_sql() -> Any:
    """``'new'``, ``'early'``, or the interval before the grade: what a grade's group depends on.

    Two JSON lookups per row (the due date and the interval in ``state_before``); the few
    distinct values are turned into groups by :func:`retention_group` in Python.
    """
    due = func.json_extract(_log.c.state_before, "$.due")
    return case(
        (due.is_(None), literal_column("'new'")),
        (_raw(_log.c.reviewed_at) < due, literal_column("'early'")),
        else_=func.json_extract(_log.c.state_before, "$.interval"),
    )


def _group_of(key: object) -> str:
    if key == "new":
        return retention_group(True, None, False)
    if key == "early":
        return retention_group(False, None, True)
    interval = key if isinstance(key, int) else _int_or_none(key)
    return retention_group(False, interval, False)


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return None


def _retention(
    connection: Connection, since: str, deck: str | None
) -> tuple[list[RetentionRow], list[RetentionRow]]:
    """Grades since ``since`` by retention group and by deck: one pass, counted in Python.

    SQLite sorts every row for a GROUP BY, which costs more than the scan itself on a long
    log; counting the few distinct (deck, key, passed) values with a Counter does not.
    """
    query = (
        select(_card.c.deck, _retention_key_sql(), _log.c.quality >= PASSING_QUALITY)
        .select_from(_log.join(_card, _card.c.id == _log.c.card_id))
        .where(_raw(_log.c.reviewed_at) >= since, deck_clause(deck))
    )
    counts: Counter[tuple[str, object, int]] = Counter(_driver_rows(connection, query))
    by_interval: dict[str, list[int]] = {label: [0, 0] for label in RETENTION_GROUPS}
    by_deck: dict[str, list[int]] = {}
    for (deck_name, key, passed), count in counts.items():
        label = _group_of(key)
        for totals in (by_interval[label], by_deck.setdefault(str(deck_name), [0, 0])):
            totals[0] += count
            totals[1] += count if passed else 0
    return (
        [RetentionRow(label, *totals) for label, totals in by_interval.items()],
        [RetentionRow(name, *by_deck[name]) for name in sorted(by_deck, key=str.lower)],
    )


def _driver_rows(connection: Connection, query: Any) -> Any:
    """The rows of ``query`` as plain tuples from the sqlite3 cursor (for long results)."""
    compiled = query.compile(dialect=connection.dialect)
    params = compiled.construct_params()
    positional = [params[name] for name in compiled.positiontup or ()]
    return connection.connection.driver_connection.execute(str(compiled), positional)


def _total_reviews(connection: Connection, deck: str | None) -> int:
    source, deck_filter = _log_with_deck(deck)
    query = select(func.count()).select_from(source).where(deck_filter)
    return int(connection.execute(query).scalar_one())


def _scenario_accuracy(connection: Connection, since: str, deck: str | None) -> list[TopicAccuracy]:
    topic = func.coalesce(func.json_extract(_log.c.detail, "$.topic"), NO_TOPIC).label("topic")
    correct = func.sum(case((_log.c.correct.is_(True), 1), else_=0))
    source, deck_filter = _log_with_deck(deck)
    query = (
        select(topic, func.count(), correct)
        .select_from(source)
        .where(_raw(_log.c.reviewed_at) >= since, _log.c.correct.isnot(None), deck_filter)
        .group_by(topic)
    )
    rows = [TopicAccuracy(str(name), int(count), int(right or 0)) for name, count, right in
            connection.execute(query)]  # fmt: skip
    return sorted(rows, key=lambda row: row.topic.lower())
