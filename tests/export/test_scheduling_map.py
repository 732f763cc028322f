"""The pure mapping from studytool's review state and log to Anki's columns."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from studytool.export.scheduling import (
    ANKI_CRT_DATE,
    GENANKI_CRT,
    AnkiCardState,
    anki_card_state,
    anki_day_number,
    anki_ease,
    anki_interval,
    review_kind,
    revlog_rows,
)
from studytool.export.store_reader import ReviewLogEntry
from studytool.store.records import CardRecord

REVIEWED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
NEW_CARD = CardRecord(
    id=1, key="k", kind="cloze", deck="D", note="n.md", line=1, context=(), text="a b",
    prompt="a [...]", answer="b", answer_start=2, answer_end=3, group="g", ordinal=1, tags=(),
    colour=None, extra=None, position=7, retired=False, state="new", due=None, repetitions=0,
    ef=2.5, interval=0, lapses=0, reps=0, last_reviewed=None, vault="/v",
)  # fmt: skip


def test_genankis_creation_time_is_the_day_due_numbers_count_from() -> None:
    import genanki.apkg_col

    assert str(GENANKI_CRT) in genanki.apkg_col.APKG_COL
    assert datetime.fromtimestamp(GENANKI_CRT, UTC).date() == ANKI_CRT_DATE == date(2014, 9, 19)
    assert anki_day_number(date(2014, 9, 20)) == 1
    assert anki_day_number(date(2026, 3, 8)) == 4188


def test_new_cards_stay_new_in_position_order() -> None:
    assert anki_card_state(NEW_CARD, 7, UTC, 4) == AnkiCardState(0, 0, 7, 0, 0, 0, 0)


def test_a_review_card_counts_its_due_day_from_2014_09_19_in_the_local_study_day() -> None:
    card = dataclasses.replace(
        NEW_CARD, state="review", interval=6, ef=2.7, reps=3, lapses=1, repetitions=2,
        last_reviewed=REVIEWED, due=datetime(2026, 3, 8, 4, tzinfo=UTC),
    )  # fmt: skip
    assert anki_card_state(card, 7, UTC, 4) == AnkiCardState(2, 2, 4188, 6, 2700, 3, 1)
    tokyo = ZoneInfo("Asia/Tokyo")
    due_tokyo = datetime(2026, 3, 8, 4, tzinfo=tokyo)
    shifted = dataclasses.replace(card, due=due_tokyo)
    assert anki_card_state(shifted, 7, tokyo, 4).due == 4188


def test_learning_cards_by_interval() -> None:
    lapsed = dataclasses.replace(
        NEW_CARD, state="learning", interval=1, lapses=1, reps=2, last_reviewed=REVIEWED,
        due=datetime(2026, 3, 3, 4, tzinfo=UTC),
    )  # fmt: skip
    assert anki_card_state(lapsed, 7, UTC, 4) == AnkiCardState(2, 2, 4183, 1, 2500, 2, 1)
    step_due = REVIEWED + timedelta(minutes=10)
    step = dataclasses.replace(
        NEW_CARD, state="learning", interval=0, reps=1, last_reviewed=REVIEWED, due=step_due
    )
    assert anki_card_state(step, 7, UTC, 4) == AnkiCardState(
        1, 1, int(step_due.timestamp()), 0, 2500, 1, 0, left=1
    )
    relearning = dataclasses.replace(step, lapses=2)
    assert anki_card_state(relearning, 7, UTC, 4) == AnkiCardState(
        3, 1, int(step_due.timestamp()), 1, 2500, 1, 2, left=1
    )


@pytest.mark.parametrize(("quality", "ease"), [(0, 1), (1, 1), (2, 1), (3, 2), (4, 3), (5, 4)])
def test_grades_map_to_anki_buttons(quality: int, ease: int) -> None:
    assert anki_ease(quality) == ease


def test_a_grade_outside_0_to_5_is_refused() -> None:
    with pytest.raises(ValueError, match=r"0\.\.5"):
        anki_ease(6)


def snapshot(state: str, interval: int, **extra: object) -> dict[str, object]:
    return {"state": state, "interval": interval, "ef_hundredths": 250, "repetitions": 1,
            "lapses": 0, **extra}  # fmt: skip


def test_review_log_rows_with_unique_ids() -> None:
    entries = [
        ReviewLogEntry(1, 1, REVIEWED, 4, snapshot("new", 0), snapshot("review", 1), 3000, "sm2"),
        ReviewLogEntry(
            2, 1, REVIEWED, 1, snapshot("review", 6),
            snapshot("learning", 1, lapses=1, ef_hundredths=230), 90_000, "sm2",
        ),
        ReviewLogEntry(3, 1, REVIEWED, 3, snapshot("learning", 1, lapses=1),
                       snapshot("review", 6), None, "sm2"),
    ]  # fmt: skip
    used = {int(REVIEWED.timestamp() * 1000)}
    rows = revlog_rows(entries, 99, used)
    millis = int(REVIEWED.timestamp() * 1000)
    assert [(r.id, r.cid, r.ease, r.ivl, r.last_ivl, r.factor, r.time, r.type) for r in rows] == [
        (millis + 1, 99, 3, 1, 0, 2500, 3000, 0),
        (millis + 2, 99, 1, 1, 6, 2300, 60_000, 1),
        (millis + 3, 99, 2, 6, 1, 2500, 0, 2),
    ]


def test_learning_step_intervals_are_negative_seconds() -> None:
    after = {"interval": 0, "last_reviewed": "2026-03-02T09:30:00.000000+00:00",
             "due": "2026-03-02T09:40:00.000000+00:00"}  # fmt: skip
    assert anki_interval(after) == -600
    assert anki_interval({"interval": 0, "due": None}) == 0
    assert anki_interval({"due": "2026-03-12T09:30:00+00:00",
                          "last_review": "2026-03-02T09:30:00+00:00"}) == 10  # fmt: skip


def test_review_kinds_from_studytool_and_bare_states() -> None:
    assert review_kind({"state": "new"}) == 0
    assert review_kind({"state": "learning", "lapses": 0}) == 0
    assert review_kind({"state": "learning", "lapses": 2}) == 2
    assert review_kind({"state": "review"}) == 1
    assert review_kind({"state": 3}) == 2
    assert review_kind({"interval": 6, "repetitions": 2}) == 1
    assert review_kind({"interval": 1, "repetitions": 0}) == 2
    assert review_kind({}) == 0
