"""Fixtures for driving the review app: a small vault imported into a temporary database, a
clock the test moves by hand, and helpers that read what the database recorded."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot

from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService
from studytool.store.tables import ReviewLog
from studytool.tui.app import StudyApp

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

VPN_NOTE = """
---
tags: [aws]
---
# VPN

## Tunnels
- Every VPN connection has ==two tunnels==
- Routing:
\t- dynamic routing uses ==BGP==
- The default ASN is <mark style="background: #FFB86CA6;">64512</mark>

## Gateways
- Traffic to the internet goes through an ==internet gateway==
"""

NAT_NOTE = """
# NAT

- A NAT gateway lives in a ==public subnet==
"""


class FakeClock:
    """A clock that stands still until the test moves it."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Study:
    """A temporary database with imported cards, its service, and a fixed clock."""

    repository: Repository
    service: ReviewService
    clock: FakeClock
    vault: Path

    def app(self, **options: Any) -> StudyApp:
        options.setdefault("import_if_empty", False)
        options.setdefault("cursor_blink", False)
        return StudyApp(self.service, clock=self.clock, **options)

    def log(self) -> list[dict[str, Any]]:
        """Every review_log row, oldest first."""
        table = ReviewLog.__table__  # type: ignore[attr-defined]
        with self.repository.engine.connect() as connection:
            rows = connection.execute(select(table).order_by(table.c.id)).mappings()
            return [dict(row) for row in rows]

    def card_id(self, answer: str) -> int:
        return next(c.id for c in self.repository.list_cards() if c.answer == answer)

    def card(self, answer: str) -> Any:
        return self.repository.get_card(self.card_id(answer))

    def reopen(self) -> ReviewService:
        """A fresh service on the same database (as after restarting the program)."""
        repository = Repository.open(self.repository.path, clock=self.clock)
        return ReviewService(repository, now=self.clock, tz=UTC)


def write_vault(root: Path, notes: dict[str, str]) -> Path:
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    for rel, text in notes.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def make_study(tmp_path: Path, notes: dict[str, str]) -> Study:
    clock = FakeClock()
    vault = write_vault(tmp_path / "vault", notes)
    repository = Repository.open(tmp_path / "study.db", clock=clock)
    report = repository.import_paths([vault])
    assert not report.errors, report.errors
    return Study(repository, ReviewService(repository, now=clock, tz=UTC), clock, vault)


@pytest.fixture
def study(tmp_path: Path) -> Iterator[Study]:
    """Four cards from one note (deck Net), in note order."""
    result = make_study(tmp_path, {"Net/VPN.md": VPN_NOTE})
    yield result
    result.repository.close()


@pytest.fixture
def two_decks(tmp_path: Path) -> Iterator[Study]:
    """Deck Net (four cards) and deck Ops (one card)."""
    result = make_study(tmp_path, {"Net/VPN.md": VPN_NOTE, "Ops/NAT.md": NAT_NOTE})
    yield result
    result.repository.close()


async def settle(pilot: Pilot[Any]) -> None:
    """Let every worker (service calls) finish and the screen catch up."""
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press keys one at a time, settling after each (as a person would)."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*text)
    await settle(pilot)


def screen_text(app: StudyApp) -> str:
    """The top screen as plain text, one line per terminal row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


async def wait_for_screen(pilot: Pilot[Any], kind: type) -> None:
    """Wait for a dialog (its worker waits for the answer, so no waiting for workers here)."""
    for _ in range(40):
        await pilot.pause(0.05)
        if isinstance(pilot.app.screen, kind):
            await pilot.pause()
            return
    raise AssertionError(f"{kind.__name__} never showed; top screen: {pilot.app.screen!r}")
