"""Importing vaults into the store: read and parse outside the lock, apply in one transaction.

For each vault named: notes whose bytes are unchanged since the last import are skipped (that
is what makes a re-import cheap); changed notes are parsed into card drafts; drafts are matched
to the cards of the changed and vanished notes (:mod:`studytool.identity`); then, in one write
transaction, new cards are inserted, matched cards updated (or restored when they had been
retired), and cards whose highlight is gone are retired. Nothing is ever deleted.
"""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, func, insert, select, update

from studytool.cards import CARD_RULES_REVISION, SCENARIO, CardDraft, drafts_from_note
from studytool.identity import ExistingCard, match_cards
from studytool.parsing import decode_note_bytes, parse_note
from studytool.parsing.model import ScenarioBlock
from studytool.store import schema
from studytool.store.db import write_session
from studytool.store.records import ImportReport
from studytool.store.utc import to_utc_text
from studytool.vault import NoteFile, VaultScan, deck_for, resolve_embed, scan_path

_T = TypeVar("_T")

#: Called as ``progress(description, done, total)`` while notes are read.
Progress = Callable[[str, int, int], None]

_note = schema.note
_card = schema.card
_state = schema.review_state
_run = schema.import_run

_CARD_FIELDS = (
    "kind", "note_path", "line", "context", "text", "prompt", "answer", "answer_start",
    "answer_end", "group_key", "ordinal", "tags", "colour", "deck", "extra",
)  # fmt: skip


@dataclass(slots=True)
class _ReadNote:
    """One note file as read from disk, parsed only when it changed."""

    file: NoteFile
    content_hash: str
    mtime: datetime
    deck: str = ""
    drafts: list[CardDraft] | None = None


@dataclass(slots=True)
class _VaultPlan:
    scan: VaultScan
    read: list[_ReadNote] = field(default_factory=list)


#: An import that would retire more than this share of the active cards backs up first.
MASS_RETIRE_SHARE = 0.10


@dataclass(slots=True)
class _RetireGuard:
    """Calls the backup hook once, before the import retires more than 10% of the cards.

    The backup reads through its own connection, so even from inside the import's open
    transaction it copies the database as it was before this import.
    """

    active_before: int
    backup: Callable[[], object] | None
    retired: int = 0
    fired: bool = False
    made: object = None  # what the backup hook returned (the backup's path)

    def before_retiring(self, count: int) -> None:
        self.retired += count
        over = self.retired > MASS_RETIRE_SHARE * self.active_before
        if over and not self.fired and self.backup is not None:
            self.fired = True
            self.made = self.backup()


def run_import(
    engine: Engine,
    paths: Sequence[Path],
    now: datetime,
    progress: Progress | None = None,
    backup_before_mass_retire: Callable[[], object] | None = None,
) -> ImportReport:
    """Import every path (vault folder, folder in a vault, or note) in one transaction."""
    report = ImportReport(sources=[str(path) for path in paths])
    plans = _scan_all(paths, report)
    known = _known_hashes(engine, plans)
    _read_all(plans, known, report, progress)
    if report.notes_read or any(plan.scan.complete for plan in plans):
        with write_session(engine) as session:
            connection = session.connection()
            active = connection.execute(
                select(func.count()).select_from(_card).where(_card.c.retired.is_(False))
            ).scalar_one()
            guard = _RetireGuard(int(active), backup_before_mass_retire)
            for plan in plans:
                _apply_vault(connection, plan, now, report, guard)
            if guard.made is not None:
                report.backup = str(guard.made)
            connection.execute(
                insert(_run).values(
                    started_at=now, finished_at=now, sources=report.sources,
                    summary=report.summary(),
                )
            )  # fmt: skip
    return report


def _scan_all(paths: Sequence[Path], report: ImportReport) -> list[_VaultPlan]:
    plans: list[_VaultPlan] = []
    for path in paths:
        if not path.exists():
            report.errors.append(f"{path}: no such file or folder")
            continue
        if path.is_file() and path.suffix.lower() != ".md":
            report.errors.append(f"{path}: not a Markdown note (.md)")
            continue
        try:
            scan = scan_path(path)
        except OSError as error:
            report.errors.append(f"{path}: cannot read: {error.strerror or error}")
            continue
        _note_scan_findings(path, scan, report)
        plans.append(_VaultPlan(scan=scan))
    return plans


