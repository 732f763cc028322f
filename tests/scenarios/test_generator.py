"""``generate_questions``, ``generate`` and ``templates``: seeded, reproducible, cycling through
the templates of a topic, with clear errors for unknown topics and templates."""

from __future__ import annotations

import json

import pytest

from studytool.scenarios.generator import (
    TOPICS,
    UnknownTemplateError,
    UnknownTopicError,
    generate,
    generate_questions,
    normalise_topic,
    templates,
)


def as_json(questions: list) -> str:
    return json.dumps([q.to_json() for q in questions], sort_keys=True)


def test_the_same_seed_gives_the_same_questions() -> None:
    assert as_json(generate_questions(7, 40)) == as_json(generate_questions(7, 40))


def test_different_seeds_give_different_questions() -> None:
    assert as_json(generate_questions(7, 12)) != as_json(generate_questions(8, 12))


def test_count_and_topic_are_respected() -> None:
    questions = generate_questions(3, 9, "transit-gateway")
    assert len(questions) == 9
    assert {q.topic for q in questions} == {"transit-gateway"}
    assert generate_questions(3, 0) == []


def test_every_template_of_a_topic_comes_once_before_any_comes_again() -> None:
    for topic in TOPICS:
        ids = [t.id for t in templates(topic)]
        questions = generate_questions(11, 2 * len(ids), topic)
        first, second = questions[: len(ids)], questions[len(ids) :]
        assert sorted(q.template for q in first) == ids
        assert sorted(q.template for q in second) == ids


def test_without_a_topic_every_template_takes_its_turn() -> None:
    questions = generate_questions(5, len(templates()))
    assert sorted(q.template for q in questions) == [t.id for t in templates()]
    assert {q.topic for q in questions} == set(TOPICS)


def test_the_order_of_templates_depends_on_the_seed() -> None:
    orders = {tuple(q.template for q in generate_questions(seed, 6)) for seed in range(5)}
    assert len(orders) > 1


def test_a_question_is_rebuilt_from_its_template_and_seed() -> None:
    for question in generate_questions(21, 12):
        again = generate(question.template, question.seed)
        assert again.to_json() == question.to_json()


@pytest.mark.parametrize(
    ("typed", "topic"),
    [("NAT gateway", "nat-gateway"), ("nat_gateway", "nat-gateway"),
     (" API-Gateway ", "api-gateway"), ("site to site vpn", "site-to-site-vpn")],
)  # fmt: skip
def test_topics_are_read_loosely(typed: str, topic: str) -> None:
    assert normalise_topic(typed) == topic
    assert {q.topic for q in generate_questions(1, 3, typed)} == {topic}


def test_an_unknown_topic_lists_the_topics() -> None:
    with pytest.raises(UnknownTopicError) as raised:
        generate_questions(1, 3, "direct-connect")
    assert "direct-connect" in str(raised.value)
    for topic in TOPICS:
        assert topic in str(raised.value)


def test_an_unknown_template_is_named() -> None:
    with pytest.raises(UnknownTemplateError, match="nat-gateway/nope"):
        generate("nat-gateway/nope", 1)


def test_the_anki_export_reads_the_generated_questions() -> None:
    from studytool.export.scenarios import scenario_notes

    notes, warnings = scenario_notes(3, 4, "nat-gateway")
    ids = {template.id for template in templates("nat-gateway")}
    assert warnings == [] and len(ids) <= len(notes) <= 3 * len(ids)
    exported = {
        tag.split("::", 1)[1].replace("::", "/") for note in notes for tag in note.tags
        if tag.startswith("scenario::")
    }  # fmt: skip
    assert exported == ids
    assert {note.deck for note in notes} == {"Scenarios::nat-gateway"}
    assert all(note.answer and note.explanation for note in notes)
