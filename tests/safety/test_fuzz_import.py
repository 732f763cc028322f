"""Fuzzing the importer: hypothesis-generated notes never make it raise, and lose no highlight.

Two properties, each through the real importer into a real database:

1. Anything (random Markdown-ish text with control characters and very long lines, random
   bytes, invalid UTF-8) imports without an exception, and every card it makes is sane.
2. Highlights planted in randomly nested structures (tab-nested bullets, callouts, tables,
   headings, ``==`` and ``<mark>`` with bold, links and wikilinks inside), among noise
   (closed code fences and math holding fake highlights, HTML, unclosed marks, control
   characters, very long lines, invalid bytes), each become a card, or the note has a warning
   at or before the highlight's line. Fake highlights inside code or math never become cards.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studytool.store.records import CardRecord, ImportReport
from studytool.store.repository import Repository

NOTE = "fuzz.md"
MARKUP = "=<>[]()!#*_`$|\\-:~^{}\"'/ \t\n"
CONTROL = "\x01\x07\x08\x0b\x0c\x1b\x7f\x85\u2028\u200b\ufeff"
FUZZ_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@dataclass
class Imported:
    report: ImportReport
    cards: list[CardRecord]
    lines: int
    integrity: str


@contextmanager
def imported(data: bytes) -> Iterator[Imported]:
    """Write ``data`` as a note in a fresh vault and import it into a fresh database."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        vault = root / "vault"
        (vault / ".obsidian").mkdir(parents=True)
        (vault / NOTE).write_bytes(data)
        repository = Repository.open(root / "fuzz.db")
        try:
            report = repository.import_paths([vault])
            cards = repository.list_cards()
        finally:
            repository.close()
        connection = sqlite3.connect(root / "fuzz.db")
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        connection.close()
        yield Imported(report, cards, len(re.split(rb"\r\n|\r|\n", data)), integrity)


def assert_sane(result: Imported) -> None:
    assert result.integrity == "ok"
    assert result.report.notes_read == 1 and not result.report.errors
    for warning in result.report.warnings:
        assert warning.startswith(f"{NOTE}:")
    for card in result.cards:
        assert 1 <= card.line <= result.lines
        assert card.answer.strip()
        assert card.answer not in ("", card.prompt)
        assert card.note == NOTE


# Property 1: anything at all ---------------------------------------------------------------

markdownish = st.lists(
    st.one_of(
        st.sampled_from(MARKUP + CONTROL),
        st.sampled_from(["==", "<mark>", "</mark>", "```", "$$", "> [!tip] ", "\t- ", "[[", "]]",
                         "![[", '<mark style="background: #FFB86CA6;">', "<script>", "&lt;"]),
        st.characters(codec="utf-8"),
    ),
    max_size=200,
).map("".join)  # fmt: skip


@st.composite
def anything(draw: st.DrawFn) -> bytes:
    text = "".join(draw(st.lists(markdownish, max_size=8)))
    if draw(st.booleans()):
        text += "\n- " + "long line " * draw(st.integers(1, 5000)) + "==at the end=="
    data = text.encode("utf-8", errors="surrogatepass")
    kind = draw(st.sampled_from(["text", "bytes", "spliced"]))
    if kind == "bytes":
        return draw(st.binary(max_size=600))
    if kind == "spliced":
        position = draw(st.integers(0, len(data)))
        junk = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xe2\x82", b"\x00", b"\xfe\xff"]))
        return data[:position] + junk + data[position:]
    return data


@FUZZ_SETTINGS
@given(anything())
def test_importing_anything_never_raises(data: bytes) -> None:
    with imported(data) as result:
        assert_sane(result)


# Property 2: planted highlights are never lost -----------------------------------------------

SAFE_WORDS = st.lists(
    st.sampled_from(["the", "gateway", "routes", "NAT", "subnet", "Ünïcødé", "日本", "a+b", "50%",
                     "x/y", "(it)", "1.25", "Gbps", "**bold**", "[[Page|alias]]", "[[Page#Part]]",
                     "#tag", "\x07", "_em_", "\x1b"]),
    min_size=0, max_size=6,
).map(" ".join)  # fmt: skip


@dataclass
class Planted:
    token: str
    block: str


