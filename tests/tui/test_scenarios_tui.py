"""Scenario cards in the review app and the quiz, driven with Pilot against a temporary
database (the bundled notes imported), a fixed clock and a fixed question seed; every test
checks what the database recorded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from studytool.scenarios.answer_check import check_answer, expected_display, label
from studytool.scenarios.generator import generate, templates
from studytool.scenarios.study import citations, slow_after_seconds
from studytool.scenarios.templates.base import Question
from studytool.store import schema
from studytool.store.repository import Repository
from studytool.store.reviews import ReviewService
from studytool.store.scenario_cards import statement_cards, sync_template_cards
from studytool.tui.app import StudyApp
from studytool.tui.screens.review import ReviewScreen
from studytool.tui.screens.summary import SummaryScreen
from studytool.tui.widgets.grade_bar import GradeBar
from studytool.tui.widgets.scenario_card import HintView, ResultView, ScenarioCard
from studytool.tui.widgets.scenario_inputs import ChoiceInput, MultiInput, OrderInput
from tests.tui.conftest import FakeClock, press, screen_text, settle, write_vault

SIZE = (100, 30)
SEED = 2
TODAY_START = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # the fake clock's study day (UTC, 4 a.m.)
TOMORROW_START = TODAY_START + timedelta(days=1)

#: one template per kind of question
KIND_TEMPLATES = {
    "yes-no": "nat-gateway/inbound-connection",
    "choice": "transit-gateway/multicast",
    "multi": "nat-gateway/az-outage-shared",
    "number": "site-to-site-vpn/vgw-throughput",
    "order": "nat-gateway/setup-order",
}


@dataclass
class Desk:
    """A temporary database with the bundled notes, its service and a fixed clock."""

    repository: Repository
    service: ReviewService
    clock: FakeClock

    def app(self, **options: Any) -> StudyApp:
        options.setdefault("import_if_empty", False)
        options.setdefault("cursor_blink", False)
        options.setdefault("seed_source", lambda card: SEED)
        return StudyApp(self.service, clock=self.clock, **options)

    def templates(self, *template_ids: str) -> None:
        sync_template_cards(self.repository, [t for t in templates() if t.id in template_ids])

    def scenario_id(self, template_id: str) -> int:
        return next(c.id for c in self.repository.list_cards(kind="scenario")
                    if c.key == f"scenario-template:{template_id}")  # fmt: skip

    def log(self, card_id: int | None = None) -> list[dict[str, Any]]:
        table = schema.review_log
        query = select(table).order_by(table.c.id)
        if card_id is not None:
            query = query.where(table.c.card_id == card_id)
        with self.repository.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def due(self, card_id: int) -> datetime | None:
        card = self.repository.get_card(card_id)
        assert card is not None
        return card.due

    def review_statements(self, question: Question) -> list[int]:
        """Grade the cloze cards of the question's statements 5 (due tomorrow); their ids."""
        ids = [card.card_id for card in statement_cards(self.repository, question.rules)]
        assert ids, f"no cloze card tests the rules of {question.template}"
        service = ReviewService(self.repository, now=self.clock, tz=UTC)
        session = service.start_session(include_kinds=("cloze",))
        for card_id in ids:
            service.grade(session, card_id, 5)
        assert all(self.due(card_id) == TOMORROW_START for card_id in ids)
        return ids


