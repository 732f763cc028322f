"""Snapshots of the review and summary screens (fixed clock, no cursor blink, fixed size).

Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and look at the SVGs in ``__snapshots__``.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.tui.conftest import Study, press, settle, type_text


async def _settle(pilot: Pilot[Any]) -> None:
    await settle(pilot)


def test_question(snap_compare: Any, study: Study) -> None:
    assert snap_compare(study.app(), terminal_size=(100, 30), run_before=_settle)


def test_revealed_wrong_answer(snap_compare: Any, study: Study) -> None:
    async def wrong_answer(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await press(pilot, "enter", "5")  # the BGP card has context two levels deep
        await type_text(pilot, "BPG")
        await press(pilot, "enter")

    assert snap_compare(study.app(), terminal_size=(100, 30), run_before=wrong_answer)


def test_revealed_close_answer_at_80x24(snap_compare: Any, study: Study) -> None:
    async def close_answer(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await type_text(pilot, "two tunels")
        await press(pilot, "enter")

    assert snap_compare(study.app(), terminal_size=(80, 24), run_before=close_answer)


def test_summary(snap_compare: Any, study: Study) -> None:
    async def finish(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await type_text(pilot, "two tunnels")
        await press(pilot, "enter", "enter")
        study.clock.advance(minutes=2, seconds=30)
        await press(pilot, "enter", "2", "enter", "4")

    assert snap_compare(study.app(limit=2), terminal_size=(100, 30), run_before=finish)
