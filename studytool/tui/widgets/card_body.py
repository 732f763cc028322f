"""The part of the review screen that depends on the kind of card: question, answer box, reveal.

:class:`CardBody` is the contract between the review screen and a kind of card. The screen
knows nothing about how a card asks its question or checks an answer; it calls
:meth:`CardBody.reveal` when the user asks for the answer (Enter) and grades with the
:class:`Suggestion` it gets back. Cloze cards use :class:`~studytool.tui.widgets.cloze_card.
ClozeCard`; scenario cards register their own body (:mod:`.scenario_card`) with
:func:`register_card_body`, with the input widgets their question kind needs, and offer a hint
(:attr:`CardBody.can_hint`, :meth:`CardBody.hint`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from textual.containers import Vertical
from textual.message import Message

if TYPE_CHECKING:
    from studytool.store.reviews import CardView


@dataclass(frozen=True)
class Suggestion:
    """What a revealed answer says about the grade.

    ``grade`` is the suggested quality (0..5), accepted with Enter; ``verdict`` a short word for
    the screen (``exact``, ``close``, ``wrong``); ``correct`` and ``detail`` go to the review log
    with the grade (scenario cards record their question and result there).
    """

    grade: int
    verdict: str
    correct: bool | None = None
    detail: dict[str, Any] | None = field(default=None)


class CardBody(Vertical):
    """Base class of the card views: shows one card, takes an optional answer, reveals."""

    DEFAULT_CLASSES = "card-body"

    class AnswerSubmitted(Message):
        """The user pressed Enter in the answer input: the screen should reveal."""

    def __init__(self, card: CardView, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.card = card
        self.revealed = False

    def focus_answer(self) -> None:
        """Put the keyboard focus where the user types the answer (if the body has one)."""

    @property
    def answer_has_focus(self) -> bool:
        """Whether keys currently go to the body's answer input."""
        return False

    @property
    def typed_answer(self) -> str | None:
        """What the user typed, or None when nothing was typed."""
        return None

    def reveal(self) -> Suggestion | None:
        """Show the answer; return a suggested grade when the typed answer allows one."""
        self.revealed = True
        return None

    @property
    def can_hint(self) -> bool:
        """Whether :meth:`hint` has something to show now (scenario cards, before the reveal)."""
        return False

    def hint(self) -> None:
        """Show a hint (bodies that offer one; the screen's **?** key)."""


CardBodyFactory = Callable[["CardView"], CardBody]

_REGISTRY: dict[str, CardBodyFactory] = {}


def register_card_body(kind: str, factory: CardBodyFactory) -> None:
    """Use ``factory`` to show cards of ``kind`` (``"cloze"``, ``"scenario"``, ...)."""
    _REGISTRY[kind] = factory


def card_body_for(card: CardView) -> CardBody:
    """The body for ``card``: its kind's registered view, else the cloze view.

    A kind without a registered view is looked up once as the module
    ``studytool.tui.widgets.<kind>_card`` (e.g. ``scenario_card``), which registers its view
    with :func:`register_card_body` when imported.
    """
    factory = _REGISTRY.get(card.kind) or _load_factory(card.kind)
    if factory is None:
        from studytool.tui.widgets.cloze_card import ClozeCard

        return ClozeCard(card)
    return factory(card)


_LOOKED_UP: set[str] = set()


def _load_factory(kind: str) -> CardBodyFactory | None:
    if kind in _LOOKED_UP or not kind.isidentifier():
        return None
    _LOOKED_UP.add(kind)
    module = f"studytool.tui.widgets.{kind}_card"
    if find_spec(module) is not None:
        import_module(module)
    return _REGISTRY.get(kind)


__all__ = ["CardBody", "Suggestion", "card_body_for", "register_card_body"]
