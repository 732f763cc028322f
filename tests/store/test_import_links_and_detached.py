"""Importing symlinked notes, cards detached by ``doctor --fix``, folders with no usable note."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from studytool.store.health import CARD_NOTE_GONE, check_database, repair_database
from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService
from tests.conftest import WriteNote

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
REAL = "- A NAT gateway needs an ==Elastic IP==\n- It scales to ==100 Gbps==\n"


def _answers(repository: Repository) -> list[str]:
    return sorted(card.answer for card in repository.list_cards(include_retired=False))


def _never_read(monkeypatch: pytest.MonkeyPatch, forbidden: Path) -> list[Path]:
    """Make reading anything under ``forbidden`` fail the test; return every path read."""
    real_read_bytes = Path.read_bytes
    read: list[Path] = []

    def guarded(self: Path) -> bytes:
        read.append(self)
        assert not self.resolve().is_relative_to(forbidden.resolve()), f"read {self}"
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", guarded)
    return read


# Symlinks ---------------------------------------------------------------------------------------


def test_a_link_to_a_note_in_the_vault_is_skipped_and_the_note_imported_once(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    write_note("Real.md", REAL)
    (vault / "Alias.md").symlink_to(vault / "Real.md")
    report = repository.import_paths([vault])
    assert _answers(repository) == ["100 Gbps", "Elastic IP"]
    assert {card.note for card in repository.list_cards()} == {"Real.md"}
    assert report.warnings == ["Alias.md:1: a link to Real.md, which is imported itself; skipped"]
    assert (report.notes_read, report.notes_changed, report.notes_skipped) == (2, 1, 1)
    assert report.cards_new == 2 and not report.failed


def test_a_link_in_a_scanned_folder_to_a_note_elsewhere_in_the_vault_is_skipped(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    write_note("Other/Real.md", REAL)
    write_note("Course/Own.md", "- x is ==5==\n")
    (vault / "Course" / "Alias.md").symlink_to(vault / "Other" / "Real.md")
    report = repository.import_paths([vault / "Course"])
    assert _answers(repository) == ["5"]
    assert report.warnings == [
        "Course/Alias.md:1: a link to Other/Real.md (a note is imported only from where it "
        "really is); skipped"
    ]


def test_links_out_of_the_vault_are_warned_about_and_never_read(
    repository: Repository,
    vault: Path,
    write_note: WriteNote,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("- the password is ==hunter2==\n", encoding="utf-8")
    (outside / "picture.png").write_bytes(b"\x89PNG outside")
    write_note("Own.md", "- x is ==5==\n")
    (vault / "x.md").symlink_to(outside / "secret.md")
    (vault / "Ext").symlink_to(outside, target_is_directory=True)
    (vault / "pic.png").symlink_to(outside / "picture.png")
    read = _never_read(monkeypatch, outside)
    report = repository.import_paths([vault])
    assert _answers(repository) == ["5"]
    assert sorted(report.warnings) == [
        "Ext:1: a link to a folder outside the vault; skipped",
        "pic.png:1: a link to a file outside the vault; skipped",
        "x.md:1: a link to a file outside the vault; skipped",
    ]
    assert read == [vault.resolve() / "Own.md"]
    assert (report.notes_read, report.notes_skipped) == (2, 1)


def test_symlink_loops_end_with_a_warning(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    write_note("Sub/Own.md", "- x is ==5==\n")
    (vault / "a.md").symlink_to(vault / "b.md")
    (vault / "b.md").symlink_to(vault / "a.md")
    (vault / "Sub" / "up").symlink_to(vault, target_is_directory=True)
    (vault / "self").symlink_to(vault / "self")
    report = repository.import_paths([vault])
    assert _answers(repository) == ["5"]
    nowhere = "a link that leads nowhere (its target is missing, or it loops); skipped"
    assert sorted(report.warnings) == [
        "Sub/up:1: a link to the vault folder (a note is imported only from where it really "
        "is); skipped",
        f"a.md:1: {nowhere}",
        f"b.md:1: {nowhere}",
    ]


# Cards detached by doctor --fix -----------------------------------------------------------------


def _history(db_path: Path) -> tuple[list[tuple[int, int, int]], int]:
    """Every card's (id, retired, repetitions) and the number of logged reviews."""
    connection = sqlite3.connect(db_path)
    cards = connection.execute(
        "SELECT card.id, card.retired, review_state.repetitions FROM card"
        " JOIN review_state ON review_state.card_id = card.id ORDER BY card.id"
    ).fetchall()
    logged = connection.execute("SELECT count(*) FROM review_log").fetchone()[0]
    connection.close()
    return cards, logged


