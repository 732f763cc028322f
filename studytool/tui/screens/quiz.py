"""``studytool quiz``: a sitting of exactly N scenario questions, on the review screen.

:class:`QuizDesk` is the review desk of a quiz. It studies scenario cards only (template cards
and note blocks) in the scope (``--topic T`` is the deck ``Scenarios/T``), and always asks N
questions:

1. first what the schedule has for today: owed same-day repeats, due scenario cards, new ones
   (within the daily new-card limits), as ``studytool review`` would;
2. when that runs out, it studies ahead: scenario cards due on later days, soonest first,
   graded into the schedule; a right answer sooner than the card's interval gets an interval
   from the days that actually passed, as Anki does for early reviews
   (:mod:`studytool.scheduling.early`), so a daily quiz does not push its cards years away;
3. when every scenario card in scope was studied today and questions are still owed, it asks
   extra practice questions: fresh situations from the scope's cards in turn, checked and
   explained the same way, and a wrong one still brings its note statements forward, but they
   are not graded into the schedule or the review log (a card is scheduled once a day).

The quiz ends after the N-th answer (owed repeats wait for the next sitting); undo walks back
through the quiz's answers, practice ones included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from studytool.tui.desk import ReviewDesk, Scope, Turn, warm_up

if TYPE_CHECKING:
    from studytool.store.reviews import CardView, Counts, GradeResult, ReviewService

SCENARIO_KINDS = ("scenario",)
#: how far a quiz studies ahead once nothing is due (in days: everything scheduled)
STUDY_AHEAD_DAYS = 36_500
SCHEDULED = "scheduled"
PRACTICE = "practice"


class QuizDesk(ReviewDesk):
    """The desk of a quiz of ``count`` scenario questions (see the module docstring)."""

    def __init__(
        self,
        service: ReviewService,
        scope: Scope,
        count: int,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(service, _quiz_scope(scope, count), clock)
        self.count = count
        self.asked = 0
        self._answers: list[tuple[str, int]] = []
        self._practice: CardView | None = None
        self._practice_turns = 0
        self._grading = SCHEDULED

    @property
    def can_undo(self) -> bool:
        return bool(self._answers)

    def begin(self, scope: Scope) -> Turn:
        """A new quiz of ``count`` questions over ``scope``."""
        self.asked = 0
        self._answers = []
        self._practice = None
        self._practice_turns = 0
        return super().begin(_quiz_scope(scope, self.count))

    def turn(self) -> Turn:
        """The next question: scheduled, then studied ahead, then practice."""
        self._practice = None
        if self.asked >= self.count:
            return Turn(None, self.asked, self.can_undo)
        turn = super().turn()
        session = self.session
        if turn.card is None and session.study_ahead_days < STUDY_AHEAD_DAYS:
            self.service.study_ahead(session, STUDY_AHEAD_DAYS)
            turn = super().turn()
        if turn.card is None:
            self._practice = self.practice_card()
            warm_up(self._practice)
            turn = replace(turn, card=self._practice)
        return replace(turn, graded=self.asked, can_undo=self.can_undo)

    def practice_card(self) -> CardView | None:
        """The next scope card to practise on (in turn), or None when the scope has none."""
        from studytool.store.scenario_cards import scenario_card_views

        cards = scenario_card_views(self.repository, self.scope.deck, self.scope.tag)
        if not cards:
            return None
        card = cards[self._practice_turns % len(cards)]
        self._practice_turns += 1
        return card

    def grade(
        self,
        card_id: int,
        quality: int,
        duration_ms: int | None,
        typed_answer: str | None,
        correct: bool | None = None,
        detail: dict[str, Any] | None = None,
    ) -> tuple[GradeResult | None, Turn]:
        """A scheduled question is graded as in a review; a practice one is only followed up."""
        if self._practice is None or self._practice.id != card_id:
            self._grading = SCHEDULED
            return super().grade(card_id, quality, duration_ms, typed_answer, correct, detail)
        self._grading = PRACTICE
        notice = self.follow_up(correct, detail)
        self.graded(card_id)
        return None, replace(self.turn(), notice=notice)

    def graded(self, card_id: int) -> None:
        """Count the answer (called once the grade is stored, before the next turn)."""
        self._answers.append((self._grading, card_id))
        self.asked += 1

    def undo(self) -> tuple[int | None, Turn]:
        """Take back the last answer of the quiz; that question comes again."""
        if not self._answers:
            return None, self.turn()
        kind, card_id = self._answers[-1]
        if kind == SCHEDULED:
            undone = self.service.undo(self.session)
            if undone is None:
                return None, self.turn()
        self._answers.pop()
        self.asked -= 1
        self.take_back_forwarded()
        if kind == SCHEDULED:
            return card_id, self.turn()
        from studytool.store.scenario_cards import scenario_card_views

        cards = scenario_card_views(self.repository, self.scope.deck, self.scope.tag)
        card = next((c for c in cards if c.id == card_id), None)
        if card is None:
            return card_id, self.turn()
        self._practice = card
        return card_id, Turn(card, self.asked, self.can_undo)

    def remaining(self, counts: Counts) -> int:
        """Questions left in the quiz."""
        return max(0, self.count - self.asked)


def _quiz_scope(scope: Scope, count: int) -> Scope:
    return replace(scope, kinds=SCENARIO_KINDS, limit=count)


__all__ = ["STUDY_AHEAD_DAYS", "QuizDesk"]
