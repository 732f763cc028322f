"""Study days: which calendar day a moment counts for, given a day-start hour (pure).

A study day starts at a configurable local hour (default 4 a.m., as in Anki), so a review at
01:30 local time counts for the previous day and a late-night session stays one day. All
functions take tz-aware datetimes and an explicit ``tzinfo`` so tests can inject a timezone;
:func:`local_timezone` finds the machine's zone for the real application.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DAY_START_HOUR = 4


def validate_day_start_hour(hour: int) -> int:
    """Return ``hour`` if it is an int in 0..23, else raise ``ValueError``."""
    if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
        raise ValueError(f"day start hour must be an integer 0..23, got {hour!r}")
    return hour


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware, got naive {moment.isoformat()}")


def study_day(moment: datetime, tz: tzinfo, day_start_hour: int = DEFAULT_DAY_START_HOUR) -> date:
    """The study day ``moment`` counts for: its local date, minus one before the day start."""
    _require_aware(moment)
    validate_day_start_hour(day_start_hour)
    local = moment.astimezone(tz)
    if local.hour < day_start_hour:
        return local.date() - timedelta(days=1)
    return local.date()


def day_start(day: date, tz: tzinfo, day_start_hour: int = DEFAULT_DAY_START_HOUR) -> datetime:
    """The moment study day ``day`` begins, as a UTC datetime."""
    validate_day_start_hour(day_start_hour)
    local = datetime.combine(day, time(hour=day_start_hour), tzinfo=tz)
    return local.astimezone(UTC)


def day_bounds(
    day: date, tz: tzinfo, day_start_hour: int = DEFAULT_DAY_START_HOUR
) -> tuple[datetime, datetime]:
    """``(start, end)`` of study day ``day`` in UTC; ``end`` is the next day's start (exclusive)."""
    return (
        day_start(day, tz, day_start_hour),
        day_start(day + timedelta(days=1), tz, day_start_hour),
    )


def local_timezone() -> tzinfo:
    """The machine's time zone: ``$TZ``, else ``/etc/localtime``, else the current UTC offset.

    A named zone (``ZoneInfo``) follows daylight-saving changes; the last fallback is a fixed
    offset, which is right for the current season only.
    """
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    zone = _zone_from_localtime(Path("/etc/localtime"))
    if zone is not None:
        return zone
    fallback = datetime.now().astimezone().tzinfo
    return fallback if fallback is not None else UTC


def _zone_from_localtime(path: Path) -> tzinfo | None:
    try:
        target = path.resolve(strict=True)
    except OSError:
        return None
    parts = target.parts
    if "zoneinfo" not in parts:
        return None
    name = "/".join(parts[parts.index("zoneinfo") + 1 :])
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def due_after(
    reviewed_at: datetime,
    interval_days: int,
    tz: tzinfo,
    day_start_hour: int = DEFAULT_DAY_START_HOUR,
) -> datetime:
    """When a card reviewed at ``reviewed_at`` with an interval of whole days is due (UTC).

    The interval counts from the study day of the actual review (so an overdue card is
    scheduled from the day it was reviewed, not from the day it was due), and the card is due
    from the start of the resulting study day.
    """
    if isinstance(interval_days, bool) or not isinstance(interval_days, int) or interval_days < 0:
        raise ValueError(f"interval must be a non-negative integer of days, got {interval_days!r}")
    reviewed_day = study_day(reviewed_at, tz, day_start_hour)
    return day_start(reviewed_day + timedelta(days=interval_days), tz, day_start_hour)
