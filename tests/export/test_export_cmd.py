"""``studytool export`` as a user runs it."""

from __future__ import annotations

import zipfile
from datetime import UTC
from pathlib import Path

import pytest
from click.testing import CliRunner

from studytool.cli.main import cli
from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService


def run(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_help_explains_the_command() -> None:
    result = CliRunner().invoke(cli, ["export", "--help"])
    assert result.exit_code == 0
    for option in ("--deck", "--tag", "--with-scheduling", "--scenarios", "decks/"):
        assert option in result.output


def test_scenarios_per_template_are_bounded_and_nothing_is_written_past_the_bound(
    imported_store: Repository, tmp_path: Path
) -> None:
    target = tmp_path / "many.apkg"
    code, _out, err = run(imported_store.path, "export", "--scenarios", "1001", str(target))
    assert code == 2 and "0<=x<=1000" in err
    assert not target.exists()


def test_a_package_that_cannot_be_written_is_one_line_and_exit_1(
    imported_store: Repository, tmp_path: Path
) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file where the folder would go", encoding="utf-8")
    target = blocker / "out.apkg"
    code, out, err = run(imported_store.path, "export", str(target))
    assert (code, out) == (1, "")
    assert err.startswith(f"Error: cannot write {target}: ") and "Traceback" not in err
    assert blocker.read_text(encoding="utf-8") == "a file where the folder would go"


def test_default_output_is_decks_studytool_apkg_with_a_summary_and_warnings(
    imported_store: Repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "project"
    work.mkdir()
    monkeypatch.chdir(work)
    code, out, err = run(imported_store.path, "export")
    assert code == 0
    package = work / "decks" / "studytool.apkg"
    assert zipfile.is_zipfile(package)
    assert out.strip() == f"Wrote {package}: 5 notes, 6 cards, 2 media files, 1 warnings"
    assert err.strip() == (
        "warning: AWS/Networking/NAT gateway.md:9: embedded image not found in the vault: "
        "missing.png"
    )


def test_deck_option_names_the_default_file_and_an_explicit_path_wins(
    imported_store: Repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(imported_store.path, "export", "--deck", "AWS/Networking")
    assert code == 0 and "4 notes, 5 cards, 1 media files" in out
    assert (tmp_path / "decks" / "AWS-Networking.apkg").is_file()
    code, out, _ = run(imported_store.path, "export", str(tmp_path / "mine.apkg"), "--tag", "aws")
    assert code == 0 and (tmp_path / "mine.apkg").is_file()


def test_with_scheduling_reports_the_review_state_it_carried(
    imported_store: Repository, tmp_path: Path
) -> None:
    service = ReviewService(imported_store, tz=UTC)
    card = imported_store.list_cards()[0]
    service.grade(service.start_session(), card.id, 5)
    code, out, _ = run(imported_store.path, "export", str(tmp_path / "s.apkg"), "--with-scheduling")
    assert code == 0
    assert out.strip() == (
        f"Wrote {tmp_path / 's.apkg'}: 5 notes, 6 cards, 2 media files, 1 warnings; "
        "scheduling: 1 cards with review state, 1 review log entries"
    )


def test_nothing_to_export_is_an_error_and_writes_nothing(
    imported_store: Repository, tmp_path: Path
) -> None:
    target = tmp_path / "none.apkg"
    code, _, err = run(imported_store.path, "export", str(target), "--deck", "Nope")
    assert code == 1
    assert "no cards match --deck Nope: nothing to export" in err
    assert not target.exists()


def test_an_empty_database_exports_the_bundled_notes_with_their_image(tmp_path: Path) -> None:
    code, out, err = run(tmp_path / "empty.db", "export", str(tmp_path / "b.apkg"))
    assert code == 0
    assert "importing the bundled notes first" in err
    assert ", 1 media files, 0 warnings" in out
    with zipfile.ZipFile(tmp_path / "b.apkg") as archive:
        assert archive.read("media") == b'{"0": "vpn-architecture.png"}'
