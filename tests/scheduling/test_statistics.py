"""The pure statistics helpers: retention groups, streaks and the heatmap layout."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from studytool.scheduling.statistics import (
    DayCount,
    RetentionRow,
    current_streak,
    forecast_window,
    heat_level,
    heatmap_columns,
    month_labels,
    retention_group,
    window,
)

TODAY = date(2026, 3, 2)  # a Monday


@pytest.mark.parametrize(
    ("was_new", "interval", "early", "group"),
    [
        (True, 0, False, "new"),
        (True, None, True, "new"),
        (False, 1, True, "same-day"),
        (False, 0, False, "same-day"),
        (False, None, False, "same-day"),
        (False, 1, False, "1d"),
        (False, 2, False, "2-7d"),
        (False, 7, False, "2-7d"),
        (False, 8, False, "8-30d"),
        (False, 30, False, "8-30d"),
        (False, 31, False, "31-90d"),
        (False, 90, False, "31-90d"),
        (False, 91, False, ">90d"),
        (False, 4000, True, "same-day"),
    ],
)
def test_retention_groups(was_new: bool, interval: int | None, early: bool, group: str) -> None:
    assert retention_group(was_new, interval, early) == group


def test_retention_rate() -> None:
    assert RetentionRow("x", 8, 6).retention == 0.75
    assert RetentionRow("x", 0, 0).retention is None
    assert RetentionRow("x", 3, 1).to_json("deck") == {
        "deck": "x", "reviews": 3, "passed": 1, "retention": 0.3333,
    }  # fmt: skip


def test_streak_ends_today_or_yesterday() -> None:
    days = {TODAY - timedelta(days=n) for n in (0, 1, 2, 4)}
    assert current_streak(days, TODAY) == 3
    assert current_streak(days - {TODAY}, TODAY) == 2
    assert current_streak(days, TODAY + timedelta(days=1)) == 3
    assert current_streak(days, TODAY + timedelta(days=2)) == 0
    assert current_streak(set(), TODAY) == 0


def test_heat_levels_scale_to_the_busiest_day() -> None:
    assert [heat_level(count, 40) for count in (0, 1, 10, 11, 20, 30, 31, 40)] == [
        0, 1, 1, 2, 2, 3, 4, 4,
    ]  # fmt: skip
    assert heat_level(5, 0) == 0


def test_windows() -> None:
    assert window(TODAY, 3) == [TODAY - timedelta(days=2), TODAY - timedelta(days=1), TODAY]
    assert forecast_window(TODAY, 2) == [TODAY, TODAY + timedelta(days=1)]
    with pytest.raises(ValueError):
        window(TODAY, 0)


def test_heatmap_columns_are_weeks_starting_on_monday() -> None:
    days = [DayCount(day, 2 if day == TODAY else 1) for day in window(TODAY, 365)]
    columns = heatmap_columns(days)
    assert all(len(column) == 7 for column in columns)
    assert len(columns) == 53
    first = columns[0]
    # The 365 days up to Monday 2 March 2026 start on Monday 3 March 2025: 52 weeks and a day.
    assert first[0].day == date(2025, 3, 3) and first[6].day == date(2025, 3, 9)
    last = columns[-1]
    assert last[0].day == TODAY and last[0].level == 4 and last[0].count == 2
    assert all(cell.day is None for cell in last[1:])
    assert first[0].level == 2


def test_a_window_starting_midweek_is_padded() -> None:
    columns = heatmap_columns([DayCount(day, 0) for day in window(TODAY - timedelta(days=2), 10)])
    assert [cell.day for cell in columns[0][:4]] == [None, None, None, date(2026, 2, 19)]


def test_month_labels_mark_the_first_week_of_each_month() -> None:
    columns = heatmap_columns([DayCount(day, 0) for day in window(TODAY, 365)])
    labels = month_labels(columns)
    assert labels[0] == (0, "Mar")
    assert [name for _, name in labels][:3] == ["Mar", "Apr", "May"]
    assert len(labels) == 13
    assert labels[-1][1] == "Mar"
