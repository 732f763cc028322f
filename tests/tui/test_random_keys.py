"""Random keys into the review app (cloze and scenario cards mixed) and the quiz: a monkey
test with fixed seeds. The app never stops on an error, and what the database recorded stays
consistent: each card's log rows chain (a row's state before is the previous row's state
after), the last one matches the card's stored state, and undo leaves no trace of what it took
back.

``RANDOM_KEY_RUNS=N`` runs N seeds per mode instead of two (each takes about 15 seconds)."""

from __future__ import annotations

import itertools
import json
import os
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from studytool.scenarios.generator import templates
from studytool.store import schema
from studytool.store.scenario_cards import sync_template_cards
from tests.tui.conftest import NAT_NOTE, VPN_NOTE, make_study, settle

#: what a person might press anywhere in the app ('q' left out: it ends the run early)
KEYS = [
    *"abcdefgh0123456789 ?sdtuyn",
    "enter", "escape", "tab", "shift+tab", "up", "down", "pagedown", "pageup", "backspace",
    "ctrl+z", "ctrl+p", "left", "right", "home", "end", "ctrl+up", "ctrl+down", "shift+up",
    "shift+down", "x", "z",
]  # fmt: skip
#: the keys that answer, grade and undo (and escape, which closes the command palette and other
#: overlays), drawn more often so that every run grades cards and takes grades back
ANSWERING = ["enter", "enter", "1", "3", "4", "5", "space", "y", "n", "a", "b", "escape", "u"]
STEPS = 120
#: what grading changes and undo restores (``due`` also moves when a wrong scenario answer
#: brings a statement's cloze card forward, so it is left out)
SCHEDULE_FIELDS = ("state", "repetitions", "ef_hundredths", "interval", "lapses", "reps")
NEW_SCHEDULE = {"state": "new", "repetitions": 0, "ef_hundredths": 250, "interval": 0,
                "lapses": 0, "reps": 0}  # fmt: skip


def _logs_by_card(study: Any) -> dict[int, list[dict[str, Any]]]:
    table = schema.review_log
    with study.repository.engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c.id)).mappings()
        by_card: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_card[row["card_id"]].append(dict(row))
    return by_card


def _stored_states(study: Any) -> dict[int, dict[str, Any]]:
    table = schema.review_state
    with study.repository.engine.connect() as connection:
        rows = connection.execute(select(table)).mappings()
        return {row["card_id"]: dict(row) for row in rows}


def _schedule(state: Any) -> tuple[Any, ...]:
    if isinstance(state, str):
        state = json.loads(state)
    return tuple(state[name] for name in SCHEDULE_FIELDS)


@pytest.mark.parametrize("seed", range(int(os.environ.get("RANDOM_KEY_RUNS", "2"))))
@pytest.mark.parametrize("mode", ["review", "quiz"])
async def test_random_keys_leave_a_consistent_record(
    tmp_path: Path, seed: int, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EDITOR", raising=False)  # 'e' shows the note's path instead
    study = make_study(tmp_path, {"Net/VPN.md": VPN_NOTE, "Ops/NAT.md": NAT_NOTE})
    sync_template_cards(study.repository, templates())
    graded: list[int] = []
    grade = study.service.grade

    def counting_grade(*args: Any, **options: Any) -> Any:
        graded.append(1)
        return grade(*args, **options)

    monkeypatch.setattr(study.service, "grade", counting_grade)
    draw = random.Random(seed)
    app = study.app(**({"quiz_questions": 6} if mode == "quiz" else {}))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for _ in range(STEPS):
            await pilot.press(draw.choice(ANSWERING if draw.random() < 0.5 else KEYS))
            if draw.random() < 0.3:
                await settle(pilot)
            if not app.is_running:
                break
        await settle(pilot)
    assert app.return_code in (None, 0)
    logs, stored = _logs_by_card(study), _stored_states(study)
    assert graded, "the random keys graded nothing: the run tests nothing"
    for card_id, rows in logs.items():
        for earlier, later in itertools.pairwise(rows):
            assert _schedule(later["state_before"]) == _schedule(earlier["state_after"]), card_id
        assert _schedule(rows[-1]["state_after"]) == _schedule(stored[card_id]), card_id
        assert all(0 <= row["quality"] <= 5 for row in rows)
        assert all(row["reviewed_at"].tzinfo is not None for row in rows)
    never_graded = [card_id for card_id in stored if card_id not in logs]
    for card_id in never_graded:  # an undone first grade leaves the card new again
        assert _schedule(stored[card_id]) == _schedule(NEW_SCHEDULE), card_id
    study.repository.close()
