"""UTC timestamps as the database stores them: fixed-width ISO 8601 text in UTC, read back as
timezone-aware datetimes (standard library only, so the review path needs no SQLAlchemy)."""

from __future__ import annotations

from datetime import UTC, datetime

_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def to_utc_text(value: datetime) -> str:
    """Format an aware datetime as fixed-width UTC text; naive datetimes are refused."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"naive datetime {value!r}: studytool stores only timezone-aware times")
    return value.astimezone(UTC).strftime(_FORMAT)


def from_utc_text(text: str) -> datetime:
    """Parse text written by :func:`to_utc_text` (or any ISO 8601 with offset) as aware UTC."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
