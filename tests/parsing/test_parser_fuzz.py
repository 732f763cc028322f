"""Property tests: the parser never raises, and every highlight becomes a card or a warning."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studytool.cards import BLANK, CLOZE, drafts_from_note
from studytool.parsing import ParsedNote, decode_note_bytes, parse_note

FRAGMENTS = [
    "==",
    "===",
    "<mark>",
    "</mark>",
    '<mark style="background: #FFB86CA6;">',
    "<mark style='background:#zz'",
    "<mark class=hltr-red>",
    "<MARK/>",
    "<span class='mint'>",
    "</span>",
    "<div>\n",
    "<!--",
    "-->",
    "[[",
    "]]",
    "![[",
    "[[Page#Head|alias]]",
    "![[img.png|600]]",
    "![alt](a b.png)",
    "[link](",
    ")",
    "`",
    "```",
    "```scenario\n",
    "~~~",
    "$",
    "$$",
    "#",
    "#tag",
    "# ",
    "## ",
    "- ",
    "\t- ",
    "\t\t",
    "    ",
    "1. ",
    "> ",
    "> [!tip] ",
    "> [!fail]-",
    "| a | b |\n| - | - |\n",
    "|",
    "\\|",
    "---\n",
    "tags: [",
    "deck: ",
    "**",
    "_",
    "&amp;",
    "&#0;",
    "\\",
    ": ",
    ". ",
    "300 seconds",
    "1.25 Gbps",
    "supports",
    " is ",
    "\n",
    "\n\n",
    "\r\n",
    "\x00",
    "\x0b",
    "\u2028",
    "\ufeff",
    "é",
    "🌐",
]

markdown_text = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(max_size=12),
        st.text(alphabet="ab =<>!#[]`$*\n\t", max_size=30),
    ),
    max_size=60,
).map("".join)


def check_note(note: ParsedNote, text: str) -> None:
    assert not [w for w in note.warnings if "internal parser error" in w.message]
    last_line = text.count("\n") + text.count("\r") + 2
    for statement in note.statements:
        assert statement.highlights
        assert 1 <= statement.line <= last_line
        for highlight in statement.highlights:
            assert 0 <= highlight.start < highlight.end <= len(statement.text)
            assert 1 <= highlight.line <= last_line
            assert any(ch.isalnum() for ch in statement.text[highlight.start : highlight.end])
    for embed in note.embeds:
        assert embed.target and 1 <= embed.line <= last_line


def check_drafts(note: ParsedNote) -> None:
    cards = drafts_from_note(note, "Deck")
    for statement in note.statements:
        lines = {card.line for card in cards if card.kind == CLOZE}
        assert statement.highlights[0].line in lines
    for card in cards:
        if card.kind != CLOZE:
            continue
        assert card.answer and BLANK in card.prompt
        assert card.text[card.answer_start : card.answer_end] == card.answer
        assert "\n" not in card.text and "\n" not in card.prompt


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown_text)
def test_parse_note_never_raises(text: str) -> None:
    note = parse_note(text, "fuzz/note.md")
    check_note(note, text)
    check_drafts(note)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_decoding_never_raises(data: bytes) -> None:
    text, warnings = decode_note_bytes(data, "x.md")
    if text is None:
        assert [w.message for w in warnings] == ["binary file, skipped"]
    else:
        check_note(parse_note(text, "x.md"), text)


def test_pathological_inputs_finish() -> None:
    for text in [
        "<mark " * 3000,
        "==" * 5000,
        "[[" * 3000,
        "- " * 2000 + "==x==",
        "\t" * 500 + "- ==deep==",
        "> " * 200 + "==quoted==",
        "a" * 100_000 + "==b==",
        "`" * 3000 + "==x==",
    ]:
        check_note(parse_note(text, "p.md"), text)


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
PHRASE = st.lists(WORD, min_size=1, max_size=6).map(" ".join)
OPENERS = st.sampled_from(
    [
        ("==", "=="),
        ("<mark>", "</mark>"),
        ('<mark style="background: #FF5582A6;">', "</mark>"),
        ("<mark class='x' style='background: #ABF7F7'>", "</mark>"),
    ]
)
LINE_PREFIX = st.sampled_from(["", "- ", "\t- ", "\t\t- ", "  - ", "> ", "1. ", "## "])


@st.composite
def highlighted_lines(draw: st.DrawFn) -> tuple[str, list[tuple[int, str]]]:
    """A note of lines each holding one highlight of plain words; (text, [(line, words)])."""
    lines: list[str] = []
    marks: list[tuple[int, str]] = []
    for _ in range(draw(st.integers(1, 12))):
        opener, closer = draw(OPENERS)
        words = draw(PHRASE)
        before = draw(st.one_of(st.just(""), PHRASE.map(lambda p: p + " ")))
        after = draw(st.one_of(st.just(""), PHRASE.map(lambda p: " " + p)))
        lines.append(f"{draw(LINE_PREFIX)}{before}{opener}{words}{closer}{after}")
        marks.append((len(lines), words))
        if draw(st.booleans()):
            lines.append("")
    return "\n".join(lines) + "\n", marks


@settings(max_examples=300, deadline=None)
@given(highlighted_lines())
def test_every_highlight_yields_a_card_or_a_warning(
    case: tuple[str, list[tuple[int, str]]],
) -> None:
    text, marks = case
    note = parse_note(text, "gen.md")
    cards = [card for card in drafts_from_note(note, "Deck") if card.kind == CLOZE]
    warned = {warning.line for warning in note.warnings}
    for line, words in marks:
        on_line = [card for card in cards if card.line == line]
        assert on_line or line in warned, (text, line)
        for card in on_line:
            assert card.answer in words or words in card.answer
            pattern = rf"(?<!\w){re.escape(card.answer)}(?!\w)"
            assert not re.search(pattern, card.prompt, re.IGNORECASE)
