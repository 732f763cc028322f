"""Typed answers against expected ones: verdicts, marked differences and suggested grades."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studytool.answer_compare import (
    Span,
    Verdict,
    allowed_typos,
    compare_answer,
    edit_distance,
    normalise,
    suggested_grade,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("BGP", "BGP"),
        ("bgp", "BGP"),
        ("  two   tunnels ", "two tunnels"),
        ("Internet-Gateway.", "internet gateway"),
        ("a different Availability Zone", "a different availability zone"),
        ("64512", "64512"),
        ("Straße", "STRASSE"),
        ("->", "->"),
    ],
)
def test_exact_ignores_case_spacing_and_punctuation(typed: str, expected: str) -> None:
    result = compare_answer(typed, expected)
    assert result.verdict is Verdict.EXACT
    assert result.distance == 0
    assert result.typed_spans == ()
    assert result.expected_spans == ()
    assert result.suggested_grade == 5


@pytest.mark.parametrize(
    ("typed", "expected", "distance"),
    [
        ("internet gatway", "Internet Gateway", 1),  # a letter left out
        ("internet gateweay", "Internet Gateway", 1),  # a letter too many
        ("internet gatewya", "Internet Gateway", 1),  # two letters swapped
        ("internetgateway", "internet gateway", 1),  # a space left out
        ("tunel", "tunnel", 1),
        ("virtual privat gatway", "virtual private gateway", 2),
    ],
)
def test_close_for_small_typos(typed: str, expected: str, distance: int) -> None:
    result = compare_answer(typed, expected)
    assert result.verdict is Verdict.CLOSE
    assert result.distance == distance
    assert result.suggested_grade == 4


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("public subnet", "private subnet"),
        ("VWG", "VGW"),  # three letters: no typo allowed
        ("443", "433"),  # numbers must match exactly
        ("1.25 Gbps", "1.5 Gbps"),
        ("10.0.0.0/16", "100.0.0/16"),  # separators still separate numbers
        ("", "anything"),
        ("static", "BGP"),
    ],
)
def test_wrong(typed: str, expected: str) -> None:
    result = compare_answer(typed, expected)
    assert result.verdict is Verdict.WRONG
    assert result.suggested_grade == 1


def test_spans_mark_the_missing_letter_in_the_expected_answer() -> None:
    result = compare_answer("internet gatway", "Internet Gateway")
    assert result.typed_spans == ()
    assert result.expected_spans == (Span(12, 13),)
    assert "Internet Gateway"[12:13] == "e"


def test_spans_mark_the_extra_letter_in_the_typed_answer() -> None:
    result = compare_answer("tunnnel", "tunnel")
    assert len(result.typed_spans) == 1
    assert result.typed_spans[0].end - result.typed_spans[0].start == 1
    assert result.expected_spans == ()


def test_spans_of_a_missing_tail_sit_at_the_end() -> None:
    expected = "Large tunnels carry up to 5 Gbps each"
    result = compare_answer("large tunnels", expected)
    assert result.expected_spans == (Span(13, len(expected)),)
    assert expected[13:] == " carry up to 5 Gbps each"


def test_spans_refer_to_the_original_strings_not_the_normalised_ones() -> None:
    result = compare_answer("  PUBLIC, subnet", "private subnet")
    typed = "  PUBLIC, subnet"
    marked = "".join(typed[s.start : s.end] for s in result.typed_spans)
    assert marked == "UBLIC"
    assert result.expected_spans == (Span(1, 7),)


def test_swapped_letters_are_one_edit() -> None:
    assert edit_distance("gatewya", "gateway") == 1
    assert edit_distance("ab", "ba") == 1
    assert edit_distance("abc", "ca") == 3  # optimal string alignment, not unrestricted DL
    assert edit_distance("", "abc") == 3
    assert edit_distance("kitten", "sitting") == 3


def test_allowed_typos_grows_with_length_and_is_capped() -> None:
    assert [allowed_typos(n) for n in (0, 3, 4, 9, 10, 15, 19, 20, 200)] == [
        0, 0, 1, 1, 2, 3, 3, 4, 4,
    ]  # fmt: skip


def test_normalise_maps_each_character_back_to_the_original() -> None:
    text, index_map = normalise("  Two-Tunnels! ")
    assert text == "two tunnels"
    assert index_map == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]


def test_suggested_grades() -> None:
    assert [suggested_grade(v) for v in Verdict] == [5, 4, 1]


def test_very_long_typed_answers_do_not_take_quadratic_time() -> None:
    result = compare_answer("x" * 5000, "abc")
    assert result.verdict is Verdict.WRONG
    assert result.typed_spans == (Span(0, 5000),)


@given(st.text(max_size=40), st.text(max_size=40))
def test_spans_always_lie_inside_the_strings(typed: str, expected: str) -> None:
    result = compare_answer(typed, expected)
    for spans, text in ((result.typed_spans, typed), (result.expected_spans, expected)):
        for span in spans:
            assert 0 <= span.start < span.end <= len(text)
        assert all(a.end < b.start for a, b in itertools.pairwise(spans))
    assert (result.verdict is Verdict.EXACT) == (result.distance == 0)


@given(st.text(max_size=30))
def test_an_answer_always_matches_itself(text: str) -> None:
    assert compare_answer(text, text).verdict is Verdict.EXACT
