"""Database health: what ``studytool doctor`` checks, and the repairs it may make safely.

The checks read the database without migrating it: the schema version, SQLite's
``integrity_check`` and ``foreign_key_check``, cards whose note row is gone or whose note is
flagged missing while the card is still active, review states without a card, cards without a
review state, log rows without a card, and cards whose state disagrees with the ``state_after``
of their last log row (every grade writes both in one transaction, so they should agree; only
the due date may legitimately be earlier, when a wrong scenario answer brought the card
forward).

Each finding says what is wrong and how to fix it. :func:`repair_database` fixes only what is
safe, after backing the database up: it migrates an old schema, deletes states that have no
card, retires cards whose note is gone (kept with their history, so a re-import cannot leave a
duplicate in reviews), gives cards without a state one (rebuilt from their log when they have
one), and sets a disagreeing state to what the log says. Reviewed cards and log rows are never
deleted; a database that fails the integrity check is not touched (restore a backup instead).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from studytool.locations import backups_dir
from studytool.store import db, schema
from studytool.store.backup import backup_before_migration, backup_database
from studytool.store.migrations import SCHEMA_VERSION
from studytool.store.types import JSONText, UTCDateTime, from_utc_text

ERROR = "error"
WARNING = "warning"
MAX_DETAILS = 10

_state = schema.review_state
_STATE_COLUMNS = tuple(c.name for c in _state.columns if c.name != "card_id")
_TIME_COLUMNS = frozenset(c.name for c in _state.columns if isinstance(c.type, UTCDateTime))
_JSON_COLUMNS = frozenset(c.name for c in _state.columns if isinstance(c.type, JSONText))
_DUE = "due"

# Check names (stable: tests and scripts may match on them).
MISSING_FILE = "missing-database"
SCHEMA = "schema-version"
INTEGRITY = "integrity"
FOREIGN_KEYS = "foreign-keys"
CARD_NOTE_GONE = "card-note-gone"
CARD_NOTE_MISSING = "card-note-missing"
STATE_WITHOUT_CARD = "state-without-card"
CARD_WITHOUT_STATE = "card-without-state"
LOG_WITHOUT_CARD = "log-without-card"
LOG_STATE_MISMATCH = "log-state-mismatch"
CHECK_FAILED = "check-failed"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: which check found it, what it is, how to fix it, and examples."""

    check: str
    severity: str
    summary: str
    advice: str
    fixable: bool = False
    count: int = 1
    details: tuple[str, ...] = ()


@dataclass(slots=True)
class HealthReport:
    """What ``doctor`` found (and, after ``--fix``, what it repaired and what remains)."""

    path: Path
    schema_version: int | None
    cards: int = 0
    reviews: int = 0
    findings: list[Finding] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    backup: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def fixable(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.fixable]


def check_database(path: Path) -> HealthReport:
    """Run every check on the database at ``path`` (nothing is written)."""
    path = path.expanduser()
    if not path.is_file():
        return HealthReport(
            path, None,
            findings=[Finding(MISSING_FILE, ERROR, f"{path}: no database here",
                              "check --db / STUDYTOOL_DB; any other command creates it")],
        )  # fmt: skip
    engine = db.create_db_engine(path)
    try:
        return _check(engine, path)
    finally:
        engine.dispose()


def repair_database(path: Path) -> HealthReport:
    """Check, back up, fix what is safe, and check again; the report lists what was fixed."""
    path = path.expanduser()
    first = check_database(path)
    if not first.fixable or any(f.check == INTEGRITY for f in first.findings):
        return first
    backup = backup_database(path, "doctor-fix")
    engine = db.create_db_engine(path)
    fixed: list[str] = []
    try:
        if any(f.check == SCHEMA for f in first.fixable):
            old = db.migrate(engine, path, backup_before_migration)
            fixed.append(f"migrated the schema from version {old} to {SCHEMA_VERSION}")
        with db.write_session(engine) as session:
            fixed += _apply_fixes(session.connection())
        report = _check(engine, path)
    finally:
        engine.dispose()
    report.fixed = fixed
    report.backup = backup
    return report


# Checking ---------------------------------------------------------------------------------------


