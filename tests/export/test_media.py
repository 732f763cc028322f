"""Which images belong to a card, and their names in the package."""

from __future__ import annotations

import textwrap
from pathlib import Path

from studytool.export.media import EmbedRef, MediaCollector, NoteLayout, card_embeds

NOTE = textwrap.dedent(
    """\
    # Topic
    Intro paragraph.

    ![[overview.png]]

    ## Section A
    - first ==fact== with ![[inline.png|300]]
    \t- ![[child.png]]
    \t\t- ![](deeper%20one.png "title")
    ![[lazy.png]]
    - second ==fact==
    - third ==fact==

    \t![[indented-after-blank.png]]
    ## Section B
    ![[section-b.png]]

    ```
    ![[in-code.png]]
    ```
    - fourth ==fact== ![[Some note]] ![](https://example.com/remote.png)
    ### Sub
    - fifth ==fact==
    """
)


def targets(line: int) -> list[str]:
    return [embed.target for embed in card_embeds(NOTE, line)]


def test_a_card_gets_its_statement_block_and_its_sections_standalone_images() -> None:
    assert targets(7) == ["inline.png", "child.png", "deeper one.png", "lazy.png", "overview.png"]
    assert targets(11) == ["overview.png"]
    assert targets(12) == ["indented-after-blank.png", "overview.png"]
    assert targets(21) == ["overview.png", "section-b.png"]
    assert targets(23) == ["overview.png", "section-b.png"]


def test_widths_lines_and_what_is_not_an_image() -> None:
    layout = NoteLayout.from_text(NOTE)
    assert layout.embeds_for(7)[0] == EmbedRef("inline.png", 7, 300)
    assert all(embed.target != "in-code.png" for _, embed in layout.section_images)
    assert layout.statement_block(19) == range(0)
    assert card_embeds("- a ==b==\n", 5) == []


def write(root: Path, rel: str, data: bytes | str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def test_names_stay_unless_two_different_files_share_one(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    write(vault, "a/n.md", "- x ==y== ![[a/pic.png]] ![[same.png]]\n")
    write(vault, "b/n.md", "- x ==y== ![[b/pic.png]] ![[b/same.png]]\n")
    first = write(vault, "a/pic.png", b"one")
    second = write(vault, "b/pic.png", b"two")
    write(vault, "a/same.png", b"same bytes")
    write(vault, "b/same.png", b"same bytes")
    collector = MediaCollector()
    for note in ("b/n.md", "a/n.md"):
        assert len(collector.images_for(str(vault), note, 1)) == 2
    names = {path.relative_to(vault.resolve()).as_posix(): item.name
             for path, item in collector.files().items()}  # fmt: skip
    assert names["a/pic.png"] == "pic.png"
    assert names["b/pic.png"].startswith("pic-") and names["b/pic.png"].endswith(".png")
    assert names["a/same.png"] == names["b/same.png"] == "same.png"
    assert first.read_bytes() != second.read_bytes() and collector.warnings == []


def test_missing_and_outside_images_are_warnings_never_reads(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    write(tmp_path, "secret.png", b"outside")
    write(vault, "n.md", "- x ==y== ![[gone.png]] ![[../secret.png]] ![](/etc/x.png)\n")
    collector = MediaCollector()
    assert collector.images_for(str(vault), "n.md", 1) == []
    assert collector.warnings == [
        "n.md:1: embedded image not found in the vault: gone.png",
        "n.md:1: embedded image not found in the vault: ../secret.png",
        "n.md:1: embedded image not found in the vault: /etc/x.png",
    ]
    assert collector.files() == {}


def test_a_gone_vault_or_note_is_one_warning(tmp_path: Path) -> None:
    collector = MediaCollector()
    for line in (1, 2):
        assert collector.images_for(str(tmp_path / "gone"), "n.md", line) == []
    vault = tmp_path / "v"
    vault.mkdir()
    assert collector.images_for(str(vault), "../escape.md", 1) == []
    assert collector.warnings == [
        f"{tmp_path / 'gone'}: vault folder not found; its cards' images are not exported",
        f"../escape.md:1: note file not found in {vault}; its images are not exported",
    ]
