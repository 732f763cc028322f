"""A review session in a subprocess, for the kill tests: ``python kill_review.py DB MODE N``.

Grades the cards the review service offers, one after another, printing
``card_id log_id quality`` after each grade is committed.

- ``between``: after each grade, waits for a line on stdin before the next one; the test kills
  the process after reading ``N`` lines, so exactly ``N`` grades have been given.
- ``inside``: gives ``N`` grades, then dies half-way through grade ``N + 1`` (after its new
  state is written, before its log row, inside the transaction).
"""

from __future__ import annotations

import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from kill_import import die_after

from studytool.store import reviews
from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService

QUALITIES = (5, 3, 1, 4, 2, 0, 5, 4)


def main() -> None:
    db, mode, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    service = ReviewService(Repository.open(db), tz=ZoneInfo("UTC"))
    session = service.start_session()
    for index in range(10_000):
        card = service.next_card(session)
        if card is None:
            raise SystemExit("ran out of cards")
        if mode == "inside" and index == count:
            print("attempt", card.id, flush=True)
            die_after(reviews, "_write_state")
        quality = QUALITIES[index % len(QUALITIES)]
        result = service.grade(session, card.id, quality, duration_ms=1200 + index,
                               typed_answer=f"answer {index}")  # fmt: skip
        print(card.id, result.log_id, quality, flush=True)
        if mode == "between":
            sys.stdin.readline()


if __name__ == "__main__":
    main()
