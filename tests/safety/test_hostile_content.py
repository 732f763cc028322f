"""Hostile note content: stored as text, never interpreted, and never a way out of the vault.

A note full of things that mean something elsewhere (HTML and script, event handlers, Rich
markup, ANSI escapes, NUL bytes, embeds of ``../../etc/passwd``, absolute paths, symlinks that
point out of the vault) is imported while a Python audit hook records every file the process
opens and every folder it lists. Nothing outside the vault is touched; each hostile embed gives
a ``note:line`` warning; the cards hold the note's words exactly. (The TUI's and the Anki
export's handling of the same text is tested with those parts.)
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from studytool.cli.main import cli
from studytool.store.repository import Repository
from studytool.vault import resolve_embed, scan_path

_EVENTS = {"open", "os.scandir", "os.listdir"}
_recording: list[list[str]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _recording and event in _EVENTS and args and isinstance(args[0], str | bytes | os.PathLike):
        path = os.fsdecode(args[0])
        _recording[-1].append(os.path.realpath(path))


sys.addaudithook(_audit)


@pytest.fixture
def touched() -> Iterator[list[str]]:
    """Every path opened or listed by this process while the test runs (resolved)."""
    paths: list[str] = []
    _recording.append(paths)
    yield paths
    _recording.pop()


HOSTILE_NOTE = """\
# Hostile ==heading text==

- Entity ==&lt;script&gt;alert(1)&lt;/script&gt;== is text
- Attribute ==onerror=alert(1)== stays text
- Markup ==[bold]loud[/]== and a stray [/] here
- Link markup ==[link=file:///etc/passwd]click[/link]== stays
- ANSI ==\x1b[31mred\x1b[0m== escape
- Raw tag ==<script>alert(2)</script>== is markup
- Handler <img src=x onerror=alert(3)> then ==image handler==
- ![[../../etc/passwd]] embeds ==dotdot==
- ![[/etc/passwd]] and ![](/etc/shadow) embed ==absolute paths==
- ![[../secret.png]] embeds ==a sibling of the vault==
- ![[link.png]] embeds ==a symlink out==
- ![[linkdir/secret.txt]] embeds ==through a symlinked folder==
- ![[secret.txt]] embeds ==by name only==
- ![[img/inside.png]] embeds ==a file inside==
"""
#: Highlight -> the exact card answer expected (the note's words, unchanged).
VERBATIM = {
    "entity": "<script>alert(1)</script>",
    "attribute": "onerror=alert(1)",
    "markup": "[bold]loud[/]",
    "link": "[link=file:///etc/passwd]click[/link]",
    "ansi": "\x1b[31mred\x1b[0m",
}
OUTSIDE_EMBEDS = {
    10: "../../etc/passwd",
    11: "/etc/passwd",
    12: "../secret.png",
    13: "link.png",
    14: "linkdir/secret.txt",
    15: "secret.txt",
}


@pytest.fixture
def hostile_vault(tmp_path: Path) -> Path:
    (tmp_path / "secret.png").write_bytes(b"\x89PNG secret outside the vault")
    (tmp_path / "secret.txt").write_text("secret outside the vault")
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "img").mkdir()
    (vault / "img" / "inside.png").write_bytes(b"\x89PNG inside")
    (vault / "link.png").symlink_to(tmp_path / "secret.png")
    (vault / "linkdir").symlink_to(tmp_path, target_is_directory=True)
    (vault / "Hostile.md").write_text(HOSTILE_NOTE, encoding="utf-8")
    (vault / "Nul.md").write_bytes(b"- a ==NUL\x00byte== highlight\n")
    return vault


def _outside(path: str, vault: Path) -> bool:
    return not Path(path).is_relative_to(vault.resolve())


def test_import_never_touches_anything_outside_the_vault(
    hostile_vault: Path, db_path: Path, touched: list[str]
) -> None:
    repository = Repository.open(db_path)
    touched.clear()
    report = repository.import_paths([hostile_vault])
    repository.close()
    tmp = hostile_vault.parent.resolve()
    escaped = [p for p in touched if Path(p).is_relative_to(tmp) and _outside(p, hostile_vault)]
    assert escaped == []
    assert not [p for p in touched if p.startswith(("/etc/", "/root/secret"))]
    assert any(p.endswith("Hostile.md") for p in touched)  # the hook does see the note reads
    assert report.notes_read == 2


def test_each_embed_out_of_the_vault_is_a_warning_and_resolves_to_nothing(
    hostile_vault: Path, repository: Repository
) -> None:
    report = repository.import_paths([hostile_vault])
    for line, target in OUTSIDE_EMBEDS.items():
        expected = f"Hostile.md:{line}: embedded file not found in the vault: {target}"
        assert expected in report.warnings
    assert not [w for w in report.warnings if "inside.png" in w]
    scan = scan_path(hostile_vault)
    for target in [*OUTSIDE_EMBEDS.values(), "/etc/shadow", "C:\\Windows\\win.ini", "..",
                   "img/../../secret.png", "../vault/../secret.png"]:  # fmt: skip
        assert resolve_embed(scan, "Hostile.md", target) is None, target
    inside = resolve_embed(scan, "Hostile.md", "img/inside.png")
    assert inside == hostile_vault / "img" / "inside.png"


def test_a_note_with_nul_bytes_is_skipped_with_a_warning(
    hostile_vault: Path, repository: Repository
) -> None:
    report = repository.import_paths([hostile_vault])
    assert "Nul.md:1: binary file, skipped" in report.warnings
    assert not [card for card in repository.list_cards() if card.note == "Nul.md"]
    assert report.cards_new == 15


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_named_pipe_called_md_is_skipped_with_a_warning_not_waited_on(
    tmp_path: Path, repository: Repository
) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Real.md").write_text("- a ==fact==\n", encoding="utf-8")
    os.mkfifo(vault / "Pipe.md")  # reading it would block until a writer comes
    reports: list[Any] = []
    worker = threading.Thread(
        target=lambda: reports.append(repository.import_paths([vault])), daemon=True
    )
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the import waited on the pipe"
    [report] = reports
    assert "Pipe.md:1: not a regular file (a pipe, socket or device), skipped" in report.warnings
    assert [card.answer for card in repository.list_cards()] == ["fact"]


def test_cards_store_the_notes_words_exactly(hostile_vault: Path, repository: Repository) -> None:
    repository.import_paths([hostile_vault])
    answers = {card.answer: card for card in repository.list_cards()}
    for answer in VERBATIM.values():
        assert answer in answers, answer
    assert answers["[bold]loud[/]"].text == "Markup [bold]loud[/] and a stray [/] here"
    assert answers["\x1b[31mred\x1b[0m"].prompt == "ANSI [...] escape"
    for card in answers.values():
        assert "<script" not in card.text.replace("<script>alert(1)</script>", "")
        assert "onerror=alert(3)" not in card.text  # a raw HTML tag is markup, not text


def test_cards_json_gives_the_same_strings_back(hostile_vault: Path, db_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db_path), "import", str(hostile_vault)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["--db", str(db_path), "cards", "--json"])
    assert result.exit_code == 0
    answers = {card["answer"] for card in json.loads(result.stdout)}
    assert set(VERBATIM.values()) <= answers
