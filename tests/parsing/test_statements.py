"""Statements: their text, context, lines, children and tags; frontmatter, embeds, scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

from studytool.parsing import Embed, ParsedNote, ScenarioBlock, Statement, parse_note

FIXTURE = Path(__file__).parent.parent / "fixtures" / "parsing" / "aws_networking.md"


def parse(text: str) -> ParsedNote:
    return parse_note(text, "AWS/Networking/note.md")


def by_text(note: ParsedNote) -> dict[str, Statement]:
    return {statement.text: statement for statement in note.statements}


def highlighted(statement: Statement) -> list[str]:
    return [statement.text[h.start : h.end] for h in statement.highlights]


# -- context and structure ---------------------------------------------------------------


def test_title_is_the_file_stem() -> None:
    assert parse_note("", "AWS/Networking/NAT gateway.md").title == "NAT gateway"


def test_context_is_the_heading_path_then_parent_bullets_nested_with_tabs() -> None:
    text = (
        "# Networking 🌐\n"
        "## Internet gateway\n"
        "- An internet gateway serves two purposes:\n"
        "\t- Provide a route target\n"
        "\t\t- Only ==one== per VPC\n"
        "\t- Translate ==addresses==\n"
        "## NAT\n"
        "- ==Port forwarding== needs a NAT instance\n"
    )
    statements = by_text(parse(text))
    assert statements["Only one per VPC"].context == (
        "Networking 🌐",
        "Internet gateway",
        "An internet gateway serves two purposes:",
        "Provide a route target",
    )
    assert statements["Translate addresses"].context == (
        "Networking 🌐",
        "Internet gateway",
        "An internet gateway serves two purposes:",
    )
    assert statements["Port forwarding needs a NAT instance"].context == ("Networking 🌐", "NAT")


@pytest.mark.parametrize("indent", ["\t", "  ", "    "])
def test_bullets_nested_with_tabs_or_spaces_find_their_parent(indent: str) -> None:
    text = f"- Parent bullet\n{indent}- Child ==fact==\n- Sibling ==two==\n"
    statements = by_text(parse(text))
    assert statements["Child fact"].context == ("Parent bullet",)
    assert statements["Sibling two"].context == ()


def test_mixed_tab_and_space_nesting_as_in_real_notes() -> None:
    text = (
        "- when submitting a form:\n"
        "\t- *simple text* -> `urlencoded`\n"
        "\t\t- each part has a ==Content-Disposition==\n"
        "  - two spaces ==also nest==\n"
    )
    statements = by_text(parse(text))
    assert statements["each part has a Content-Disposition"].context == (
        "when submitting a form:",
        "simple text -> urlencoded",
    )
    assert statements["two spaces also nest"].context == ("when submitting a form:",)


def test_a_bullet_statement_is_its_own_text_and_lists_its_children() -> None:
    text = (
        "- ==An internet gateway serves two purposes:==\n\t- Route target\n\t- NAT for public IPs\n"
    )
    (statement,) = parse(text).statements
    assert statement.text == "An internet gateway serves two purposes:"
    assert statement.children == ("Route target", "NAT for public IPs")
    assert statement.line == 1


def test_headings_reset_at_the_same_or_a_higher_level() -> None:
    text = "# A\n## B\n### C\n## D\n==x==\n# E\n==y==\n"
    assert [s.context for s in parse(text).statements] == [("A", "D"), ("E",)]


def test_a_highlighted_heading_is_a_statement_under_its_parents() -> None:
    (statement,) = parse("# AWS\n## The ==VPC== router\n").statements
    assert statement.context == ("AWS",)
    assert statement.text == "The VPC router"


def test_later_paragraphs_of_a_list_item_have_the_item_as_context() -> None:
    text = "- Security groups\n\n  They are ==stateful== firewalls.\n"
    (statement,) = parse(text).statements
    assert statement.context == ("Security groups",)
    assert statement.line == 3


def test_fence_nested_in_a_list_closes_at_an_unindented_fence() -> None:
    text = (
        "- use OPTIONS first\n"
        "  - example:\n"
        "    ```http\n"
        "    PUT /x HTTP/1.1\n"
        "```\n"
        "\n"
        "# Later\n"
        "- upload ==HTML files==\n"
    )
    (statement,) = parse(text).statements
    assert statement.context == ("Later",)
    assert statement.line == 8


# -- lines ---------------------------------------------------------------------------------


def test_highlight_lines_in_a_multi_line_paragraph() -> None:
    text = "intro\n\nline one\nline two ==second==\n\tline <mark>three\nfour</mark>\n"
    (statement,) = parse(text).statements
    assert statement.line == 3
    assert [h.line for h in statement.highlights] == [4, 5]


def test_highlight_line_after_a_multi_line_code_span() -> None:
    text = "a `code\nspan` b\n==c=="
    (statement,) = parse(text).statements
    assert statement.highlights[0].line == 3


def test_line_breaks_stay_in_the_text_as_newlines() -> None:
    (statement,) = parse("Is continuous delivery\nrelease is ==automatic==\nNo humans").statements
    assert statement.text == "Is continuous delivery\nrelease is automatic\nNo humans"


def test_frontmatter_shifts_lines() -> None:
    (statement,) = parse("---\ntags: [a]\n---\n\n- ==x==\n").statements
    assert statement.line == 5


# -- tables, quotes, callouts ----------------------------------------------------------------


def test_table_cells_have_their_column_header_and_short_row_label_as_context() -> None:
    text = (
        "## Limits\n"
        "| Gateway | Bandwidth |\n"
        "| --- | --- |\n"
        "| VPN tunnel | ==1.25 Gbps== |\n"
        "| ==NAT gateway== | 100 Gbps |\n"
    )
    statements = by_text(parse(text))
    assert statements["1.25 Gbps"].context == ("Limits", "VPN tunnel", "Bandwidth")
    assert statements["1.25 Gbps"].line == 4
    assert statements["NAT gateway"].context == ("Limits", "Gateway")


def test_long_first_cells_are_not_row_labels() -> None:
    text = (
        "| Pros | Cons |\n| --- | --- |\n"
        "| Simple to build, test and deploy as a single unit | One ==single point of failure== |\n"
    )
    (statement,) = parse(text).statements
    assert statement.context == ("Cons",)


def test_wikilink_with_escaped_pipe_in_a_table() -> None:
    (statement,) = parse("| a |\n| - |\n| ==[[Route Table\\|RT]]== |\n").statements
    assert statement.text == "RT"


def test_blockquote_paragraphs_are_statements() -> None:
    text = "## Model\n> 💡 A ==well-structured monolith== beats a poor distributed system.\n"
    (statement,) = parse(text).statements
    assert statement.context == ("Model",)
    assert statement.text.startswith("💡 A well-structured monolith")


def test_callout_title_is_context_not_a_statement() -> None:
    text = (
        "> [!tip] NAT gateway rules\n> One NAT gateway ==per AZ==\n\n"
        "> [!fail]- \n> ==Port forwarding== is not supported\n"
    )
    first, second = parse(text).statements
    assert first.context == ("NAT gateway rules",)
    assert first.text == "One NAT gateway per AZ"
    assert first.line == 2
    assert first.highlights[0].line == 2
    assert second.context == ("Fail",)
    assert second.text == "Port forwarding is not supported"


def test_a_highlighted_callout_title_drops_the_callout_marker() -> None:
    (statement,) = parse("> [!note] The ==main== route table\n").statements
    assert statement.text == "The main route table"
    assert highlighted(statement) == ["main"]


def test_lists_inside_a_callout_get_the_title_as_context() -> None:
    text = "> [!info] Gateways\n> - NAT gateway\n>   - needs an ==Elastic IP==\n"
    (statement,) = parse(text).statements
    assert statement.context == ("Gateways", "NAT gateway")


# -- plain text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("[[Internet Gateway]]", "Internet Gateway"),
        ("[[Internet Gateway|IGW]]", "IGW"),
        ("[[Internet Gateway#Purposes]]", "Internet Gateway > Purposes"),
        ("[[WEB/File Upload/payload#basic|basic]]", "basic"),
        ("[[#Local heading]]", "Local heading"),
        ("[[Note#^block-id]]", "Note"),
        ("[a **bold** link](https://example.com)", "a bold link"),
        ("<b>tag</b> &amp; &lt;mark&gt; &copy;", "tag & <mark> ©"),
        ("*em* __strong__ ~~struck~~ `code`", "em strong struck code"),
        ("line<br>break", "line break"),
    ],
)
def test_plain_text_of_markup(markdown: str, plain: str) -> None:
    (statement,) = parse(f"{markdown} ==end==").statements
    assert statement.text == f"{plain} end"


def test_images_and_embeds_leave_no_text() -> None:
    (statement,) = parse("See ![[diagram.png|600]] and ![alt text](img/a.png) ==here==").statements
    assert statement.text == "See and here"


# -- tags ------------------------------------------------------------------------------------


def test_inline_tags_go_to_the_statement_and_the_note() -> None:
    note = parse("A #z_score tells how far a ==point== is. #stats\n\nOther #extra text")
    (statement,) = note.statements
    assert statement.text == "A z_score tells how far a point is."
    assert statement.tags == ("z_score", "stats")
    assert note.tags == ("z_score", "stats", "extra")


@pytest.mark.parametrize(
    "text",
    ["C# code", "issue #123", "page#anchor", "`#code`", "```\n#fenced\n```", "# Heading"],
)
def test_things_that_are_not_tags(text: str) -> None:
    assert parse(text).tags == ()


def test_tags_in_headings_count_for_the_note_but_not_the_context() -> None:
    note = parse("## Z Score #z_score\n- ==x==\n## #only_tag\n- ==y==\n")
    assert note.tags == ("z_score", "only_tag")
    assert [s.context for s in note.statements] == [("Z Score",), ("only_tag",)]


def test_nested_and_dashed_tags() -> None:
    assert parse("#aws/networking #multi-word **#bold**").tags == (
        "aws/networking",
        "multi-word",
        "bold",
    )


# -- frontmatter -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yaml_tags", "expected"),
    [
        ("tags: [aws, '#vpn']", ("aws", "vpn")),
        ("tags:\n  - aws\n  - nat", ("aws", "nat")),
        ("tags: aws, vpn nat", ("aws", "vpn", "nat")),
        ("tag: solo", ("solo",)),
        ("tags: [2023]", ("2023",)),
    ],
)
def test_frontmatter_tags(yaml_tags: str, expected: tuple[str, ...]) -> None:
    assert parse(f"---\n{yaml_tags}\n---\nbody").tags == expected


def test_frontmatter_deck_and_data() -> None:
    note = parse("---\ndeck: AWS/Exam\nSource: https://example.com\n---\nbody #inline")
    assert note.deck == "AWS/Exam"
    assert note.frontmatter == {"deck": "AWS/Exam", "Source": "https://example.com"}
    assert note.tags == ("inline",)


def test_broken_yaml_frontmatter_warns_and_the_note_is_still_parsed() -> None:
    note = parse("---\ntags: [a\nfoo: : bar\n---\n- ==fact==\n")
    assert len(note.warnings) == 1
    assert str(note.warnings[0]).startswith("AWS/Networking/note.md:3: invalid YAML frontmatter: ")
    assert note.frontmatter == {}
    assert [s.text for s in note.statements] == ["fact"]


@pytest.mark.parametrize(
    ("tagged", "reason"),
    [
        ("!!bool maybe", "'maybe' does not fit its YAML tag"),
        ("!!int abc", "invalid literal for int()"),
        ("!!timestamp 2001-13-45", "month must be in 1..12"),
    ],
)
def test_a_frontmatter_value_that_does_not_fit_its_tag_warns_and_the_note_is_parsed(
    tagged: str, reason: str
) -> None:
    note = parse(f"---\ntags: {tagged}\n---\n- ==fact==\n")
    [warning] = note.warnings
    assert str(warning).startswith("AWS/Networking/note.md:2: invalid YAML frontmatter: ")
    assert reason in warning.message
    assert [s.text for s in note.statements] == ["fact"]


def test_frontmatter_that_is_not_a_mapping_warns() -> None:
    note = parse("---\n- just\n- a list\n---\n")
    assert [w.line for w in note.warnings] == [2]
    assert "not a mapping" in note.warnings[0].message


def test_a_deck_that_is_not_text_warns() -> None:
    note = parse("---\ndeck: [a, b]\n---\n")
    assert note.deck is None
    assert note.warnings[0].message == "frontmatter deck: must be text, ignored"


# -- embeds and scenarios --------------------------------------------------------------------


def test_embeds_keep_the_target_as_written_with_their_lines() -> None:
    text = (
        "![[Pasted image 20230119164347.png]]\n"
        "text ![[x.png|600]] and ![[Note#Heading|clean]]\n"
        "![alt](img/my%20diagram.png) ![web](https://example.com/a.png)\n"
        "> [!fail]- 404\n"
        "![[Error#Fields|clean]]\n"
        "![[#Same note]]\n"
    )
    assert parse(text).embeds == [
        Embed("Pasted image 20230119164347.png", 1),
        Embed("x.png", 2),
        Embed("Note", 2),
        Embed("img/my diagram.png", 3),
        Embed("Error", 5),
    ]


def test_scenario_fences_are_collected_with_their_first_content_line() -> None:
    text = (
        "# S\n\n```scenario\ntitle: T\nask: [x]\n```\n- item\n  ```Scenario extra\n  a: 1\n  ```\n"
    )
    assert parse(text).scenarios == [
        ScenarioBlock(4, "title: T\nask: [x]\n"),
        ScenarioBlock(9, "a: 1\n"),
    ]


# -- a whole note ------------------------------------------------------------------------------


def test_fixture_note_end_to_end() -> None:
    note = parse_note(FIXTURE.read_text(encoding="utf-8"), "AWS/aws_networking.md")
    assert note.warnings == []
    assert note.deck == "AWS/Networking"
    assert note.tags == ("aws", "networking", "vpn")
    assert note.embeds == [Embed("Pasted image 20230119164347.png", 21)]
    assert [s.line for s in note.statements] == [7, 8, 10, 13, 16, 19, 20, 24, 27, 31]
    assert [len(s.highlights) for s in note.statements] == [1] * 10
    assert [s.highlights[0].colour for s in note.statements] == [
        "orange",
        "blue",
        "green",
        "red",
        "yellow",
        "orange",
        "yellow",
        "red",
        "yellow",
        "yellow",
    ]
    assert len(note.scenarios) == 1
    assert note.scenarios[0].line == 39


def test_windows_line_endings_keep_lines_and_nesting() -> None:
    text = "---\r\ntags: [a]\r\n---\r\n# H\r\n- parent\r\n\t- child ==c==\r\n"
    note = parse(text)
    assert note.tags == ("a",)
    (statement,) = note.statements
    assert (statement.line, statement.context, statement.text) == (6, ("H", "parent"), "child c")


def test_a_highlight_in_an_indented_code_block_warns() -> None:
    note = parse("Intro.\n\n\t- ==tab indented== with no parent bullet\n\tif a == b: pass\n")
    assert note.statements == []
    assert [(w.line, w.message) for w in note.warnings] == [
        (3, "highlight in an indented code block (4 spaces or a tab), no card")
    ]


def test_a_highlight_inside_the_frontmatter_is_a_warning_not_a_card() -> None:
    note = parse_note("---\ntags: [aws]\n# a ==comment== in YAML\n---\n- x is ==5==\n", "a.md")
    assert [s.text for s in note.statements] == ["x is 5"]
    assert [(w.line, w.message) for w in note.warnings] == [
        (3, "highlight inside the YAML frontmatter is not a card (it is metadata)")
    ]
