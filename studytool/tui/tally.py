"""The app's running record of this sitting's grades (undo takes the last one back).

Kept apart from the summary screen that shows it, so that starting a review does not import
that screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from studytool.scheduling.sm2 import PASSING_QUALITY


@dataclass
class SessionTally:
    """This sitting's grades, in order: ``(card id, quality)``."""

    started: datetime
    grades: list[tuple[int, int]] = field(default_factory=list)

    def record(self, card_id: int, quality: int) -> None:
        self.grades.append((card_id, quality))

    def take_back(self) -> None:
        """Forget the last grade (after an undo)."""
        if self.grades:
            self.grades.pop()

    @property
    def reviewed(self) -> int:
        """Distinct cards graded."""
        return len({card_id for card_id, _ in self.grades})

    @property
    def right_first_time(self) -> int:
        """Cards whose first grade in this sitting passed (quality >= 3)."""
        first: dict[int, int] = {}
        for card_id, quality in self.grades:
            first.setdefault(card_id, quality)
        return sum(1 for quality in first.values() if quality >= PASSING_QUALITY)
