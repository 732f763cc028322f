"""The review app's small pure pieces: editor commands, paths, wording, tallies, palette."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from studytool.tui.app import editor_command, note_file
from studytool.tui.commands import palette_entries
from studytool.tui.desk import ComesBack
from studytool.tui.screens.nothing_due import describe_wait
from studytool.tui.screens.summary import SessionTally, SummaryData, summary_lines
from studytool.tui.widgets.forecast import forecast_lines
from studytool.tui.widgets.grade_bar import until
from studytool.tui.widgets.study_bar import format_elapsed, scope_text

NOTE = Path("/vault/AWS/VPN.md")
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("editor", "expected"),
    [
        ("vim", ["vim", "+12", str(NOTE)]),
        ("/usr/bin/nvim", ["/usr/bin/nvim", "+12", str(NOTE)]),
        ("nano -w", ["nano", "-w", "+12", str(NOTE)]),
        ("emacs -nw", ["emacs", "-nw", "+12", str(NOTE)]),
        ("micro", ["micro", "+12", str(NOTE)]),
        ("hx", ["hx", "+12", str(NOTE)]),
        ("code --wait", ["code", "--wait", "-g", f"{NOTE}:12"]),
        ("codium", ["codium", "-g", f"{NOTE}:12"]),
        ("subl -w", ["subl", "-w", f"{NOTE}:12"]),
        ("'/opt/My Editor/ed'", ["/opt/My Editor/ed", str(NOTE)]),
    ],
)
def test_editor_command_puts_the_line_where_each_editor_wants_it(
    editor: str, expected: list[str]
) -> None:
    assert editor_command(editor, NOTE, 12) == expected


def test_editor_command_refuses_an_empty_editor_and_clamps_the_line() -> None:
    with pytest.raises(ValueError, match="empty"):
        editor_command("   ", NOTE, 3)
    assert editor_command("vi", NOTE, 0) == ["vi", "+1", str(NOTE)]


def test_note_file_stays_inside_the_vault(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / "AWS").mkdir(parents=True)
    assert note_file(str(vault), "AWS/VPN.md") == (vault / "AWS" / "VPN.md").resolve()
    assert note_file(str(vault), "../outside.md") is None
    assert note_file(str(vault), "/etc/passwd") is None
    assert note_file(None, "AWS/VPN.md") is None


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (NOW + timedelta(hours=2, minutes=30), "today at 12:00 (in 2h 30m)"),
        (NOW + timedelta(minutes=0.5), "today at 09:30 (in 1m)"),
        (datetime(2026, 3, 3, 4, 0, tzinfo=UTC), "tomorrow at 04:00 (in 18h 30m)"),
        (datetime(2026, 3, 9, 4, 0, tzinfo=UTC), "Mon 09 Mar at 04:00 (in 7 days)"),
        (NOW - timedelta(minutes=5), "now"),
    ],
)
def test_describe_wait(due: datetime, expected: str) -> None:
    assert describe_wait(due, NOW) == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [(1, "1d"), (6, "6d"), (59, "59d"), (120, "4mo"), (800, "2.2y"), (730, "2y")],
)
def test_until_counts_study_days(days: int, expected: str) -> None:
    # a card due tomorrow at the day start is "1d" although fewer than 24 hours away
    assert until(ComesBack(NOW + timedelta(hours=18 + 24 * (days - 1)), days), NOW) == expected
    assert until(None, NOW) == ""


@pytest.mark.parametrize(
    ("later", "expected"),
    [
        (timedelta(seconds=50), "1m"),
        (timedelta(minutes=10), "10m"),
        (timedelta(minutes=59, seconds=30), "1h"),
        (timedelta(hours=2, minutes=1), "2h"),
        (timedelta(hours=-5), "today"),  # a repeat in this sitting: due at today's start
    ],
)
def test_until_later_today_counts_minutes_and_hours(later: timedelta, expected: str) -> None:
    assert until(ComesBack(NOW + later, 0), NOW) == expected


def test_format_elapsed_and_scope() -> None:
    assert [format_elapsed(s) for s in (0, 65, 3599, 3723, -4)] == [
        "0:00", "1:05", "59:59", "1:02:03", "0:00",
    ]  # fmt: skip
    assert scope_text(None, None) == "All decks"
    assert scope_text("AWS/Networking", "colour/orange") == "AWS/Networking · #colour/orange"


def test_tally_counts_distinct_cards_and_first_tries() -> None:
    tally = SessionTally(started=NOW)
    for card_id, quality in ((1, 5), (2, 1), (3, 3), (2, 4), (4, 2)):
        tally.record(card_id, quality)
    assert (tally.reviewed, tally.right_first_time) == (4, 2)
    tally.take_back()  # undo card 4
    tally.take_back()  # undo card 2's repeat
    assert (tally.reviewed, tally.right_first_time, len(tally.grades)) == (3, 2, 3)


def test_summary_lines() -> None:
    data = SummaryData(reviewed=3, right_first_time=2, grades=4, seconds=125, forecast=[],
                       today=date(2026, 3, 2))  # fmt: skip
    assert summary_lines(data) == [
        "Cards reviewed        3 (this sitting)",
        "Right on first try    2 (67%)",
        "Repeats               1",
        "Time spent            2:05",
    ]


def test_forecast_lines_scale_bars_to_the_busiest_day() -> None:
    days = [(date(2026, 3, 2), 0), (date(2026, 3, 3), 30), (date(2026, 3, 4), 1)]
    assert forecast_lines(days, today=date(2026, 3, 2)) == [
        "Today          0",
        "Tue 03 Mar    30 " + "█" * 30,
        "Wed 04 Mar     1 █",
    ]
    assert forecast_lines([(date(2026, 3, 2), 0)]) == ["Mon 02 Mar     0"]


def test_palette_entries_split_colours_from_tags() -> None:
    entries = palette_entries(["AWS"], ["aws", "colour/orange"], ["nord"])
    assert [(kind, name, value) for kind, name, _help, value in entries] == [
        ("deck", "Deck: all decks", None),
        ("tag", "Tag: no filter", None),
        ("deck", "Deck: AWS", "AWS"),
        ("tag", "Tag: aws", "aws"),
        ("tag", "Highlight colour: orange", "colour/orange"),
        ("theme", "Theme: nord", "nord"),
    ]


def test_card_bodies_are_chosen_by_kind() -> None:
    from studytool.store.reviews import CardView
    from studytool.tui.widgets.card_body import CardBody, card_body_for, register_card_body
    from studytool.tui.widgets.cloze_card import ClozeCard

    def card(kind: str) -> CardView:
        return CardView(
            id=1, kind=kind, deck="D", note="n.md", line=1, context=(), prompt="p [...]",
            answer="a", tags=(), colour=None, text="p a", state="new",
        )  # fmt: skip

    class DrillBody(CardBody):
        pass

    register_card_body("drill", DrillBody)
    assert type(card_body_for(card("drill"))) is DrillBody
    assert type(card_body_for(card("cloze"))) is ClozeCard
    assert type(card_body_for(card("no-such-kind"))) is ClozeCard  # readable fallback
