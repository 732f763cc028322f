"""Column types: UTC timestamps that stay timezone-aware, and JSON lists/dicts as text.

SQLite has no datetime type and SQLAlchemy's ``DateTime`` drops the UTC offset. We store an
ISO 8601 string in UTC with a fixed width (so text order is time order) and return aware values.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import String, Text, TypeDecorator

from studytool.store.utc import from_utc_text, to_utc_text, utc_now

__all__ = ["JSONText", "UTCDateTime", "from_utc_text", "to_utc_text", "utc_now"]


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC text."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        return None if value is None else to_utc_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> datetime | None:
        return None if value is None else from_utc_text(value)


class JSONText(TypeDecorator[Any]):
    """A JSON value (list or dict) stored as compact text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)
