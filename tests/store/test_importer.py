"""Importing vaults: counts, identity across edits, retire and return, bad files, safety."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from studytool.store.repository import Repository
from tests.conftest import WriteNote

NAT = """\
---
tags: [aws]
---
# NAT
## Instance
- NAT instance supports <mark style="background: #FFB86CA6;">port forwarding</mark>
- A NAT gateway needs an ==Elastic IP==
"""


def answers(repository: Repository, include_retired: bool = False) -> list[str]:
    return [card.answer for card in repository.list_cards(include_retired=include_retired)]


def grade_card(repository: Repository, card_id: int) -> None:
    """Give a card some review history directly (the review service is tested elsewhere)."""
    with repository.engine.connect() as connection, connection.begin():
        connection.execute(
            text(
                "UPDATE review_state SET state='review', repetitions=2, interval=6 WHERE card_id=:i"
            ),
            {"i": card_id},
        )


def test_first_import_creates_cards_with_context_and_tags(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    write_note("AWS/Networking/NAT.md", NAT)
    report = repository.import_paths([vault])
    assert (report.notes_read, report.cards_new, report.warnings) == (1, 2, [])
    by_answer = {card.answer: card for card in repository.list_cards()}
    port = by_answer["port forwarding"]
    assert port.prompt == "NAT instance supports [...]"
    assert port.deck == "AWS/Networking"
    assert port.note == "AWS/Networking/NAT.md"
    assert port.line == 6
    assert port.context[:2] == ("NAT", "Instance")
    assert "aws" in port.tags and "colour/orange" in port.tags
    assert port.state == "new"


def test_reimporting_an_unchanged_vault_changes_nothing(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    write_note("AWS/NAT.md", NAT)
    repository.import_paths([vault])
    before = repository.list_cards()
    report = repository.import_paths([vault])
    assert (report.notes_unchanged, report.cards_new, report.cards_updated) == (1, 0, 0)
    assert report.cards_retired == 0
    assert repository.list_cards() == before


def test_editing_around_and_inside_a_highlight_keeps_the_card_and_its_history(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    write_note("AWS/NAT.md", NAT)
    repository.import_paths([vault])
    card = next(c for c in repository.list_cards() if c.answer == "port forwarding")
    grade_card(repository, card.id)
    write_note("AWS/NAT.md", NAT.replace(
        "NAT instance supports <mark", "Unlike a gateway, a NAT instance supports <mark"
    ).replace("port forwarding", "TCP port forwarding"))  # fmt: skip
    report = repository.import_paths([vault])
    assert report.cards_new == 0 and report.cards_retired == 0
    edited = repository.get_card(card.id)
    assert edited is not None
    assert edited.answer == "TCP port forwarding"
    assert edited.key == card.key
    assert (edited.state, edited.repetitions, edited.interval) == ("review", 2, 6)


def test_a_vanished_highlight_retires_its_card_and_its_return_restores_it(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    write_note("AWS/NAT.md", NAT)
    repository.import_paths([vault])
    card = next(c for c in repository.list_cards() if c.answer == "Elastic IP")
    grade_card(repository, card.id)
    write_note("AWS/NAT.md", NAT.replace("==Elastic IP==", "Elastic IP"))
    report = repository.import_paths([vault])
    assert report.cards_retired == 1
    retired = repository.get_card(card.id)
    assert retired is not None and retired.retired and retired.display_state == "retired"
    assert retired.repetitions == 2
    assert "Elastic IP" not in answers(repository)
    write_note("AWS/NAT.md", NAT)
    report = repository.import_paths([vault])
    assert (report.cards_restored, report.cards_new) == (1, 0)
    restored = repository.get_card(card.id)
    assert restored is not None and not restored.retired and restored.repetitions == 2


def test_moving_a_note_keeps_its_cards(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    path = write_note("AWS/NAT.md", NAT)
    repository.import_paths([vault])
    keys = {c.answer: c.key for c in repository.list_cards()}
    target = vault / "Archive" / "NAT notes.md"
    target.parent.mkdir()
    path.rename(target)
    report = repository.import_paths([vault])
    assert (report.cards_new, report.cards_retired, report.notes_missing) == (0, 0, 1)
    moved = {c.answer: c for c in repository.list_cards()}
    assert {a: c.key for a, c in moved.items()} == keys
    assert moved["Elastic IP"].note == "Archive/NAT notes.md"
    assert moved["Elastic IP"].deck == "Archive"


def test_deleting_a_note_retires_but_never_deletes(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    write_note("AWS/NAT.md", NAT).unlink()
    write_note("AWS/Other.md", "- x is ==5==\n")
    repository.import_paths([vault])
    write_note("AWS/NAT.md", NAT)
    repository.import_paths([vault])
    (vault / "AWS/NAT.md").unlink()
    report = repository.import_paths([vault])
    assert report.cards_retired == 2
    assert repository.card_count() == 3


def test_importing_one_note_does_not_retire_the_others(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    write_note("AWS/NAT.md", NAT)
    other = write_note("AWS/Other.md", "- x is ==5==\n")
    repository.import_paths([vault])
    report = repository.import_paths([other])
    assert report.cards_retired == 0
    assert len(answers(repository)) == 3


def test_frontmatter_deck_overrides_the_folder(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    write_note("misc/a.md", "---\ndeck: Exam/Week 1\n---\n- x is ==5==\n")
    repository.import_paths([vault])
    assert [c.deck for c in repository.list_cards()] == ["Exam/Week 1"]


def test_bad_files_warn_and_the_rest_is_imported(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    write_note("good.md", "- x is ==5==\n")
    (vault / "latin1.md").write_bytes("- caf\xe9 is ==open==\n".encode("latin-1"))
    (vault / "binary.md").write_bytes(b"\x00\x01\x02PNG\x00\x00" * 20)
    write_note("unclosed.md", "- a <mark>never closed\n- y is ==6==\n")
    write_note("image.md", "- see ![[missing.png]] and ==this==\n")
    report = repository.import_paths([vault])
    assert not report.failed
    joined = "\n".join(report.warnings)
    assert "binary.md:" in joined
    assert "latin1.md:1:" in joined
    assert "unclosed.md:1:" in joined
    assert "image.md:1: embedded file not found in the vault: missing.png" in joined
    assert {"5", "6", "this"} <= set(answers(repository))


def test_missing_paths_are_errors_and_only_total_failure_fails(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    write_note("good.md", "- x is ==5==\n")
    report = repository.import_paths([vault / "nope", vault])
    assert report.errors and not report.failed
    report = repository.import_paths([vault / "nope"])
    assert report.failed


def test_an_import_that_fails_half_way_leaves_the_database_as_before(
    repository: Repository, vault: Path, write_note: WriteNote, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_note("AWS/NAT.md", NAT)
    repository.import_paths([vault])
    before = repository.list_cards()
    write_note("AWS/NAT.md", NAT + "- new fact ==42==\n")
    write_note("AWS/Other.md", "- x is ==5==\n")

    import studytool.store.importer as importer

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("killed half-way")

    monkeypatch.setattr(importer, "_retire", explode)
    with pytest.raises(RuntimeError):
        repository.import_paths([vault])
    assert repository.list_cards() == before
    with repository.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM note")).scalar() == 1


def test_bundled_notes_import_with_cards_in_every_topic(repository: Repository) -> None:
    report = repository.ensure_cards()
    assert report is not None and report.cards_new >= 60
    assert report.warnings == []
    assert repository.ensure_cards() is None
    notes = {card.note for card in repository.list_cards()}
    assert len(notes) >= 6
    assert repository.deck_names() == ["AWS/Networking"]


def test_deck_and_tag_filters_include_children(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    write_note("AWS/Networking/a.md", "- x is ==5==\n")
    write_note("AWS/b.md", "---\ntags: [exam/week1]\n---\n- y is ==6==\n")
    write_note("Other/c.md", '- z is <mark style="background: #FFB86CA6;">7</mark>\n')
    repository.import_paths([vault])
    assert sorted(c.answer for c in repository.list_cards(deck="AWS")) == ["5", "6"]
    assert [c.answer for c in repository.list_cards(deck="aws/networking")] == ["5"]
    assert [c.answer for c in repository.list_cards(tag="exam")] == ["6"]
    assert [c.answer for c in repository.list_cards(tag="colour/orange")] == ["7"]


SCENARIO_NOTE = """\
# Practice
```scenario
title: Which subnet is public?
vpc: {internet_gateway: igw-1}
route_tables: {rt: {0.0.0.0/0: igw-1}}
subnets: {web: {az: a, route_table: rt}, db: {az: a}}
ask: [subnet-type web, subnet-type db]
```

