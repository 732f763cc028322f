"""Benchmark: the review service's per-call cost on a large collection against a small one.

Builds two databases with the same generator, written directly with SQL for speed:

  small   200 cards (the baseline: what the same calls cost when the collection is tiny)
  large   40,000 cards in 20 decks under 3 parent decks, about 60% of each deck studied in
          note order (so new cards follow a long studied prefix, as after months of study),
          2 log rows per studied card and 100 grades earlier today;
          with --scale: 100,000 cards and 1,000,000 log rows

and times, in this process, on each database (median of several rounds, milliseconds):

  start       a fresh ReviewService: start_session + the first next_card
  grade       grade (state + log committed in one transaction)
  next+counts next_card_and_counts after each grade (what the TUI asks after a grade)
  next_card / counts   the older single calls
  undo        undo of a grade
  by_deck     counts_by_deck (the deck picker: every deck and parent in one pass)

The baseline is the same operation on the small database in the same run (same machine
load, same code): the ratio shows what the collection's size costs. Per-call work should not
grow with the number of cards; it does grow with what is due today (the large database has
some 2,700 reviews due, each counted on every call), so the ratio is above 1, and the goal is
absolute: well under 20 ms per call on 40,000 cards. ``start`` reads the candidates once and
does grow with the collection. The bare indexed ``SELECT`` of one due card (a fresh
connection with the same pragmas) is printed too, as the floor any database call pays.

Run: python bench/bench_service.py [--scale] [--rounds 5] [--grades 50] [--keep DIR]
(--keep builds the databases in DIR, or reuses them from an earlier run.)
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))

from studytool.store.repository import Repository  # noqa: E402
from studytool.store.reviews import ReviewService  # noqa: E402
from studytool.store.types import to_utc_text  # noqa: E402

PARENTS = {
    "AWS": ("Networking", "Security", "Compute", "Storage", "Databases", "Identity", "Edge",
            "Observability"),
    "Linux": ("Kernel", "Networking", "Storage", "Shell", "Systemd", "Containers"),
    "Algorithms": ("Graphs", "Sorting", "Strings", "Geometry", "Dynamic", "Numbers"),
}  # fmt: skip
DECKS = tuple(f"{parent}/{child}" for parent, children in PARENTS.items() for child in children)
CARDS_PER_NOTE = 20
STUDIED_SHARE = 0.6
INTERVALS = (3, 6, 15, 40, 100, 250)
INTERVAL_WEIGHTS = (1, 1, 2, 3, 3, 2)
GRADED_TODAY = 100


def populate(path: Path, cards: int, logs: int, now: datetime, seed: int = 7) -> None:
    """Create a studytool database at ``path`` with ``cards`` cards and about ``logs`` log rows.

    Decks get equal shares of the cards, in contiguous note order (as an import of a vault
    folder by folder gives); the first 60% of each deck is studied, the rest is new.
    """
    Repository.open(path).close()
    rng = random.Random(seed)
    stamp = to_utc_text(now - timedelta(days=400))
    per_deck = max(1, cards // len(DECKS))
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    card_rows: list[tuple[Any, ...]] = []
    state_rows: list[tuple[Any, ...]] = []
    note_rows: list[tuple[Any, ...]] = []
    card_id = 0
    for deck in DECKS:
        for index in range(per_deck):
            card_id += 1
            if index % CARDS_PER_NOTE == 0:
                note_id = len(note_rows) + 1
                note_rows.append((note_id, f"{deck}/Note {note_id:05d}.md", f"{note_id:040x}",
                                  stamp, deck, stamp))  # fmt: skip
            group = f"g{card_id - (index % 3 if index % 3 < 2 else 0)}"  # 1-2 siblings
            answer = f"fact {card_id}"
            text = f"The gateway routes traffic for {answer} in every zone"
            card_rows.append((
                card_id, f"{card_id:016x}", "scenario" if card_id % 41 == 0 else "cloze",
                note_id, f"{deck}/Note {note_id:05d}.md", 1 + index % CARDS_PER_NOTE,
                '["Heading","Parent bullet"]', text, text.replace(answer, "[...]"), answer,
                31, 31 + len(answer), group, '["bench","aws/vpc"]', deck, card_id,
            ))  # fmt: skip
            state_rows.append(_state_row(rng, card_id, index < per_deck * STUDIED_SHARE, now))
    with connection:
        connection.executemany(
            "INSERT INTO note (id, vault, path, content_hash, mtime, deck, missing, imported_at)"
            " VALUES (?, '/bench/vault', ?, ?, ?, ?, 0, ?)",
            note_rows,
        )
        connection.executemany(
            "INSERT INTO card (id, key, kind, note_id, note_path, line, context, text, prompt,"
            " answer, answer_start, answer_end, group_key, ordinal, tags, colour, deck, extra,"
            " position, retired, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            f" ?, ?, ?, 1, ?, 'orange', ?, NULL, ?, 0, '{stamp}', '{stamp}')",
            card_rows,
        )
        connection.executemany(
            "INSERT INTO review_state (card_id, state, repetitions, ef_hundredths, interval, due,"
            " lapses, reps, last_reviewed, scheduler) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'sm2')",
            state_rows,
        )
        studied = [row[0] for row in state_rows if row[1] != "new"] or [1]
        connection.executemany(
            "INSERT INTO review_log (card_id, reviewed_at, quality, state_before, state_after,"
            " duration_ms, session_id, scheduler) VALUES (?, ?, ?, ?, ?, ?, ?, 'sm2')",
            _log_rows(rng, logs, studied, now),
        )
    connection.close()


def _state_row(rng: random.Random, card_id: int, studied: bool, now: datetime) -> tuple[Any, ...]:
    if not studied:
        return (card_id, "new", 0, 250, 0, None, 0, 0, None)
    interval = rng.choices(INTERVALS, INTERVAL_WEIGHTS)[0]
    due = now + timedelta(days=rng.randint(-2, interval), hours=rng.randint(-12, 12))
    return (card_id, "review", rng.randint(2, 9), rng.randint(130, 300), interval,
            to_utc_text(due), rng.randint(0, 3), rng.randint(2, 20),
            to_utc_text(due - timedelta(days=interval)))  # fmt: skip


def _snapshot(state: str, interval: int, due: str | None) -> str:
    return json.dumps({
        "state": state, "repetitions": 2, "ef_hundredths": 250, "interval": interval,
        "due": due, "lapses": 0, "reps": 2, "last_reviewed": None, "scheduler": "sm2",
        "fsrs_state": None, "buried_until": None,
    }, separators=(",", ":"))  # fmt: skip


def _log_rows(
    rng: random.Random, logs: int, studied: list[int], now: datetime
) -> Iterator[tuple[Any, ...]]:
    """``logs`` rows over the last 400 days (oldest first), then the grades given today."""
    start = now - timedelta(days=400)
    history = max(0, logs - GRADED_TODAY)
    offsets = sorted(rng.random() * (399 * 86_400) for _ in range(history))
    today_cards = rng.sample(studied, min(GRADED_TODAY, len(studied)))
    moments = [start + timedelta(seconds=offset) for offset in offsets]
    moments += [now - timedelta(minutes=GRADED_TODAY - i) for i in range(len(today_cards))]
    cards = [rng.choice(studied) for _ in offsets] + today_cards
    for moment, card_id in zip(moments, cards, strict=True):
        quality = rng.choice((3, 4, 4, 4, 5, 5))
        before = _snapshot("review", 6, to_utc_text(moment - timedelta(hours=3)))
        after = _snapshot("review", 15, to_utc_text(moment + timedelta(days=15)))
        yield (card_id, to_utc_text(moment), quality, before, after, rng.randint(800, 9000),
               f"s{moment:%Y%m%d}")  # fmt: skip


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """Milliseconds ``action`` took, and what it returned."""
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def measure(path: Path, now: datetime, grades: int) -> dict[str, float]:
    """One round on ``path`` (a fresh copy each round): median milliseconds per operation."""
    from studytool.scheduling.days import local_timezone

    samples: dict[str, list[float]] = {}

    def add(name: str, ms: float) -> None:
        samples.setdefault(name, []).append(ms)

    repository = Repository.open(path, clock=lambda: now)
    tz = local_timezone()
    service = ReviewService(repository, now=lambda: now, tz=tz)
    started = time.perf_counter()
    session = service.start_session()
    card = service.next_card(session)
    add("start", (time.perf_counter() - started) * 1000)
    for index in range(grades):
        if card is None:
            break
        ms, _ = timed(lambda c=card, i=index: service.grade(session, c.id, (4, 5, 3, 4, 2)[i % 5]))
        add("grade", ms)
        ms, (card, _counts) = timed(lambda: service.next_card_and_counts(session))
        add("next+counts", ms)
    for _ in range(5):
        ms, _ = timed(lambda: service.next_card(session))
        add("next_card", ms)
        ms, _ = timed(lambda: service.counts(session))
        add("counts", ms)
    for _ in range(min(10, session.graded)):
        ms, _ = timed(lambda: service.undo(session))
        add("undo", ms)
    for _ in range(3):
        ms, _ = timed(lambda: service.counts_by_deck())
        add("by_deck", ms)
    add("bare_select", _bare_select(path, now))
    repository.close()
    return {name: statistics.median(values) for name, values in samples.items()}


def _bare_select(path: Path, now: datetime) -> float:
    """A fresh connection with the engine's pragmas and one due card by the due index."""
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA busy_timeout=10000")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "SELECT card_id FROM review_state WHERE due < ? ORDER BY due LIMIT 1", (to_utc_text(now),)
    ).fetchall()
    connection.close()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true", help="100,000 cards, 1,000,000 log rows")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--grades", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="build/reuse the databases in this folder")
    args = parser.parse_args()
    cards, logs = (100_000, 1_000_000) if args.scale else (40_000, 48_000)
    now = datetime.now(UTC).replace(microsecond=0)
    work = args.keep or Path(tempfile.mkdtemp(prefix="studytool-bench-service-"))
    work.mkdir(parents=True, exist_ok=True)
    sources = {"small": (work / "small.db", 200, 240), "large": (work / f"large-{cards}.db",
                                                                   cards, logs)}  # fmt: skip
    for name, (path, count, log_count) in sources.items():
        if not path.exists():
            ms, _ = timed(lambda p=path, c=count, n=log_count: populate(p, c, n, now))
            print(f"built {name}: {count} cards, {log_count} log rows in {ms / 1000:.1f}s")
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in sources}
    for round_index in range(args.rounds):
        for name, (path, _, _) in sources.items():
            copy = work / f"round-{name}.db"
            _copy_database(path, copy)
            rounds[name].append(measure(copy, now, args.grades))
        print(f"round {round_index + 1}/{args.rounds} done")
    _report(rounds, cards)


def _copy_database(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)


def _report(rounds: dict[str, list[dict[str, float]]], cards: int) -> None:
    names = list(rounds["large"][0])
    print(f"\nmedian ms per call: small (200 cards) vs large ({cards:,} cards)")
    print(f"{'operation':<12} {'small':>9} {'large':>9} {'ratio':>7}")
    for name in names:
        small = statistics.median(r[name] for r in rounds["small"] if name in r)
        large = statistics.median(r[name] for r in rounds["large"] if name in r)
        print(f"{name:<12} {small:9.2f} {large:9.2f} {large / small:7.2f}")


if __name__ == "__main__":
    main()
