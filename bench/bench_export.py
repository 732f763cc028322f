"""Benchmark: ``studytool export`` of about 40,000 cards against genanki alone, same run.

A generated 2,000-note vault (about 40,000 highlights, bench/vaultgen.py) is imported into a
temporary database (not timed). Then, measured in this run:

  studytool export (store read, grouping, HTML rendering, media scan, genanki, zip)
  genanki alone writing the same notes (same note type, fields, tags, GUIDs and decks, taken
  from studytool's package) with ``Package.write_to_file``
  ratio studytool / genanki                                  (goal <= 1.5)

Each side runs ``--runs`` times (default 3); the best time of each is compared, as process CPU
time (what the goal is checked on: robust when other work shares the machine) and as wall time.
Run: python bench/bench_export.py [--notes 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vaultgen import generate_vault

Timing = tuple[float, float]  # (cpu seconds, wall seconds)


def _clock() -> Timing:
    return time.process_time(), time.perf_counter()


def _since(start: Timing) -> Timing:
    cpu, wall = _clock()
    return cpu - start[0], wall - start[1]


def studytool_export_seconds(repository: object, out: Path, scheduling: bool = False) -> Timing:
    from studytool.export.anki import ExportOptions, export_package

    start = _clock()
    export_package(repository, out, ExportOptions(with_scheduling=scheduling))  # type: ignore[arg-type]
    return _since(start)


def package_notes(package: Path, work: Path) -> list[tuple[str, str, list[str], list[str]]]:
    """(deck, guid, fields, tags) of every note in a package written by studytool."""
    import json

    database = work / "read-back.anki2"
    with zipfile.ZipFile(package) as archive:
        database.write_bytes(archive.read("collection.anki2"))
    connection = sqlite3.connect(database)
    try:
        (decks_json,) = connection.execute("SELECT decks FROM col").fetchone()
        deck_names = {int(key): value["name"] for key, value in json.loads(decks_json).items()}
        rows = connection.execute(
            "SELECT notes.guid, notes.flds, notes.tags, min(cards.did) FROM notes "
            "JOIN cards ON cards.nid = notes.id GROUP BY notes.id ORDER BY notes.id"
        ).fetchall()
    finally:
        connection.close()
    return [
        (deck_names[did], guid, fields.split("\x1f"), tags.split())
        for guid, fields, tags, did in rows
    ]


def genanki_seconds(notes: list[tuple[str, str, list[str], list[str]]], out: Path) -> Timing:
    """genanki alone: build the notes and decks and write the package."""
    import genanki

    from studytool.export.names import deck_id
    from studytool.export.note_types import cloze_model

    model = cloze_model()
    start = _clock()
    decks: dict[str, genanki.Deck] = {}
    for deck_name, guid, fields, tags in notes:
        deck = decks.get(deck_name)
        if deck is None:
            deck = decks[deck_name] = genanki.Deck(deck_id(deck_name), deck_name)
        deck.add_note(genanki.Note(model=model, fields=fields, tags=tags, guid=guid))
    genanki.Package(list(decks.values())).write_to_file(str(out), timestamp=1_735_689_600)
    return _since(start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from studytool.store.repository import Repository

    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        vault = generate_vault(work / "vault", notes=args.notes)
        repository = Repository.open(work / "bench.db")
        start = time.perf_counter()
        report = repository.import_paths([vault])
        print(f"imported {report.cards_new} cards from {report.notes_read} notes "
              f"in {time.perf_counter() - start:.1f} s (not part of the ratio)")  # fmt: skip

        ours = [studytool_export_seconds(repository, work / f"ours{run}.apkg")
                for run in range(args.runs)]  # fmt: skip
        notes = package_notes(work / "ours0.apkg", work)
        theirs = [genanki_seconds(notes, work / f"genanki{run}.apkg") for run in range(args.runs)]
        scheduled = studytool_export_seconds(repository, work / "sched.apkg", scheduling=True)
        repository.close()

        cards = sum(field.count("{{c") for _, _, fields, _ in notes for field in fields[:1])
        print(f"notes: {len(notes)}, cards: {cards}")
        for label, runs in (("studytool export", ours), ("genanki alone", theirs)):
            print(f"{label:17} cpu {min(cpu for cpu, _ in runs):6.2f} s   wall "
                  f"{min(wall for _, wall in runs):6.2f} s   (wall runs: "
                  + ", ".join(f"{wall:.2f}" for _, wall in runs) + ")")  # fmt: skip
        print(f"with --with-scheduling: cpu {scheduled[0]:.2f} s, wall {scheduled[1]:.2f} s")
        cpu_ratio = min(c for c, _ in ours) / min(c for c, _ in theirs)
        wall_ratio = min(w for _, w in ours) / min(w for _, w in theirs)
        print(f"ratio studytool / genanki: cpu {cpu_ratio:.2f}, wall {wall_ratio:.2f}  "
              f"(goal <= 1.5 on cpu: {'met' if cpu_ratio <= 1.5 else 'NOT met'})")  # fmt: skip


if __name__ == "__main__":
    main()
