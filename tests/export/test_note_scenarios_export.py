"""The scenario questions users write in their notes, exported as Basic notes.

Each test imports a vault with ```` ```scenario ```` blocks, exports it and opens the package
with the real Anki backend.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC
from pathlib import Path

import pytest
from click.testing import CliRunner

from studytool.export.anki import ExportOptions, NothingToExportError, export_package
from studytool.export.note_types import SCENARIO_MODEL_NAME
from studytool.export.scenarios import is_note_block, note_block_guid
from studytool.store.records import CardRecord
from studytool.store.repository import Repository
from tests.export.conftest import ExportVault, MutableClock, OpenAnki, import_package

PRACTICE = "AWS/Networking/NAT practice.md"
PRACTICE_NOTE = """\
---
tags: [aws, practice]
---
# NAT practice
- A NAT gateway lives in ==one AZ==

```scenario
title: Shared NAT <b>gateway</b> {{c1::x}}
vpc:
  internet_gateway: igw-1   # <script>alert(1)</script>
subnets:
  public-a: {az: a, route_table: rt-public}
  private-b: {az: b, route_table: rt-private}
route_tables:
  rt-public: {0.0.0.0/0: igw-1}
  rt-private: {0.0.0.0/0: nat-a}
nat_gateways:
  nat-a: {subnet: public-a, elastic_ip: eip-1}
instances:
  web-a: {subnet: public-a, public_ip: true}
  app-b: {subnet: private-b}
ask:
  - subnet-type private-b
  - internet-egress app-b
  - lost-internet-if-az-fails a
```
"""

DRILL = "Drills/Subnets.md"
DRILL_NOTE = """\
# Subnet drill

```scenario
title: Which subnet is public?
vpc: {internet_gateway: igw-1}
route_tables: {rt: {0.0.0.0/0: igw-1}}
subnets: {web: {az: a, route_table: rt}, db: {az: a}}
ask: [subnet-type web, subnet-type db]
```
"""


def note_block_card(store: Repository, note: str) -> CardRecord:
    (card,) = [
        card
        for card in store.list_cards(kind="scenario", include_retired=False)
        if card.note == note
    ]
    return card


def scenario_fields(collection: object) -> dict[str, list[str]]:
    """Each studytool scenario note's fields, by GUID."""
    found = {}
    for note_id in collection.find_notes(f'"note:{SCENARIO_MODEL_NAME}"'):  # type: ignore[attr-defined]
        note = collection.get_note(note_id)  # type: ignore[attr-defined]
        found[note.guid] = list(note.fields)
    return found


@pytest.fixture
def practice_store(store: Repository, export_vault: ExportVault) -> Repository:
    export_vault.write(PRACTICE, PRACTICE_NOTE)
    export_vault.write(DRILL, DRILL_NOTE)
    report = store.import_paths([export_vault.root])
    assert not report.errors
    return store


