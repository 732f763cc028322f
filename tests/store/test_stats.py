"""Statistics against a small hand-made history with a fixed clock and time zone."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from studytool.store.repository import Repository
from studytool.store.stats import collect_stats
from studytool.store.types import to_utc_text

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # 10:30 in Paris: study day 2026-03-02
TODAY = date(2026, 3, 2)


class History:
    """Writes cards, states and log rows straight into a database file."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path)
        self.next_position = 1

    def card(
        self, deck: str, state: str = "new", ef: int = 250, due: datetime | None = None,
        retired: bool = False, kind: str = "cloze", scheduler: str = "sm2",
    ) -> int:  # fmt: skip
        stamp = to_utc_text(NOW)
        position = self.next_position
        self.next_position += 1
        cursor = self.connection.execute(
            "INSERT INTO card (key, kind, note_path, line, context, text, prompt, answer,"
            " answer_start, answer_end, group_key, ordinal, tags, deck, position, retired,"
            " created_at, updated_at) VALUES (?, ?, 'n.md', 1, '[]', 't', '[...]', 't', 0, 1,"
            " ?, 1, '[]', ?, ?, ?, ?, ?)",
            (f"k{position}", kind, f"g{position}", deck, position, retired, stamp, stamp),
        )
        card_id = int(cursor.lastrowid or 0)
        self.connection.execute(
            "INSERT INTO review_state (card_id, state, ef_hundredths, due, scheduler)"
            " VALUES (?, ?, ?, ?, ?)",
            (card_id, state, ef, None if due is None else to_utc_text(due), scheduler),
        )
        return card_id

    def review(
        self, card_id: int, at: datetime, quality: int = 4, interval_before: int = 0,
        correct: bool | None = None, topic: str | None = None, due_before: datetime | None = None,
    ) -> None:  # fmt: skip
        """Log a grade; the card was new when ``interval_before`` is 0, else due an hour ago."""
        if due_before is None and interval_before:
            due_before = at - timedelta(hours=1)
        before = {
            "state": "review" if interval_before else "new", "repetitions": 1,
            "ef_hundredths": 250, "interval": interval_before,
            "due": None if due_before is None else to_utc_text(due_before),
        }  # fmt: skip
        after = {**before, "state": "review", "interval": interval_before + 1}
        detail = None if topic is None else json.dumps({"topic": topic})
        self.connection.execute(
            "INSERT INTO review_log (card_id, reviewed_at, quality, state_before, state_after,"
            " correct, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (card_id, to_utc_text(at), quality, json.dumps(before), json.dumps(after), correct,
             detail),
        )  # fmt: skip

    def setting(self, key: str, value: str) -> None:
        self.connection.execute("INSERT OR REPLACE INTO setting VALUES (?, ?)", (key, value))

    def commit(self) -> None:
        self.connection.commit()
        self.connection.close()


@pytest.fixture
def history(repository: Repository, db_path: Path) -> History:
    return History(db_path)


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def sample(history: History, repository: Repository) -> dict[str, int]:
    cards = {
        "net1": history.card("AWS/Networking", "review", 260, due=_utc(2026, 3, 2, 5)),
        "net2": history.card("AWS/Networking", "review", 236, due=_utc(2026, 2, 20, 5)),
        "net3": history.card("AWS/Networking", "learning", 250, due=_utc(2026, 3, 5, 3, 30)),
        "sec": history.card("AWS/Security", "review", 130, due=_utc(2026, 4, 10, 5)),
        "old": history.card("Other", "review", 300, due=_utc(2026, 3, 3, 5), retired=True),
        "new": history.card("Other"),
        "quiz": history.card("AWS/Networking", "review", 250, _utc(2026, 3, 4, 2, 30), kind="x"),
    }
    history.review(cards["net1"], _utc(2026, 3, 2, 8), 5, interval_before=6)  # day 03-02
    history.review(cards["net1"], _utc(2026, 3, 2, 2, 30), 2, interval_before=1)  # 03:30: 03-01
    history.review(cards["net2"], _utc(2026, 3, 1, 3, 30), 4, interval_before=0)  # 04:30: 03-01
    history.review(cards["sec"], _utc(2026, 2, 28, 10), 3, interval_before=45)  # 02-28
    history.review(cards["sec"], _utc(2026, 2, 26, 10), 1, interval_before=100)  # gap on 02-27
    history.review(cards["old"], _utc(2025, 3, 3, 12), 4, interval_before=20)  # first heatmap day
    history.review(cards["old"], _utc(2025, 3, 3, 2), 4, interval_before=20)  # day before window
    history.review(cards["quiz"], _utc(2026, 3, 2, 9), 5, 3, correct=True, topic="nat")
    history.review(cards["quiz"], _utc(2026, 3, 1, 9), 1, 1, correct=False, topic="nat")
    history.review(cards["quiz"], _utc(2026, 2, 28, 9), 4, 2, correct=True, topic="vpn")
    history.review(cards["quiz"], _utc(2026, 2, 28, 9, 5), 4, 2, correct=True)
    history.commit()
    return cards


