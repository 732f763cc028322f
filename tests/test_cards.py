"""Card drafts from parsed notes: what a cloze hides, siblings, splits, tags, scenarios."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from studytool.cards import BLANK, CLOZE, SCENARIO, CardDraft, drafts_from_note
from studytool.parsing import parse_note

FIXTURE = Path(__file__).parent / "fixtures" / "parsing" / "aws_networking.md"


def drafts(text: str, path: str = "AWS/Networking/note.md", deck: str = "AWS") -> list[CardDraft]:
    return drafts_from_note(parse_note(text, path), deck)


def qa(cards: list[CardDraft]) -> list[tuple[str, str]]:
    return [(card.prompt, card.answer) for card in cards]


def mark(colour_hex: str, body: str) -> str:
    return f'<mark style="background: #{colour_hex}A6;">{body}</mark>'


def assert_never_shows_its_answer(card: CardDraft) -> None:
    assert card.answer
    assert BLANK in card.prompt
    assert card.prompt.strip() != BLANK
    assert not re.search(rf"(?<!\w){re.escape(card.answer)}(?!\w)", card.prompt, re.IGNORECASE)
    assert card.text[card.answer_start : card.answer_end] == card.answer


def test_a_cloze_hides_the_highlighted_words() -> None:
    (card,) = drafts("## NAT\n- A NAT gateway lives in a ==public subnet== of its AZ\n")
    assert card.kind == CLOZE
    assert card.prompt == f"A NAT gateway lives in a {BLANK} of its AZ"
    assert card.answer == "public subnet"
    assert card.text == "A NAT gateway lives in a public subnet of its AZ"
    assert (card.answer_start, card.answer_end) == (25, 38)
    assert card.context == ("NAT",)
    assert card.line == 2
    assert card.deck == "AWS"
    assert card.colour == "yellow"
    assert card.ordinal == 1
    assert card.extra is None
    assert_never_shows_its_answer(card)


def test_missing_space_before_the_mark_hides_the_end_of_the_sentence() -> None:
    text = (
        "- VPN tunnel: An encrypted link where"
        f"{mark('FFB86C', ' data can pass from the customer network to or from AWS.')}"
    )
    (card,) = drafts(text)
    assert card.prompt == f"VPN tunnel: An encrypted link where data can {BLANK}."
    assert card.answer == "pass from the customer network to or from AWS"
    assert card.colour == "orange"


@pytest.mark.parametrize(
    ("bullet", "prompt", "answer"),
    [
        (
            "NAT instance supports port forwarding",
            f"NAT instance supports {BLANK}",
            "port forwarding",
        ),
        (
            "Transit gateway supports 1.25 Gbps per VPN tunnel",
            f"Transit gateway supports {BLANK} per VPN tunnel",
            "1.25 Gbps",
        ),
        ("The maximum TTL value is 3600", f"The maximum TTL value is {BLANK}", "3600"),
        ("A NAT gateway needs an Elastic IP", f"A NAT gateway needs {BLANK}", "an Elastic IP"),
        ("Security groups are not stateless", f"Security groups are not {BLANK}", "stateless"),
        (
            "Bastion host: a jump box in a public subnet",
            f"Bastion host: {BLANK}",
            "a jump box in a public subnet",
        ),
    ],
)
def test_a_whole_bullet_highlight_hides_the_part_worth_recalling(
    bullet: str, prompt: str, answer: str
) -> None:
    (card,) = drafts(f"- {mark('FFB86C', bullet)}\n")
    assert (card.prompt, card.answer) == (prompt, answer)
    assert_never_shows_its_answer(card)


def test_a_multi_fact_statement_becomes_one_sibling_card_per_fact() -> None:
    body = (
        "The default TTL value for API caching is 300 seconds. The maximum TTL value is 3600 "
        "seconds. TTL=0 means caching is disabled"
    )
    cards = drafts(f"## API Gateway\n- {mark('FF5582', body)}\n")
    assert qa(cards) == [
        (f"The default TTL value for API caching is {BLANK}.", "300 seconds"),
        (f"The maximum TTL value is {BLANK}.", "3600 seconds"),
        (f"TTL={BLANK} means caching is disabled", "0"),
    ]
    assert [card.text for card in cards] == [
        "The default TTL value for API caching is 300 seconds.",
        "The maximum TTL value is 3600 seconds.",
        "TTL=0 means caching is disabled",
    ]
    assert len({card.group for card in cards}) == 1
    assert [card.ordinal for card in cards] == [1, 2, 3]
    assert {card.colour for card in cards} == {"red"}
    for card in cards:
        assert_never_shows_its_answer(card)


def test_two_highlights_in_one_statement_are_sibling_cards() -> None:
    cards = drafts("- A ==NAT gateway== is created in a ==public subnet==.\n")
    assert qa(cards) == [
        (f"A {BLANK} is created in a public subnet.", "NAT gateway"),
        (f"A NAT gateway is created in a {BLANK}.", "public subnet"),
    ]
    assert cards[0].group == cards[1].group
    assert [card.ordinal for card in cards] == [1, 2]


def test_adjacent_marks_of_different_colours_are_separate_siblings() -> None:
    text = (
        f"All {mark('ABF7F7', 'business modules and components')} "
        f"{mark('FFB86C', 'are deployed together as one unit')}."
    )
    cards = drafts(text)
    assert qa(cards) == [
        (f"All {BLANK} are deployed together as one unit.", "business modules and components"),
        (f"All business modules and components {BLANK}.", "are deployed together as one unit"),
    ]
    assert [card.colour for card in cards] == ["cyan", "orange"]
    assert cards[0].group == cards[1].group


def test_a_paragraph_card_shows_only_the_sentence_of_its_highlight() -> None:
    text = (
        "Velocity matters most early on. A monolith is ==the correct starting point==. More text."
    )
    (card,) = drafts(text)
    assert card.text == "A monolith is the correct starting point."
    assert card.prompt == f"A monolith is {BLANK}."


def test_a_list_introducing_bullet_asks_for_its_children() -> None:
    text = (
        "## Internet gateway\n"
        f"- {mark('ADCCFF', 'An internet gateway serves two purposes:')}\n"
        "\t- Provide a target in route tables\n"
        "\t- Perform NAT for public IPv4 addresses\n"
    )
    (card,) = drafts(text)
    assert card.prompt == f"An internet gateway serves two purposes: {BLANK}"
    assert card.answer == "Provide a target in route tables; Perform NAT for public IPv4 addresses"
    assert card.text == f"An internet gateway serves two purposes: {card.answer}"
    assert card.context == ("Internet gateway",)
    assert card.colour == "blue"


def test_a_partly_highlighted_intro_bullet_is_an_ordinary_cloze() -> None:
    text = "- An ==internet gateway== serves two purposes:\n\t- Route target\n\t- NAT\n"
    (card,) = drafts(text)
    assert (card.prompt, card.answer) == (f"An {BLANK} serves two purposes:", "internet gateway")


def test_children_with_their_own_highlights_get_their_own_cards_too() -> None:
    text = "- ==A VPN connection has:==\n\t- two ==tunnels==\n\t- a customer gateway\n"
    cards = drafts(text)
    assert qa(cards) == [
        (f"A VPN connection has: {BLANK}", "two tunnels; a customer gateway"),
        (f"two {BLANK}", "tunnels"),
    ]
    assert cards[1].context == ("A VPN connection has:",)


def test_answers_are_masked_where_they_repeat() -> None:
    (card,) = drafts("- Route ==tables== are tables of routes\n")
    assert card.prompt == f"Route {BLANK} are {BLANK} of routes"
    assert_never_shows_its_answer(card)


def test_tags_are_note_tags_statement_tags_and_the_colour() -> None:
    text = f"---\ntags: [AWS, networking]\n---\n- {mark('FFB86C', 'NAT')} instance #NAT #Exam\n"
    (card,) = drafts(text)
    assert card.tags == ("aws", "colour/orange", "exam", "nat", "networking")


def test_context_and_text_are_plain_text() -> None:
    text = (
        "## The **[[Internet Gateway|IGW]]**\n"
        "- Parent with `code` and <b>html</b>\n"
        "\t- Child <mark style='background: #BBFABBA6;'>**needs** a [[Route Table#Routes]]</mark>\n"
    )
    (card,) = drafts(text)
    assert card.context == ("The IGW", "Parent with code and html")
    assert card.text == "Child needs a Route Table > Routes"
    for field in (card.prompt, card.answer, *card.context):
        assert "<" not in field and "*" not in field and "[[" not in field


def test_group_is_stable_and_depends_on_note_and_statement() -> None:
    text = "- ==Port forwarding== needs a NAT instance\n"
    first, again = drafts(text)[0], drafts(text)[0]
    assert first == again
    assert re.fullmatch(r"[0-9a-f]{16}", first.group)
    assert drafts(text, path="Other.md")[0].group != first.group
    assert drafts("- ==Port forwarding== needs NAT\n")[0].group != first.group
    assert drafts("- ==Port   forwarding== needs a NAT instance\n")[0].group == first.group


def test_deck_comes_from_the_argument() -> None:
    (card,) = drafts("---\ndeck: From/Frontmatter\n---\n==x== y z\n", deck="Chosen/By/Caller")
    assert card.deck == "Chosen/By/Caller"


def test_scenario_blocks_make_scenario_drafts() -> None:
    text = (
        "```scenario\ntitle: Shared NAT gateway, AZ a fails\nask: [problems]\n```\n\n"
        "```scenario\nask: [problems]\n```\n\n"
        "```scenario\ntitle: [broken\n```\n"
    )
    cards = drafts(f"---\ntags: [vpc]\n---\n{text}")
    assert [(c.kind, c.prompt, c.line) for c in cards] == [
        (SCENARIO, "Shared NAT gateway, AZ a fails", 5),
        (SCENARIO, "Scenario at line 10", 10),
        (SCENARIO, "[broken", 14),
    ]
    first = cards[0]
    assert first.answer == ""
    assert first.text == first.extra == "title: Shared NAT gateway, AZ a fails\nask: [problems]\n"
    assert (first.ordinal, first.colour, first.tags) == (1, None, ("vpc",))
    assert first.group != cards[1].group


def test_fixture_note_cards_read_well() -> None:
    parsed = parse_note(FIXTURE.read_text(encoding="utf-8"), "AWS/aws_networking.md")
    cards = drafts_from_note(parsed, "AWS/Networking")
    cloze = [card for card in cards if card.kind == CLOZE]
    assert qa(cloze) == [
        (
            f"VPN tunnel: An encrypted link where data can {BLANK}.",
            "pass from the customer network to or from AWS",
        ),
        (f"Each VPN connection has {BLANK}", "two tunnels"),
        (f"A customer gateway device needs {BLANK}", "a static public IP"),
        (
            f"An internet gateway serves two purposes: {BLANK}",
            "Provide a target in route tables for internet-routable traffic; "
            "Perform address translation for instances with public IPv4 addresses",
        ),
        (f"A subnet is {BLANK} when its route table points at an IGW.", "public"),
        (f"NAT instance supports {BLANK}", "port forwarding"),
        (f"Transit gateway supports {BLANK} per VPN tunnel", "1.25 Gbps"),
        (f"The default TTL value for API caching is {BLANK}.", "300 seconds"),
        (f"The maximum TTL value is {BLANK}.", "3600 seconds"),
        (f"TTL={BLANK} means caching is disabled", "0"),
        (f"A NAT gateway lives in a {BLANK}.", "public subnet"),
        (BLANK, "1.25 Gbps"),
    ]
    assert cloze[-1].context == ("Connectivity 🌐", "API Gateway caching", "VPN tunnel", "Limit")
    assert cloze[2].context[-2:] == (
        "Each VPN connection has two tunnels",
        "The customer gateway device sits on the customer side",
    )
    assert [card.kind for card in cards].count(SCENARIO) == 1
    for card in cloze[:-1]:
        assert_never_shows_its_answer(card)


def test_an_answer_made_of_punctuation_and_digits_keeps_its_colons() -> None:
    parsed = parse_note("- IPv6 default route is ==::/0==\n", "a.md")
    [card] = drafts_from_note(parsed, "d")
    assert (card.answer, card.prompt) == ("::/0", "IPv6 default route is [...]")
