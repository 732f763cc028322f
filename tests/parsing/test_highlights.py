"""Highlight syntaxes: ``==`` and Highlightr ``<mark>`` in every colour; what is no highlight."""

from __future__ import annotations

import pytest

from studytool.parsing import Highlight, ParsedNote, Statement, parse_note
from studytool.parsing.html_mark import colour_of_hex


def parse(text: str) -> ParsedNote:
    return parse_note(text, "AWS/note.md")


def only_statement(text: str) -> Statement:
    note = parse(text)
    assert len(note.statements) == 1, note.statements
    return note.statements[0]


def highlighted(statement: Statement) -> list[str]:
    return [statement.text[h.start : h.end] for h in statement.highlights]


def mark(colour_hex: str, body: str) -> str:
    return f'<mark style="background: #{colour_hex}A6;">{body}</mark>'


def test_double_equals_is_a_yellow_highlight() -> None:
    statement = only_statement("A NAT gateway needs an ==Elastic IP== address.")
    assert statement.text == "A NAT gateway needs an Elastic IP address."
    assert statement.highlights == (Highlight(23, 33, 1, "yellow"),)


@pytest.mark.parametrize(
    ("hex_colour", "name"),
    [
        ("FFF3A3", "yellow"),
        ("FFB86C", "orange"),
        ("FF5582", "red"),
        ("FFB8EB", "pink"),
        ("D2B3FF", "purple"),
        ("ADCCFF", "blue"),
        ("ABF7F7", "cyan"),
        ("BBFABB", "green"),
    ],
)
def test_highlightr_palette_maps_to_colour_names(hex_colour: str, name: str) -> None:
    statement = only_statement(f"- {mark(hex_colour, 'NAT instance supports port forwarding')}")
    assert highlighted(statement) == ["NAT instance supports port forwarding"]
    assert statement.highlights[0].colour == name


def test_other_hex_colours_are_named_by_their_lower_case_hex() -> None:
    statement = only_statement(
        f"{mark('12AB9F', 'odd')} and <mark style='background:#ABC'>x</mark>"
    )
    assert [h.colour for h in statement.highlights] == ["hex-12ab9f", "hex-aabbcc"]


def test_colour_of_hex_handles_short_and_alpha_forms() -> None:
    assert colour_of_hex("FFB86CA6") == "orange"
    assert colour_of_hex("fff3a3") == "yellow"
    assert colour_of_hex("123") == "hex-112233"
    assert colour_of_hex("12345") == "yellow"


def test_plain_mark_and_upper_case_tags_are_yellow() -> None:
    statement = only_statement("<mark>one</mark> and <MARK>two</MARK>")
    assert highlighted(statement) == ["one", "two"]
    assert {h.colour for h in statement.highlights} == {"yellow"}


@pytest.mark.parametrize(
    "tag",
    [
        '<mark class="hl" style="background: #FF5582A6;">',
        "<mark style='background: #FF5582A6;' class=hl>",
        '<mark  data-x="1"\n style="color: black; background-color: #FF5582">',
        '<mark style="background: rgba(255, 85, 130, 0.6)">',
        '<mark class="hltr-red">',
    ],
)
def test_colour_is_found_in_any_attribute_order_and_form(tag: str) -> None:
    statement = only_statement(f"Security groups are {tag}stateful</mark>.")
    assert highlighted(statement) == ["stateful"]
    assert statement.highlights[0].colour == "red"


def test_mark_without_a_space_before_the_tag() -> None:
    text = (
        "- VPN tunnel: An encrypted link where"
        f"{mark('FFB86C', ' data can pass from the customer network to or from AWS.')}"
    )
    statement = only_statement(text)
    assert statement.text == (
        "VPN tunnel: An encrypted link where data can pass from the customer network to or "
        "from AWS."
    )
    assert highlighted(statement) == ["data can pass from the customer network to or from AWS."]