@pytest.fixture(scope="module")
def bundled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled notes imported once; each test works on a copy."""
    path = tmp_path_factory.mktemp("bundled") / "study.db"
    repository = Repository.open(path)
    assert not repository.import_bundled_notes().errors
    repository.close()
    return path


@pytest.fixture
def desk(bundled_db: Path, tmp_path: Path) -> Iterator[Desk]:
    copy = tmp_path / "study.db"
    copy.write_bytes(bundled_db.read_bytes())
    clock = FakeClock()
    repository = Repository.open(copy, clock=clock)
    yield Desk(repository, ReviewService(repository, now=clock, tz=UTC), clock)
    repository.close()


def answer_keys(question: Question, right: bool) -> tuple[list[str], str]:
    """The keys that answer ``question`` right (or wrong) in its widget, and the typed text."""
    choices = question.choices or []
    kind = question.kind
    if kind == "yes-no":
        word = "yes" if question.answer == right else "no"
        return [word[0]], word
    if kind == "choice":
        index = choices.index(question.answer)
        if not right:
            index = (index + 1) % len(choices)
        return [label(index), "enter"], label(index)
    if kind == "multi":
        picked = {choices.index(text) for text in question.answer}
        if not right:
            picked ^= {0}
        letters = [label(i) for i in sorted(picked)]
        return [*letters, "enter"], ", ".join(letters) or "none"
    if kind == "number":
        typed = f"{question.answer * 1000:g} Mbps" if right else f"{question.answer + 1:g}"
        return [*typed, "enter"], typed
    letters = [label(choices.index(text)) for text in question.answer]
    if not right:
        letters.reverse()
    return [*letters, "enter"], " ".join(letters)


def body(app: StudyApp) -> ScenarioCard:
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    assert isinstance(screen.body, ScenarioCard), screen.body
    return screen.body


# --------------------------------------------------------------------------- each input kind
@pytest.mark.parametrize("kind", list(KIND_TEMPLATES))
async def test_right_answer_in_each_kind_grades_5_and_moves_nothing(desk: Desk, kind: str) -> None:
    template_id = KIND_TEMPLATES[kind]
    desk.templates(template_id)
    question = generate(template_id, SEED)
    statements = desk.review_statements(question)
    keys, typed = answer_keys(question, right=True)
    assert check_answer(question, typed).correct
    card_id = desk.scenario_id(template_id)
    async with desk.app(kinds=("scenario",)).run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = body(pilot.app)
        assert shown.posed is not None and shown.posed.question.question == question.question
        assert shown.answer_has_focus
        desk.clock.advance(seconds=6)
        await press(pilot, *keys)
        assert "✓ Right" in pilot.app.screen.query_one(ResultView).plain
        await press(pilot, "enter")  # accept the suggested grade
    [row] = desk.log(card_id)
    assert (row["quality"], row["correct"], row["typed_answer"]) == (5, True, typed)
    assert row["duration_ms"] == 6000
    detail = row["detail"]
    assert (detail["template"], detail["seed"], detail["kind"]) == (template_id, SEED, kind)
    assert detail["topic"] == question.topic and detail["question"] == question.question
    assert (detail["typed"], detail["expected"]) == (typed, expected_display(question))
    assert detail["rules"] == question.rules
    card = desk.repository.get_card(card_id)
    assert card is not None and (card.state, card.interval) == ("review", 1)
    assert all(desk.due(card_id) == TOMORROW_START for card_id in statements)


@pytest.mark.parametrize("kind", list(KIND_TEMPLATES))
async def test_wrong_answer_in_each_kind_grades_1_and_brings_statements_forward(
    desk: Desk, kind: str
) -> None:
    template_id = KIND_TEMPLATES[kind]
    desk.templates(template_id)
    question = generate(template_id, SEED)
    statements = desk.review_statements(question)
    keys, typed = answer_keys(question, right=False)
    assert not check_answer(question, typed).correct
    card_id = desk.scenario_id(template_id)
    async with desk.app(kinds=("scenario",)).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, *keys)
        verdict = " ".join(pilot.app.screen.query_one(ResultView).plain.split())
        assert verdict.startswith("✗ Wrong")
        assert f"Answer {' '.join(expected_display(question).split())}" in verdict
        assert "(any cards you have of them come back today)" in verdict
        for citation in citations(question.rules):
            assert " ".join(str(citation).split()) in verdict  # note:line: statement
        await press(pilot, "enter")
    [row] = desk.log(card_id)
    assert (row["quality"], row["correct"], row["typed_answer"]) == (1, False, typed)
    assert row["detail"]["expected"] == expected_display(question)
    assert [desk.due(card_id) for card_id in statements] == [TODAY_START] * len(statements)
    card = desk.repository.get_card(card_id)
    assert card is not None and (card.state, card.repetitions) == ("learning", 0)


# --------------------------------------------------------------------------- grades
async def test_hint_rules_out_an_option_and_a_right_answer_then_suggests_3(desk: Desk) -> None:
    template_id = KIND_TEMPLATES["choice"]
    desk.templates(template_id)
    question = generate(template_id, SEED)
    keys, _typed = answer_keys(question, right=True)
    async with desk.app(kinds=("scenario",)).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        widget = pilot.app.screen.query_one(ChoiceInput)
        [gone] = widget.eliminated
        assert (question.choices or [])[gone] != question.answer
        await press(pilot, label(gone))  # a ruled-out option cannot be chosen, and says so
        assert widget.order[widget.cursor] != gone
        said = [note.message for note in pilot.app._notifications]
        assert f"{label(gone)}) was ruled out by the hint: it is not right." in said
        hint = pilot.app.screen.query_one(HintView)
        assert hint.display and hint.hint is not None and "is not right" in hint.hint.text
        await press(pilot, *keys)
        assert "✓ Right after a hint" in pilot.app.screen.query_one(ResultView).plain
        await press(pilot, "enter")
    [row] = desk.log(desk.scenario_id(template_id))
    assert (row["quality"], row["correct"]) == (3, True)
    assert row["detail"]["hint"] is True


async def test_a_ruled_out_option_is_not_ticked_and_its_key_says_why(desk: Desk) -> None:
    template_id = KIND_TEMPLATES["multi"]
    desk.templates(template_id)
    async with desk.app(kinds=("scenario",)).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        widget = pilot.app.screen.query_one(MultiInput)
        [gone] = widget.eliminated
        cursor = widget.cursor
        await press(pilot, label(gone))
        assert gone not in widget.ticked and widget.cursor == cursor
        said = [note.message for note in pilot.app._notifications]
        assert said[-1] == f"{label(gone)}) was ruled out by the hint: it is not right."
    assert desk.log(desk.scenario_id(template_id)) == []


async def test_slow_right_answer_suggests_4_and_a_key_overrides(desk: Desk) -> None:
    template_id = KIND_TEMPLATES["yes-no"]
    desk.templates(template_id)
    question = generate(template_id, SEED)
    keys, _typed = answer_keys(question, right=True)
    async with desk.app(kinds=("scenario",)).run_test(size=SIZE) as pilot:
        await settle(pilot)
        desk.clock.advance(seconds=slow_after_seconds(question) + 1)
        await press(pilot, *keys)
        assert pilot.app.screen.query_one(GradeBar).suggested == 4
        assert "quick is under" in pilot.app.screen.query_one(ResultView).plain
        await press(pilot, "2")  # the user's own grade wins
    [row] = desk.log(desk.scenario_id(template_id))
    assert (row["quality"], row["correct"]) == (2, True)


async def test_revealing_without_an_answer_counts_as_wrong(desk: Desk) -> None:
    template_id = KIND_TEMPLATES["number"]
    desk.templates(template_id)
    async with desk.app(kinds=("scenario",)).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "escape", "enter")
        assert "✗ Not answered" in pilot.app.screen.query_one(ResultView).plain
        await press(pilot, "enter")
    [row] = desk.log(desk.scenario_id(template_id))
    assert (row["quality"], row["correct"], row["typed_answer"]) == (1, False, None)


async def test_order_steps_move_with_ctrl_arrows(desk: Desk) -> None:
    template_id = KIND_TEMPLATES["order"]
    desk.templates(template_id)
    async with desk.app(kinds=("scenario",)).run_test(size=SIZE) as pilot:
        await settle(pilot)
        widget = pilot.app.screen.query_one(OrderInput)
        assert widget.order == [0, 1, 2, 3, 4]
        await press(pilot, "down", "ctrl+down", "alt+up", "shift+down")
        assert widget.order == [0, 2, 1, 3, 4]
        await press(pilot, "c", "a")  # typed letters take the first places
        assert widget.order == [2, 0, 1, 3, 4]
        await press(pilot, "backspace", "b")
        assert widget.order == [2, 1, 0, 3, 4]
        await press(pilot, "enter")
        await press(pilot, "enter")
    [row] = desk.log(desk.scenario_id(template_id))
    assert row["typed_answer"] == "c b a d e"


async def test_undo_takes_back_the_grade_and_what_it_brought_forward(desk: Desk) -> None:
    template_id = KIND_TEMPLATES["yes-no"]
    desk.templates(template_id)
    question = generate(template_id, SEED)
    statements = desk.review_statements(question)
    keys, _typed = answer_keys(question, right=False)
    card_id = desk.scenario_id(template_id)
    async with desk.app(kinds=("scenario",)).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, *keys, "enter")
        assert len(desk.log(card_id)) == 1
        assert all(desk.due(i) == TODAY_START for i in statements)
        await press(pilot, "escape", "u")
        assert body(pilot.app).card.id == card_id
    assert desk.log(card_id) == []
    assert all(desk.due(i) == TOMORROW_START for i in statements)


# --------------------------------------------------------------------------- review and notes
NOTE_WITH_SCENARIO = """
# Shared NAT

