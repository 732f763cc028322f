"""Two sittings on one database (two windows): a grade is refused when the card changed since
it was shown, either graded by the other sitting or retired by an import."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from studytool.store.repository import Repository
from studytool.store.reviews import (
    CardRetiredError,
    GradedElsewhereError,
    ReviewService,
    StaleCardError,
)
from studytool.store.tables import ReviewLog
from tests.conftest import WriteNote

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
NOTE = "# N\n- alpha is ==one==\n- beta is ==two==\n"
_log = ReviewLog.__table__  # type: ignore[attr-defined]


@pytest.fixture
def repo(db_path: Path, vault: Path, write_note: WriteNote) -> Iterator[Repository]:
    write_note("N.md", NOTE)
    repository = Repository.open(db_path, clock=lambda: NOW)
    report = repository.import_paths([vault])
    assert not report.errors and report.cards_new == 2
    yield repository
    repository.close()


@pytest.fixture
def windows(repo: Repository) -> Iterator[tuple[ReviewService, ReviewService]]:
    """Two services, each with its own connection, as two open review windows."""
    first = ReviewService(repo, now=lambda: NOW, tz=UTC)
    second = ReviewService(repo, now=lambda: NOW, tz=UTC)
    yield first, second
    first.close()
    second.close()


def log_rows(repo: Repository) -> list[dict[str, Any]]:
    with repo.engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(_log).order_by(_log.c.id)).mappings()]


def card_id(repo: Repository, answer: str) -> int:
    return next(card.id for card in repo.list_cards() if card.answer == answer)


def test_a_card_graded_in_another_window_is_refused_and_the_next_one_offered(
    repo: Repository, windows: tuple[ReviewService, ReviewService]
) -> None:
    a, b = windows
    sitting_a, sitting_b = a.start_session(), b.start_session()
    alpha, beta = card_id(repo, "one"), card_id(repo, "two")
    shown_a, shown_b = a.next_card(sitting_a), b.next_card(sitting_b)
    assert shown_a is not None and shown_b is not None
    assert shown_a.id == shown_b.id == alpha and shown_b.queue_kind == "new"

    a.grade(sitting_a, alpha, 4)
    with pytest.raises(GradedElsewhereError) as refused:
        b.grade(sitting_b, alpha, 4)
    assert refused.value.card_id == alpha and isinstance(refused.value, StaleCardError)

    rows = log_rows(repo)
    assert [(row["card_id"], row["session_id"]) for row in rows] == [(alpha, sitting_a.id)]
    assert rows[0]["state_after"]["interval"] == 1
    assert sitting_b.graded == 0 and not sitting_b.can_undo
    following = b.next_card(sitting_b)
    assert following is not None and following.id == beta
    b.grade(sitting_b, beta, 5)
    assert [row["card_id"] for row in log_rows(repo)] == [alpha, beta]


def test_a_repeat_graded_in_the_other_window_is_refused(
    repo: Repository, windows: tuple[ReviewService, ReviewService]
) -> None:
    """A grades a card 1; B, opened then, owes it as a repeat too; A does the repeat first."""
    a, b = windows
    sitting_a = a.start_session()
    alpha = card_id(repo, "one")
    assert a.next_card(sitting_a).id == alpha  # type: ignore[union-attr]
    a.grade(sitting_a, alpha, 1)
    sitting_b = b.start_session()  # carries today's owed repeat of alpha
    b.skip(sitting_b, card_id(repo, "two"), later=False)
    shown_b = b.next_card(sitting_b)
    assert shown_b is not None and shown_b.id == alpha and shown_b.queue_kind == "repeat"
    a.skip(sitting_a, card_id(repo, "two"), later=False)
    assert a.next_card(sitting_a).id == alpha  # type: ignore[union-attr]
    assert a.grade(sitting_a, alpha, 4).same_day_repeat

    with pytest.raises(GradedElsewhereError):
        b.grade(sitting_b, alpha, 4)
    assert [(row["card_id"], row["quality"]) for row in log_rows(repo)] == [(alpha, 1), (alpha, 4)]
    assert b.next_card(sitting_b) is None


def test_same_sitting_repeats_and_undo_still_grade(
    repo: Repository, windows: tuple[ReviewService, ReviewService]
) -> None:
    a, _ = windows
    sitting = a.start_session()
    alpha, beta = card_id(repo, "one"), card_id(repo, "two")
    assert a.next_card(sitting).id == alpha  # type: ignore[union-attr]
    first = a.grade(sitting, alpha, 1)
    assert first.repeat_today
    assert a.next_card(sitting).id == beta  # type: ignore[union-attr]
    a.grade(sitting, beta, 4)
    repeat = a.next_card(sitting)
    assert repeat is not None and repeat.id == alpha and repeat.queue_kind == "repeat"
    assert a.grade(sitting, alpha, 4).same_day_repeat
    assert [row["card_id"] for row in log_rows(repo)] == [alpha, beta, alpha]

    assert a.undo(sitting) == alpha
    assert [row["card_id"] for row in log_rows(repo)] == [alpha, beta]
    again = a.next_card(sitting)
    assert again is not None and again.id == alpha
    a.grade(sitting, alpha, 5)
    # undo, then grade the card again without asking for it (the undo's state is the shown one)
    assert a.undo(sitting) == alpha
    a.grade(sitting, alpha, 3)
    assert [(row["card_id"], row["quality"]) for row in log_rows(repo)] == [
        (alpha, 1), (beta, 4), (alpha, 3),
    ]  # fmt: skip


def test_an_undo_in_the_other_window_makes_the_shown_card_stale(
    repo: Repository, windows: tuple[ReviewService, ReviewService]
) -> None:
    """B shows the card as A's grade left it; A undoes that grade: B's grade is refused."""
    a, b = windows
    sitting_a = a.start_session()
    alpha, beta = card_id(repo, "one"), card_id(repo, "two")
    assert a.next_card(sitting_a).id == alpha  # type: ignore[union-attr]
    a.grade(sitting_a, alpha, 1)
    sitting_b = b.start_session()
    b.skip(sitting_b, beta, later=False)
    assert b.next_card(sitting_b).id == alpha  # type: ignore[union-attr]
    assert a.undo(sitting_a) == alpha
    assert log_rows(repo) == []

    with pytest.raises(GradedElsewhereError):
        b.grade(sitting_b, alpha, 2)
    assert log_rows(repo) == []
    assert a.next_card(sitting_a).id == alpha  # type: ignore[union-attr]
    a.grade(sitting_a, alpha, 5)
    assert [(row["card_id"], row["quality"]) for row in log_rows(repo)] == [(alpha, 5)]


def test_a_card_retired_by_an_import_between_offer_and_grade_is_refused(
    repo: Repository,
    windows: tuple[ReviewService, ReviewService],
    vault: Path,
    write_note: WriteNote,
) -> None:
    a, _ = windows
    sitting = a.start_session()
    alpha, beta = card_id(repo, "one"), card_id(repo, "two")
    assert a.next_card(sitting).id == alpha  # type: ignore[union-attr]
    write_note("N.md", "# N\n- alpha is one\n- beta is ==two==\n")
    report = repo.import_paths([vault])
    assert not report.errors
    assert repo.get_card(alpha).retired  # type: ignore[union-attr]

    with pytest.raises(CardRetiredError) as refused:
        a.grade(sitting, alpha, 4)
    assert refused.value.card_id == alpha
    assert log_rows(repo) == []
    following = a.next_card(sitting)
    assert following is not None and following.id == beta
    a.grade(sitting, beta, 4)
    assert [row["card_id"] for row in log_rows(repo)] == [beta]