def _note_scan_findings(path: Path, scan: VaultScan, report: ImportReport) -> None:
    """Report the links a scan skipped, and a folder holding no note at all."""
    report.warnings.extend(scan.warnings)
    report.notes_read += scan.skipped_notes
    report.notes_skipped += scan.skipped_notes
    if scan.complete and not scan.notes and not scan.skipped_notes:
        report.warnings.append(f"no Markdown notes (.md) found in {path}")
        if not (scan.root / ".obsidian").is_dir():
            report.folders_without_notes += 1


def _known_hashes(engine: Engine, plans: list[_VaultPlan]) -> dict[tuple[str, str], str]:
    vaults = {str(plan.scan.root) for plan in plans}
    if not vaults:
        return {}
    with engine.connect() as connection:
        rows = connection.execute(
            select(_note.c.vault, _note.c.path, _note.c.content_hash).where(
                _note.c.vault.in_(vaults), _note.c.missing.is_(False)
            )
        )
        return {(vault, path): content_hash for vault, path, content_hash in rows}


def _read_all(
    plans: list[_VaultPlan],
    known: dict[tuple[str, str], str],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    total = sum(len(plan.scan.notes) for plan in plans)
    done = 0
    for plan in plans:
        vault = str(plan.scan.root)
        for note_file in plan.scan.notes:
            read = _read_note(plan.scan, note_file, known.get((vault, note_file.rel)), report)
            if read is not None:
                plan.read.append(read)
            done += 1
            if progress is not None:
                progress(note_file.rel, done, total)


def note_fingerprint(data: bytes) -> str:
    """What tells an unchanged note: its bytes, and the rules that turned them into cards.

    A new :data:`~studytool.cards.CARD_RULES_REVISION` makes every stored fingerprint differ
    once (before revision 2 it was the plain SHA-1 of the bytes), so the next import re-reads
    every note with the new rules.
    """
    digest = hashlib.sha1(
        f"studytool card rules {CARD_RULES_REVISION}\n".encode(), usedforsecurity=False
    )
    digest.update(data)
    return digest.hexdigest()


def _read_note(
    scan: VaultScan, note_file: NoteFile, known_hash: str | None, report: ImportReport
) -> _ReadNote | None:
    """Read and, when its bytes changed, parse one note; None when there is nothing to import.

    A note imported before that cannot be read or parsed this time (permissions, a sync tool
    half-way through writing it, bytes that are no longer text) keeps its cards exactly as they
    were: it is reported and counted as unchanged, never taken for a note whose highlights are
    gone. Its stored hash stays the old one, so the next import reads it again. A new note that
    cannot be used is reported and counted as skipped, and is not recorded: the next import
    looks at it again.
    """
    report.notes_read += 1
    try:
        status = note_file.path.stat()
        if not stat.S_ISREG(status.st_mode):  # reading a named pipe would wait forever
            problem = "not a regular file (a pipe, socket or device)"
            if known_hash is None:
                return _skipped([f"{note_file.rel}:1: {problem}, skipped"], report)
            return _kept(note_file, known_hash, datetime.now(UTC), problem, report)
        data = note_file.path.read_bytes()
        mtime = datetime.fromtimestamp(status.st_mtime, UTC)
    except OSError as error:
        problem = f"cannot read file: {error.strerror or error}"
        if known_hash is None:
            return _skipped([f"{note_file.rel}:1: {problem}"], report)
        return _kept(note_file, known_hash, datetime.now(UTC), problem, report)
    content_hash = note_fingerprint(data)
    read = _ReadNote(file=note_file, content_hash=content_hash, mtime=mtime)
    if content_hash == known_hash:
        report.notes_unchanged += 1
        return read
    text, decode_warnings = decode_note_bytes(data, note_file.rel)
    parsed = None if text is None else parse_note(text, note_file.rel)
    if parsed is None or parsed.skipped:
        warnings = decode_warnings if parsed is None else parsed.warnings
        if known_hash is None:
            lines = [str(warning) for warning in warnings]
            return _skipped(lines or [f"{note_file.rel}:1: cannot be parsed, skipped"], report)
        problem = "; ".join(warning.message for warning in warnings) or "cannot be parsed"
        return _kept(note_file, known_hash, mtime, problem, report)
    report.notes_changed += 1
    report.warnings.extend(str(warning) for warning in decode_warnings)
    report.warnings.extend(str(warning) for warning in parsed.warnings)
    for embed in parsed.embeds:
        if resolve_embed(scan, note_file.rel, embed.target) is None:
            report.warnings.append(
                f"{note_file.rel}:{embed.line}: embedded file not found in the vault: "
                f"{embed.target}"
            )
    read.deck = parsed.deck or deck_for(note_file.rel, scan.root)
    drafts = drafts_from_note(parsed, read.deck)
    if parsed.scenarios:
        drafts = _valid_scenarios(drafts, parsed.scenarios, note_file.rel, report)
    read.drafts = drafts
    return read


def _skipped(warnings: list[str], report: ImportReport) -> None:
    """A new note that cannot be used: reported, counted as skipped, not recorded."""
    report.warnings.extend(warnings)
    report.notes_skipped += 1


def _kept(
    note_file: NoteFile, known_hash: str, mtime: datetime, problem: str, report: ImportReport
) -> _ReadNote:
    """A note imported before that could not be used now: its cards stay as they were."""
    report.warnings.append(
        f"{note_file.rel}:1: {problem}; its cards from the last import are kept as they were"
    )
    report.notes_unchanged += 1
    return _ReadNote(file=note_file, content_hash=known_hash, mtime=mtime)


def _valid_scenarios(
    drafts: list[CardDraft], blocks: list[ScenarioBlock], note: str, report: ImportReport
) -> list[CardDraft]:
    """Check each fenced scenario block with the rule model; a bad one becomes warnings only.

    Lines in the messages are lines of the note (the block's opening fence is ``line - 1``).
    """
    from studytool.scenarios.scenario_file import ScenarioError, load_scenario

    rejected: set[int] = set()
    for block in blocks:
        try:
            scenario = load_scenario(block.source, filename=note, line_offset=block.line - 1)
        except ScenarioError as error:
            rejected.add(block.line)
            report.warnings.extend(f"{issue} (scenario block skipped)" for issue in error.issues)
            report.warnings.extend(issue.as_warning() for issue in error.warnings)
            continue
        report.warnings.extend(str(issue) for issue in scenario.warnings)
    return [d for d in drafts if not (d.kind == SCENARIO and d.line in rejected)]


def _apply_vault(
    connection: Any, plan: _VaultPlan, now: datetime, report: ImportReport, guard: _RetireGuard
) -> None:
    vault = str(plan.scan.root)
    stored = {
        row.path: row
        for row in connection.execute(
            select(_note.c.id, _note.c.path, _note.c.content_hash, _note.c.missing).where(
                _note.c.vault == vault
            )
        )
    }
    seen = {read.file.rel for read in plan.read}
    changed = [read for read in plan.read if read.drafts is not None]
    vanished = [
        row for path, row in stored.items()
        if path not in seen and not row.missing and plan.scan.covers(path)
    ]  # fmt: skip
    unchanged = [stored[read.file.rel].id for read in plan.read if read.drafts is None]
    report.cards_unchanged += _active_card_count(connection, unchanged)
    if not changed and not vanished:
        return
    note_ids = _upsert_notes(connection, vault, changed, stored, now)
    if vanished:
        connection.execute(
            update(_note).where(_note.c.id.in_([row.id for row in vanished])).values(missing=True)
        )
        report.notes_missing += len(vanished)
    candidate_note_ids = [note_ids[read.file.rel] for read in changed] + [r.id for r in vanished]
    existing = _existing_cards(connection, candidate_note_ids)
    existing.update(_detached_cards(connection, [read.file.rel for read in changed]))
    drafts = [draft for read in changed for draft in (read.drafts or [])]
    matching = match_cards(drafts, [card for card, _ in existing.values()])
    _update_matched(connection, drafts, matching.pairs, existing, note_ids, now, report)
    _insert_new(connection, [drafts[i] for i in matching.new_drafts], note_ids, now, report)
    _retire(connection, matching.unmatched_cards, existing, now, report, guard)


#: SQLite limits the number of bound parameters: long IN (...) lists are sent in chunks.
_IN_CHUNK = 500


def _chunks(values: Sequence[_T]) -> Iterator[Sequence[_T]]:
    """``values`` in slices short enough for one ``IN (...)`` list."""
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def _active_card_count(connection: Any, note_ids: list[int]) -> int:
    total = 0
    for chunk in _chunks(note_ids):
        query = select(func.count()).where(_card.c.note_id.in_(chunk), _card.c.retired.is_(False))
        total += int(connection.execute(query).scalar_one())
    return total


def _upsert_notes(
    connection: Any, vault: str, changed: list[_ReadNote], stored: dict[str, Any], now: datetime
) -> dict[str, int]:
    """Insert or update the changed notes' rows; return every changed note's id by path."""
    stamp = to_utc_text(now)
    fresh = [read for read in changed if read.file.rel not in stored]
    known = [read for read in changed if read.file.rel in stored]
    if fresh:
        connection.exec_driver_sql(
            "INSERT INTO note (vault, path, content_hash, mtime, deck, missing, imported_at) "
            "VALUES (?, ?, ?, ?, ?, 0, ?)",
            [(vault, r.file.rel, r.content_hash, to_utc_text(r.mtime), r.deck, stamp)
             for r in fresh],
        )  # fmt: skip
    if known:
        connection.exec_driver_sql(
            "UPDATE note SET content_hash = ?, mtime = ?, deck = ?, missing = 0, imported_at = ? "
            "WHERE id = ?",
            [(r.content_hash, to_utc_text(r.mtime), r.deck, stamp, stored[r.file.rel].id)
             for r in known],
        )  # fmt: skip
    note_ids = {read.file.rel: int(stored[read.file.rel].id) for read in known}
    if fresh:
        rows = connection.execute(select(_note.c.path, _note.c.id).where(_note.c.vault == vault))
        wanted = {read.file.rel for read in fresh}
        note_ids.update({path: int(note_id) for path, note_id in rows if path in wanted})
    return note_ids


_Existing = dict[int, tuple[ExistingCard, dict[str, Any]]]


def _existing_cards(connection: Any, note_ids: list[int]) -> _Existing:
    """The cards of these notes, retired ones included."""
    existing: _Existing = {}
    for chunk in _chunks(note_ids):
        _add_cards(existing, connection.execute(select(_card).where(_card.c.note_id.in_(chunk))))
    return existing


def _detached_cards(connection: Any, note_paths: list[str]) -> _Existing:
    """Retired cards with no note row whose note path is one of these notes'.

    ``doctor --fix`` detaches (and retires) the cards of a note row that was lost; when that
    note is imported again they are matched like the cards of a vanished note, so a returning
    highlight gets its card back, history and all. The card table does not say which vault a
    detached card came from: its path within the vault is what ties it to the note.
    """
    existing: _Existing = {}
    for chunk in _chunks(note_paths):
        query = select(_card).where(
            _card.c.note_id.is_(None), _card.c.retired.is_(True), _card.c.note_path.in_(chunk)
        )
        _add_cards(existing, connection.execute(query))
    return existing


def _add_cards(existing: _Existing, rows: Any) -> None:
    for row in rows.mappings():
        card = ExistingCard(
            card_id=row["id"], kind=row["kind"], note=row["note_path"], text=row["text"],
            answer=row["answer"], ordinal=row["ordinal"], line=row["line"],
        )  # fmt: skip
        existing[row["id"]] = (card, dict(row))


def _draft_values(draft: CardDraft, note_ids: dict[str, int]) -> dict[str, Any]:
    return {
        "kind": draft.kind, "note_id": note_ids[draft.note], "note_path": draft.note,
        "line": draft.line, "context": list(draft.context), "text": draft.text,
        "prompt": draft.prompt, "answer": draft.answer, "answer_start": draft.answer_start,
        "answer_end": draft.answer_end, "group_key": draft.group, "ordinal": draft.ordinal,
        "tags": list(draft.tags), "colour": draft.colour, "deck": draft.deck,
        "extra": draft.extra,
    }  # fmt: skip


def _update_matched(
    connection: Any,
    drafts: list[CardDraft],
    pairs: list[tuple[int, int]],
    existing: _Existing,
    note_ids: dict[str, int],
    now: datetime,
    report: ImportReport,
) -> None:
    for draft_index, card_id in pairs:
        values = _draft_values(drafts[draft_index], note_ids)
        stored = existing[card_id][1]
        differs = any(stored[name] != values[name] for name in (*_CARD_FIELDS, "note_id"))
        if stored["retired"]:
            report.cards_restored += 1
        elif differs:
            report.cards_updated += 1
        else:
            report.cards_unchanged += 1
            continue
        connection.execute(
            update(_card)
            .where(_card.c.id == card_id)
            .values(**values, retired=False, updated_at=now)
        )


_INSERT_CARD = (
    "INSERT INTO card (key, kind, note_id, note_path, line, context, text, prompt, answer, "
    "answer_start, answer_end, group_key, ordinal, tags, colour, deck, extra, position, retired, "
    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)"
)
_INSERT_MISSING_STATES = (
    "INSERT INTO review_state (card_id) SELECT card.id FROM card "
    "LEFT JOIN review_state ON review_state.card_id = card.id WHERE review_state.card_id IS NULL"
)


