"""Statements to card drafts: what a cloze card hides, shows and is tagged with (pure).

A draft is what one import would like a card to be. The store decides whether a draft is an
existing card (kept with its history), a changed one, or a new one.
"""

from __future__ import annotations

from dataclasses import dataclass

CLOZE = "cloze"
SCENARIO = "scenario"
BLANK = "[...]"


@dataclass(frozen=True, slots=True)
class CardDraft:
    """One card as the notes describe it now.

    ``text`` is the statement the card is about (for a split multi-fact statement, the one fact);
    ``answer_start``/``answer_end`` index the hidden part in ``text`` and ``prompt`` is ``text``
    with that part replaced by ``[...]``. Cards from one statement share ``group`` and are
    numbered by ``ordinal`` (1-based), which the Anki export turns into c1, c2, ...
    """

    kind: str
    note: str
    line: int
    context: tuple[str, ...]
    text: str
    prompt: str
    answer: str
    answer_start: int
    answer_end: int
    group: str
    ordinal: int
    tags: tuple[str, ...]
    colour: str | None
    deck: str
    extra: str | None = None
