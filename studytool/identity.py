"""Which existing card a freshly parsed card draft is (pure).

Cards keep their review history across edits, so an import matches drafts to the cards it
already has, from the surest match to the loosest:

1. same note, same answer, same statement (nothing changed, or only the line moved);
2. same answer and statement in another note (the note was moved or renamed);
3. same note, same answer, different statement (the words around the highlight changed);
4. same note, similar answer and similar statement (a typo fixed or a word added inside it);
5. another note, same answer, similar statement (moved and edited);
6. another note, the same words around the highlight, similar answer (moved, and a typo fixed
   inside the highlight before the next import). A highlight that is its whole statement has
   no words around it and is not matched this way.

Drafts left over are new cards; cards left over are retired by the caller (never deleted).
Text is compared case-folded with runs of white space collapsed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from studytool.cards import CardDraft

#: How alike two answers must be (difflib ratio) to be "a small edit inside the highlight".
ANSWER_SIMILARITY = 0.75
#: How alike two statements must be to go with such an edit.
TEXT_SIMILARITY = 0.6

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ExistingCard:
    """The parts of a stored card that identify it."""

    card_id: int
    kind: str
    note: str
    text: str
    answer: str
    ordinal: int
    line: int


@dataclass(slots=True)
class Matching:
    """The result: (draft index, card id) pairs, unmatched drafts, unmatched cards."""

    pairs: list[tuple[int, int]] = field(default_factory=list)
    new_drafts: list[int] = field(default_factory=list)
    unmatched_cards: list[int] = field(default_factory=list)


def normalise(value: str) -> str:
    """Case-folded text with white space collapsed: what counts as "the same words"."""
    return _SPACES.sub(" ", value).strip().casefold()


def similarity(a: str, b: str) -> float:
    """difflib's ratio of two normalised strings (1.0 = equal)."""
    if a == b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < TEXT_SIMILARITY * 0.9:
        return 0.0
    return matcher.ratio()


def match_cards(drafts: Sequence[CardDraft], existing: Sequence[ExistingCard]) -> Matching:
    """Pair drafts with existing cards, surest matches first."""
    if not existing:
        return Matching(new_drafts=list(range(len(drafts))))
    if not drafts:
        return Matching(unmatched_cards=sorted(card.card_id for card in existing))
    state = _MatchState(drafts, existing)
    state.exact_pass(lambda d: (d.kind, d.note, d.answer, d.text), same_note=True)
    state.exact_pass(lambda d: (d.kind, d.answer, d.text), same_note=False)
    state.exact_pass(lambda d: (d.kind, d.note, d.answer), same_note=True)
    state.fuzzy_pass(same_note=True)
    state.fuzzy_pass(same_note=False)
    state.moved_and_edited_pass()
    return state.result()


@dataclass(frozen=True, slots=True)
class _Key:
    kind: str
    note: str
    text: str
    answer: str
    ordinal: int
    line: int


class _MatchState:
    def __init__(self, drafts: Sequence[CardDraft], existing: Sequence[ExistingCard]) -> None:
        self.drafts = {
            index: _Key(d.kind, d.note, normalise(d.text), normalise(d.answer), d.ordinal, d.line)
            for index, d in enumerate(drafts)
        }
        self.cards = {
            c.card_id: _Key(
                c.kind, c.note, normalise(c.text), normalise(c.answer), c.ordinal, c.line
            )
            for c in existing
        }
        self.pairs: list[tuple[int, int]] = []

    def _pair(self, draft_index: int, card_id: int) -> None:
        self.pairs.append((draft_index, card_id))
        del self.drafts[draft_index]
        del self.cards[card_id]

    def exact_pass(self, key_of: Callable[[_Key], tuple[str, ...]], same_note: bool) -> None:
        by_key: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for card_id, card in self.cards.items():
            by_key[key_of(card)].append(card_id)
        for draft_index, draft in list(self.drafts.items()):
            candidates = [c for c in by_key.get(key_of(draft), ()) if c in self.cards]
            if not same_note:
                candidates = [c for c in candidates if self.cards[c].note != draft.note]
            if candidates:
                best = min(candidates, key=lambda c: self._distance(draft, self.cards[c]))
                self._pair(draft_index, best)

    def fuzzy_pass(self, same_note: bool) -> None:
        for draft_index, draft in list(self.drafts.items()):
            best_id, best_score = None, 0.0
            for card_id, card in self.cards.items():
                if card.kind != draft.kind or (card.note == draft.note) != same_note:
                    continue
                score = self._fuzzy_score(draft, card, same_note)
                if score > best_score:
                    best_id, best_score = card_id, score
            if best_id is not None:
                self._pair(draft_index, best_id)

    def moved_and_edited_pass(self) -> None:
        """Pair across notes by the exact words around the highlight and a similar answer.

        An exact key keeps this cheap on large imports and safe from pairing two different
        statements that merely look alike.
        """
        by_context: dict[tuple[str, str], list[int]] = defaultdict(list)
        for card_id, card in self.cards.items():
            around = _words_around(card)
            if around:
                by_context[(card.kind, around)].append(card_id)
        for draft_index, draft in list(self.drafts.items()):
            around = _words_around(draft)
            candidates = [
                card_id for card_id in by_context.get((draft.kind, around), ())
                if card_id in self.cards and self.cards[card_id].note != draft.note
            ] if around else []  # fmt: skip
            scored = [(similarity(draft.answer, self.cards[c].answer), c) for c in candidates]
            best = max(scored, default=None, key=lambda pair: pair[0])
            if best is not None and best[0] >= ANSWER_SIMILARITY:
                self._pair(draft_index, best[1])

    @staticmethod
    def _fuzzy_score(draft: _Key, card: _Key, same_note: bool) -> float:
        if same_note:
            answer_score = similarity(draft.answer, card.answer)
            if answer_score < ANSWER_SIMILARITY:
                return 0.0
        elif draft.answer != card.answer:
            return 0.0
        else:
            answer_score = 1.0
        text_score = similarity(draft.text, card.text)
        if text_score < TEXT_SIMILARITY:
            return 0.0
        return answer_score + text_score

    @staticmethod
    def _distance(draft: _Key, card: _Key) -> tuple[int, int]:
        return (abs(draft.ordinal - card.ordinal), abs(draft.line - card.line))

    def result(self) -> Matching:
        return Matching(
            pairs=sorted(self.pairs),
            new_drafts=sorted(self.drafts),
            unmatched_cards=sorted(self.cards),
        )


def _words_around(key: _Key) -> str:
    """The statement with its highlight cut out; "" when the highlight is the whole statement."""
    before, found, after = key.text.partition(key.answer)
    if not found or not (before.strip() or after.strip()):
        return ""
    return f"{before}\u2026{after}"