def _insert_new(
    connection: Any,
    drafts: list[CardDraft],
    note_ids: dict[str, int],
    now: datetime,
    report: ImportReport,
) -> None:
    """Insert new cards and their (new) review states with plain executemany: the hot path."""
    if not drafts:
        return
    next_position = int(connection.execute(select(func.max(_card.c.position))).scalar() or 0) + 1
    bases = [_base_key(draft) for draft in drafts]
    taken = _taken_keys(connection, bases)
    stamp = to_utc_text(now)
    rows = [
        (
            _new_key(connection, base, taken), draft.kind, note_ids[draft.note], draft.note,
            draft.line, _json(list(draft.context)), draft.text, draft.prompt, draft.answer,
            draft.answer_start, draft.answer_end, draft.group, draft.ordinal,
            _json(list(draft.tags)), draft.colour, draft.deck, draft.extra,
            next_position + offset, stamp, stamp,
        )
        for offset, (draft, base) in enumerate(zip(drafts, bases, strict=True))
    ]  # fmt: skip
    connection.exec_driver_sql(_INSERT_CARD, rows)
    connection.exec_driver_sql(_INSERT_MISSING_STATES)
    report.cards_new += len(rows)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _taken_keys(connection: Any, wanted: list[str]) -> set[str]:
    taken: set[str] = set()
    for chunk in _chunks(wanted):
        taken.update(
            connection.execute(select(_card.c.key).where(_card.c.key.in_(chunk))).scalars()
        )
    return taken


def _base_key(draft: CardDraft) -> str:
    material = "\x1f".join((draft.kind, draft.note, draft.text, draft.answer, str(draft.ordinal)))
    return hashlib.sha1(material.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def _new_key(connection: Any, base: str, taken: set[str]) -> str:
    """A stable key: derived from the card's content when first seen, then never changed."""
    key, counter = base, 1
    while key in taken or (key != base and _key_exists(connection, key)):
        key = f"{base}-{counter}"
        counter += 1
    taken.add(key)
    return key


def _key_exists(connection: Any, key: str) -> bool:
    return connection.execute(select(_card.c.id).where(_card.c.key == key)).first() is not None


def _retire(
    connection: Any,
    card_ids: list[int],
    existing: _Existing,
    now: datetime,
    report: ImportReport,
    guard: _RetireGuard,
) -> None:
    to_retire = [card_id for card_id in card_ids if not existing[card_id][1]["retired"]]
    if to_retire:
        guard.before_retiring(len(to_retire))
        connection.execute(
            update(_card).where(_card.c.id.in_(to_retire)).values(retired=True, updated_at=now)
        )
    report.cards_retired += len(to_retire)