def _per_day(report: object) -> dict[date, int]:
    return {day.day: day.count for day in report.reviews_per_day if day.count}  # type: ignore[attr-defined]


def test_reviews_per_study_day_respect_the_day_start_hour(
    repository: Repository, sample: dict[str, int]
) -> None:
    report = collect_stats(repository, tz=PARIS, now=NOW)
    assert report.today == TODAY
    assert len(report.reviews_per_day) == 365
    assert report.reviews_per_day[0].day == date(2025, 3, 3)
    assert report.reviews_per_day[-1].day == TODAY
    assert _per_day(report) == {
        date(2026, 3, 2): 2,
        date(2026, 3, 1): 3,
        date(2026, 2, 28): 3,
        date(2026, 2, 26): 1,
        date(2025, 3, 3): 1,
    }
    assert report.total_reviews == 11


def test_streak_counts_consecutive_study_days_up_to_today(
    repository: Repository, sample: dict[str, int]
) -> None:
    assert collect_stats(repository, tz=PARIS, now=NOW).streak == 3
    tomorrow_morning = NOW + timedelta(days=1)
    assert collect_stats(repository, tz=PARIS, now=tomorrow_morning).streak == 3
    assert collect_stats(repository, tz=PARIS, now=NOW + timedelta(days=2)).streak == 0


def test_due_forecast_puts_overdue_cards_today_and_skips_retired_and_new(
    repository: Repository, sample: dict[str, int]
) -> None:
    report = collect_stats(repository, tz=PARIS, now=NOW)
    due = [day.count for day in report.due_per_day]
    assert len(due) == 30
    assert report.due_per_day[0].day == TODAY
    # net1 due today and net2 overdue; quiz at 03:30 Paris on 03-04 counts for 03-03;
    # net3 at 04:30 Paris on 03-05.
    assert due[:5] == [2, 1, 0, 1, 0]
    assert sum(due) == 4  # sec (April) is beyond 30 days; the retired card is left out


def test_retention_by_interval_range_and_by_deck(
    repository: Repository, sample: dict[str, int]
) -> None:
    report = collect_stats(repository, tz=PARIS, now=NOW, period_days=365)
    by_interval = {row.label: (row.reviews, row.passed) for row in report.retention_by_interval}
    assert by_interval == {
        "new": (1, 1),
        "same-day": (0, 0),
        "1d": (2, 0),
        "2-7d": (4, 4),
        "8-30d": (1, 1),  # the other grade is a day older than the last 365 days
        "31-90d": (1, 1),
        ">90d": (1, 0),
    }
    by_deck = {row.label: (row.reviews, row.passed) for row in report.retention_by_deck}
    assert by_deck == {"AWS/Networking": (7, 5), "AWS/Security": (2, 1), "Other": (1, 1)}
    assert report.overall_retention.retention == pytest.approx(7 / 10)
    assert report.total_reviews == 11 and report.period_days == 365


def test_retention_and_accuracy_cover_the_last_30_days_by_default(
    repository: Repository, sample: dict[str, int]
) -> None:
    report = collect_stats(repository, tz=PARIS, now=NOW)
    assert report.period_days == 30
    assert report.overall_retention.reviews == 9  # all but the two grades of March 2025
    last_week = collect_stats(repository, tz=PARIS, now=NOW, period_days=3)
    assert last_week.overall_retention.reviews == 8  # study days 02-28 .. 03-02
    assert {row.topic for row in last_week.scenario_accuracy} == {"nat", "vpn", "(no topic)"}
    one_day = collect_stats(repository, tz=PARIS, now=NOW, period_days=1)
    assert [(row.topic, row.answered) for row in one_day.scenario_accuracy] == [("nat", 1)]
    assert one_day.total_reviews == 11


def test_same_day_repeats_and_early_reviews_form_their_own_group(
    history: History, repository: Repository
) -> None:
    card = history.card("D", "learning")
    history.review(card, _utc(2026, 3, 2, 8), 4, interval_before=0)  # first grade: new
    history.review(card, _utc(2026, 3, 2, 8, 5), 2, interval_before=1)  # due an hour ago: 1d
    history.review(card, _utc(2026, 3, 2, 8, 9), 3, 1, due_before=_utc(2026, 3, 3, 3))  # repeat
    history.review(card, _utc(2026, 3, 2, 8, 15), 5, 6, due_before=_utc(2026, 3, 8, 3))  # ahead
    history.commit()
    report = collect_stats(repository, tz=PARIS, now=NOW)
    by_interval = {row.label: (row.reviews, row.passed) for row in report.retention_by_interval}
    assert by_interval["new"] == (1, 1)
    assert by_interval["1d"] == (1, 0)
    assert by_interval["same-day"] == (2, 2)
    assert by_interval["2-7d"] == (0, 0)


