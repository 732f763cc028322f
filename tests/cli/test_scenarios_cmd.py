"""``studytool scenarios [--seed S] [--count N] [--topic T] [--json]`` as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from studytool.cli.main import cli
from studytool.scenarios.templates.base import JSON_KEYS, TOPICS

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["scenarios", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_json_is_an_array_of_objects_with_exactly_the_documented_keys() -> None:
    code, out, err = run("--seed", "4", "--count", "12", "--json")
    assert code == 0 and err == ""
    questions = json.loads(out)
    assert len(questions) == 12
    for item in questions:
        assert tuple(item) == JSON_KEYS
        assert item["kind"] in ("yes-no", "choice", "multi", "number", "order")
        assert item["topic"] in TOPICS and item["template"].startswith(item["topic"] + "/")
        assert isinstance(item["because"], list) and item["because"]
        assert item["choices"] is None or isinstance(item["choices"], list)


def test_the_same_seed_prints_byte_identical_output_in_separate_processes() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outputs = []
    for hash_seed in ("1", "2"):  # different string hashing: output must not depend on it
        env["PYTHONHASHSEED"] = hash_seed
        done = subprocess.run(
            [sys.executable, "-m", "studytool", "scenarios", "--seed", "99", "--count", "40",
             "--json"],
            env=env, capture_output=True, check=True,
        )  # fmt: skip
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] and len(outputs[0]) > 1000
    human = [run("--seed", "99", "--count", "8")[1] for _ in range(2)]
    assert human[0] == human[1]


@pytest.mark.parametrize("written", ["API-Gateway", "api gateway", "API_gateway", " api-gateway "])
def test_the_topic_option_filters_and_accepts_the_topic_as_people_write_it(written: str) -> None:
    code, out, _err = run("--seed", "1", "--count", "5", "--topic", written, "--json")
    assert code == 0
    assert {item["topic"] for item in json.loads(out)} == {"api-gateway"}


def test_an_unknown_topic_is_a_usage_error_listing_the_topics() -> None:
    code, _out, err = run("--topic", "direct-connect")
    assert code == 2
    assert "Invalid value for '--topic'" in err
    for topic in TOPICS:
        assert topic in err


def test_without_a_seed_the_seed_used_is_printed_so_it_can_be_repeated() -> None:
    code, out, err = run("--count", "2", "--json")
    assert code == 0
    seed = int(err.split()[1])
    assert err.strip() == f"seed {seed} (repeat with --seed {seed})"
    assert run("--seed", str(seed), "--count", "2", "--json")[1] == out


def test_human_output_shows_question_choices_answer_reasons_and_rules() -> None:
    args = ("--seed", "2", "--count", "6", "--topic", "nat-instance")
    code, out, _err = run(*args)
    assert code == 0
    questions = json.loads(run(*args, "--json")[1])
    assert out.startswith("1. ")
    assert out.count("\nAnswer: ") == 6 and out.count("\nRules: ") == 6
    assert "Because:\n  - " in out
    with_choices = [q for q in questions if q["choices"]]
    assert with_choices
    for item in with_choices:
        lettered = "".join(f"  {'abcdefgh'[i]}) {c}\n" for i, c in enumerate(item["choices"]))
        assert lettered in out
    for item in questions:
        assert item["question"] in out


def test_count_must_be_positive() -> None:
    code, _out, err = run("--count", "0")
    assert code == 2 and "--count" in err
