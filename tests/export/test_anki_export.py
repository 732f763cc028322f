"""Exported packages imported by the real Anki backend: contents, media, updates, safety."""

from __future__ import annotations

import html
import re
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from anki.collection import Collection

from studytool.export.anki import ExportOptions, export_package, note_guid
from studytool.export.scheduling import ANKI_CRT_DATE, GENANKI_CRT
from studytool.store.repository import Repository
from tests.export.conftest import (
    DIAGRAM_NETWORKING,
    DIAGRAM_OTHER,
    ExportVault,
    MutableClock,
    OpenAnki,
    import_package,
)

SIBLINGS_TEXT = "A NAT gateway needs an {{c1::Elastic IP}} in a {{c2::public subnet}}"


def note_by_text(collection: Collection, fragment: str) -> object:
    matches = [
        collection.get_note(note_id)
        for note_id in collection.find_notes("")
        if fragment in collection.get_note(note_id).fields[0]
    ]
    assert len(matches) == 1, f"{len(matches)} notes contain {fragment!r}"
    return matches[0]


def visible_text(markup: str) -> str:
    """What a reader sees: tags and the style block removed, entities decoded."""
    without_style = re.sub(r"<style>.*?</style>", "", markup, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", without_style))


def test_package_imports_into_anki_with_notes_fields_tags_and_decks(
    imported_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    result = export_package(imported_store, tmp_path / "out.apkg")
    collection = open_anki()
    log = import_package(collection, result.path)

    assert (result.notes, result.cards) == (5, 6)
    assert len(log.new) == 5 and not log.updated and not log.duplicate
    assert collection.note_count() == 5 and collection.card_count() == 6
    siblings = note_by_text(collection, "Elastic IP")
    assert siblings.fields[0] == SIBLINGS_TEXT
    assert siblings.note_type()["name"] == "studytool cloze"
    assert [field["name"] for field in siblings.note_type()["flds"]] == [
        "Text", "Context", "Source", "Extra",
    ]  # fmt: skip
    assert visible_text(siblings.fields[1]) == "NAT gatewayBasics"
    assert siblings.fields[2] == (
        '<a class="st-source-link" href="obsidian://open?vault=My%20Vault&amp;'
        'file=AWS%2FNetworking%2FNAT%20gateway">AWS/Networking/NAT gateway.md:6</a>'
    )
    assert sorted(siblings.tags) == ["aws", "colour::orange", "colour::yellow", "networking"]
    assert siblings.guid == note_guid(imported_store.list_cards()[0].key)
    orange = note_by_text(collection, "port forwarding")
    assert sorted(orange.tags) == ["aws", "colour::orange", "networking"]
    decks = {
        collection.decks.name(collection.get_card(cid).did) for cid in collection.find_cards("")
    }
    assert decks == {"AWS::Networking", "Other"}
    assert not collection.find_cards("deck:Default")


def test_every_card_renders_without_a_template_error(
    imported_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    result = export_package(imported_store, tmp_path / "out.apkg")
    collection = open_anki()
    import_package(collection, result.path)
    answers = {card.id: card.answer for card in imported_store.list_cards()}
    assert len(collection.find_cards("")) == len(answers)
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        question, answer = visible_text(card.question()), visible_text(card.answer())
        for rendered in (question, answer):
            assert "{{" not in rendered.replace("{{c1::x}}", "")
            assert "error" not in rendered.lower() and "blank" not in rendered.lower()
        assert "[...]" in question
        assert "[...]" not in answer
    shown = " ".join(
        visible_text(collection.get_card(cid).answer()) for cid in collection.find_cards("")
    )
    for hidden in answers.values():
        assert hidden in shown


def test_media_are_in_the_package_and_in_ankis_media_folder(
    imported_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    result = export_package(imported_store, tmp_path / "out.apkg")
    assert result.media_files == 2
    collection = open_anki()
    import_package(collection, result.path)
    media_dir = Path(collection.media.dir())
    files = {path.name: path.read_bytes() for path in media_dir.iterdir() if path.is_file()}
    assert files["diagram.png"] == DIAGRAM_NETWORKING
    (renamed,) = [name for name in files if name != "diagram.png"]
    assert re.fullmatch(r"diagram-[0-9a-f]{8}\.png", renamed)
    assert files[renamed] == DIAGRAM_OTHER
    assert '<img src="diagram.png">' in note_by_text(collection, "Elastic IP").fields[3]
    assert f'<img src="{renamed}">' in note_by_text(collection, "horizontally").fields[3]
    assert "<img" not in note_by_text(collection, "still exports").fields[3]


def test_a_missing_image_is_a_warning_and_the_package_is_still_written(
    imported_store: Repository, tmp_path: Path
) -> None:
    result = export_package(imported_store, tmp_path / "out.apkg")
    assert result.warnings == [
        "AWS/Networking/NAT gateway.md:9: embedded image not found in the vault: missing.png"
    ]
    assert zipfile.is_zipfile(result.path)


def test_the_same_input_gives_a_byte_identical_package(
    imported_store: Repository, export_vault: ExportVault, clock: MutableClock, tmp_path: Path
) -> None:
    first = export_package(imported_store, tmp_path / "a.apkg").path.read_bytes()
    clock.advance(days=3)
    imported_store.import_paths([export_vault.root])
    second = export_package(imported_store, tmp_path / "b.apkg").path.read_bytes()
    assert first == second


def test_edit_reimport_reexport_updates_the_notes_already_in_anki(
    imported_store: Repository,
    export_vault: ExportVault,
    clock: MutableClock,
    tmp_path: Path,
    open_anki: OpenAnki,
) -> None:
    collection = open_anki()
    import_package(collection, export_package(imported_store, tmp_path / "a.apkg").path)
    export_vault.edit("AWS/Networking/NAT gateway.md", "needs an", "always needs an")
    clock.advance(hours=2)
    report = imported_store.import_paths([export_vault.root])
    assert (report.cards_updated, report.cards_new) == (2, 0)

    log = import_package(collection, export_package(imported_store, tmp_path / "b.apkg").path)

    assert len(log.new) == 0 and len(log.updated) == 1 and len(log.duplicate) == 4
    assert collection.note_count() == 5 and collection.card_count() == 6
    edited = note_by_text(collection, "Elastic IP")
    assert edited.fields[0] == SIBLINGS_TEXT.replace("needs an", "always needs an")


def test_a_removed_highlight_keeps_its_siblings_on_their_anki_cards(
    imported_store: Repository,
    export_vault: ExportVault,
    clock: MutableClock,
    tmp_path: Path,
    open_anki: OpenAnki,
) -> None:
    collection = open_anki()
    import_package(collection, export_package(imported_store, tmp_path / "a.apkg").path)
    note_id = note_by_text(collection, "Elastic IP").id
    second_card = next(
        collection.get_card(cid) for cid in collection.find_cards(f"nid:{note_id}")
        if collection.get_card(cid).ord == 1
    )  # fmt: skip
    export_vault.edit("AWS/Networking/NAT gateway.md", "==Elastic IP==", "Elastic IP")
    clock.advance(hours=2)
    assert imported_store.import_paths([export_vault.root]).cards_retired == 1

    log = import_package(collection, export_package(imported_store, tmp_path / "b.apkg").path)

    assert len(log.updated) == 1 and len(log.new) == 0
    note = collection.get_note(note_id)
    assert note.fields[0] == "A NAT gateway needs an Elastic IP in a {{c2::public subnet}}"
    assert "public subnet" in visible_text(collection.get_card(second_card.id).answer())


def test_note_text_never_injects_html_or_clozes(
    imported_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    collection = open_anki()
    import_package(collection, export_package(imported_store, tmp_path / "out.apkg").path)
    note = note_by_text(collection, "alert(1)")
    assert "<script" not in note.fields[0] and "&lt;script&gt;" in note.fields[0]
    assert "<b>" not in note.fields[0]
    (card_id,) = collection.find_cards(f"nid:{note.id}")
    question = collection.get_card(card_id).question()
    assert "<script" not in question
    seen = visible_text(question)
    assert "<script>alert(1)</script>" in seen and "<b> {{c1::x}}" in seen
    assert seen.count("[...]") == 1


def test_deck_and_tag_filters_choose_whole_notes(
    imported_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    other = export_package(imported_store, tmp_path / "o.apkg", ExportOptions(deck="Other"))
    orange = export_package(imported_store, tmp_path / "c.apkg", ExportOptions(tag="colour/orange"))
    assert (other.notes, other.cards, other.decks, other.media_files) == (1, 1, ["Other"], 1)
    # The orange "public subnet" brings its yellow sibling "Elastic IP": one note, two cards.
    assert (orange.notes, orange.cards, orange.media_files) == (2, 3, 1)
    collection = open_anki()
    import_package(collection, orange.path)
    texts = sorted(collection.get_note(nid).fields[0] for nid in collection.find_notes(""))
    assert texts == [SIBLINGS_TEXT, "NAT instance supports {{c1::port forwarding}}"]


def test_the_package_collection_is_genankis_with_its_fixed_creation_date(
    imported_store: Repository, tmp_path: Path
) -> None:
    result = export_package(imported_store, tmp_path / "out.apkg")
    with zipfile.ZipFile(result.path) as archive:
        assert archive.namelist() == ["collection.anki2", "media", "0", "1"]
        database = tmp_path / "collection.anki2"
        database.write_bytes(archive.read("collection.anki2"))
    connection = sqlite3.connect(database)
    try:
        (crt,) = connection.execute("SELECT crt FROM col").fetchone()
    finally:
        connection.close()
    assert crt == GENANKI_CRT
    assert datetime.fromtimestamp(crt, UTC).date() == ANKI_CRT_DATE
