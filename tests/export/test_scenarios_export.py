"""``--scenarios N``: generated questions as Basic notes.

Rendering is pinned with a small stand-in generator passed in; the command and the real
generator are tested end to end with the real Anki.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studytool.export.anki import ExportOptions, export_package
from studytool.export.scenarios import (
    format_answer,
    load_generator,
    scenario_notes,
)
from studytool.store.repository import Repository
from tests.export.conftest import OpenAnki, import_package


@dataclass(frozen=True)
class FakeQuestion:
    template: str
    topic: str
    question: str
    kind: str
    choices: list[str]
    answer: Any
    unit: str | None
    because: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def fake_generate_questions(seed: int, count: int, topic: str | None) -> list[FakeQuestion]:
    """Two templates, ``count`` instances each, numbered from ``seed``."""
    questions = []
    for index in range(seed, seed + count):
        questions.append(
            FakeQuestion(
                template="nat-az-failure", topic="NAT gateway", kind="bool", choices=[],
                question=f"AZ a fails. Can app-{index} still reach the internet?",
                answer=False, unit=None, rules=["nat-gateway-zonal"],
                because=["nat-a is down: its availability zone a failed"],
            )
        )  # fmt: skip
        questions.append(
            FakeQuestion(
                template="vpn-throughput", topic="Site-to-Site VPN", kind="choice",
                question=f"Ceiling for {index + 2} up tunnels with ECMP <b>on</b>?",
                choices=["1.25 Gbps", f"{1.25 * (index + 2)} Gbps"],
                answer=1.25 * (index + 2), unit="Gbps", rules=["vpn-ecmp"],
                because=["ECMP spreads traffic over every up tunnel"],
            )
        )  # fmt: skip
    return [q for q in questions if topic is None or q.topic == topic]


def test_scenario_questions_become_basic_notes_in_scenario_decks(
    imported_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    options = ExportOptions(deck="Other", scenarios=2, seed=1)
    result = export_package(
        imported_store, tmp_path / "q.apkg", options, generate=fake_generate_questions
    )
    assert (result.notes, result.scenario_notes, result.cards) == (5, 4, 5)
    assert result.decks == ["Other", "Scenarios::NAT gateway", "Scenarios::Site-to-Site VPN"]
    collection = open_anki()
    import_package(collection, result.path)
    note_ids = collection.find_notes('"note:studytool scenario"')
    assert len(note_ids) == 4
    notes = {collection.get_note(nid).fields[0]: collection.get_note(nid) for nid in note_ids}
    vpn = notes["Ceiling for 3 up tunnels with ECMP &lt;b&gt;on&lt;/b&gt;?"]
    assert vpn.fields[1] == (
        '<ol class="st-choices" type="A"><li>1.25 Gbps</li><li>3.75 Gbps</li></ol>'
    )
    assert vpn.fields[2] == "3.75 Gbps"
    assert vpn.fields[3] == (
        '<ul class="st-because"><li>ECMP spreads traffic over every up tunnel</li></ul>'
        '<div class="st-rules">Rules: vpn-ecmp</div>'
    )
    assert sorted(vpn.tags) == ["scenario", "scenario::vpn-throughput"]
    nat = notes["AZ a fails. Can app-1 still reach the internet?"]
    assert nat.fields[2] == "no"
    (card_id,) = collection.find_cards(f"nid:{nat.id}")
    card = collection.get_card(card_id)
    assert collection.decks.name(card.did) == "Scenarios::NAT gateway"
    assert "Can app-1 still reach" in card.question() and "nat-gateway-zonal" in card.answer()


def test_re_exporting_the_same_questions_updates_nothing_and_adds_nothing(
    imported_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    options = ExportOptions(deck="Other", scenarios=1)
    collection = open_anki()
    first = export_package(
        imported_store, tmp_path / "a.apkg", options, generate=fake_generate_questions
    )
    import_package(collection, first.path)
    second = export_package(
        imported_store, tmp_path / "b.apkg", options, generate=fake_generate_questions
    )
    log = import_package(collection, second.path)
    assert len(log.new) == 0 and len(log.duplicate) == 3
    assert collection.note_count() == 3


def test_the_generator_is_called_with_seed_count_and_topic() -> None:
    calls: list[tuple[int, int, str | None]] = []

    def generate(seed: int, count: int, topic: str | None) -> list[FakeQuestion]:
        calls.append((seed, count, topic))
        return fake_generate_questions(seed, count, topic)

    notes, warnings = scenario_notes(3, 7, "NAT gateway", generate)
    assert calls == [(7, 3, "NAT gateway")]
    assert len(notes) == 3 and not warnings
    assert {note.deck for note in notes} == {"Scenarios::NAT gateway"}


def test_a_question_without_text_is_a_warning() -> None:
    def generate(seed: int, count: int, topic: str | None) -> list[FakeQuestion]:
        return [FakeQuestion("t", "x", " ", "bool", [], True, None)]

    notes, warnings = scenario_notes(1, 0, None, generate)
    assert notes == [] and warnings == ["scenario question 1 (t): no question text; skipped"]


def test_the_real_generator_gives_n_questions_per_template() -> None:
    from studytool.scenarios.generator import templates

    generate = load_generator()
    questions = generate(seed=5, count=2, topic="nat-gateway")
    ids = [template.id for template in templates("nat-gateway")]
    assert sorted(q.template for q in questions) == sorted(ids * 2)


def test_answers_read_like_a_person_wrote_them() -> None:
    assert format_answer(True, None) == "yes"
    assert format_answer(False, "Gbps") == "no"
    assert format_answer(2.5, "Gbps") == "2.5 Gbps"
    assert format_answer(5.0, "Gbps") == "5 Gbps"
    assert format_answer(["app-b", "web-a"], None) == "app-b, web-a"
    assert format_answer([], None) == "none"
    assert format_answer(300, "seconds") == "300 seconds"
    assert format_answer(1, "calls") == "1 call"
    assert format_answer(1, "NAT gateways") == "1 NAT gateway"


def test_the_command_adds_n_scenarios_per_template_that_anki_imports(
    imported_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    from click.testing import CliRunner

    from studytool.cli.main import cli
    from studytool.scenarios.generator import TOPICS, templates

    target = tmp_path / "q.apkg"
    result = CliRunner().invoke(
        cli,
        ["--db", str(imported_store.path), "export", str(target), "--deck", "Other",
         "--scenarios", "1", "--seed", "4"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    count = len(templates())
    assert result.stdout.strip() == (
        f"Wrote {target}: {count + 1} notes, {count} of them scenario questions, "
        f"{count + 1} cards, 1 media files, 0 warnings"
    )
    collection = open_anki()
    import_package(collection, target)
    scenario_notes_ids = collection.find_notes('"note:studytool scenario"')
    assert len(scenario_notes_ids) == count
    decks = {name for name in collection.decks.all_names() if name.startswith("Scenarios::")}
    assert len(decks) == len(TOPICS)
    for card_id in collection.find_cards('"note:studytool scenario"'):
        card = collection.get_card(card_id)
        assert card.question() and card.answer() and "{{" not in card.answer()