def test_cards_by_state_average_ef_and_scenario_accuracy(
    repository: Repository, sample: dict[str, int]
) -> None:
    report = collect_stats(repository, tz=PARIS, now=NOW)
    assert report.cards_by_state == {"new": 1, "learning": 1, "review": 4, "retired": 1}
    assert report.average_ef == round((260 + 236 + 250 + 130 + 250) / 5 / 100, 2)
    accuracy = {row.topic: (row.answered, row.correct) for row in report.scenario_accuracy}
    assert accuracy == {"(no topic)": (1, 1), "nat": (2, 1), "vpn": (1, 1)}


def test_deck_filter_includes_sub_decks_only(
    repository: Repository, sample: dict[str, int]
) -> None:
    report = collect_stats(repository, deck="aws", tz=PARIS, now=NOW)
    assert {row.label for row in report.retention_by_deck} == {"AWS/Networking", "AWS/Security"}
    assert report.cards_by_state == {"new": 0, "learning": 1, "review": 4, "retired": 0}
    assert sum(day.count for day in report.reviews_per_day) == 9
    networking = collect_stats(repository, deck="AWS/Networking", tz=PARIS, now=NOW)
    assert networking.total_reviews == 7
    assert networking.streak == 3
    security = collect_stats(repository, deck="AWS/Security", tz=PARIS, now=NOW)
    assert security.streak == 0
    assert sum(day.count for day in security.due_per_day) == 0


def test_day_start_hour_comes_from_the_settings(
    repository: Repository, sample: dict[str, int], db_path: Path
) -> None:
    history = History(db_path)
    history.setting("day_start_hour", "0")
    history.commit()
    report = collect_stats(repository, tz=PARIS, now=NOW)
    assert report.day_start_hour == 0
    assert _per_day(report)[date(2026, 3, 2)] == 3  # 03:30 in Paris now counts for 03-02


def test_an_invalid_day_start_setting_falls_back_to_four(
    history: History, repository: Repository
) -> None:
    history.setting("day_start_hour", "late")
    history.commit()
    assert collect_stats(repository, tz=PARIS, now=NOW).day_start_hour == 4


def test_days_are_cut_correctly_across_daylight_saving_and_half_hour_zones(
    history: History, repository: Repository
) -> None:
    card = history.card("D", "review")
    # Paris moves to summer time at 01:00 UTC on 2026-03-29.
    history.review(card, _utc(2026, 3, 29, 1, 30))  # 03:30 CEST: still 03-28
    history.review(card, _utc(2026, 3, 29, 2, 30))  # 04:30 CEST: 03-29
    history.review(card, _utc(2026, 3, 27, 2, 30))  # 03:30 CET: 03-26
    history.commit()
    april = datetime(2026, 4, 2, 12, tzinfo=UTC)
    paris = _per_day(collect_stats(repository, tz=PARIS, now=april))
    assert paris == {date(2026, 3, 28): 1, date(2026, 3, 29): 1, date(2026, 3, 26): 1}
    kolkata = _per_day(collect_stats(repository, tz=ZoneInfo("Asia/Kolkata"), now=april))
    # 02:30 UTC is 08:00 in Kolkata; 01:30 UTC is 07:00: both on their own calendar day.
    assert kolkata == {date(2026, 3, 29): 2, date(2026, 3, 27): 1}


def test_a_review_at_0350_in_kolkata_belongs_to_the_day_before(
    history: History, repository: Repository
) -> None:
    card = history.card("D", "review")
    history.review(card, _utc(2026, 3, 1, 22, 20))  # 03:50 IST on 03-02
    history.review(card, _utc(2026, 3, 1, 22, 31))  # 04:01 IST on 03-02
    history.commit()
    report = collect_stats(repository, tz=ZoneInfo("Asia/Kolkata"), now=NOW)
    assert _per_day(report) == {date(2026, 3, 1): 1, date(2026, 3, 2): 1}


def test_a_streak_longer_than_the_heatmap_is_counted_in_full(
    history: History, repository: Repository
) -> None:
    card = history.card("D", "review")
    for offset in range(400):
        history.review(card, NOW - timedelta(days=offset))
    history.review(card, NOW - timedelta(days=402))
    history.commit()
    assert collect_stats(repository, tz=PARIS, now=NOW).streak == 400


def test_an_empty_database_gives_zeros(repository: Repository) -> None:
    report = collect_stats(repository, tz=PARIS, now=NOW)
    assert report.total_reviews == 0 and report.streak == 0 and report.average_ef is None
    assert report.cards_by_state == {"new": 0, "learning": 0, "review": 0, "retired": 0}
    assert all(row.retention is None for row in report.retention_by_interval)
    data = report.to_json()
    assert data["retention"] is None
    assert len(data["reviews_per_day"]) == 365 and len(data["due_per_day"]) == 30
    json.dumps(data)