def test_cards_detached_by_doctor_fix_come_back_with_their_history_on_reimport(
    db_path: Path, vault: Path, write_note: WriteNote
) -> None:
    write_note("AWS/NAT.md", REAL)
    repository = Repository.open(db_path, clock=lambda: NOW)
    repository.import_paths([vault])
    ids = {card.answer: card.id for card in repository.list_cards()}
    service = ReviewService(repository, tz=UTC)
    session = service.start_session()
    service.grade(session, ids["Elastic IP"], 5)
    service.grade(session, ids["100 Gbps"], 4)
    repository.close()
    before, logged = _history(db_path)
    assert [reps for _, _, reps in before] == [1, 1] and logged == 2

    damage = sqlite3.connect(db_path, isolation_level=None)
    damage.execute("PRAGMA foreign_keys=OFF")
    damage.execute("DELETE FROM note")
    damage.close()
    assert [f.check for f in check_database(db_path).findings] == [CARD_NOTE_GONE]
    assert repair_database(db_path).ok
    detached, _ = _history(db_path)
    assert [retired for _, retired, _ in detached] == [1, 1]

    repository = Repository.open(db_path, clock=lambda: NOW)
    report = repository.import_paths([vault])
    cards = {card.answer: card for card in repository.list_cards()}
    repository.close()
    assert (report.cards_new, report.cards_restored) == (0, 2)
    assert {answer: card.id for answer, card in cards.items()} == ids
    assert all(not card.retired and card.vault == str(vault.resolve()) for card in cards.values())
    after, logged_after = _history(db_path)
    assert after == [(card_id, 0, 1) for card_id, _, _ in before]
    assert logged_after == 2
    assert check_database(db_path).findings == []


def test_detached_cards_of_a_highlight_that_did_not_return_stay_retired(
    db_path: Path, vault: Path, write_note: WriteNote
) -> None:
    note = write_note("AWS/NAT.md", REAL)
    repository = Repository.open(db_path, clock=lambda: NOW)
    repository.import_paths([vault])
    ids = {card.answer: card.id for card in repository.list_cards()}
    repository.close()
    damage = sqlite3.connect(db_path, isolation_level=None)
    damage.execute("PRAGMA foreign_keys=OFF")
    damage.execute("DELETE FROM note")
    damage.close()
    assert repair_database(db_path).ok
    note.write_text("- A NAT gateway needs an ==Elastic IP==\n", encoding="utf-8")
    repository = Repository.open(db_path, clock=lambda: NOW)
    report = repository.import_paths([vault])
    active = {card.answer: card.id for card in repository.list_cards(include_retired=False)}
    retired = [card.id for card in repository.list_cards() if card.retired]
    repository.close()
    assert (report.cards_new, report.cards_restored, report.cards_retired) == (0, 1, 0)
    assert active == {"Elastic IP": ids["Elastic IP"]}
    assert retired == [ids["100 Gbps"]]


# Folders with nothing to import ------------------------------------------------------------------


def test_a_folder_whose_only_note_is_binary_imports_nothing_and_says_skipped(
    repository: Repository, tmp_path: Path
) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "x.md").write_bytes(b"\x00\x01\x02PNG\x00\x00" * 20)
    for _ in range(2):  # not recorded: the next import looks at it (and warns) again
        report = repository.import_paths([folder])
        assert (report.notes_read, report.notes_changed, report.notes_skipped) == (1, 0, 1)
        assert report.warnings == ["x.md:1: binary file, skipped"]
        assert report.failed
        assert report.summary()["notes_skipped"] == 1
    assert repository.list_cards() == []


def test_a_folder_with_no_note_says_so_and_fails_unless_it_is_an_obsidian_vault(
    repository: Repository, tmp_path: Path, vault: Path
) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "photo.png").write_bytes(b"\x89PNG")
    report = repository.import_paths([folder])
    assert report.warnings == [f"no Markdown notes (.md) found in {folder}"]
    assert report.notes_read == 0 and report.failed
    report = repository.import_paths([vault])
    assert report.warnings == [f"no Markdown notes (.md) found in {vault}"]
    assert not report.failed


def test_a_vault_whose_notes_were_all_deleted_is_not_a_failure(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    note = write_note("a.md", "- x is ==5==\n")
    repository.import_paths([vault])
    note.unlink()
    report = repository.import_paths([vault])
    assert (report.notes_missing, report.cards_retired) == (1, 1)
    assert report.warnings == [f"no Markdown notes (.md) found in {vault}"]
    assert not report.failed
