"""Study days: the day-start hour, time zones and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from studytool.scheduling.days import (
    day_bounds,
    day_start,
    due_after,
    local_timezone,
    study_day,
    validate_day_start_hour,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def test_before_day_start_counts_for_previous_day() -> None:
    moment = datetime(2024, 5, 2, 1, 30, tzinfo=BERLIN)
    assert study_day(moment, BERLIN) == date(2024, 5, 1)
    assert study_day(moment, BERLIN, day_start_hour=0) == date(2024, 5, 2)


def test_day_start_hour_itself_begins_the_day() -> None:
    assert study_day(datetime(2024, 5, 2, 3, 59, tzinfo=BERLIN), BERLIN) == date(2024, 5, 1)
    assert study_day(datetime(2024, 5, 2, 4, 0, tzinfo=BERLIN), BERLIN) == date(2024, 5, 2)


def test_utc_moment_is_read_in_the_local_zone() -> None:
    # 23:30 UTC on 1 May is 01:30 on 2 May in Berlin (UTC+2): still 1 May's study day.
    assert study_day(datetime(2024, 5, 1, 23, 30, tzinfo=UTC), BERLIN) == date(2024, 5, 1)
    # 02:30 UTC is 04:30 in Berlin: 2 May.
    assert study_day(datetime(2024, 5, 2, 2, 30, tzinfo=UTC), BERLIN) == date(2024, 5, 2)


def test_day_start_in_utc_across_daylight_saving() -> None:
    assert day_start(date(2024, 3, 30), BERLIN) == datetime(2024, 3, 30, 3, 0, tzinfo=UTC)
    assert day_start(date(2024, 3, 31), BERLIN) == datetime(2024, 3, 31, 2, 0, tzinfo=UTC)
    start, end = day_bounds(date(2024, 3, 31), BERLIN)
    assert end - start == timedelta(hours=24)  # the lost hour falls before 4 a.m. (2->3)
    start, end = day_bounds(date(2024, 3, 30), BERLIN)
    assert end - start == timedelta(hours=23)


def test_due_after_counts_from_the_review_study_day() -> None:
    # Reviewed at 01:30 on 10 March in New York: that is 9 March's study day.
    reviewed = datetime(2024, 3, 10, 1, 30, tzinfo=NEW_YORK)
    due = due_after(reviewed, 1, NEW_YORK)
    # due at 4 a.m. on 10 March, already daylight time (UTC-4).
    assert due == datetime(2024, 3, 10, 8, 0, tzinfo=UTC)
    assert study_day(due, NEW_YORK) == date(2024, 3, 10)
    assert due_after(datetime(2024, 3, 12, 18, 0, tzinfo=UTC), 6, UTC, 4) == datetime(
        2024, 3, 18, 4, 0, tzinfo=UTC
    )


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        study_day(datetime(2024, 5, 2, 12, 0), BERLIN)


@pytest.mark.parametrize("bad", [-1, 24, 4.0, True, "4"])
def test_bad_day_start_hour(bad: object) -> None:
    with pytest.raises(ValueError):
        validate_day_start_hour(bad)  # type: ignore[arg-type]


def test_due_after_refuses_negative_interval() -> None:
    with pytest.raises(ValueError):
        due_after(datetime(2024, 1, 1, tzinfo=UTC), -1, UTC)


def test_local_timezone_follows_tz_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert local_timezone() == ZoneInfo("Asia/Tokyo")
    monkeypatch.setenv("TZ", "Not/AZone")
    assert local_timezone() is not None
