"""The package writer lays rows out as genanki does, and the fast paths equal the slow ones."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC

import genanki

from studytool.export.anki import note_guid
from studytool.export.note_types import NOTE_TYPE_REVISION, cloze_model
from studytool.export.package import CardRow, NoteRow, build_collection
from studytool.export.scheduling import new_card_state
from studytool.export.store_reader import read_cards
from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService
from tests.export.conftest import START, ExportVault, MutableClock

FIELDS = ["A {{c1::b}} c {{c2::d}}", "ctx", "src", ""]


def rows_of(database: bytes) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(database)
        notes = connection.execute("SELECT * FROM notes ORDER BY id").fetchall()
        cards = connection.execute("SELECT * FROM cards ORDER BY id").fetchall()
    finally:
        connection.close()
    return notes, cards


def test_note_and_card_rows_are_exactly_what_genanki_writes() -> None:
    model = cloze_model()
    ours = build_collection(
        [
            NoteRow(
                guid="g1", model=model, deck="AWS::Networking", fields=FIELDS,
                tags=["aws", "colour::orange"], mtime=NOTE_TYPE_REVISION,
                cards=[CardRow(0, new_card_state(0)), CardRow(1, new_card_state(0))],
            )
        ],
        ["AWS::Networking"], [model],
    )  # fmt: skip
    deck = genanki.Deck(1, "x")
    deck.add_note(
        genanki.Note(model=model, fields=FIELDS, tags=["aws", "colour::orange"], guid="g1")
    )
    connection = sqlite3.connect(":memory:")
    try:
        genanki.Package([deck]).write_to_db(
            connection.cursor(), NOTE_TYPE_REVISION, itertools.count(NOTE_TYPE_REVISION * 1000)
        )
        connection.commit()
        theirs = connection.serialize()
    finally:
        connection.close()
    our_notes, our_cards = rows_of(ours.collection)
    their_notes, their_cards = rows_of(theirs)
    assert our_notes == their_notes
    assert [row[:2] + row[3:] for row in our_cards] == [row[:2] + row[3:] for row in their_cards]
    assert len(our_cards) == 2


def test_guids_equal_genankis_guid_for() -> None:
    for key in ("9f38a5217904715c", "9f38a5217904715c-1", "x", "ünïcode"):
        assert note_guid(key) == genanki.guid_for("studytool", key)


def test_the_fast_card_read_equals_list_cards(
    imported_store: Repository, export_vault: ExportVault, clock: MutableClock
) -> None:
    service = ReviewService(imported_store, now=clock, tz=UTC)
    session = service.start_session()
    for card in imported_store.list_cards()[:3]:
        service.grade(session, card.id, 2)
    export_vault.edit("AWS/Networking/NAT gateway.md", "==still exports==", "still exports")
    clock.advance(hours=1)
    assert imported_store.import_paths([export_vault.root]).cards_retired == 1
    records, changed_at = read_cards(imported_store, "cloze")
    assert records == imported_store.list_cards(kind="cloze")
    assert any(card.retired for card in records) and any(card.due for card in records)
    assert changed_at[records[0].id] == START
    retired = next(card for card in records if card.retired)
    assert changed_at[retired.id] == clock.now
