"""The review service on plain ``sqlite3``: no SQLAlchemy, the same filters, the same stored text.

``studytool review`` must start fast, so :mod:`studytool.store.reviews` queries its own
``sqlite3`` connection with SQL text. These tests check that it never loads SQLAlchemy (at
import or while studying), that its deck and tag filter selects exactly what the SQLAlchemy
filter selects, and that what it writes is stored in the columns' formats (fixed-width UTC
text, compact JSON).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from studytool.store import schema
from studytool.store.filters import card_clause
from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService
from studytool.store.sql_filters import EVERYTHING, card_filter, deck_filter, deck_matches
from studytool.store.sqlite import open_connection
from studytool.store.utc import to_utc_text

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_INSERT_CARD = """
INSERT INTO card (key, kind, note_id, note_path, line, context, text, prompt, answer,
                  answer_start, answer_end, group_key, ordinal, tags, colour, deck, extra,
                  position, retired, created_at, updated_at)
VALUES (?, ?, NULL, ?, 1, '["Heading"]', ?, ?, ?, 0, ?, ?, 1, ?, NULL, ?, NULL, ?, 0, ?, ?)
"""


def insert_card(
    connection: sqlite3.Connection, name: str, deck: str = "A", tags: tuple[str, ...] = ("t",)
) -> int:
    """A new card (no review state row yet) written with plain SQL; its id."""
    stamp = to_utc_text(datetime(2026, 1, 1, tzinfo=UTC))
    position = connection.execute("SELECT count(*) FROM card").fetchone()[0] + 1
    cursor = connection.execute(_INSERT_CARD, (
        f"key-{name}", "cloze", f"{deck}/note.md", f"{name} text", f"{name} [...]", name,
        len(name), f"group-{name}", json.dumps(list(tags)), deck, position, stamp, stamp,
    ))  # fmt: skip
    return int(cursor.lastrowid or 0)


@pytest.fixture
def database(db_path: Path) -> Iterator[sqlite3.Connection]:
    """A migrated, empty database and a plain connection to it."""
    Repository.open(db_path).close()
    connection = open_connection(db_path)
    yield connection
    connection.close()


def run_python(code: str, *args: str) -> str:
    """Run ``code`` in a fresh interpreter (this checkout first on the path); its stdout.

    The code can call ``loaded()``: the SQLAlchemy (SQLModel, pydantic) modules loaded so far.
    """
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", _LOADED + code, *args], cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


_LOADED = """
import json, sys

def loaded():
    roots = ("sqlalchemy", "sqlmodel", "pydantic")
    return sorted(name for name in sys.modules if name.partition(".")[0] in roots)
"""
_IMPORT = """
import studytool.store.reviews
print(json.dumps(loaded()))
"""
# A sitting over two decks (A: 2 new cards a day, B: FSRS) with every kind of service call.
_SITTING = """
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from studytool.store.reviews import ReviewService

now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
repository = SimpleNamespace(path=sys.argv[1], clock=lambda: now)
service = ReviewService(repository, tz=ZoneInfo("UTC"))
service.set_new_per_day(2, deck="A")
service.set_scheduler("fsrs", deck="B")
session = service.start_session()
card, counts = service.next_card_and_counts(session)
first = card.id
service.grade(session, first, 2)
previews = service.preview(session, first)
assert service.undo(session) == first
shown = []
while (card := service.next_card(session)) is not None and len(shown) < 10:
    shown.append(card.prompt)
    service.grade(session, card.id, 4)
