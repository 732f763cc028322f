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


# --------------------------------------------------------------------------- seeded draws
def test_a_template_draws_from_an_integer_seeded_twister() -> None:
    """The template's generator is Python's Mersenne Twister seeded with an integer made of
    the template id's CRC-32 and the question seed: pinned here, since changing it changes
    every question a seed gives."""
    import random
    import zlib

    template = templates("nat-gateway")[0]
    expected = random.Random(((zlib.crc32(template.id.encode()) + 1) << 64) + 77)
    drawn = template.rng(77)
    assert [drawn.random() for _ in range(3)] == [expected.random() for _ in range(3)]
    assert templates("api-gateway")[0].rng(77).random() != template.rng(77).random()
    assert template.rng(78).random() != template.rng(77).random()


def test_draws_are_read_off_random_and_stay_in_range() -> None:
    from studytool.scenarios.templates.base import DrawRandom

    first, second = DrawRandom(2026), DrawRandom(2026)
    assert [first.random() for _ in range(5)] == [second.random() for _ in range(5)]
    rng = DrawRandom(7)
    assert {rng.randint(2, 4) for _ in range(300)} == {2, 3, 4}
    assert {rng.choice("abc") for _ in range(300)} == set("abc")
    assert {rng.randrange(10, 16, 2) for _ in range(300)} == {10, 12, 14}
    picked = rng.sample(range(10), 4)
    assert len(set(picked)) == 4 and set(picked) <= set(range(10))
    shuffled = list(range(8))
    rng.shuffle(shuffled)
    assert sorted(shuffled) == list(range(8))
    with pytest.raises(IndexError):
        rng.choice([])
    with pytest.raises(ValueError):
        rng.sample("ab", 3)
    with pytest.raises(ValueError):
        rng.randrange(5, 5)


def test_draws_are_the_same_on_every_platform() -> None:
    """Pinned values: ``random()`` is the Twister's double, scaled exactly."""
    from studytool.scenarios.templates.base import DrawRandom

    rng = DrawRandom(12345)
    assert [rng.randint(1, 6) for _ in range(6)] == [3, 1, 5, 2, 3, 2]


def test_other_orders_are_judged_by_the_model_apart_from_its_own_order() -> None:
    """The judge of a typed order goes through the answer cache under its own key: asking
    about an empty order or a reversed one never returns the model's own order."""
    question = generate("nat-gateway/setup-order", 3)
    assert question.judge_order(question.answer).value is True  # type: ignore[union-attr]
    assert question.judge_order([]).value is False  # type: ignore[union-attr]
    reverse = list(reversed(question.answer))
    assert question.judge_order(reverse).value is False  # type: ignore[union-attr]
    assert generate("nat-gateway/setup-order", 3).answer == question.answer


def test_the_answer_cache_keeps_the_newest_answers_within_its_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from studytool.model.answer import Answer
    from studytool.scenarios.templates import base

    asked: list[int] = []

    def query(number: int) -> Answer:
        asked.append(number)
        return Answer(number * 10)

    monkeypatch.setattr(base, "ANSWER_CACHE", base.OrderedDict())
    monkeypatch.setattr(base, "ANSWER_CACHE_SIZE", 3)
    for number in range(5):
        assert base.cached_answer(base.Probe(query, (number,), key=number)).value == number * 10
    assert len(base.ANSWER_CACHE) == 3
    assert [key for _query, key in base.ANSWER_CACHE] == [2, 3, 4]
    assert base.cached_answer(base.Probe(query, (4,), key=4)).value == 40  # kept: not asked
    assert base.cached_answer(base.Probe(query, (0,), key=0)).value == 0  # evicted: asked again
    assert asked == [0, 1, 2, 3, 4, 0]


def test_the_generator_draws_as_random_random_does_for_an_integer_seed() -> None:
    import random

    from studytool.scenarios.templates.base import DrawRandom

    for seed in (0, 7, -4, 2**70 + 3):
        assert DrawRandom(seed).random() == random.Random(seed).random()
    with pytest.raises(TypeError):
        DrawRandom("seed")  # type: ignore[arg-type]
