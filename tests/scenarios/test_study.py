"""Scenario cards in the study loop (pure): posing questions, hints, grades, log detail."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from studytool.model.rules import get_rule
from studytool.scenarios.answer_check import check_answer
from studytool.scenarios.generator import generate, templates
from studytool.scenarios.scenario_file import answer_all, load_scenario
from studytool.scenarios.study import (
    HINT_GRADE,
    NOTE,
    RIGHT_GRADE,
    SLOW_GRADE,
    TEMPLATE,
    WRONG_GRADE,
    ScenarioCardError,
    citations,
    hint_for,
    log_detail,
    pose,
    question_seed,
    situation_text,
    slow_after_seconds,
    suggested_grade,
    template_extra,
    template_of,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

BLOCK = """\
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
ask:
  - subnet-type private-b
  - internet-egress app-b
  - internet-ingress app-b 22
  - lost-internet-if-az-fails a
  - problems
  - backend-calls
"""
#: the block's first line is line 11 of its note
BLOCK_LINE = 11


# --------------------------------------------------------------------------- card data
def test_template_extra_round_trips_and_yaml_is_not_a_template() -> None:
    extra = template_extra("nat-gateway/min-count")
    assert extra == '{"template":"nat-gateway/min-count"}'
    assert template_of(extra) == "nat-gateway/min-count"
    assert template_of(BLOCK) is None
    assert template_of('{"template": "x", "vpc": {}}') is None  # a YAML flow mapping
    assert template_of("{not json") is None
    assert template_of(None) is None


def test_question_seed_depends_on_card_reviews_and_time() -> None:
    seed = question_seed(7, 0, NOW)
    assert seed == question_seed(7, 0, NOW)
    assert 0 <= seed < 2**31
    others = {
        question_seed(8, 0, NOW), question_seed(7, 1, NOW),
        question_seed(7, 0, NOW + timedelta(seconds=1)),
    }  # fmt: skip
    assert seed not in others and len(others) == 3


# --------------------------------------------------------------------------- templates
def test_template_card_poses_the_generated_question_for_the_seed() -> None:
    posed = pose(template_extra("nat-gateway/min-count"), seed=42)
    expected = generate("nat-gateway/min-count", 42)
    assert posed.source == TEMPLATE and posed.template == "nat-gateway/min-count"
    assert posed.seed == 42
    assert (posed.question.question, posed.question.answer) == (expected.question, expected.answer)
    assert posed.title == expected.title


def test_template_card_draws_new_situations_for_new_seeds() -> None:
    texts = {pose(template_extra("nat-gateway/az-outage-shared"), seed).question.question
             for seed in range(8)}  # fmt: skip
    assert len(texts) > 1


def test_removed_template_is_a_clear_error() -> None:
    with pytest.raises(ScenarioCardError, match="no template with id 'gone/away'"):
        pose(template_extra("gone/away"), seed=1)


# --------------------------------------------------------------------------- note blocks
def test_note_block_poses_one_ask_per_showing_in_turn() -> None:
    asks = [pose(BLOCK, 3, reps, "Net/NAT.md", BLOCK_LINE).ask for reps in range(7)]
    assert asks == [
        "subnet-type private-b", "internet-egress app-b", "internet-ingress app-b 22",
        "lost-internet-if-az-fails a", "problems", "backend-calls", "subnet-type private-b",
    ]  # fmt: skip


def test_note_block_questions_have_the_model_answers_and_fitting_kinds() -> None:
    model = answer_all(load_scenario(BLOCK, "Net/NAT.md", BLOCK_LINE - 1))
    found = [pose(BLOCK, 5, reps, "Net/NAT.md", BLOCK_LINE) for reps in range(6)]
    kinds = [posed.question.kind for posed in found]
    assert kinds == ["choice", "yes-no", "yes-no", "multi", "multi", "number"]
    subnet, egress, ingress, lost, problems, calls = found
    assert subnet.question.choices == ["public", "private"]
    assert subnet.question.answer == model[0].answer == "private"
    assert egress.question.answer is True and ingress.question.answer is False
    assert lost.question.choices == ["app-b"] and lost.question.answer == model[3].answer
    assert problems.question.answer == [] and len(problems.question.choices or []) == 5
    assert (calls.question.answer, calls.question.unit) == (0, "calls")
    for posed, answer in zip(found, model, strict=True):
        assert posed.source == NOTE and posed.note == "Net/NAT.md"
        assert posed.line == answer.line  # a line of the note
        assert posed.question.because == answer.because
        assert posed.question.rules == answer.rules
        assert posed.title == "Two AZs share one NAT gateway"
        assert posed.ask_count == 6


def test_note_block_answers_check_right_and_wrong() -> None:
    posed = pose(BLOCK, 5, 0, "Net/NAT.md", BLOCK_LINE)
    assert check_answer(posed.question, "b").correct
    assert check_answer(posed.question, "private").correct
    assert not check_answer(posed.question, "public").correct
    lost = pose(BLOCK, 5, 3, "Net/NAT.md", BLOCK_LINE)
    assert check_answer(lost.question, "a").correct
    assert not check_answer(lost.question, "none").correct


def test_problems_question_offers_found_problems_and_distractors() -> None:
    broken = BLOCK.replace("{subnet: public-a, elastic_ip: eip-1}", "{subnet: public-a}")
    posed = pose(broken, 9, 4, "Net/NAT.md", BLOCK_LINE)
    assert "nat-gateway-missing-eip" in posed.question.answer
    assert set(posed.question.answer) <= set(posed.question.choices or [])
    assert len(posed.question.choices or []) >= len(posed.question.answer) + 2


def test_situation_text_leaves_out_title_and_asks() -> None:
    shown = situation_text(BLOCK)
    assert shown.startswith("vpc: {cidr: 10.0.0.0/16")
    assert "title:" not in shown and "ask:" not in shown and "subnet-type" not in shown
    assert shown.endswith("app-b: {subnet: private-b}")


def test_bad_note_blocks_are_clear_errors_with_note_lines() -> None:
    with pytest.raises(ScenarioCardError, match=r"Net/NAT\.md:15: .*nat-z"):
        pose(BLOCK.replace("0.0.0.0/0: nat-a}", "0.0.0.0/0: nat-z}"), 1, 0, "Net/NAT.md", 11)
    no_asks = BLOCK.split("ask:")[0]
    with pytest.raises(ScenarioCardError, match=r"Net/NAT\.md:11: .*asks nothing"):
        pose(no_asks, 1, 0, "Net/NAT.md", 11)
    with pytest.raises(ScenarioCardError, match="no scenario"):
        pose("", 1)


# --------------------------------------------------------------------------- grades
@pytest.mark.parametrize(
    ("correct", "hinted", "seconds", "grade"),
    [
        (True, False, 5.0, RIGHT_GRADE),
        (True, False, 1000.0, SLOW_GRADE),
        (True, True, 5.0, HINT_GRADE),
        (True, True, 1000.0, HINT_GRADE),
        (False, False, 5.0, WRONG_GRADE),
        (False, True, 5.0, WRONG_GRADE),
    ],
)
def test_suggested_grade(correct: bool, hinted: bool, seconds: float, grade: int) -> None:
    question = generate("nat-gateway/min-count", 1)
    assert suggested_grade(correct, hinted, seconds, question) == grade


def test_slow_threshold_is_twenty_seconds_plus_reading_time() -> None:
    question = generate("transit-gateway/multicast", 1)
    words = len(question.question.split()) + sum(len(c.split()) for c in question.choices or [])
    limit = slow_after_seconds(question)
    assert limit == pytest.approx(20 + 0.3 * words)
    assert suggested_grade(True, False, limit, question) == RIGHT_GRADE
    assert suggested_grade(True, False, limit + 0.5, question) == SLOW_GRADE


# --------------------------------------------------------------------------- hints
def _first(kind: str) -> str:
    return next(t.id for t in templates() if t.kind == kind)


@pytest.mark.parametrize("seed", range(5))
def test_choice_hint_rules_out_a_wrong_option(seed: int) -> None:
    for template in (t for t in templates() if t.kind in ("choice", "multi")):
        question = generate(template.id, seed)
        hint = hint_for(question, seed)
        right = [question.answer] if question.kind == "choice" else question.answer
        wrong = [c for c in question.choices or [] if c not in right]
        if wrong:
            assert hint.eliminated is not None
            assert (question.choices or [])[hint.eliminated] in wrong
        else:
            assert hint.eliminated is None and hint.text.startswith("One reason: ")


def test_order_hint_names_a_first_step_and_yes_no_hint_a_reason() -> None:
    order = generate(_first("order"), 2)
    assert hint_for(order).text.endswith(order.answer[0])
    yes_no = generate(_first("yes-no"), 2)
    text = hint_for(yes_no).text
    assert text.removeprefix("One reason: ") in yes_no.because


@pytest.mark.parametrize("seed", range(8))
def test_a_number_hint_never_states_the_answer(seed: int) -> None:
    for template in (t for t in templates() if t.kind == "number"):
        question = generate(template.id, seed)
        text = hint_for(question, seed).text
        assert text != "No hint for this question."
        tokens = re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w]|\.\d)", text)
        assert f"{question.answer:g}" not in tokens, (template.id, text)


def test_the_min_count_hint_names_the_rule_instead_of_counting() -> None:
    question = generate("nat-gateway/min-count", 3)
    assert len(question.because) == 1 and f"{question.answer:g}" in question.because[0]
    hint = hint_for(question).text
    assert hint.startswith("The rule to apply: For AZ-independent egress, create one NAT gateway")


# --------------------------------------------------------------------------- log and citations
def test_log_detail_keeps_question_seed_typed_and_expected() -> None:
    posed = pose(template_extra("nat-gateway/min-count"), seed=11)
    result = check_answer(posed.question, "17")
    detail = log_detail(posed, "17", result, hinted=False, seconds=12.34)
    assert detail["topic"] == "nat-gateway" and detail["template"] == "nat-gateway/min-count"
    assert detail["seed"] == 11 and detail["question"] == posed.question.question
    assert detail["typed"] == "17" and detail["expected"] == result.expected_display
    assert detail["correct"] is result.correct and detail["seconds"] == 12.3
    assert detail["rules"] == posed.question.rules
    note = pose(BLOCK, 5, 1, "Net/NAT.md", BLOCK_LINE)
    detail = log_detail(note, "y", check_answer(note.question, "y"), True, 3.0)
    assert (detail["note"], detail["ask"]) == ("Net/NAT.md", "internet-egress app-b")
    assert detail["hint"] is True
    assert detail["template"] is None


def test_citations_name_the_note_statement_each_rule_tests() -> None:
    [zonal] = citations(["nat-gateway-zonal", "no-such-rule"])
    rule = get_rule("nat-gateway-zonal")
    assert rule.note is not None
    assert zonal.note == rule.note.path == "AWS/Networking/NAT Gateway.md"
    assert zonal.line is not None and zonal.text is not None
    assert rule.note.snippet.split()[0] in zonal.text
    assert str(zonal) == f"AWS/Networking/NAT Gateway.md:{zonal.line}: {zonal.text}"