- A NAT gateway is ==zonal==

```scenario
title: Two AZs share one NAT gateway
vpc: {cidr: 10.0.0.0/16, internet_gateway: igw-1}
route_tables:
  rt-public:  {0.0.0.0/0: igw-1}
  rt-private: {0.0.0.0/0: nat-a}
subnets:
  public-a:  {az: a, route_table: rt-public}
  private-a: {az: a, route_table: rt-private}
  private-b: {az: b, route_table: rt-private}
nat_gateways:
  nat-a: {subnet: public-a, elastic_ip: eip-1}
instances:
  app-a: {subnet: private-a}
  app-b: {subnet: private-b}
fail: [az a]
ask:
  - subnet-type private-b
  - internet-egress app-b
```
"""


async def test_note_block_scenario_asks_its_questions_in_turn(desk: Desk, tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", {"Net/Shared NAT.md": NOTE_WITH_SCENARIO})
    assert not desk.repository.import_paths([vault]).errors
    [card] = desk.repository.list_cards(deck="Net", kind="scenario")
    async with desk.app(deck="Net", kinds=("scenario",)).run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(pilot.app)
        assert "Two AZs share one NAT gateway  · question 1 of 2" in text
        assert "Net/Shared NAT.md:22" in text  # the ask's line in the note
        assert "rt-private: {0.0.0.0/0: nat-a}" in text  # the situation, as written
        assert "Is subnet private-b public or private?" in text
        await press(pilot, "b", "enter", "enter")  # private: right
        # Right first time: the card is done for today, the session is over.
        assert isinstance(pilot.app.screen, SummaryScreen)
    [row] = desk.log(card.id)
    assert (row["quality"], row["correct"], row["typed_answer"]) == (5, True, "b")
    assert row["detail"]["ask"] == "subnet-type private-b"
    assert (row["detail"]["note"], row["detail"]["line"]) == ("Net/Shared NAT.md", 22)
    desk.clock.advance(days=1)
    async with desk.app(deck="Net", kinds=("scenario",)).run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Can app-b open an IPv4 connection" in screen_text(pilot.app)
        await press(pilot, "y", "enter")  # AZ a failed: nat-a is down, so no
    row = desk.log(card.id)[-1]
    assert (row["quality"], row["correct"], row["typed_answer"]) == (1, False, "yes")
    assert row["detail"]["ask"] == "internet-egress app-b"


async def test_review_mixes_a_due_scenario_card_with_cloze_cards(desk: Desk) -> None:
    template_id = KIND_TEMPLATES["yes-no"]
    desk.templates(template_id)
    card_id = desk.scenario_id(template_id)
    service = ReviewService(desk.repository, now=desk.clock, tz=UTC)
    service.grade(service.start_session(), card_id, 5)  # due tomorrow
    desk.clock.advance(days=1)
    async with desk.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert body(pilot.app).card.id == card_id  # a due review before new cloze cards
        question = generate(template_id, SEED)
        keys, _typed = answer_keys(question, right=True)
        await press(pilot, *keys, "enter")
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen) and screen.card is not None
        assert screen.card.kind == "cloze"
    rows = desk.log(card_id)
    assert [(r["quality"], r["correct"]) for r in rows] == [(5, None), (5, True)]


# --------------------------------------------------------------------------- the quiz
async def test_quiz_asks_exactly_n_questions_then_practice(desk: Desk) -> None:
    desk.templates(KIND_TEMPLATES["yes-no"], KIND_TEMPLATES["choice"])
    ids = {desk.scenario_id(t) for t in (KIND_TEMPLATES["yes-no"], KIND_TEMPLATES["choice"])}
    asked: list[tuple[int, str]] = []
    async with desk.app(quiz_questions=3).run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(3):
            shown = body(pilot.app)
            asked.append((shown.card.id, shown.card.queue_kind))
            assert shown.posed is not None
            keys, _typed = answer_keys(shown.posed.question, right=True)
            await press(pilot, *keys, "enter")
        assert isinstance(pilot.app.screen, SummaryScreen)
        assert pilot.app.tally is not None and len(pilot.app.tally.grades) == 3
    assert {card_id for card_id, _ in asked} == ids
    assert [kind for _, kind in asked] == ["new", "new", "practice"]
    rows = desk.log()
    assert len(rows) == 2 and {row["card_id"] for row in rows} == ids  # practice is not logged


async def test_quiz_studies_ahead_before_practising(desk: Desk) -> None:
    template_id = KIND_TEMPLATES["choice"]
    desk.templates(template_id)
    card_id = desk.scenario_id(template_id)
    service = ReviewService(desk.repository, now=desk.clock, tz=UTC)
    service.grade(service.start_session(), card_id, 5)
    desk.clock.advance(hours=20)  # the next study day; the card is due in 6 days
    service.grade(service.start_session(), card_id, 5)
    desk.clock.advance(days=1)
    async with desk.app(quiz_questions=1).run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = body(pilot.app)
        assert (shown.card.id, shown.card.queue_kind) == (card_id, "review")
        assert "Scenarios/transit-gateway" in screen_text(pilot.app)
        assert shown.posed is not None
        keys, _typed = answer_keys(shown.posed.question, right=True)
        await press(pilot, *keys, "enter")
    assert [row["quality"] for row in desk.log(card_id)] == [5, 5, 5]


async def test_review_shows_its_first_card_then_syncs_the_template_cards(desk: Desk) -> None:
    assert desk.repository.list_cards(kind="scenario") == []
    async with desk.app(sync_templates=True).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen) and screen.card is not None
        assert screen.card.kind == "cloze"  # new template cards come after the notes' cards
        cards = desk.repository.list_cards(kind="scenario", include_retired=False)
        assert len(cards) == len(templates())


async def test_quiz_syncs_the_template_cards_before_its_first_question(desk: Desk) -> None:
    async with desk.app(sync_templates=True, quiz_questions=1).run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert body(pilot.app).card.deck.startswith("Scenarios/")


async def test_quiz_undo_takes_back_a_practice_answer_and_its_follow_up(desk: Desk) -> None:
    template_id = KIND_TEMPLATES["yes-no"]
    desk.templates(template_id)
    card_id = desk.scenario_id(template_id)
    question = generate(template_id, SEED)
    statements = desk.review_statements(question)
    right, _ = answer_keys(question, right=True)
    wrong, _ = answer_keys(question, right=False)
    async with desk.app(quiz_questions=3).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, *right, "enter")  # the card, scheduled: graded and logged
        assert body(pilot.app).card.queue_kind == "practice"
        await press(pilot, *wrong, "enter")  # practice: not logged, statements come forward
        assert len(desk.log(card_id)) == 1
        assert all(desk.due(i) == TODAY_START for i in statements)
        await press(pilot, "escape", "u")
        shown = body(pilot.app)
        assert (shown.card.id, shown.card.queue_kind) == (card_id, "practice")
        assert all(desk.due(i) == TOMORROW_START for i in statements)
        await press(pilot, "i", *right, "enter")
        await press(pilot, *right, "enter")
        assert isinstance(pilot.app.screen, SummaryScreen)
    assert [(row["quality"], row["correct"]) for row in desk.log(card_id)] == [(5, True)]


HOSTILE_NOTE = """
# Hostile

```scenario
title: "[bold]boom[/] <script>x</script> \\x1b[31m"
vpc: {cidr: 10.0.0.0/16, internet_gateway: igw-1}
route_tables:
  rt-public: {0.0.0.0/0: igw-1}
subnets:
  "[link=x]a[/link]": {az: a, route_table: rt-public}
ask:
  - subnet-type [link=x]a[/link]
```
"""


async def test_scenario_text_is_shown_literally(desk: Desk, tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", {"Net/Hostile.md": HOSTILE_NOTE})
    assert not desk.repository.import_paths([vault]).errors
    async with desk.app(deck="Net", kinds=("scenario",)).run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(pilot.app)
        assert "[bold]boom[/] <script>x</script> ␛[31m" in text
        assert "Is subnet [link=x]a[/link] public or private?" in text
        await press(pilot, "a", "enter", "enter")
    [row] = desk.log()
    assert (row["quality"], row["correct"]) == (5, True)
