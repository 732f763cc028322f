"""Template cards in the store (sync, retirement, the cheap check) and bringing statements
forward after a wrong scenario answer, against a temporary database and a fixed clock."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from sqlalchemy import event, select, update

from studytool.scenarios.generator import templates
from studytool.store import schema
from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService
from studytool.store.scenario_cards import (
    FINGERPRINT_SETTING,
    bring_forward,
    ensure_template_cards,
    forward_statements,
    restore_forwarded,
    statement_cards,
    sync_template_cards,
    template_card_key,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
#: the study day of NOW starts at 04:00 (the default day-start hour), UTC here
TODAY_START = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
TOMORROW_START = TODAY_START + timedelta(days=1)


class Tpl(NamedTuple):
    id: str
    topic: str
    title: str


A = Tpl("nat-gateway/a", "nat-gateway", "Question A")
B = Tpl("nat-gateway/b", "nat-gateway", "Question B")
C = Tpl("api-gateway/c", "api-gateway", "Question C")


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def repo(tmp_path: Path, clock: Clock) -> Iterator[Repository]:
    repository = Repository.open(tmp_path / "cards.db", clock=clock)
    yield repository
    repository.close()


@pytest.fixture
def bundled(repo: Repository) -> Repository:
    report = repo.import_bundled_notes()
    assert not report.errors
    return repo


def scenario_cards(repository: Repository) -> dict[str, Any]:
    return {card.key: card for card in repository.list_cards(kind="scenario")}


# --------------------------------------------------------------------------- sync
def test_sync_makes_one_new_card_per_installed_template(repo: Repository) -> None:
    report = sync_template_cards(repo)
    installed = templates()
    assert sorted(report.created) == sorted(t.id for t in installed)
    cards = scenario_cards(repo)
    assert len(cards) == len(installed) >= 20
    for template in installed:
        card = cards[template_card_key(template.id)]
        assert card.kind == "scenario" and not card.retired
        assert card.deck == f"Scenarios/{template.topic}"
        assert json.loads(card.extra) == {"template": template.id}
        assert card.prompt == template.title and card.note == ""
        assert card.state == "new" and card.due is None
        assert "scenario" in card.tags


def test_sync_is_idempotent(repo: Repository) -> None:
    sync_template_cards(repo, [A, B, C])
    before = {key: card.id for key, card in scenario_cards(repo).items()}
    report = sync_template_cards(repo, [A, B, C])
    assert not report.changed and report.unchanged == 3
    assert {key: card.id for key, card in scenario_cards(repo).items()} == before
    assert repo.card_count() == 3


def test_removed_template_retires_its_card_and_a_returning_one_gets_it_back(
    repo: Repository,
) -> None:
    sync_template_cards(repo, [A, B])
    service = ReviewService(repo, now=repo.clock, tz=UTC)
    card_a = scenario_cards(repo)[template_card_key(A.id)]
    service.grade(service.start_session(), card_a.id, 5)
    report = sync_template_cards(repo, [B])
    assert report.retired == [A.id] and not report.created
    retired = scenario_cards(repo)[template_card_key(A.id)]
    assert retired.retired and retired.id == card_a.id  # kept, never deleted
    assert retired.reps == 1  # with its history
    assert [c.key for c in repo.list_cards(kind="scenario", include_retired=False)] == [
        template_card_key(B.id)
    ]
    report = sync_template_cards(repo, [A, B])
    assert report.restored == [A.id]
    restored = scenario_cards(repo)[template_card_key(A.id)]
    assert not restored.retired and restored.id == card_a.id and restored.reps == 1


def test_changed_title_is_updated(repo: Repository) -> None:
    sync_template_cards(repo, [A])
    report = sync_template_cards(repo, [A._replace(title="A, reworded")])
    assert report.updated == [A.id]
    assert scenario_cards(repo)[template_card_key(A.id)].prompt == "A, reworded"


def test_new_template_cards_come_after_existing_cards_in_turns_by_topic(
    bundled: Repository,
) -> None:
    last_cloze = max(card.position for card in bundled.list_cards(kind="cloze"))
    sync_template_cards(bundled)
    cards = sorted(bundled.list_cards(kind="scenario"), key=lambda card: card.position)
    assert cards[0].position > last_cloze
    first_six = [card.deck for card in cards[:6]]
    assert len(set(first_six)) == 6  # every topic once before any comes again


def test_ensure_syncs_once_then_costs_one_query(repo: Repository) -> None:
    first = ensure_template_cards(repo)
    assert first is not None and len(first.created) == len(templates())
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(repo.engine, "before_cursor_execute", count)
    try:
        assert ensure_template_cards(repo) is None
    finally:
        event.remove(repo.engine, "before_cursor_execute", count)
    queries = [s for s in statements if s.split()[0] not in ("BEGIN", "COMMIT", "ROLLBACK")]
    assert len(queries) == 1 and "FROM setting" in queries[0]


def test_ensure_syncs_again_when_the_templates_changed(repo: Repository) -> None:
    ensure_template_cards(repo)
    with repo.engine.begin() as connection:
        connection.execute(
            update(schema.setting)
            .where(schema.setting.c.key == FINGERPRINT_SETTING)
            .values(value="an older studytool")
        )
    report = ensure_template_cards(repo)
    assert report is not None and not report.changed
    assert report.unchanged == len(templates())
    assert ensure_template_cards(repo) is None


def test_the_cheap_check_does_not_import_the_templates() -> None:
    code = (
        "import sys\n"
        "from studytool.store.scenario_cards import templates_fingerprint\n"
        "assert len(templates_fingerprint()) == 40\n"
        "print('studytool.scenarios.templates' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=root, check=True)  # fmt: skip
    assert done.stdout.strip() == "False"


# --------------------------------------------------------------------------- bringing forward
def _cloze_ids(repository: Repository, rule: str) -> list[int]:
    return [card.card_id for card in statement_cards(repository, [rule])]


def _due(repository: Repository, card_id: int) -> datetime | None:
    card = repository.get_card(card_id)
    assert card is not None
    return card.due


def _grade(repository: Repository, card_ids: list[int], quality: int = 5) -> None:
    service = ReviewService(repository, now=repository.clock, tz=UTC)
    session = service.start_session()
    for card_id in card_ids:
        service.grade(session, card_id, quality)


def test_statement_cards_match_the_snippet_text_or_else_its_line(bundled: Repository) -> None:
    [default_ttl] = statement_cards(bundled, ["apigw-ttl-default"])
    assert default_ttl.text.startswith("The default TTL value for API caching is 300 seconds")
    [regional] = statement_cards(bundled, ["regional-gateways"])  # by line: text is shorter
    assert (regional.note, regional.text) == ("AWS/Networking/Internet Gateway.md",
                                              "Scope: regional.")  # fmt: skip
    both = statement_cards(bundled, ["instance-availability", "no-such-rule"])
    assert len(both) == 2 and {card.rule for card in both} == {"instance-availability"}
    assert statement_cards(bundled, ["no-such-rule"]) == []


def test_wrong_answer_brings_reviewed_statement_cards_forward_to_today(
    bundled: Repository,
) -> None:
    zonal = _cloze_ids(bundled, "nat-gateway-zonal")
    first, second = _cloze_ids(bundled, "instance-availability")
    unrelated = _cloze_ids(bundled, "tgw-multicast")
    _grade(bundled, [*zonal, first, *unrelated])  # due tomorrow; `second` stays new
    assert _due(bundled, zonal[0]) == TOMORROW_START
    moved = bring_forward(bundled, ["nat-gateway-zonal", "instance-availability"], NOW, UTC, 4)
    assert sorted(moved) == sorted([*zonal, first])
    for card_id in moved:
        assert _due(bundled, card_id) == TODAY_START
    assert _due(bundled, second) is None  # a new card is left alone
    assert _due(bundled, unrelated[0]) == TOMORROW_START


def test_cards_due_today_or_earlier_keep_their_date(bundled: Repository, clock: Clock) -> None:
    [zonal] = _cloze_ids(bundled, "nat-gateway-zonal")
    clock.now = NOW - timedelta(days=3)
    _grade(bundled, [zonal])  # interval 1: due two days ago
    clock.now = NOW
    overdue = _due(bundled, zonal)
    assert overdue is not None and overdue < TODAY_START
    assert bring_forward(bundled, ["nat-gateway-zonal"], NOW, UTC, 4) == []
    assert _due(bundled, zonal) == overdue


def test_bring_forward_reads_the_day_start_setting(bundled: Repository) -> None:
    [zonal] = _cloze_ids(bundled, "nat-gateway-zonal")
    service = ReviewService(bundled, now=bundled.clock, tz=UTC)
    service.set_day_start_hour(6)
    _grade(bundled, [zonal])
    [change] = forward_statements(bundled, ["nat-gateway-zonal"], NOW, UTC)
    assert change.due_after == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    assert change.due_before == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)


def test_restore_puts_forwarded_cards_back_unless_graded_since(
    bundled: Repository, clock: Clock
) -> None:
    zonal = _cloze_ids(bundled, "nat-gateway-zonal")
    eip = _cloze_ids(bundled, "nat-gateway-eip")
    _grade(bundled, zonal + eip)
    changes = forward_statements(bundled, ["nat-gateway-zonal", "nat-gateway-eip"], NOW, UTC, 4)
    assert len(changes) == 2
    clock.now = NOW + timedelta(minutes=5)
    _grade(bundled, eip, 4)  # graded again after being brought forward
    graded_due = _due(bundled, eip[0])
    assert restore_forwarded(bundled, changes) == 1
    assert _due(bundled, zonal[0]) == TOMORROW_START
    assert _due(bundled, eip[0]) == graded_due


def test_bring_forward_changes_nothing_else(bundled: Repository) -> None:
    zonal = _cloze_ids(bundled, "nat-gateway-zonal")
    _grade(bundled, zonal)
    columns = [c for c in schema.review_state.c if c.name != "due"]
    with bundled.engine.connect() as connection:
        before = connection.execute(select(*columns).order_by(schema.review_state.c.card_id)).all()
        log_before = connection.execute(select(schema.review_log)).all()
    bring_forward(bundled, ["nat-gateway-zonal"], NOW, UTC, 4)
    with bundled.engine.connect() as connection:
        after = connection.execute(select(*columns).order_by(schema.review_state.c.card_id)).all()
        assert connection.execute(select(schema.review_log)).all() == log_before
    assert after == before