def _check(engine: Engine, path: Path) -> HealthReport:
    with engine.connect() as connection:
        version = _scalar(connection, "PRAGMA user_version")
        report = HealthReport(path, version)
        schema = _schema_finding(version)
        if schema is not None:
            report.findings.append(schema)
            if schema.severity == ERROR:
                return report
        report.findings += _integrity(connection, path)
        try:
            report.cards = _scalar(connection, "SELECT count(*) FROM card")
            report.reviews = _scalar(connection, "SELECT count(*) FROM review_log")
        except Exception:  # a damaged database: the integrity finding says what to do
            pass
        for check in _ROW_CHECKS:
            try:
                finding = check(connection)
            except Exception as error:  # a damaged database may fail any query
                finding = Finding(
                    CHECK_FAILED, ERROR, f"the check {check.__name__.strip('_')} failed: {error}",
                    _restore_advice(path),
                )  # fmt: skip
            if finding is not None:
                report.findings.append(finding)
    return report


def _scalar(connection: Connection, sql: str) -> int:
    return int(connection.execute(text(sql)).scalar() or 0)


def _schema_finding(version: int) -> Finding | None:
    if version == SCHEMA_VERSION:
        return None
    if version == 0:
        return Finding(
            SCHEMA, ERROR, "the database has no studytool schema (version 0)",
            "point --db at a studytool database, or remove this file and let studytool create one",
        )  # fmt: skip
    if version > SCHEMA_VERSION:
        return Finding(
            SCHEMA, ERROR,
            f"schema version {version} is newer than this studytool knows ({SCHEMA_VERSION})",
            "upgrade studytool to check this database",
        )  # fmt: skip
    return Finding(
        SCHEMA, WARNING, f"schema version {version} is older than the current {SCHEMA_VERSION}",
        "studytool doctor --fix (or any other command) migrates it after making a backup",
        fixable=True,
    )  # fmt: skip


def _restore_advice(path: Path) -> str:
    return (
        f"restore the newest good backup with `studytool restore FILE` (backups are in "
        f"{backups_dir(path)}); or try `sqlite3 {path.name} .recover` on a copy"
    )


def _integrity(connection: Connection, path: Path) -> list[Finding]:
    try:
        rows = [str(row[0]) for row in connection.execute(text("PRAGMA integrity_check(100)"))]
    except Exception as error:
        rows = [str(error)]
    if rows == ["ok"]:
        return []
    return [
        Finding(
            INTEGRITY, ERROR, f"SQLite's integrity check failed ({len(rows)} problems)",
            _restore_advice(path), count=len(rows), details=tuple(rows[:MAX_DETAILS]),
        )
    ]  # fmt: skip


def _finding(
    check: str, severity: str, rows: Sequence[Any], summary: str, advice: str, fixable: bool,
    describe: Any,
) -> Finding | None:  # fmt: skip
    if not rows:
        return None
    details = tuple(describe(row) for row in rows[:MAX_DETAILS])
    return Finding(check, severity, summary.format(n=len(rows)), advice, fixable, len(rows),
                   details)  # fmt: skip


def _foreign_keys(connection: Connection) -> Finding | None:
    """Violations that none of the specific checks below explain."""
    explained = {("card", "note"), ("review_state", "card"), ("review_log", "card")}
    rows = [
        row for row in connection.execute(text("PRAGMA foreign_key_check"))
        if (row[0], row[2]) not in explained
    ]  # fmt: skip
    return _finding(
        FOREIGN_KEYS, ERROR, rows, "{n} rows point at rows that do not exist",
        "report this as a bug; restore a backup if studytool misbehaves", False,
        lambda row: f"{row[0]} row {row[1]} -> missing {row[2]}",
    )  # fmt: skip


def _cards_whose_note_is_gone(connection: Connection) -> Finding | None:
    rows = connection.execute(text(
        "SELECT c.id, c.note_path, c.line, c.retired FROM card c LEFT JOIN note n"
        " ON n.id = c.note_id WHERE c.note_id IS NOT NULL AND n.id IS NULL ORDER BY c.id"
    )).all()  # fmt: skip
    return _finding(
        CARD_NOTE_GONE, ERROR, rows, "{n} cards point at a note row that no longer exists",
        "studytool doctor --fix detaches them and retires them (cards and review history are "
        "kept); re-importing the vault brings them back, history included", True,
        lambda row: f"card {row[0]} ({row[1]}:{row[2]})" + (" retired" if row[3] else ""),
    )  # fmt: skip