def _highlight(draw: st.DrawFn, token: str) -> str:
    inner = f"{draw(SAFE_WORDS)} {token} {draw(SAFE_WORDS)}".strip()
    style = draw(st.sampled_from(["==", "mark", "mark-style", "mark-attrs", "bold", "nested"]))
    if style == "==":
        return f"=={inner}=="
    if style == "mark":
        return f"<mark>{inner}</mark>"
    if style == "mark-style":
        return f'<mark style="background: #BBFABBA6;">{inner}</mark>'
    if style == "mark-attrs":
        return f'<mark class="hl" style="background: #FF5582A6;" data-x="1">{inner}</mark>'
    if style == "bold":
        return f"==**{inner}** and [[Link]]=="
    return f"==outer <mark>{inner}</mark> words=="


@st.composite
def planted_block(draw: st.DrawFn, number: int) -> Planted:
    token = f"zq{number}x"
    mark = _highlight(draw, token)
    before, after = draw(SAFE_WORDS), draw(SAFE_WORDS)
    statement = f"{before} {mark} {after}".strip()
    shape = draw(st.sampled_from(["bullets", "paragraph", "heading", "callout", "table", "quote"]))
    if shape == "bullets":
        depth, lines = 0, []
        for _ in range(draw(st.integers(0, 3))):
            lines.append("\t" * depth + f"- {draw(SAFE_WORDS) or 'parent'}:")
            depth = draw(st.integers(0, depth + 1))
        lines.append("\t" * depth + f"- {statement}")
        return Planted(token, "\n".join(lines))
    if shape == "heading":
        return Planted(token, "#" * draw(st.integers(1, 6)) + f" {statement}")
    if shape == "callout":
        kind = draw(st.sampled_from(["tip", "note", "warning", "fail"]))
        fold = draw(st.sampled_from(["", "-", "+"]))
        return Planted(token, f"> [!{kind}]{fold} Title\n> - {statement}")
    if shape == "table":
        cell = statement.replace(
            "|", "\\|"
        )  # a pipe inside a table cell is escaped, as in Obsidian
        return Planted(token, f"| head | other |\n| --- | --- |\n| {cell} | cell |")
    if shape == "quote":
        return Planted(token, f"> {statement}")
    return Planted(token, statement)


FAKE = "fakezz"
noise_block = st.one_of(
    st.just(f"```\n=={FAKE}== <mark>{FAKE}</mark>\n```"),
    st.just(f"~~~python\nx = '=={FAKE}=='\n~~~"),
    st.just(f"$$\n=={FAKE}==\n$$"),
    st.just(f"Inline `=={FAKE}==` code and $=={FAKE}==$ math"),
    st.just("<div>\n<b>html</b> block\n</div>"),
    st.just("An ==unclosed highlight and <mark>unclosed mark"),
    st.just("A stray </mark> and == lone equals"),
    st.just("---"),
    st.just("![[Pasted image 20230119164347.png]]"),
    st.text(alphabet=st.sampled_from("abc \t" + CONTROL), min_size=1, max_size=30),
    st.integers(1, 20_000).map(lambda n: "x" * n),
)


@st.composite
def note_with_plants(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    blocks: list[str] = []
    tokens: list[str] = []
    for number in range(draw(st.integers(1, 6))):
        blocks += draw(st.lists(noise_block, max_size=2))
        plant = draw(planted_block(number))
        blocks.append(plant.block)
        tokens.append(plant.token)
    blocks += draw(st.lists(noise_block, max_size=2))
    if draw(st.booleans()):
        blocks.insert(0, "---\ntags: [fuzz]\n---")
    encoded = [block.encode("utf-8") for block in blocks]
    if draw(st.booleans()):  # a paragraph with bytes that are not UTF-8
        junk = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xe2\x82", b"\x93quoted\x94"]))
        encoded.insert(draw(st.integers(0, len(encoded))), b"broken " + junk + b" bytes")
    return b"\n\n".join(encoded) + b"\n", tokens


def _line_of(data: bytes, token: str) -> int:
    return data[: data.index(token.encode())].count(b"\n") + 1


def _warning_lines(report: ImportReport) -> list[int]:
    return [int(warning.split(":", 2)[1]) for warning in report.warnings]


@FUZZ_SETTINGS
@given(note_with_plants())
def test_every_planted_highlight_becomes_a_card_or_a_warning(
    planted: tuple[bytes, list[str]],
) -> None:
    data, tokens = planted
    with imported(data) as result:
        assert_sane(result)
        warned = _warning_lines(result.report)
        for token in tokens:
            carded = any(token in card.text or token in card.answer for card in result.cards)
            line = _line_of(data, token)
            assert carded or any(w <= line for w in warned), (token, result.report.warnings)
        for card in result.cards:
            assert FAKE not in card.text