print(json.dumps({
    "counts": [counts.due_today, counts.new_left_today, counts.reviewed_today],
    "previews": len(previews),
    "shown": shown,
    "by_deck": {name: c.reviewed_today for name, c in service.counts_by_deck().items()},
    "next_due": service.next_due_at().isoformat(),
    "forecast": sum(n for _, n in service.forecast(7)),
    "modules": loaded(),
}))
"""


def test_importing_the_review_service_loads_no_sqlalchemy() -> None:
    assert json.loads(run_python(_IMPORT)) == []


def test_a_whole_sitting_loads_no_sqlalchemy(database: sqlite3.Connection, db_path: Path) -> None:
    for name in ("a1", "a2", "a3"):
        insert_card(database, name, deck="A")
    for name in ("b1", "b2"):
        insert_card(database, name, deck="B")
    result = json.loads(run_python(_SITTING, str(db_path)))
    assert result["modules"] == []
    assert result["counts"] == [0, 4, 0]  # 2 new in A (its limit) + 2 in B
    assert result["previews"] == 6
    # A's two new cards, B's two, then B's FSRS learning steps once more (graded Good: done)
    assert result["shown"] == [f"{name} [...]" for name in ("a1", "a2", "b1", "b2", "b1", "b2")]
    assert result["by_deck"] == {"": 4, "A": 2, "B": 2}
    assert result["next_due"] == "2026-03-03T04:00:00+00:00"  # tomorrow's study day
    assert result["forecast"] == 4


# The filters ------------------------------------------------------------------------------------

DECKS_AND_TAGS = (
    ("AWS", ("colour/orange",)),
    ("AWS/Networking", ("Colour",)),
    ("aws/compute", ("colourful",)),
    ("AWSX", ("#x",)),
    ("Über/Straße", ("Ünterricht/Teil",)),
    ("über", ("x",)),
    ("Linux/AWS", ()),
)
FILTERS = [
    (deck, tag)
    for deck in (None, "", "AWS", " /aws/ ", "AWS/Networking", "ÜBER/STRASSE", "Über", "AWSX",
                 "Linux/aws", "Linux", "nothing", "/")
    for tag in (None, "", "colour", "#Colour/", "colour/orange", "col", "x", "ünterricht")
]  # fmt: skip


@pytest.fixture
def sample(database: sqlite3.Connection) -> dict[str, int]:
    """One card per deck of :data:`DECKS_AND_TAGS`; their ids by deck."""
    return {
        deck: insert_card(database, f"card{index}", deck, tags)
        for index, (deck, tags) in enumerate(DECKS_AND_TAGS)
    }


@pytest.mark.parametrize(("deck", "tag"), FILTERS)
def test_the_sql_text_filter_selects_what_the_sqlalchemy_filter_selects(
    database: sqlite3.Connection, db_path: Path, sample: dict[str, int], deck: Any, tag: Any
) -> None:
    found = card_filter(deck, tag)
    by_text = {row[0] for row in database.execute(f"SELECT id FROM card WHERE {found.sql}",
                                                  found.params)}  # fmt: skip
    repository = Repository.open(db_path)
    try:
        with repository.engine.connect() as connection:
            query = select(schema.card.c.id).where(card_clause(deck, tag))
            by_expression = set(connection.execute(query).scalars())
    finally:
        repository.close()
    assert by_text == by_expression
    in_python = {card_id for name, card_id in sample.items() if deck_matches(name, deck)}
    if not tag:
        assert by_text == in_python


def test_deck_and_tag_filters_select_sub_decks_and_sub_tags_case_folded(
    database: sqlite3.Connection, sample: dict[str, int]
) -> None:
    def decks(deck: str | None, tag: str | None) -> set[str]:
        found = card_filter(deck, tag)
        rows = database.execute(f"SELECT deck FROM card WHERE {found.sql}", found.params)
        return {row[0] for row in rows}

    assert decks("aws", None) == {"AWS", "AWS/Networking", "aws/compute"}
    assert decks("ÜBER/STRASSE", None) == {"Über/Straße"}  # casefold, not lower()
    assert decks("über", None) == {"Über/Straße", "über"}
    assert decks(None, "#Colour/") == {"AWS", "AWS/Networking"}
    assert decks(None, "ünterricht") == {"Über/Straße"}
    assert decks("AWS", "colour/orange") == {"AWS"}
    assert decks(None, None) == set(sample)
    assert deck_filter(None).sql == EVERYTHING and deck_filter("").params == {}


# What the service writes ------------------------------------------------------------------------


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_a_grade_is_stored_as_fixed_width_utc_text_and_compact_json(
    database: sqlite3.Connection, db_path: Path
) -> None:
    card_id = insert_card(database, "Straße")
    database.execute(
        "INSERT INTO review_state (card_id, state, repetitions, ef_hundredths, interval, due,"
        " lapses, reps, last_reviewed, scheduler) VALUES (?, 'review', 1, 250, 1,"
        " '2026-03-02T05:00:00+01:00', 0, 1, '2026-03-01T05:00:00+01:00', 'sm2')",
        (card_id,),
    )
    repository = Repository.open(db_path, clock=lambda: NOW)
    service = ReviewService(repository, tz=ZoneInfo("UTC"))
    try:
        session = service.start_session()
        card = service.next_card(session)
        assert card is not None and card.id == card_id
        assert card.due == datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
        result = service.grade(session, card_id, 4, duration_ms=1200, typed_answer="Straße",
                               correct=True, detail={"frage": "Größe"})  # fmt: skip
    finally:
        service.close()
        repository.close()
    log = database.execute(
        "SELECT reviewed_at, state_before, state_after, correct, detail, typed_answer,"
        " scheduler FROM review_log WHERE id = ?",
        (result.log_id,),
    ).fetchone()
    before = {
        "state": "review", "repetitions": 1, "ef_hundredths": 250, "interval": 1,
        "due": "2026-03-02T04:00:00.000000+00:00", "lapses": 0, "reps": 1,
        "last_reviewed": "2026-03-01T04:00:00.000000+00:00", "scheduler": "sm2",
        "fsrs_state": None, "buried_until": None,
    }  # fmt: skip
    after = {**before, "repetitions": 2, "interval": 6, "due": "2026-03-08T04:00:00.000000+00:00",
             "reps": 2, "last_reviewed": "2026-03-02T09:00:00.000000+00:00"}  # fmt: skip
    assert log == (
        "2026-03-02T09:00:00.000000+00:00", compact(before), compact(after), 1,
        '{"frage":"Größe"}', "Straße", "sm2",
    )  # fmt: skip
    state = database.execute(
        "SELECT state, due, last_reviewed, fsrs_state FROM review_state WHERE card_id = ?",
        (card_id,),
    ).fetchone()
    assert state == ("review", after["due"], after["last_reviewed"], None)