def test_every_ask_of_a_block_is_a_note_with_the_models_answer_deck_and_tags(
    practice_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    result = export_package(practice_store, tmp_path / "all.apkg")
    assert result.note_scenario_notes == 5
    assert result.scenario_notes == 0
    assert "AWS::Networking" in result.decks and "Drills" in result.decks
    collection = open_anki()
    import_package(collection, result.path)
    fields = scenario_fields(collection)
    key = note_block_card(practice_store, PRACTICE).key
    guids = [note_block_guid(key, index) for index in range(3)]
    assert set(guids) <= set(fields)
    assert [fields[guid][2] for guid in guids] == ["private", "yes", "app-b"]
    subnet, egress, lost = (fields[guid] for guid in guids)
    assert "Is subnet private-b public or private?" in subnet[0]
    assert subnet[1] == '<ol class="st-choices" type="A"><li>public</li><li>private</li></ol>'
    assert egress[1] == ""
    assert "Can app-b open an IPv4 connection to a server on the internet?" in egress[0]
    assert "lose internet access" in lost[0]
    assert "(rule nat-gateway-zonal)" in lost[3]
    assert lost[3].endswith(">AWS/Networking/NAT practice.md:25</a></div>")  # the ask's line
    for note_id in collection.find_notes(f'"note:{SCENARIO_MODEL_NAME}"'):
        note = collection.get_note(note_id)
        if note.guid in guids:
            assert sorted(note.tags) == ["aws", "practice"]
            (card,) = note.cards()
            assert collection.decks.name(card.did) == "AWS::Networking"
            assert card.type == 0  # new
    drill_key = note_block_card(practice_store, DRILL).key
    assert [fields[note_block_guid(drill_key, i)][2] for i in range(2)] == ["public", "private"]


def test_user_text_in_a_block_is_escaped_like_generated_questions(
    practice_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    result = export_package(practice_store, tmp_path / "all.apkg")
    collection = open_anki()
    import_package(collection, result.path)
    key = note_block_card(practice_store, PRACTICE).key
    question = scenario_fields(collection)[note_block_guid(key, 0)][0]
    assert "Shared NAT &lt;b&gt;gateway&lt;/b&gt; &#123;&#123;c1::x&#125;&#125;" in question
    assert "# &lt;script&gt;alert(1)&lt;/script&gt;" in question
    assert "<script>" not in question and "{{" not in question and "<b>gateway" not in question
    assert "private-b: &#123;az: b, route_table: rt-private&#125;" in question
    assert "ask:" not in question  # the asks are the questions, not the situation
    for card_id in collection.find_cards(f'"note:{SCENARIO_MODEL_NAME}"'):
        card = collection.get_card(card_id)
        assert card.question() and "{{" not in card.answer()


def test_editing_a_block_updates_the_same_anki_notes(
    practice_store: Repository,
    export_vault: ExportVault,
    clock: MutableClock,
    tmp_path: Path,
    open_anki: OpenAnki,
) -> None:
    key = note_block_card(practice_store, PRACTICE).key
    guids = {note_block_guid(key, index) for index in range(3)}
    collection = open_anki()
    import_package(collection, export_package(practice_store, tmp_path / "one.apkg").path)
    before = {
        collection.get_note(nid).guid: nid
        for nid in collection.find_notes(f'"note:{SCENARIO_MODEL_NAME}"')
    }
    assert guids <= set(before)
    clock.advance(days=1)
    export_vault.edit(PRACTICE, "title: Shared NAT", "title: Edited NAT")
    export_vault.edit(PRACTICE, "- internet-egress app-b", "- internet-egress app-b 1.1.1.1")
    report = practice_store.import_paths([export_vault.root])
    assert report.cards_updated >= 1 and not report.errors
    assert note_block_card(practice_store, PRACTICE).key == key
    import_package(collection, export_package(practice_store, tmp_path / "two.apkg").path)
    after = {
        collection.get_note(nid).guid: nid
        for nid in collection.find_notes(f'"note:{SCENARIO_MODEL_NAME}"')
    }
    assert after == before  # same notes, none added
    egress = collection.get_note(after[note_block_guid(key, 1)]).fields[0]
    assert "Can app-b open an IPv4 connection to 1.1.1.1?" in egress
    assert "Edited NAT" in egress


def test_a_block_the_model_rejects_warns_and_the_rest_exports(
    practice_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    drill = note_block_card(practice_store, DRILL)
    broken = (drill.extra or "").replace("route_table: rt}", "route_table: rt-gone}")
    assert broken != drill.extra
    with sqlite3.connect(practice_store.path) as connection:
        connection.execute("UPDATE card SET extra = ? WHERE id = ?", (broken, drill.id))
    connection.close()
    result = export_package(practice_store, tmp_path / "all.apkg")
    assert result.note_scenario_notes == 3
    (warning,) = [w for w in result.warnings if "rt-gone" in w]
    assert warning.startswith(f"{DRILL}:7: ")  # the subnets line of the note
    assert warning.endswith("(scenario block not exported)")
    collection = open_anki()
    import_package(collection, result.path)
    key = note_block_card(practice_store, PRACTICE).key
    assert set(scenario_fields(collection)) == {note_block_guid(key, i) for i in range(3)}


def test_deck_and_tag_filter_block_questions_like_cloze_cards(
    practice_store: Repository, tmp_path: Path
) -> None:
    other = export_package(practice_store, tmp_path / "o.apkg", ExportOptions(deck="Other"))
    assert (other.note_scenario_notes, other.decks) == (0, ["Other"])
    drills = export_package(practice_store, tmp_path / "d.apkg", ExportOptions(deck="Drills"))
    assert (drills.note_scenario_notes, drills.notes, drills.decks) == (2, 2, ["Drills"])
    tagged = export_package(practice_store, tmp_path / "t.apkg", ExportOptions(tag="practice"))
    assert tagged.note_scenario_notes == 3
    assert tagged.notes == 4  # the practice note's cloze card and its block's three asks


def test_template_scenario_cards_are_not_exported_as_block_questions(
    imported_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    from studytool.store.scenario_cards import sync_template_cards

    sync_template_cards(imported_store)
    templates = imported_store.list_cards(kind="scenario", include_retired=False)
    assert templates and not any(is_note_block(card) for card in templates)
    result = export_package(imported_store, tmp_path / "all.apkg")
    assert result.note_scenario_notes == 0
    assert not any(deck.startswith("Scenarios") for deck in result.decks)
    collection = open_anki()
    import_package(collection, result.path)
    assert scenario_fields(collection) == {}
    with pytest.raises(NothingToExportError):
        export_package(imported_store, tmp_path / "s.apkg", ExportOptions(deck="Scenarios"))


def test_with_scheduling_block_questions_arrive_as_new_cards(
    practice_store: Repository, clock: MutableClock, tmp_path: Path, open_anki: OpenAnki
) -> None:
    from studytool.store.reviews import ReviewService

    service = ReviewService(practice_store, now=clock, tz=UTC)
    session = service.start_session()
    block = note_block_card(practice_store, DRILL)
    service.grade(session, block.id, 5, duration_ms=3000)
    assert note_block_card(practice_store, DRILL).state != "new"
    options = ExportOptions(deck="Drills", with_scheduling=True, tz=UTC)
    result = export_package(practice_store, tmp_path / "s.apkg", options)
    assert (result.note_scenario_notes, result.review_cards, result.revlog_entries) == (2, 0, 0)
    collection = open_anki()
    import_package(collection, result.path)
    types = [collection.get_card(cid).type for cid in collection.find_cards("deck:Drills")]
    assert types == [0, 0]


def test_the_command_counts_the_questions_from_notes(
    practice_store: Repository, tmp_path: Path
) -> None:
    from studytool.cli.main import cli

    target = tmp_path / "d.apkg"
    result = CliRunner().invoke(
        cli, ["--db", str(practice_store.path), "export", str(target), "--deck", "Drills"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"Wrote {target}: 2 notes, 2 scenario questions from your notes, 2 cards, "
        "0 media files, 0 warnings"
    )
