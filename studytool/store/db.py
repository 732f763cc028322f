"""The SQLite engine: connection settings, transactions, and bringing the schema up to date.

Every connection gets ``foreign_keys=ON``, WAL journalling and a busy timeout (pragmas are per
connection, so they are set in a ``connect`` listener). The driver's own transaction handling
is switched off and SQLAlchemy emits ``BEGIN`` itself, so that DDL and SAVEPOINTs behave and a
write session can ask for ``BEGIN IMMEDIATE`` (take the write lock up front, waiting for the
busy timeout, instead of failing half-way through). No engine is built at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

from studytool.store.migrations import MIGRATIONS, SCHEMA_VERSION, SchemaTooNewError
from studytool.store.sqlite import BUSY_TIMEOUT_MS, configure_connection

__all__ = ["BUSY_TIMEOUT_MS", "SchemaTooNewError", "configure_connection"]

if TYPE_CHECKING:
    from sqlmodel import Session

IMMEDIATE = "studytool_immediate"

#: Called with (path, old version, new version) before an existing database is migrated.
BeforeMigrate = Callable[[Path, int, int], None]


def create_db_engine(path: Path) -> Engine:
    """An engine for the database file at ``path`` (its folder is created if needed)."""
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    event.listen(engine, "connect", configure_connection)
    event.listen(engine, "begin", begin_transaction)
    return engine


def begin_transaction(connection: Any) -> None:
    """Emit ``BEGIN`` (or ``BEGIN IMMEDIATE`` for write sessions) ourselves."""
    immediate = connection.get_execution_options().get(IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading; anything it writes is rolled back unless committed."""
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session holding the write lock from its first statement; commits on success.

    One ``with write_session(...)`` block is one transaction: an exception (or the process
    being killed) before the block ends leaves the database exactly as it was.
    """
    from sqlmodel import Session

    with engine.connect() as connection:
        connection = connection.execution_options(**{IMMEDIATE: True})
        with Session(bind=connection, expire_on_commit=False) as session:
            yield session
            session.commit()


def schema_version(engine: Engine) -> int:
    """The database's ``PRAGMA user_version``."""
    with engine.connect() as connection:
        return int(connection.execute(text("PRAGMA user_version")).scalar_one())


def migrate(engine: Engine, path: Path, before_migrate: BeforeMigrate | None = None) -> int:
    """Bring the schema to :data:`SCHEMA_VERSION` in one transaction; return the old version."""
    current = schema_version(engine)
    if current > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{path}: database schema version {current} is newer than this studytool "
            f"understands ({SCHEMA_VERSION}); upgrade studytool to open it"
        )
    if current == SCHEMA_VERSION:
        return current
    if current > 0 and before_migrate is not None:
        before_migrate(path, current, SCHEMA_VERSION)
    with engine.connect() as connection:
        connection = connection.execution_options(**{IMMEDIATE: True})
        with connection.begin():
            version = int(connection.execute(text("PRAGMA user_version")).scalar_one())
            for migration in MIGRATIONS[version:]:
                migration(connection)
            connection.execute(text(f"PRAGMA user_version={SCHEMA_VERSION}"))
    return current
