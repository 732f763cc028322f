"""Benchmark: time from starting `studytool review` to the first card on screen.

Each process runs in its own pseudo-terminal (100x30), as a user would start it, and reports
the moment its first screen is drawn; the clock starts just before the process is spawned.

  minimal    a Textual app that shows one Label and exits after its first refresh (baseline)
  review     `studytool review` on the bundled notes (about 100 cards)
  review-40k `studytool review` on a generated vault of about 40,000 cards

`studytool review` exits after its first card when STUDYTOOL_EXIT_AFTER_FIRST_CARD=1, printing
``first-card-at <unix time>``; the minimal app prints the same line. Runs are interleaved and
the median of each is compared. Goals: review / minimal <= 1.5, review-40k / minimal <= 2.0.

Run: python bench/bench_review_startup.py [--runs 7] [--cards 40000] [--keep DIR]
(--keep reuses the databases built in DIR by an earlier run.)
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT))

from vaultgen import generate_vault  # noqa: E402

MARKER = re.compile(rb"first-card-at (\d+\.\d+)")
COLUMNS, ROWS = 100, 30
TIMEOUT_SECONDS = 120.0

MINIMAL_APP = """
import sys, time
from textual.app import App
from textual.widgets import Label

class Minimal(App):
    def compose(self):
        yield Label("With caching on, API Gateway answers repeated requests [...]")

    def on_mount(self):
        self.call_after_refresh(self.shown)

    def shown(self):
        self.shown_at = time.time()
        self.exit()

app = Minimal()
app.run()
print(f"first-card-at {app.shown_at:.6f}", file=sys.stderr)
"""


def time_to_first_card(command: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning ``command`` in a fresh pty to its ``first-card-at`` report."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    started = time.time()
    process = subprocess.Popen(
        command, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
        start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    output = bytearray()
    deadline = time.monotonic() + TIMEOUT_SECONDS
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                output.extend(chunk)
            elif process.poll() is not None:
                break
        else:
            process.kill()
            raise RuntimeError(f"{command} did not finish in {TIMEOUT_SECONDS}s")
    finally:
        os.close(master)
        process.wait(timeout=10)
    match = MARKER.search(bytes(output))
    if match is None:
        tail = bytes(output[-2000:]).decode("utf-8", "replace")
        raise RuntimeError(f"{command} reported no first card; output ends with:\n{tail}")
    return float(match.group(1)) - started


def build_database(db: Path, vault: Path | None) -> int:
    """Create ``db`` from ``vault`` (None: the bundled notes); return the card count."""
    from studytool.store.repository import Repository

    repository = Repository.open(db)
    try:
        if not repository.has_cards():
            report = (
                repository.import_bundled_notes() if vault is None
                else repository.import_paths([vault])
            )  # fmt: skip
            if report.errors:
                raise RuntimeError(f"import failed: {report.errors[:3]}")
        return repository.card_count()
    finally:
        repository.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cards", type=int, default=40_000)
    parser.add_argument("--keep", type=Path, help="build/reuse the databases in this folder")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="studytool-bench-review-"))
    work.mkdir(parents=True, exist_ok=True)
    small_db, big_db = work / "bundled.db", work / f"cards-{args.cards}.db"
    print(f"databases in {work}")
    small_cards = build_database(small_db, None)
    vault = work / "vault"
    if not big_db.exists():
        notes = max(1, args.cards // 20)
        print(f"generating and importing {notes} notes (about {args.cards} cards)...")
        generate_vault(vault, notes=notes, highlights_per_note=20)
    big_cards = build_database(big_db, vault)
    print(f"bundled: {small_cards} cards, large: {big_cards} cards")

    env = {**os.environ, "STUDYTOOL_EXIT_AFTER_FIRST_CARD": "1", "TERM": "xterm-256color",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    env.pop("STUDYTOOL_DB", None)
    # An installed studytool runs from bytecode (pip compiles it; an editable install writes it
    # on first run): let the warm-up runs write it, as they do for Textual's own modules.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    commands = {
        "minimal": [sys.executable, "-c", MINIMAL_APP],
        "review": [sys.executable, "-m", "studytool", "--db", str(small_db), "review"],
        "review-40k": [sys.executable, "-m", "studytool", "--db", str(big_db), "review"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():  # warm the file cache and .pyc files
        time_to_first_card(command, env)
    for run in range(args.runs):
        for name, command in commands.items():
            times[name].append(time_to_first_card(command, env))
        print(f"run {run + 1}: " + "  ".join(f"{n} {t[-1]:.3f}s" for n, t in times.items()))

    medians = {name: statistics.median(values) for name, values in times.items()}
    baseline = medians["minimal"]
    print()
    print(f"minimal Textual app, first frame   {baseline:.3f}s (median of {args.runs})")
    print(f"studytool review, first card        {medians['review']:.3f}s "
          f"ratio {medians['review'] / baseline:.2f} (goal <= 1.5)")  # fmt: skip
    print(f"studytool review, {big_cards} cards   {medians['review-40k']:.3f}s "
          f"ratio {medians['review-40k'] / baseline:.2f} (goal <= 2.0)")  # fmt: skip


if __name__ == "__main__":
    main()