```scenario
title: Broken
subnets: {web: {az: a, route_table: rt-missing}}
ask: [subnet-type web]
```
"""


def test_scenario_blocks_become_scenario_cards_and_bad_ones_warn_with_note_lines(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    write_note("practice.md", SCENARIO_NOTE)
    report = repository.import_paths([vault])
    [card] = repository.list_cards(kind="scenario")
    assert card.prompt == "Which subnet is public?"
    assert card.line == 3
    assert card.extra is not None and "subnet-type db" in card.extra
    [warning] = [w for w in report.warnings if "rt-missing" in w]
    assert warning.startswith("practice.md:12: ")
    assert warning.endswith("(scenario block skipped)")


@pytest.mark.parametrize(("tagged", "tag"), [("!!int abc", "!!int"), ("!!bool maybe", "!!bool")])
def test_a_scenario_block_with_a_badly_tagged_value_warns_and_the_rest_imports(
    repository: Repository, vault: Path, write_note: WriteNote, tagged: str, tag: str
) -> None:
    note = "- a subnet is ==public== when routed to an IGW\n\n```scenario\nsubnets:\n"
    note += f"  web: {{az: {tagged}}}\nask: [subnet-type web]\n```\n"
    write_note("tagged.md", note)
    report = repository.import_paths([vault])
    assert [card.answer for card in repository.list_cards(kind="cloze")] == ["public"]
    assert repository.list_cards(kind="scenario") == []
    [warning] = report.warnings
    value = tagged.split()[1]
    expected = f"tagged.md:5: az of subnet web: '{value}' is not a valid {tag} value"
    assert warning.startswith(expected)
    assert warning.endswith("(scenario block skipped)")


def test_an_import_retiring_over_ten_percent_backs_up_the_database_first(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    from studytool.locations import backups_dir

    write_note("AWS/NAT.md", NAT)
    for index in range(9):
        write_note(f"AWS/keep{index}.md", f"- fact {index} is =={index}==\n")
    repository.import_paths([vault])
    write_note("AWS/keep0.md", "- nothing highlighted any more\n")
    repository.import_paths([vault])
    assert not backups_dir(repository.path).exists()  # 1 of 11 retired: no backup
    (vault / "AWS/NAT.md").unlink()
    report = repository.import_paths([vault])
    assert report.cards_retired == 2
    [backup] = backups_dir(repository.path).glob("*import-retires-many*.db")
    assert report.backup == str(backup)
    copy = Repository.open(backup)
    try:
        assert len(copy.list_cards(include_retired=False)) == 10
    finally:
        copy.close()


def test_deck_and_tag_filters_fold_case_beyond_ascii(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    write_note("Über/Straße.md", "---\ntags: [Ärger]\n---\n- x is ==5==\n")
    repository.import_paths([vault])
    assert [c.answer for c in repository.list_cards(deck="über")] == ["5"]
    assert [c.answer for c in repository.list_cards(tag="ärger")] == ["5"]


def deny_reading(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Reading ``path`` fails as it would without permission (root reads anything)."""
    real_read_bytes = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", denied)


