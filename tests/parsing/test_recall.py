"""Sentence splitting and the choice of what a cloze hides."""

from __future__ import annotations

import pytest

from studytool.parsing.recall import BLANK, answer_span, prompt_text, sentences


def sentence_texts(text: str) -> list[str]:
    return [text[start:end] for start, end in sentences(text)]


def hidden(sentence: str, highlight: str | None = None) -> str:
    """What a card hides when ``highlight`` (default: the whole sentence) is highlighted."""
    target = sentence if highlight is None else highlight
    start = sentence.index(target)
    answer_start, answer_end = answer_span(sentence, start, start + len(target))
    return sentence[answer_start:answer_end]


def test_sentences_split_at_end_punctuation_before_a_capital() -> None:
    text = (
        "The default TTL value for API caching is 300 seconds. The maximum TTL value is "
        "3600 seconds. TTL=0 means caching is disabled"
    )
    assert sentence_texts(text) == [
        "The default TTL value for API caching is 300 seconds.",
        "The maximum TTL value is 3600 seconds.",
        "TTL=0 means caching is disabled",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Layers (e.g. Presentation Layer, Data Layer) are technical.",
        "A tunnel carries 1.25 Gbps at most.",
        "Ask J. Smith about it.",
        "Use the ec2.internal domain. then lower case goes on",
    ],
)
def test_no_split_after_abbreviations_decimals_initials_or_before_lower_case(text: str) -> None:
    assert sentence_texts(text) == [text]


def test_line_breaks_split_unless_the_next_line_continues_the_sentence() -> None:
    text = "Is continuous delivery on autopilot\nOne step further\nwrapped and\ncontinued here"
    assert sentence_texts(text) == [
        "Is continuous delivery on autopilot",
        "One step further\nwrapped and\ncontinued here",
    ]


@pytest.mark.parametrize(
    ("sentence", "answer"),
    [
        ("NAT instance supports port forwarding", "port forwarding"),
        ("The default TTL value for API caching is 300 seconds.", "300 seconds"),
        ("Transit gateway supports 1.25 Gbps per VPN tunnel", "1.25 Gbps"),
        ("The maximum TTL is 3600", "3600"),
        ("TTL=0 means caching is disabled", "0"),
        ("Each VPN connection has two tunnels", "two tunnels"),
        ("For many teams, a monolith is not a mistake", "a mistake"),
        (
            "VPN tunnel: An encrypted link where data can pass to AWS.",
            "An encrypted link where data can pass to AWS",
        ),
        ("A dangerous failure state.", "failure state"),
        ("Route tables - one per subnet", "one per subnet"),
        ("The gold standard of monolithic design.", "monolithic design"),
        ("Sample size (n) = 6", "6"),
        ("Teams enforce boundaries from Day 1", "boundaries from Day 1"),
    ],
)
def test_a_whole_sentence_highlight_hides_the_part_worth_recalling(
    sentence: str, answer: str
) -> None:
    assert hidden(sentence) == answer


@pytest.mark.parametrize("sentence", ["NAT gateway", "1.25 Gbps", "automatic"])
def test_very_short_statements_are_hidden_whole(sentence: str) -> None:
    assert hidden(sentence) == sentence


def test_a_partial_highlight_hides_its_words_without_trailing_punctuation() -> None:
    sentence = "Maintaining strong data consistency is simple."
    assert hidden(sentence, "consistency is simple.") == "consistency is simple"


def test_a_long_highlighted_clause_hides_the_object_of_its_verb() -> None:
    sentence = (
        "The verification checks should be performed on the server side, where the data is "
        "free from unauthorized alterations."
    )
    highlight = "The verification checks should be performed on the server side"
    assert hidden(sentence, highlight) == "performed on the server side"


def test_a_highlighted_clause_without_its_own_subject_is_hidden_whole() -> None:
    sentence = "A monolith is a pattern where all modules are packaged and deployed together."
    highlight = "are packaged and deployed together"
    assert hidden(sentence, highlight) == highlight


def test_prompt_masks_other_occurrences_of_the_answer() -> None:
    text = "Group bits by 4, so the sum of 4 bits is a hex digit"
    start = text.index("4")
    assert (
        prompt_text(text, start, start + 1)
        == f"Group bits by {BLANK}, so the sum of {BLANK} bits is a hex digit"
    )


def test_prompt_does_not_mask_parts_of_other_words() -> None:
    text = "The port supports port forwarding"
    start = text.rindex("port forwarding")
    prompt = prompt_text(text, start, start + 4)
    assert prompt == f"The {BLANK} supports {BLANK} forwarding"
    assert "supports" in prompt


def test_prompt_masks_the_number_of_a_hidden_quantity() -> None:
    text = "Bits grouped by 4, so the sum of 4 bits makes one of 16 digits, 4.5 stays"
    start = text.index("4 bits")
    assert prompt_text(text, start, start + 6) == (
        f"Bits grouped by {BLANK}, so the sum of {BLANK} makes one of 16 digits, 4.5 stays"
    )


def test_prompt_keeps_a_copy_of_the_number_that_counts_something_else() -> None:
    text = "Each AZ has 1 NAT gateway and the limit is 1 Gbps burst."
    start = text.index("1 Gbps")
    assert prompt_text(text, start, start + 6) == (
        f"Each AZ has 1 NAT gateway and the limit is {BLANK} burst."
    )


def test_prompt_masks_a_copy_of_the_number_with_the_same_unit() -> None:
    text = "Three tunnels give 5 gbps, so 5 Gbps is the ceiling and 5 connections are needed"
    start = text.index("5 Gbps")
    assert prompt_text(text, start, start + 6) == (
        f"Three tunnels give {BLANK}, so {BLANK} is the ceiling and 5 connections are needed"
    )
    text = "A group of 4 bits is one hex digit; 4 bit groups"
    start = text.index("4 bits")
    assert prompt_text(text, start, start + 6) == (
        f"A group of {BLANK} is one hex digit; {BLANK} groups"
    )
