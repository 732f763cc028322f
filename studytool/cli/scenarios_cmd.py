"""``studytool scenarios [--seed S] [--count N] [--topic T] [--json]``: print generated scenario
questions with the rule model's answers, reasons and rule ids.

Without ``--seed`` a random seed is used and printed on stderr, so a set can be printed
again. Imports only click and the model (no database, no Textual).
"""

from __future__ import annotations

import random

import click

from studytool.cli.topics import TopicChoice
from studytool.scenarios.templates.base import Question

DEFAULT_COUNT = 5
MAX_COUNT = 10_000


@click.command("scenarios")
@click.option(
    "--seed", type=int, default=None,
    help="Seed of the generator: the same seed prints the same questions. Default: random "
    "(printed on stderr).",
)  # fmt: skip
@click.option(
    "--count", type=click.IntRange(1, MAX_COUNT), default=DEFAULT_COUNT, show_default=True,
    help="How many questions.",
)  # fmt: skip
@click.option(
    "--topic", type=TopicChoice(), default=None,
    help="Only questions of this topic.",
)  # fmt: skip
@click.option(
    "--json", "as_json", is_flag=True,
    help='A JSON array of {"template", "topic", "question", "kind", "choices", "answer", '
    '"unit", "because", "rules"}.',
)  # fmt: skip
def command(seed: int | None, count: int, topic: str | None, as_json: bool) -> None:
    """Print generated scenario questions with their answers.

    \b
    Each question is drawn from a template (a random situation: AZ counts, routes, tunnel
    states, TTLs, arrival times...) and answered by the rule model, with its reasons.
    Kinds: yes-no, choice, multi (several choices), number, order.
    """
    from studytool.scenarios.generator import generate_questions

    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)
        click.echo(f"seed {seed} (repeat with --seed {seed})", err=True)
    questions = generate_questions(seed, count, topic.lower() if topic else None)
    if as_json:
        import json

        payload = [question.to_json() for question in questions]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo("\n\n".join(human_text(number, q) for number, q in enumerate(questions, 1)))


def human_text(number: int, question: Question) -> str:
    """One question as a person reads it: text, lettered choices, answer, reasons, rules."""
    from studytool.scenarios.answer_check import expected_display, label

    lines = [f"{number}. {question.title}  [{question.template}, {question.kind}]"]
    lines.append(question.question)
    lines += [f"  {label(index)}) {choice}" for index, choice in enumerate(question.choices or ())]
    lines.append(f"Answer: {expected_display(question)}")
    if question.because:
        lines.append("Because:")
        lines += [f"  - {reason}" for reason in question.because]
    lines.append(f"Rules: {', '.join(question.rules) or 'none'}")
    return "\n".join(lines)
