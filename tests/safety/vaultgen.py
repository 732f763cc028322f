"""Generated vaults for the safety tests: many notes in the bundled notes' style, two versions.

Version 1 is the vault a user imported and studied; version 2 is the same vault a week later:
some notes edited (highlights reworded, added, removed), some deleted, many new. Importing
version 2 over version 1 inserts, updates and retires cards, so a killed import has something
to lose.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = (
    "tunnel", "gateway", "subnet", "route", "table", "instance", "address", "traffic",
    "connection", "zone", "region", "policy", "bandwidth", "latency", "cache", "request",
)  # fmt: skip
COLOURS = ("#FFB86CA6", "#FFF3A3A6", "#BBFABBA6", "#ADCCFFA6")


def note_text(number: int, highlights: int, version: int) -> str:
    """One note; in version 2 every third highlight of an edited note is reworded."""
    rng = random.Random(number)
    lines = ["---", "tags: [safety]", "---", f"# Note {number}", ""]
    for index in range(highlights):
        if index % 6 == 0:
            lines += ["", f"## Section {index // 6}", "", "- These parts matter:"]
        fact = f"{rng.choice(WORDS)} {number}-{index} {rng.choice(WORDS)}"
        if version == 2 and index % 3 == 0:
            fact = f"reworded {fact} v2"
        before = " ".join(rng.choices(WORDS, k=4)).capitalize()
        if index % 2:
            lines.append(f"\t- {before} =={fact}== here")
        else:
            colour = rng.choice(COLOURS)
            lines.append(f'\t- {before} <mark style="background: {colour};">{fact}</mark>')
    return "\n".join(lines) + "\n"


def write_vault(root: Path, notes: int, highlights: int = 20, version: int = 1) -> Path:
    """Write (or rewrite) the vault for ``version`` under ``root``.

    Version 2 edits notes 0..notes/4, deletes the last tenth of version 1's notes and adds as
    many new notes again as version 1 had.
    """
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    if version == 1:
        numbers = range(notes)
    else:
        for number in range(notes - notes // 10, notes):
            _path(root, number).unlink(missing_ok=True)
        numbers = [*range(notes // 4), *range(notes, 2 * notes)]
    for number in numbers:
        path = _path(root, number)
        path.parent.mkdir(parents=True, exist_ok=True)
        edited = version == 2 and number < notes // 4
        path.write_text(note_text(number, highlights, 2 if edited else 1), encoding="utf-8")
    return root


def _path(root: Path, number: int) -> Path:
    return root / f"Topic {number // 100:02d}" / f"Note {number:05d}.md"
