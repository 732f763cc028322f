"""Generated scenario questions: which templates exist, and questions drawn from them.

``generate_questions(seed, count, topic)`` goes through the templates (of one topic, or all)
in an order shuffled by ``seed``, one question per template, and starts a new shuffled round
when every template has had its turn. Each question gets its own seed, kept in
``Question.seed``: ``generate(question.template, question.seed)`` gives the same question
again. Same arguments, same questions, on every machine (``random.Random`` seeded with an
integer is stable across runs and platforms; see ``Template.rng``).
"""

from __future__ import annotations

import random

from studytool.scenarios.templates.base import TEMPLATES, TOPICS, Question, Template

__all__ = [
    "TOPICS",
    "Question",
    "Template",
    "UnknownTemplateError",
    "UnknownTopicError",
    "generate",
    "generate_questions",
    "normalise_topic",
    "templates",
]

#: question seeds are drawn from 0 .. QUESTION_SEEDS - 1
QUESTION_SEEDS = 2**31


class UnknownTopicError(ValueError):
    """A topic that is not one of :data:`TOPICS`."""


class UnknownTemplateError(KeyError):
    """A template id that no template has."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown template"


def _registry() -> dict[str, Template]:
    import studytool.scenarios.templates  # noqa: F401  (registers every template)

    return TEMPLATES


def normalise_topic(topic: str) -> str:
    """``"NAT gateway"``, ``"nat_gateway"`` → ``"nat-gateway"``; unknown topics raise."""
    cleaned = "-".join(topic.strip().lower().replace("_", " ").replace("-", " ").split())
    if cleaned not in TOPICS:
        raise UnknownTopicError(f"unknown topic {topic!r}: choose one of {', '.join(TOPICS)}")
    return cleaned


def templates(topic: str | None = None) -> list[Template]:
    """Every template (of ``topic`` when given), sorted by id."""
    wanted = normalise_topic(topic) if topic is not None else None
    found = [t for t in _registry().values() if wanted is None or t.topic == wanted]
    return sorted(found, key=lambda t: t.id)


def generate(template_id: str, seed: int) -> Question:
    """The question template ``template_id`` draws for ``seed``."""
    try:
        found = _registry()[template_id]
    except KeyError:
        raise UnknownTemplateError(f"no template with id {template_id!r}") from None
    return found.build(seed)


def generate_questions(seed: int, count: int, topic: str | None = None) -> list[Question]:
    """``count`` questions, cycling through the templates (of ``topic``) in a seeded order."""
    chosen = templates(topic)
    rng = random.Random(seed)
    questions: list[Question] = []
    while len(questions) < count:
        turn = list(chosen)
        rng.shuffle(turn)
        for item in turn[: count - len(questions)]:
            questions.append(item.build(rng.randrange(QUESTION_SEEDS)))
    return questions