def graded_nat_note(repository: Repository, vault: Path, write_note: WriteNote) -> tuple[Path, int]:
    """The NAT note imported, and its "Elastic IP" card given some history."""
    path = write_note("AWS/NAT.md", NAT)
    repository.import_paths([vault])
    card = next(c for c in repository.list_cards() if c.answer == "Elastic IP")
    grade_card(repository, card.id)
    return path, card.id


def _kept_after(repository: Repository, vault: Path, card_id: int) -> str:
    """Re-import; assert nothing was retired and the graded card is intact; the warnings."""
    report = repository.import_paths([vault])
    assert (report.cards_retired, report.cards_new, report.notes_missing) == (0, 0, 0)
    assert not report.failed
    card = repository.get_card(card_id)
    assert card is not None and not card.retired and card.repetitions == 2
    assert sorted(answers(repository)) == ["Elastic IP", "port forwarding"]
    return "\n".join(report.warnings)


def test_a_note_that_cannot_be_read_keeps_its_cards_until_it_can(
    repository: Repository, vault: Path, write_note: WriteNote, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, card_id = graded_nat_note(repository, vault, write_note)
    write_note("AWS/NAT.md", NAT.replace("==Elastic IP==", "==two Elastic IPs=="))
    deny_reading(monkeypatch, path)
    warnings = _kept_after(repository, vault, card_id)
    assert (
        "AWS/NAT.md:1: cannot read file: Permission denied; "
        "its cards from the last import are kept as they were"
    ) in warnings
    monkeypatch.undo()
    report = repository.import_paths([vault])  # readable again: the edit arrives
    assert report.notes_changed == 1
    assert "two Elastic IPs" in answers(repository)


def test_a_note_turned_binary_keeps_its_cards(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    path, card_id = graded_nat_note(repository, vault, write_note)
    path.write_bytes(b"\x00\x01\x02PNG\x00\x00" * 20)
    warnings = _kept_after(repository, vault, card_id)
    assert "AWS/NAT.md:1: binary file, skipped; its cards from the last import are kept" in (
        warnings
    )


def test_a_note_the_parser_gives_up_on_keeps_its_cards(
    repository: Repository, vault: Path, write_note: WriteNote, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studytool.parsing import statements

    path, card_id = graded_nat_note(repository, vault, write_note)
    path.write_text(NAT + "- one more ==line==\n", encoding="utf-8")

    def broken(self: object) -> object:
        raise RecursionError("too deep")

    monkeypatch.setattr(statements._NoteWalker, "walk", broken)
    warnings = _kept_after(repository, vault, card_id)
    assert "AWS/NAT.md:1: internal parser error, note skipped" in warnings
    assert "its cards from the last import are kept as they were" in warnings


def test_a_new_note_that_cannot_be_read_is_only_a_warning(
    repository: Repository, vault: Path, write_note: WriteNote, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_note("AWS/NAT.md", NAT)
    path = write_note("AWS/New.md", "- x is ==5==\n")
    deny_reading(monkeypatch, path)
    report = repository.import_paths([vault])
    assert "AWS/New.md:1: cannot read file: Permission denied" in report.warnings
    assert sorted(answers(repository)) == ["Elastic IP", "port forwarding"]


def test_a_note_moved_with_a_typo_fixed_in_a_highlight_keeps_every_card(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    path = write_note("AWS/NAT.md", NAT.replace("==Elastic IP==", "==Elastic IPP=="))
    repository.import_paths([vault])
    ids = {c.answer: c.id for c in repository.list_cards()}
    grade_card(repository, ids["Elastic IPP"])
    path.unlink()
    write_note("Archive/NAT notes.md", NAT)
    report = repository.import_paths([vault])
    assert (report.cards_new, report.cards_retired) == (0, 0)
    moved = {c.answer: c for c in repository.list_cards()}
    assert {answer: c.id for answer, c in moved.items()} == {
        "Elastic IP": ids["Elastic IPP"], "port forwarding": ids["port forwarding"],
    }  # fmt: skip
    assert moved["Elastic IP"].note == "Archive/NAT notes.md"
    assert moved["Elastic IP"].repetitions == 2


def test_new_card_rules_reach_cards_of_unchanged_notes_once_history_kept(
    repository: Repository, vault: Path, write_note: WriteNote
) -> None:
    import hashlib

    data = "- Each AZ has 1 NAT gateway and ==1 Gbps== of burst\n"
    write_note("AWS/NAT.md", data)
    repository.import_paths([vault])
    card = repository.list_cards()[0]
    grade_card(repository, card.id)
    with repository.engine.connect() as connection, connection.begin():  # as revision 1 left it
        connection.execute(
            text("UPDATE note SET content_hash = :h"),
            {"h": hashlib.sha1(data.encode()).hexdigest()},
        )
        connection.execute(
            text("UPDATE card SET prompt = 'Each AZ has [...] NAT gateway and [...] of burst'")
        )
    report = repository.import_paths([vault])
    assert (report.notes_changed, report.cards_new, report.cards_retired) == (1, 0, 0)
    updated = repository.get_card(card.id)
    assert updated is not None and updated.repetitions == 2
    assert updated.prompt == "Each AZ has 1 NAT gateway and [...] of burst"
    assert repository.import_paths([vault]).notes_unchanged == 1
