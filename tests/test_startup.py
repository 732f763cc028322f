"""The garbage collector runs rarely during start-up, and the review app gives it back."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from studytool import startup
from studytool.cli.main import cli


@pytest.fixture(autouse=True)
def restore_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    startup.release_collection()
    gc.set_threshold(*threshold)
    gc.unfreeze()


def test_hold_raises_the_threshold_and_keeps_collecting() -> None:
    before = gc.get_threshold()
    startup.hold_collection()
    assert startup.collection_held() and gc.isenabled()
    assert gc.get_threshold() == (startup.STARTUP_THRESHOLD, *before[1:])


def test_release_freezes_start_up_objects_and_restores_the_threshold() -> None:
    before = gc.get_threshold()
    startup.hold_collection()
    startup.release_collection()
    assert not startup.collection_held()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() > 0  # start-up's objects went to the permanent generation


def test_release_without_hold_changes_nothing() -> None:
    before = gc.get_threshold()
    startup.release_collection()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_holding_twice_restores_the_original_settings() -> None:
    before = gc.get_threshold()
    startup.hold_collection()
    startup.hold_collection()
    startup.release_collection()
    assert gc.get_threshold() == before


def test_a_cycle_made_while_held_is_still_collected() -> None:
    startup.hold_collection()

    class Node:
        pass

    node = Node()
    node.self = node  # type: ignore[attr-defined]
    del node
    assert gc.collect() >= 1


def test_a_command_runs_with_collection_held(tmp_path) -> None:  # type: ignore[no-untyped-def]
    startup.hold_collection()
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "cards", "--json"])
    assert result.exit_code == 0, result.output
    assert startup.collection_held()  # only the review app gives the settings back
