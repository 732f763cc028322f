"""Benchmark: importing a 2,000-note vault with about 40,000 highlights.

Prints, all measured in this run on the same generated files:
  first import / bare markdown-it-py parse of the same files   (goal <= 2.0)
  re-import of the unchanged vault / first import              (goal <= 0.2)
  peak memory (max RSS) of a `studytool import` process        (goal <= 300 MB)

Run: python bench/bench_import.py [--notes 2000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vaultgen import generate_vault


def bare_parse_seconds(vault: Path) -> float:
    """Read every note and parse it with a plain MarkdownIt("commonmark") (tables on)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    files = sorted(vault.rglob("*.md"))
    start = time.perf_counter()
    for path in files:
        md.parse(path.read_text(encoding="utf-8"))
    return time.perf_counter() - start


def import_seconds(vault: Path, db: Path) -> tuple[float, int]:
    from studytool.store.repository import Repository

    repository = Repository.open(db)
    start = time.perf_counter()
    report = repository.import_paths([vault])
    elapsed = time.perf_counter() - start
    repository.close()
    return elapsed, report.cards_new


def import_peak_rss_mb(vault: Path, db: Path) -> float:
    """Max RSS of a fresh `studytool import` process (what a user's machine sees)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [sys.executable, "-m", "studytool", "--db", str(db), "import", "--quiet", str(vault)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(peak_kb, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--highlights", type=int, default=20, help="highlights per note")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        vault = generate_vault(Path(tmp) / "vault", args.notes, args.highlights)
        bare_parse_seconds(vault)  # warm the file cache and imports
        bare = min(bare_parse_seconds(vault) for _ in range(2))
        first, cards = import_seconds(vault, Path(tmp) / "a.db")
        from studytool.store.repository import Repository

        repository = Repository.open(Path(tmp) / "a.db")
        start = time.perf_counter()
        repository.import_paths([vault])
        again = time.perf_counter() - start
        repository.close()
        peak = import_peak_rss_mb(vault, Path(tmp) / "b.db")
    print(f"vault: {args.notes} notes, {cards} cards (cpu count {os.cpu_count()})")
    print(f"bare markdown-it parse: {bare:.2f} s; first import: {first:.2f} s")
    print(f"re-import of the unchanged vault: {again:.2f} s")
    print(f"first import / bare parse       = {first / bare:.2f}  (goal <= 2.0)")
    print(f"re-import unchanged / first     = {again / first:.3f}  (goal <= 0.2)")
    print(f"peak memory of `studytool import` = {peak:.0f} MB  (goal <= 300 MB)")


if __name__ == "__main__":
    main()