def _active_cards_of_missing_notes(connection: Connection) -> Finding | None:
    rows = connection.execute(text(
        "SELECT c.id, c.note_path, c.line FROM card c JOIN note n ON n.id = c.note_id"
        " WHERE n.missing AND NOT c.retired ORDER BY c.id"
    )).all()  # fmt: skip
    return _finding(
        CARD_NOTE_MISSING, WARNING, rows,
        "{n} active cards belong to notes no longer found in their vault",
        "studytool doctor --fix retires them (kept with their history; they come back if the "
        "note returns and is imported again)", True,
        lambda row: f"card {row[0]} ({row[1]}:{row[2]})",
    )  # fmt: skip


def _states_without_card(connection: Connection) -> Finding | None:
    rows = connection.execute(text(
        "SELECT s.card_id FROM review_state s LEFT JOIN card c ON c.id = s.card_id"
        " WHERE c.id IS NULL ORDER BY s.card_id"
    )).all()  # fmt: skip
    return _finding(
        STATE_WITHOUT_CARD, WARNING, rows, "{n} review states belong to no card",
        "studytool doctor --fix deletes them (with no card there is nothing to study)", True,
        lambda row: f"review state of missing card {row[0]}",
    )  # fmt: skip


def _cards_without_state(connection: Connection) -> Finding | None:
    rows = connection.execute(text(
        "SELECT c.id, c.note_path, c.line FROM card c LEFT JOIN review_state s"
        " ON s.card_id = c.id WHERE s.card_id IS NULL ORDER BY c.id"
    )).all()  # fmt: skip
    return _finding(
        CARD_WITHOUT_STATE, WARNING, rows, "{n} cards have no review state",
        "studytool doctor --fix gives each one: the state after its last logged grade, or a "
        "new card's state when it was never graded", True,
        lambda row: f"card {row[0]} ({row[1]}:{row[2]})",
    )  # fmt: skip


def _log_without_card(connection: Connection) -> Finding | None:
    rows = connection.execute(text(
        "SELECT r.card_id, count(*) FROM review_log r LEFT JOIN card c ON c.id = r.card_id"
        " WHERE c.id IS NULL GROUP BY r.card_id ORDER BY r.card_id"
    )).all()  # fmt: skip
    finding = _finding(
        LOG_WITHOUT_CARD, ERROR, rows, "review history of {n} cards that no longer exist",
        "studytool never deletes a reviewed card, so the card table was changed outside "
        "studytool: restore a backup from before that with `studytool restore FILE`; doctor "
        "leaves the history alone", False,
        lambda row: f"card {row[0]}: {row[1]} log rows",
    )  # fmt: skip
    return finding


def _last_logged_states(connection: Connection) -> Iterable[tuple[int, dict[str, Any]]]:
    rows = connection.execute(text(
        "SELECT r.card_id, r.state_after FROM review_log r JOIN"
        " (SELECT card_id, max(id) AS id FROM review_log GROUP BY card_id) last"
        " ON last.id = r.id"
    ))  # fmt: skip
    for card_id, state_after in rows:
        try:
            parsed = json.loads(state_after)
        except (TypeError, ValueError):
            parsed = None
        yield int(card_id), parsed if isinstance(parsed, dict) else {}


def _stored_states(connection: Connection) -> dict[int, dict[str, Any]]:
    columns = ", ".join(_STATE_COLUMNS)
    rows = connection.execute(text(f"SELECT card_id, {columns} FROM review_state")).mappings()
    return {int(row["card_id"]): dict(row) for row in rows}


def _normal(name: str, value: Any) -> Any:
    """A state value in a comparable form (times parsed, JSON decoded), or the raw value."""
    try:
        if name in _TIME_COLUMNS and isinstance(value, str):
            return from_utc_text(value)
        if name in _JSON_COLUMNS and isinstance(value, str):
            return json.loads(value)
    except ValueError:
        return value
    if isinstance(value, bool):
        return int(value)
    return value


def state_differences(logged: dict[str, Any], stored: dict[str, Any]) -> list[str]:
    """The state fields where the last log row's ``state_after`` and the stored state differ.

    A due date *earlier* than the logged one is not a difference: a wrong scenario answer
    brings the cards of the statements it tests forward without grading them.
    """
    return [
        name for name in _STATE_COLUMNS
        if name in logged and not _agrees(name, logged[name], stored.get(name))
    ]  # fmt: skip


def _agrees(name: str, logged: Any, stored: Any) -> bool:
    logged, stored = _normal(name, logged), _normal(name, stored)
    if logged == stored:
        return True
    return name == _DUE and _brought_forward(logged, stored)


