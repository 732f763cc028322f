"""Backups of the database: automatic (before a migration, before a large retirement) and by hand.

A backup is a copy made with SQLite's online backup API through a separate connection, so it
works while another process holds a write transaction (WAL mode lets the copy read the last
committed state) and never copies a half-written one. Copies go to
:func:`studytool.locations.backups_dir` as ``<db stem>-<UTC time>-<reason>.db``, written to a
temporary name first and renamed when complete; the newest :data:`KEEP_BACKUPS` of one database
are kept. A restore checks that the file is a sound studytool database (integrity check, schema
version, tables), backs up the current database first, then copies the backup in, again with the
backup API (one transaction: an interrupted restore leaves the database as it was).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from studytool.locations import backups_dir
from studytool.store.migrations import SCHEMA_VERSION

KEEP_BACKUPS = 10
BUSY_TIMEOUT_SECONDS = 10.0
REQUIRED_TABLES = frozenset({"note", "card", "review_state", "review_log"})
SQLITE_HEADER = b"SQLite format 3\x00"

_STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
_STAMP_PATTERN = r"\d{8}T\d{12}Z"


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why."""


class InvalidBackupError(BackupError):
    """The file offered for a restore is not a sound studytool database."""


@dataclass(frozen=True, slots=True)
class BackupFile:
    """One backup in the backups folder."""

    path: Path
    taken_at: datetime
    reason: str
    size: int


@dataclass(frozen=True, slots=True)
class RestoreResult:
    """What a restore did: where from, the safety copy of the replaced database, the version."""

    restored_from: Path
    safety_backup: Path | None
    schema_version: int


def backup_database(
    db_path: Path,
    reason: str,
    now: datetime | None = None,
    keep: int = KEEP_BACKUPS,
    protect: Iterable[Path] = (),
) -> Path:
    """Copy the database at ``db_path`` into its backups folder; return the new file.

    ``reason`` becomes part of the file name (``manual``, ``migrate-v1-to-v2``,
    ``import-retires-many``, ...). Older backups of the same database beyond the newest ``keep``
    are deleted, except those in ``protect``.
    """
    db_path = db_path.expanduser()
    if not db_path.is_file():
        raise BackupError(f"{db_path}: no database to back up")
    folder = backups_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = _unused_name(folder, db_path.stem, _clean_reason(reason), now or datetime.now(UTC))
    partial = target.with_name(target.name + ".partial")
    try:
        with (
            closing(_connect(db_path, mode="rw")) as source,
            closing(sqlite3.connect(partial)) as destination,
        ):
            source.backup(destination)
            destination.execute("PRAGMA journal_mode=DELETE")
        os.replace(partial, target)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{db_path}: backup failed: {error}") from error
    prune_backups(db_path, keep, protect=(target, *protect))
    return target


def backup_before_migration(path: Path, old: int, new: int) -> None:
    """The migration hook: back up ``path`` before its schema goes from ``old`` to ``new``."""
    backup_database(path, f"migrate-v{old}-to-v{new}")


def list_backups(db_path: Path) -> list[BackupFile]:
    """The backups of ``db_path``, oldest first."""
    folder = backups_dir(db_path.expanduser())
    if not folder.is_dir():
        return []
    pattern = re.compile(
        rf"^{re.escape(db_path.stem)}-(?P<stamp>{_STAMP_PATTERN})-(?P<reason>[a-z0-9-]+)\.db$"
    )
    found: list[BackupFile] = []
    for entry in folder.iterdir():
        match = pattern.match(entry.name)
        if match is None or not entry.is_file():
            continue
        taken_at = datetime.strptime(match["stamp"], _STAMP_FORMAT).replace(tzinfo=UTC)
        found.append(BackupFile(entry, taken_at, match["reason"], entry.stat().st_size))
    found.sort(key=lambda backup: (backup.taken_at, backup.path.name))
    return found


def prune_backups(
    db_path: Path, keep: int = KEEP_BACKUPS, protect: Iterable[Path] = ()
) -> list[Path]:
    """Delete the oldest backups of ``db_path`` beyond the newest ``keep``; return those deleted."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    protected = {path.resolve() for path in protect}
    backups = list_backups(db_path)
    excess = len(backups) - keep
    deleted: list[Path] = []
    for backup in backups:
        if len(deleted) >= excess:
            break
        if backup.path.resolve() in protected:
            continue
        backup.path.unlink(missing_ok=True)
        deleted.append(backup.path)
    return deleted


def validate_backup(backup_file: Path) -> int:
    """The schema version of a sound studytool database file; else :class:`InvalidBackupError`."""
    if not backup_file.exists():
        raise InvalidBackupError(f"{backup_file}: no such file")
    if not backup_file.is_file():
        raise InvalidBackupError(f"{backup_file}: not a regular file (a folder, pipe or device)")
    with backup_file.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise InvalidBackupError(f"{backup_file}: not an SQLite database")
    try:
        with closing(_connect(backup_file, mode="ro")) as connection:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
    except sqlite3.Error as error:
        raise InvalidBackupError(f"{backup_file}: cannot read it as a database: {error}") from error
    if problems != ["ok"]:
        raise InvalidBackupError(
            f"{backup_file}: fails the integrity check: {'; '.join(problems[:3])}"
        )
    if not 1 <= version <= SCHEMA_VERSION:
        raise InvalidBackupError(
            f"{backup_file}: schema version {version} is not one this studytool knows "
            f"(1..{SCHEMA_VERSION})"
        )
    missing = REQUIRED_TABLES - tables
    if missing:
        raise InvalidBackupError(
            f"{backup_file}: not a studytool database (no {', '.join(sorted(missing))} table)"
        )
    return version


def restore_database(db_path: Path, backup_file: Path) -> RestoreResult:
    """Replace the database at ``db_path`` with ``backup_file`` (validated; current one saved)."""
    db_path = db_path.expanduser()
    backup_file = backup_file.expanduser()
    version = validate_backup(backup_file)
    if db_path.exists() and db_path.resolve() == backup_file.resolve():
        raise BackupError(f"{backup_file}: this is the database itself, not a backup of it")
    safety = None
    if db_path.is_file():
        safety = backup_database(db_path, "before-restore", protect=(backup_file,))
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            closing(_connect(backup_file, mode="ro")) as source,
            closing(sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_SECONDS)) as destination,
        ):
            source.backup(destination)
            destination.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as error:
        raise BackupError(f"{db_path}: restore failed, database unchanged: {error}") from error
    return RestoreResult(restored_from=backup_file, safety_backup=safety, schema_version=version)


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS)


def _clean_reason(reason: str) -> str:
    cleaned = re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-")
    return cleaned or "manual"


def _unused_name(folder: Path, stem: str, reason: str, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime(_STAMP_FORMAT)
    target = folder / f"{stem}-{stamp}-{reason}.db"
    counter = 1
    while target.exists():
        target = folder / f"{stem}-{stamp}-{reason}-{counter}.db"
        counter += 1
    return target
