"""Generate a synthetic Obsidian vault in the bundled notes' style, for benchmarks.

Each note has YAML frontmatter, headings, tab-nested bullets, Highlightr marks in several
colours and ``==`` highlights, a wikilink and an inline tag: the shapes the importer meets.
"""

from __future__ import annotations

import random
from pathlib import Path

COLOURS = ("#FFB86CA6", "#FFF3A3A6", "#BBFABBA6", "#ADCCFFA6", "#FF5582A6")
TOPICS = ("VPN", "NAT", "Gateway", "Subnet", "Cache", "Transit", "Route", "Peering")
WORDS = (
    "tunnel", "gateway", "subnet", "route", "table", "instance", "address", "traffic",
    "connection", "zone", "region", "policy", "bandwidth", "latency", "cache", "request",
)  # fmt: skip


def _sentence(rng: random.Random, highlight: str) -> str:
    before = " ".join(rng.choices(WORDS, k=rng.randint(3, 7)))
    after = " ".join(rng.choices(WORDS, k=rng.randint(0, 4)))
    return f"{before.capitalize()} {highlight} {after}".rstrip()


def _highlight(rng: random.Random, index: int) -> str:
    fact = f"{rng.choice(WORDS)} {index} {rng.choice(WORDS)}"
    if rng.random() < 0.25:
        return f"=={fact}=="
    return f'<mark style="background: {rng.choice(COLOURS)};">{fact}</mark>'


def note_text(rng: random.Random, number: int, highlights: int) -> str:
    """One note with ``highlights`` highlighted statements."""
    lines = ["---", f"tags: [bench, {rng.choice(TOPICS).lower()}]", "---",
             f"# Note {number}", ""]  # fmt: skip
    for index in range(highlights):
        if index % 5 == 0:
            lines += ["", f"## {rng.choice(TOPICS)} section {index // 5}", ""]
            lines.append(f"- {rng.choice(TOPICS)} has these parts, see [[Note {number + 1}]]:")
        lines.append("\t- " + _sentence(rng, _highlight(rng, number * 1000 + index)))
        if index % 7 == 0:
            lines.append("\t\t- a detail without highlight #bench")
    return "\n".join(lines) + "\n"


def generate_vault(
    root: Path, notes: int = 2000, highlights_per_note: int = 20, seed: int = 7
) -> Path:
    """Write the vault under ``root`` (folders of 100 notes) and return ``root``."""
    rng = random.Random(seed)
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    for number in range(notes):
        folder = root / f"Topic {number // 100:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"Note {number:04d}.md").write_text(
            note_text(rng, number, highlights_per_note), encoding="utf-8"
        )
    return root
