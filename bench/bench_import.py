"""Benchmark: importing a 2,000-note vault with about 40,000 highlights.

Prints, all measured in this run on the same generated files:
  first import / bare markdown-it-py parse of the same files   (goal <= 2.0)
  re-import of the unchanged vault / first import              (goal <= 0.2)
  peak memory (max RSS) of a `studytool import` process        (goal <= 300 MB)

Run: python bench/bench_import.py [--notes 2000]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vaultgen import generate_vault


class Timing(NamedTuple):
    """Wall-clock and this process's CPU seconds of one run."""

    wall: float
    cpu: float


def timed(action: Callable[[], object]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


def best(timings: list[Timing]) -> Timing:
    return Timing(min(t.wall for t in timings), min(t.cpu for t in timings))


def bare_parse(vault: Path) -> Timing:
    """Read every note and parse it with a plain MarkdownIt("commonmark") (tables on)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    files = sorted(vault.rglob("*.md"))
    return timed(lambda: [md.parse(path.read_text(encoding="utf-8")) for path in files])


def first_import(vault: Path, db: Path) -> tuple[Timing, int]:
    from studytool.store.repository import Repository

    repository = Repository.open(db)
    reports = []
    timing = timed(lambda: reports.append(repository.import_paths([vault])))
    repository.close()
    return timing, reports[0].cards_new


def reimport(vault: Path, db: Path) -> Timing:
    from studytool.store.repository import Repository

    repository = Repository.open(db)
    timing = timed(lambda: repository.import_paths([vault]))
    repository.close()
    return timing


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
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, best taken")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        vault = generate_vault(Path(tmp) / "vault", args.notes, args.highlights)
        bare_parse(vault)  # warm the file cache and imports
        bare = best([bare_parse(vault) for _ in range(args.rounds)])
        firsts = [first_import(vault, Path(tmp) / f"first-{n}.db") for n in range(args.rounds)]
        first, cards = best([timing for timing, _ in firsts]), firsts[0][1]
        again = best([reimport(vault, Path(tmp) / "first-0.db") for _ in range(args.rounds)])
        peak = import_peak_rss_mb(vault, Path(tmp) / "rss.db")
    print(f"vault: {args.notes} notes, {cards} cards; best of {args.rounds} runs each")
    print(f"bare markdown-it parse: {bare.wall:.2f} s wall, {bare.cpu:.2f} s cpu")
    print(f"first import:           {first.wall:.2f} s wall, {first.cpu:.2f} s cpu")
    print(f"re-import (unchanged):  {again.wall:.2f} s wall, {again.cpu:.2f} s cpu")
    print(f"first import / bare parse     = {first.wall / bare.wall:.2f} wall, "
          f"{first.cpu / bare.cpu:.2f} cpu  (goal <= 2.0)")  # fmt: skip
    print(f"re-import unchanged / first   = {again.wall / first.wall:.3f} wall, "
          f"{again.cpu / first.cpu:.3f} cpu  (goal <= 0.2)")  # fmt: skip
    print(f"peak memory of `studytool import` = {peak:.0f} MB  (goal <= 300 MB)")


if __name__ == "__main__":
    main()
