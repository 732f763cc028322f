"""Benchmark: statistics and review start-up on a large collection against a small one.

Builds two databases with the same generator, written directly with SQL for speed:

  small   100 cards and 1,000 review log rows
  large   100,000 cards and 1,000,000 review log rows (three years of history, every day)

and prints, measured in this run (medians of interleaved runs, each a fresh process):

  `studytool stats`  large / small                       (goal <= 3.0)
  `studytool stats --days 365` large / small             (for information: a year of retention)
  `studytool review` time to first card, large / small   (goal <= 2.0)

The review figure uses STUDYTOOL_EXIT_AFTER_FIRST_CARD=1 and the pseudo-terminal runner of
bench/bench_review_startup.py; it is skipped (and says so) when the TUI is not installed.

Run: python bench/bench_scale.py [--runs 5] [--cards 100000] [--logs 1000000] [--keep DIR]
(--keep builds the databases in DIR, or reuses them from an earlier run.)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT))

DECKS = tuple(f"AWS/Topic {index:02d}" for index in range(20))
TOPICS = ("nat", "vpn", "routing", "security-groups", "transit")
HISTORY_DAYS = 3 * 365
QUALITIES = (0, 1, 2, 3, 3, 4, 4, 4, 4, 5, 5, 5)


def utc_text(moment: datetime) -> str:
    from studytool.store.types import to_utc_text

    return to_utc_text(moment)


def populate(path: Path, cards: int, logs: int, seed: int = 11) -> None:
    """Create a studytool database at ``path`` with ``cards`` cards and ``logs`` log rows."""
    from studytool.store.repository import Repository

    Repository.open(path).close()
    rng = random.Random(seed)
    now = datetime.now(UTC)
    stamp = utc_text(now - timedelta(days=HISTORY_DAYS))
    notes = max(1, cards // 20)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    with connection:
        connection.executemany(
            "INSERT INTO note (id, vault, path, content_hash, mtime, deck, missing, imported_at)"
            " VALUES (?, '/bench/vault', ?, ?, ?, ?, 0, ?)",
            ((n + 1, f"{DECKS[n % len(DECKS)]}/Note {n:05d}.md", f"{n:040x}", stamp,
              DECKS[n % len(DECKS)], stamp) for n in range(notes)),
        )  # fmt: skip
        connection.executemany(
            "INSERT INTO card (id, key, kind, note_id, note_path, line, context, text, prompt,"
            " answer, answer_start, answer_end, group_key, ordinal, tags, colour, deck, extra,"
            " position, retired, created_at, updated_at) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, '[\"bench\"]', 'orange', ?, NULL, ?, ?,"
            " ?, ?)",
            _card_rows(rng, cards, notes, stamp),
        )
        states = list(_state_rows(rng, cards, now))
        connection.executemany(
            "INSERT INTO review_state (card_id, state, repetitions, ef_hundredths, interval, due,"
            " lapses, reps, last_reviewed, scheduler) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'sm2')",
            states,
        )
        reviewed = [row[0] for row in states if row[1] != "new"] or [1]
        connection.executemany(
            "INSERT INTO review_log (card_id, reviewed_at, quality, state_before, state_after,"
            " duration_ms, typed_answer, session_id, scheduler, correct, detail) VALUES"
            " (?, ?, ?, ?, ?, ?, NULL, ?, 'sm2', ?, ?)",
            _log_rows(rng, logs, reviewed, now),
        )
    connection.close()


def _card_rows(
    rng: random.Random, cards: int, notes: int, stamp: str
) -> Iterator[tuple[object, ...]]:
    for card_id in range(1, cards + 1):
        note = (card_id - 1) % notes
        deck = DECKS[note % len(DECKS)]
        kind = "scenario" if card_id % 33 == 0 else "cloze"
        answer = f"fact {card_id}"
        text = f"The gateway routes traffic for {answer} in every zone"
        yield (
            card_id, f"{card_id:016x}", kind, note + 1, f"{deck}/Note {note:05d}.md",
            rng.randint(1, 200), '["Heading","Parent bullet"]', text,
            text.replace(answer, "[...]"), answer, 31, 31 + len(answer), f"g{card_id}",
            deck, card_id, card_id % 50 == 0, stamp, stamp,
        )  # fmt: skip


def _state_rows(rng: random.Random, cards: int, now: datetime) -> Iterator[tuple[object, ...]]:
    for card_id in range(1, cards + 1):
        roll = rng.random()
        if roll < 0.2:
            yield (card_id, "new", 0, 250, 0, None, 0, 0, None)
            continue
        interval = rng.choice((1, 3, 6, 15, 40, 100, 250))
        due = now + timedelta(days=rng.randint(-10, min(interval, 120)), hours=rng.randint(0, 23))
        state = "learning" if roll < 0.28 else "review"
        yield (card_id, state, rng.randint(1, 12), rng.randint(130, 300), interval,
               utc_text(due), rng.randint(0, 4), rng.randint(1, 30),
               utc_text(due - timedelta(days=interval)))  # fmt: skip


def _snapshot(state: str, repetitions: int, ef: int, interval: int, due: str | None) -> str:
    due_json = "null" if due is None else f'"{due}"'
    return (
        f'{{"state":"{state}","repetitions":{repetitions},"ef_hundredths":{ef},'
        f'"interval":{interval},"due":{due_json},"lapses":0,"reps":{repetitions},'
        f'"last_reviewed":null,"scheduler":"sm2","fsrs_state":null,"buried_until":null}}'
    )


def _log_rows(
    rng: random.Random, logs: int, reviewed: list[int], now: datetime
) -> Iterator[tuple[object, ...]]:
    start = now - timedelta(days=HISTORY_DAYS)
    offsets = sorted(rng.random() * HISTORY_DAYS * 86_400 for _ in range(logs))
    for offset in offsets:
        moment = start + timedelta(seconds=offset)
        card_id = rng.choice(reviewed)
        quality = rng.choice(QUALITIES)
        interval = rng.choice((0, 1, 3, 6, 15, 40, 100, 250))
        state = "new" if interval == 0 else "review"
        due = None if interval == 0 else utc_text(moment - timedelta(hours=rng.randint(1, 48)))
        before = _snapshot(state, 2, 250, interval, due)
        after = _snapshot("review" if quality >= 4 else "learning", 3, 250, interval + 1, None)
        scenario = card_id % 33 == 0
        correct = (quality >= 3) if scenario else None
        detail = json.dumps({"topic": TOPICS[card_id % len(TOPICS)]}) if scenario else None
        yield (card_id, utc_text(moment), quality, before, after, rng.randint(800, 9000),
               f"s{int(offset) // 3600}", correct, detail)  # fmt: skip


def run_seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def median_times(
    commands: dict[str, list[str]], envs: dict[str, dict[str, str]], runs: int, measure: object
) -> dict[str, float]:
    """Interleaved runs after one warm-up each; the median per command."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for name, command in commands.items():
        measure(command, envs[name])  # type: ignore[operator]
    for run in range(runs):
        for name, command in commands.items():
            times[name].append(measure(command, envs[name]))  # type: ignore[operator]
        print(f"  run {run + 1}: " + "  ".join(f"{n} {t[-1]:.3f}s" for n, t in times.items()))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--logs", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build/reuse the databases in this folder")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="studytool-bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    small = work / "small.db"
    large = work / f"large-{args.cards}-{args.logs}.db"
    print(f"databases in {work}")
    for path, cards, logs in ((small, 100, 1_000), (large, args.cards, args.logs)):
        if not path.exists():
            started = time.perf_counter()
            populate(path, cards, logs)
            print(f"  built {path.name}: {cards} cards, {logs} log rows "
                  f"in {time.perf_counter() - started:.1f}s")  # fmt: skip

    base_env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    envs = {
        "small": {**base_env, "STUDYTOOL_DB": str(small)},
        "large": {**base_env, "STUDYTOOL_DB": str(large)},
    }
    stats_command = [sys.executable, "-m", "studytool", "stats"]
    year_command = [*stats_command, "--days", "365"]
    print("studytool stats (retention over the default 30 days, and over 365 days):")
    stats = median_times(
        {"small": stats_command, "large": stats_command, "small-365": year_command,
         "large-365": year_command},
        {**envs, "small-365": envs["small"], "large-365": envs["large"]}, args.runs, run_seconds,
    )  # fmt: skip

    review: dict[str, float] | None = None
    reason = ""
    try:
        from bench_review_startup import time_to_first_card

        import studytool.tui.app  # noqa: F401
    except ImportError as error:
        reason = f"not measured: the TUI is not available ({error})"
    else:
        review_command = [sys.executable, "-m", "studytool", "review"]
        review_envs = {name: {**env, "STUDYTOOL_EXIT_AFTER_FIRST_CARD": "1"}
                       for name, env in envs.items()}  # fmt: skip
        print("studytool review, time to first card:")
        review = median_times({"small": review_command, "large": review_command}, review_envs,
                              args.runs, time_to_first_card)  # fmt: skip

    print()
    print(f"studytool stats   small {stats['small']:.3f}s  large {stats['large']:.3f}s  "
          f"ratio {stats['large'] / stats['small']:.2f} (goal <= 3.0)")  # fmt: skip
    print(f"  with --days 365 small {stats['small-365']:.3f}s  large {stats['large-365']:.3f}s  "
          f"ratio {stats['large-365'] / stats['small-365']:.2f} (for information)")  # fmt: skip
    if review is None:
        print(f"studytool review  {reason}")
    else:
        print(f"studytool review  small {review['small']:.3f}s  large {review['large']:.3f}s  "
              f"ratio {review['large'] / review['small']:.2f} (goal <= 2.0)")  # fmt: skip


if __name__ == "__main__":
    main()
