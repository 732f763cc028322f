"""Plain ``sqlite3`` connections with the settings every studytool connection needs.

Standard library only: the review path (``studytool review``) opens its connection here without
importing SQLAlchemy, and :mod:`studytool.store.db` installs the same settings on every
connection its engines make.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_MS = 10_000


def open_connection(path: Path | str) -> sqlite3.Connection:
    """A connection to the database file at ``path``, configured (autocommit mode: the caller
    emits ``BEGIN`` / ``BEGIN IMMEDIATE`` itself)."""
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    configure_connection(connection)
    return connection


def schema_version(connection: sqlite3.Connection) -> int:
    """The database's ``PRAGMA user_version``."""
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def configure_connection(dbapi_connection: sqlite3.Connection, _record: Any = None) -> None:
    """Pragmas every studytool connection needs, and the ``st_fold`` SQL function.

    ``st_fold(text)`` is Python's ``str.casefold``: SQLite's own ``lower()`` folds only ASCII
    letters, so deck and tag filters would not match names such as ``Über``.
    """
    dbapi_connection.isolation_level = None
    dbapi_connection.create_function("st_fold", 1, _fold, deterministic=True)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _fold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value