def test_mark_spanning_bold_links_and_wikilinks() -> None:
    body = "**NAT** [gateway](https://aws.amazon.com) in [[Public Subnet|a public subnet]]"
    text = mark("FFB86C", body) + " and ==**bold** [[Route Table]]=="
    statement = only_statement(text)
    assert statement.text == "NAT gateway in a public subnet and bold Route Table"
    assert highlighted(statement) == ["NAT gateway in a public subnet", "bold Route Table"]


def test_mixed_and_nested_marks_make_one_highlight_with_the_outer_colour() -> None:
    statement = only_statement(f"==outer {mark('FFB86C', 'inner')} still==")
    assert highlighted(statement) == ["outer inner still"]
    assert statement.highlights[0].colour == "yellow"


def test_two_highlights_keep_their_own_colours() -> None:
    statement = only_statement(f"{mark('ABF7F7', 'first')} {mark('FFB86C', 'second')}")
    assert highlighted(statement) == ["first", "second"]
    assert [h.colour for h in statement.highlights] == ["cyan", "orange"]


@pytest.mark.parametrize(
    "text",
    [
        "Compare with a == b == c in code.",
        "TTL=0 means caching is disabled",
        "Escaped \\==not a mark==",
        "Spaces inside == do not open ==",
    ],
)
def test_equals_signs_that_are_not_highlights(text: str) -> None:
    assert parse(text).statements == []


def test_nothing_in_code_or_math_is_a_highlight() -> None:
    text = (
        "```yaml\nkey: ==not a card== <mark>nor this</mark>\n```\n\n"
        "    indented <mark>code block</mark>\n\n"
        "Inline `==code==` and `<mark>code</mark>` and $a==b$ and $$x==y$$.\n\n"
        "$$\n<mark>math block</mark> ==z==\n$$\n"
    )
    assert parse(text).statements == []


def test_a_code_span_over_two_lines_hides_the_mark_inside() -> None:
    text = 'Unbook a slot.\n`\n<mark style="background: #FFB86CA6;">PUT</mark> `api/unbook`'
    assert parse(text).statements == []


def test_a_mark_after_a_code_span_is_still_found() -> None:
    statement = only_statement("Use `ping` to test; ==ICMP== must be allowed")
    assert highlighted(statement) == ["ICMP"]


def test_span_classes_are_not_highlights_but_keep_their_text() -> None:
    text = "Both <span class='mint'>measure standard deviations</span> ==away=="
    statement = only_statement(text)
    assert statement.text == "Both measure standard deviations away"
    assert highlighted(statement) == ["away"]


def test_unclosed_mark_highlights_to_the_end_of_its_block_and_warns() -> None:
    note = parse("First line\nsecond <mark>open here\nand more\n\nNext ==paragraph==")
    assert [str(w) for w in note.warnings] == ["AWS/note.md:2: unclosed <mark> tag"]
    first, second = note.statements
    assert highlighted(first) == ["open here\nand more"]
    assert highlighted(second) == ["paragraph"]


def test_stray_closing_tag_is_ignored() -> None:
    note = parse("Text</mark> with ==mark==")
    assert note.warnings == []
    assert highlighted(note.statements[0]) == ["mark"]


def test_mark_around_nothing_warns_instead_of_making_a_highlight() -> None:
    note = parse("Empty <mark></mark> and <mark> ![[image.png]] </mark> here")
    assert note.statements == []
    assert [w.message for w in note.warnings] == ["highlight has no words, no card"] * 2


def test_mark_inside_an_html_block_is_read() -> None:
    statement = only_statement("<div>\n<mark>NAT gateways scale automatically</mark>\n</div>")
    assert highlighted(statement) == ["NAT gateways scale automatically"]
    assert statement.highlights[0].line == 2


def test_marks_in_html_comments_are_not_cards() -> None:
    assert parse("<!--\n<mark>old note</mark>\n-->").statements == []
