"""Matching fresh card drafts to stored cards, surest first."""

from __future__ import annotations

from studytool.cards import BLANK, CLOZE, CardDraft
from studytool.identity import ExistingCard, match_cards, normalise


def draft(note: str, text: str, answer: str, ordinal: int = 1, line: int = 1) -> CardDraft:
    start = text.index(answer)
    return CardDraft(
        kind=CLOZE, note=note, line=line, context=(), text=text,
        prompt=text[:start] + BLANK + text[start + len(answer):], answer=answer,
        answer_start=start, answer_end=start + len(answer), group="g", ordinal=ordinal,
        tags=(), colour=None, deck="d",
    )  # fmt: skip


def card(card_id: int, note: str, text: str, answer: str, ordinal: int = 1) -> ExistingCard:
    return ExistingCard(card_id, CLOZE, note, text, answer, ordinal, 1)


def test_unchanged_cards_match_themselves() -> None:
    drafts = [draft("a.md", "TTL default is 300 seconds", "300 seconds")]
    result = match_cards(drafts, [card(7, "a.md", "TTL default is 300 seconds", "300 seconds")])
    assert result.pairs == [(0, 7)] and not result.new_drafts and not result.unmatched_cards


def test_words_around_the_highlight_may_change() -> None:
    drafts = [draft("a.md", "The default cache TTL is 300 seconds here", "300 seconds")]
    result = match_cards(drafts, [card(7, "a.md", "TTL default is 300 seconds", "300 seconds")])
    assert result.pairs == [(0, 7)]


def test_a_typo_fixed_inside_the_highlight_keeps_the_card() -> None:
    drafts = [draft("a.md", "A NAT gateway needs an Elastic IP", "Elastic IP")]
    old = card(3, "a.md", "A NAT gateway needs an Elastic IPP", "Elastic IPP")
    assert match_cards(drafts, [old]).pairs == [(0, 3)]


def test_a_word_added_inside_the_highlight_keeps_the_card() -> None:
    drafts = [draft("a.md", "NAT instance supports TCP port forwarding", "TCP port forwarding")]
    old = card(3, "a.md", "NAT instance supports port forwarding", "port forwarding")
    assert match_cards(drafts, [old]).pairs == [(0, 3)]


def test_a_different_fact_is_a_new_card() -> None:
    drafts = [draft("a.md", "The maximum TTL is 3600 seconds", "3600 seconds")]
    old = card(3, "a.md", "A NAT gateway needs an Elastic IP", "Elastic IP")
    result = match_cards(drafts, [old])
    assert result.pairs == [] and result.new_drafts == [0] and result.unmatched_cards == [3]


def test_a_moved_note_keeps_its_cards() -> None:
    drafts = [draft("new/b.md", "Tunnels carry 1.25 Gbps each", "1.25 Gbps")]
    old = card(9, "old/a.md", "Tunnels carry 1.25 Gbps each", "1.25 Gbps")
    assert match_cards(drafts, [old]).pairs == [(0, 9)]


def test_exact_matches_win_over_fuzzy_ones() -> None:
    text = "Two tunnels per VPN connection"
    drafts = [draft("a.md", text, "Two tunnels"), draft("a.md", text, "VPN connection", 2)]
    existing = [card(1, "a.md", text, "VPN connection", 2), card(2, "a.md", text, "Two tunnels")]
    assert sorted(match_cards(drafts, existing).pairs) == [(0, 2), (1, 1)]


def test_identical_statements_twice_pair_by_position() -> None:
    text = "Port forwarding is supported"
    drafts = [
        draft("a.md", text, "Port forwarding", line=3),
        draft("a.md", text, "Port forwarding", line=9),
    ]
    existing = [
        ExistingCard(1, CLOZE, "a.md", text, "Port forwarding", 1, 9),
        ExistingCard(2, CLOZE, "a.md", text, "Port forwarding", 1, 3),
    ]
    assert sorted(match_cards(drafts, existing).pairs) == [(0, 2), (1, 1)]


def test_kinds_never_mix() -> None:
    drafts = [draft("a.md", "x is 5", "5")]
    existing = [ExistingCard(1, "scenario", "a.md", "x is 5", "5", 1, 1)]
    assert match_cards(drafts, existing).pairs == []


def test_normalise_folds_case_and_space() -> None:
    assert normalise("  NAT\tGateway \n needs ") == "nat gateway needs"


def test_a_moved_note_with_a_typo_fixed_inside_the_highlight_keeps_the_card() -> None:
    drafts = [draft("new/b.md", "Monoliths cause major deployment friction", "deployment friction")]
    old = card(9, "old/a.md", "Monoliths cause major deployment frictoin", "deployment frictoin")
    assert match_cards(drafts, [old]).pairs == [(0, 9)]


def test_across_notes_a_similar_answer_needs_the_same_words_around_it() -> None:
    drafts = [draft("b.md", "The NAT gateway limit is 45 Gbps of bandwidth", "45 Gbps")]
    old = card(9, "a.md", "A VPN tunnel gives 1.25 Gbps", "1.25 Gbps")
    other = card(10, "a.md", "Each NAT instance gets 5 Gbps at most", "5 Gbps")
    result = match_cards(drafts, [old, other])
    assert result.pairs == [] and result.new_drafts == [0]


def test_a_same_note_edit_wins_over_a_similar_card_in_another_note() -> None:
    drafts = [draft("a.md", "A NAT gateway needs an Elastic IP", "Elastic IP")]
    here = card(3, "a.md", "A NAT gateway needs an Elastic IPP", "Elastic IPP")
    moved = card(4, "z.md", "A NAT gateway needs an Elastic IPs", "Elastic IPs")
    assert match_cards(drafts, [moved, here]).pairs == [(0, 3)]
