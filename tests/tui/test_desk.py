"""The review desk's first turn, read before the app starts (in a thread or not)."""

from __future__ import annotations

import pytest

from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService
from studytool.tui.desk import FirstTurnReader, ReviewDesk, Scope, read_first_turn
from tests.tui.conftest import Study


def test_the_reader_gives_the_same_first_turn_as_reading_it_directly(study: Study) -> None:
    scope = Scope()
    in_thread = FirstTurnReader(ReviewDesk(study.service, scope, study.clock), scope).start()
    turn = in_thread.result()
    direct = read_first_turn(ReviewDesk(ReviewService(study.repository), scope, study.clock),
                             scope)  # fmt: skip
    assert turn is not None and direct is not None and turn.card is not None
    assert turn.card.answer == "two tunnels"
    assert (turn.card.id, turn.counts) == (direct.card.id, direct.counts)  # type: ignore[union-attr]
    assert study.log() == []  # reading a turn records nothing


def test_on_an_empty_database_there_is_no_first_turn(tmp_path) -> None:  # type: ignore[no-untyped-def]
    service = ReviewService(Repository.open(tmp_path / "empty.db"))
    scope = Scope()
    assert FirstTurnReader(ReviewDesk(service, scope), scope).start().result() is None


def test_an_error_while_reading_reaches_the_caller(study: Study) -> None:
    class Broken(ReviewDesk):
        def has_cards(self) -> bool:
            raise RuntimeError("database is locked")

    scope = Scope()
    reader = FirstTurnReader(Broken(study.service, scope, study.clock), scope).start()
    with pytest.raises(RuntimeError, match="database is locked"):
        reader.result()