def _brought_forward(logged: Any, stored: Any) -> bool:
    return isinstance(logged, datetime) and isinstance(stored, datetime) and stored < logged


def _mismatched_states(connection: Connection) -> list[tuple[int, list[str]]]:
    stored = _stored_states(connection)
    mismatched = []
    for card_id, logged in _last_logged_states(connection):
        state = stored.get(card_id)
        if state is None or not logged:
            continue
        differences = state_differences(logged, state)
        if differences:
            mismatched.append((card_id, differences))
    return sorted(mismatched)


def _log_state_mismatch(connection: Connection) -> Finding | None:
    rows = _mismatched_states(connection)
    fields: Counter[str] = Counter(name for _, names in rows for name in names)
    summary = "{n} cards have a state that differs from their last logged grade"
    if fields:
        summary += " (" + ", ".join(f"{name}: {count}" for name, count in fields.items()) + ")"
    return _finding(
        LOG_STATE_MISMATCH, WARNING, rows, summary,
        "studytool doctor --fix sets each state to what its last logged grade left (the log is "
        "the record of every grade; a backup is made first)", True,
        lambda row: f"card {row[0]}: {', '.join(row[1])}",
    )  # fmt: skip


_ROW_CHECKS = (
    _foreign_keys,
    _cards_whose_note_is_gone,
    _active_cards_of_missing_notes,
    _states_without_card,
    _cards_without_state,
    _log_without_card,
    _log_state_mismatch,
)


# Fixing -----------------------------------------------------------------------------------------


def _apply_fixes(connection: Connection) -> list[str]:
    fixed: list[str] = []
    count = connection.execute(text(
        "DELETE FROM review_state WHERE card_id NOT IN (SELECT id FROM card)"
    )).rowcount  # fmt: skip
    if count:
        fixed.append(f"deleted {count} review states that belonged to no card")
    count = connection.execute(text(
        "UPDATE card SET note_id = NULL, retired = 1"
        " WHERE note_id IS NOT NULL AND note_id NOT IN (SELECT id FROM note)"
    )).rowcount  # fmt: skip
    if count:
        fixed.append(f"detached and retired {count} cards whose note row was gone")
    count = connection.execute(text(
        "UPDATE card SET retired = 1 WHERE NOT retired"
        " AND note_id IN (SELECT id FROM note WHERE missing)"
    )).rowcount  # fmt: skip
    if count:
        fixed.append(f"retired {count} active cards of notes no longer in their vault")
    fixed += _give_states(connection)
    fixed += _align_states_with_log(connection)
    return fixed


def _give_states(connection: Connection) -> list[str]:
    missing = [
        int(row[0]) for row in connection.execute(text(
            "SELECT c.id FROM card c LEFT JOIN review_state s ON s.card_id = c.id"
            " WHERE s.card_id IS NULL"
        ))
    ]  # fmt: skip
    if not missing:
        return []
    logged = dict(_last_logged_states(connection))
    rebuilt = 0
    for card_id in missing:
        state = logged.get(card_id) or {}
        rebuilt += bool(state)
        _write_state(connection, card_id, state)
    fresh = len(missing) - rebuilt
    return [
        f"gave {len(missing)} cards a review state ({rebuilt} rebuilt from their log, {fresh} new)"
    ]


def _align_states_with_log(connection: Connection) -> list[str]:
    mismatched = {card_id for card_id, _ in _mismatched_states(connection)}
    if not mismatched:
        return []
    stored = _stored_states(connection)
    for card_id, logged in _last_logged_states(connection):
        if card_id in mismatched:
            state = dict(logged)
            current = stored[card_id].get(_DUE)
            if _DUE in state and _brought_forward(
                _normal(_DUE, state[_DUE]), _normal(_DUE, current)
            ):
                state[_DUE] = current  # keep a date brought forward by a scenario answer
            _write_state(connection, card_id, state)
    return [f"set the state of {len(mismatched)} cards to what their last logged grade left"]


def _write_state(connection: Connection, card_id: int, snapshot: dict[str, Any]) -> None:
    """Write ``snapshot`` (a logged state; missing fields take the column defaults)."""
    values: dict[str, Any] = {}
    for name in _STATE_COLUMNS:
        if name not in snapshot:
            continue
        value = _normal(name, snapshot[name])
        values[name] = value
    statement = sqlite_insert(_state).values(card_id=card_id, **values)
    if values:
        statement = statement.on_conflict_do_update(index_elements=["card_id"], set_=values)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["card_id"])
    connection.execute(statement)
