"""``--with-scheduling``: Anki shows the intervals, ease, due dates and review log studytool has."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from studytool.export.anki import ExportOptions, export_package
from studytool.scheduling.days import study_day
from studytool.store.records import CardRecord
from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService
from tests.export.conftest import MutableClock, OpenAnki, import_package

#: study days start at this hour (UTC) in these exports
DAY_START_HOUR = 4
#: Grades start ten study days ago at 10:00 UTC, so some cards are due in the future and some
#: overdue. Counted in study days, not calendar days: between midnight and 04:00 UTC, today's
#: study day is still yesterday's date.
BASE = datetime.combine(
    study_day(datetime.now(UTC), UTC, DAY_START_HOUR) - timedelta(days=10), time(10), tzinfo=UTC
)


def card_with(store: Repository, answer: str) -> CardRecord:
    (card,) = [card for card in store.list_cards() if card.answer == answer]
    return card


@pytest.fixture
def graded_store(imported_store: Repository, clock: MutableClock) -> Repository:
    """Elastic IP: 5, 5, 5 (review); port forwarding: 4 then 1 (lapsed, learning in SM-2);
    horizontally scaled: one FSRS grade (a 10-minute learning step); the rest new."""
    service = ReviewService(imported_store, now=clock, tz=UTC)
    service.set_scheduler("fsrs", deck="Other")
    session = service.start_session()
    elastic = card_with(imported_store, "Elastic IP").id
    forwarding = card_with(imported_store, "port forwarding").id
    scaled = card_with(imported_store, "horizontally scaled").id
    for days, card_id, quality in [
        (0, elastic, 5), (0, forwarding, 4), (1, elastic, 5), (1, forwarding, 1),
        (7, elastic, 5),
    ]:  # fmt: skip
        clock.now = BASE + timedelta(days=days)
        service.grade(session, card_id, quality, duration_ms=4200)
    clock.now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    service.grade(session, scaled, 4, duration_ms=90_000)
    return imported_store


def anki_card(collection: object, fragment: str, ordinal: int = 0) -> object:
    for card_id in collection.find_cards(""):  # type: ignore[attr-defined]
        card = collection.get_card(card_id)  # type: ignore[attr-defined]
        if fragment in card.note().fields[0] and card.ord == ordinal:
            return card
    raise AssertionError(f"no card with {fragment!r}")


def revlog(collection: object, card: object) -> list[tuple[int, ...]]:
    return collection.db.all(  # type: ignore[attr-defined, no-any-return]
        "SELECT id, ease, ivl, lastIvl, factor, time, type FROM revlog WHERE cid = ? ORDER BY id",
        card.id,  # type: ignore[attr-defined]
    )


def test_review_cards_keep_interval_ease_reps_and_due_date(
    graded_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    options = ExportOptions(with_scheduling=True, tz=UTC, day_start_hour=DAY_START_HOUR)
    result = export_package(graded_store, tmp_path / "s.apkg", options)
    collection = open_anki()
    import_package(collection, result.path)
    today = study_day(datetime.now(UTC), UTC, DAY_START_HOUR)

    elastic = card_with(graded_store, "Elastic IP")
    assert (elastic.state, elastic.interval, elastic.ef, elastic.reps) == ("review", 17, 2.8, 3)
    card = anki_card(collection, "Elastic IP", ordinal=0)
    assert (card.type, card.queue) == (2, 2)
    assert (card.ivl, card.factor, card.reps, card.lapses) == (17, 2800, 3, 0)
    assert elastic.due is not None
    expected_days = (study_day(elastic.due, UTC, DAY_START_HOUR) - today).days
    assert expected_days == 17 - 3
    assert card.due - collection.sched.today == expected_days

    lapsed = card_with(graded_store, "port forwarding")
    assert (lapsed.state, lapsed.interval, lapsed.lapses) == ("learning", 1, 1)
    card = anki_card(collection, "port forwarding")
    assert (card.type, card.queue, card.ivl, card.factor, card.lapses, card.reps) == (
        2, 2, 1, 2500, 1, 2,
    )  # fmt: skip
    assert lapsed.due is not None
    lapsed_days = (study_day(lapsed.due, UTC, DAY_START_HOUR) - today).days
    assert card.due - collection.sched.today == lapsed_days == -8


def test_new_cards_stay_new_and_learning_steps_stay_learning(
    graded_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    options = ExportOptions(with_scheduling=True, tz=UTC, day_start_hour=DAY_START_HOUR)
    result = export_package(graded_store, tmp_path / "s.apkg", options)
    collection = open_anki()
    import_package(collection, result.path)

    new = anki_card(collection, "still exports")
    assert (new.type, new.queue, new.ivl, new.reps) == (0, 0, 0, 0)
    sibling = anki_card(collection, "public subnet", ordinal=1)
    assert (sibling.type, sibling.queue) == (0, 0)
    step = card_with(graded_store, "horizontally scaled")
    assert step.state == "learning" and step.interval == 0 and step.due is not None
    card = anki_card(collection, "horizontally scaled")
    assert (card.type, card.queue, card.left % 1000) == (1, 1, 1)
    assert card.due == int(step.due.timestamp())
    assert result.review_cards == 3


def test_the_review_log_becomes_anki_revlog_rows(
    graded_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    options = ExportOptions(with_scheduling=True, tz=UTC, day_start_hour=DAY_START_HOUR)
    result = export_package(graded_store, tmp_path / "s.apkg", options)
    assert result.revlog_entries == 6
    collection = open_anki()
    import_package(collection, result.path)

    def ms(days: int) -> int:
        return int((BASE + timedelta(days=days)).timestamp() * 1000)

    assert revlog(collection, anki_card(collection, "Elastic IP")) == [
        [ms(0), 4, 1, 0, 2600, 4200, 0],
        [ms(1), 4, 6, 1, 2700, 4200, 1],
        [ms(7), 4, 17, 6, 2800, 4200, 1],
    ]
    # Graded in the same millisecond as Elastic IP: ids made unique (Anki skips a known id).
    assert revlog(collection, anki_card(collection, "port forwarding")) == [
        [ms(0) + 1, 3, 1, 0, 2500, 4200, 0],
        [ms(1) + 1, 1, 1, 1, 2500, 4200, 1],
    ]
    ((_, ease, ivl, last_ivl, _, taken, kind),) = revlog(
        collection, anki_card(collection, "horizontally scaled")
    )
    assert (ease, ivl, last_ivl, taken, kind) == (3, -600, 0, 60_000, 0)
    assert revlog(collection, anki_card(collection, "still exports")) == []


def test_without_scheduling_every_card_is_new_and_there_is_no_revlog(
    graded_store: Repository, tmp_path: Path, open_anki: OpenAnki
) -> None:
    result = export_package(graded_store, tmp_path / "plain.apkg")
    collection = open_anki()
    import_package(collection, result.path)
    assert result.revlog_entries == 0
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        assert (card.type, card.queue, card.ivl) == (0, 0, 0)
    assert collection.db.scalar("SELECT count() FROM revlog") == 0
