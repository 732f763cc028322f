"""``studytool quiz [--topic T] [--count N] [--deck D]``: N scenario questions in the review app.

The quiz is the review app restricted to scenario cards (one per question template, in the
decks ``Scenarios/<topic>``, and the ```` ```scenario ```` blocks of imported notes). It always
asks N questions: what is due first, then cards due later (studied ahead), then extra practice
questions when every card in scope was studied today (see :mod:`studytool.tui.screens.quiz`).
Every showing of a template card draws a new situation. On an empty database the bundled
notes are imported first, so that wrong answers can bring their note statements forward.
"""

from __future__ import annotations

import click

from studytool.cli.context import CliContext
from studytool.cli.topics import TopicChoice

DEFAULT_COUNT = 10
MAX_COUNT = 1000


@click.command("quiz")
@click.option(
    "--topic", type=TopicChoice(), default=None,
    help="Only questions of this topic (the deck Scenarios/<topic>).",
)  # fmt: skip
@click.option(
    "--count", type=click.IntRange(1, MAX_COUNT), default=DEFAULT_COUNT, show_default=True,
    help="How many questions to answer.",
)  # fmt: skip
@click.option(
    "--deck", default=None,
    help="Only scenario cards of this deck and its sub-decks (e.g. Scenarios, or a notes "
    "deck whose notes hold scenario blocks).",
)  # fmt: skip
@click.pass_obj
def command(obj: CliContext, topic: str | None, count: int, deck: str | None) -> None:
    """Answer scenario questions only, in the review app.

    \b
    Each question is a new situation drawn for you and answered by the rule model.
      yes/no       y or n
      one choice   up/down or the letter, Enter
      several      space or the letters tick, Enter
      a number     type it (units are converted: 1 hour = 60 min), Enter
      an order     ctrl/alt/shift+up/down move a step, or type the letters; Enter
    ? gives a hint (a right answer then suggests grade 3). After the answer: the right one,
    the reasons and the rules with the note statements they test; Enter takes the suggested
    grade (5 right, 4 right but slow, 1 wrong) or press 0-5. A wrong answer brings the cloze
    cards of those note statements forward to today. Esc, then u undo, s skip, q quit.
    """
    from studytool.store.reviews import ReviewService
    from studytool.store.scenario_cards import ensure_template_cards, template_deck
    from studytool.tui.app import StudyApp

    if topic and deck:
        raise click.UsageError("give --topic or --deck, not both")
    if topic:
        deck = template_deck(topic.lower())
    repository = obj.repository()
    if repository.has_cards():
        ensure_template_cards(repository)
        if deck and not repository.list_cards(deck=deck, kind="scenario", include_retired=False):
            raise click.BadParameter(
                f"no scenario cards in the deck {deck!r} (see `studytool cards --kind scenario`)",
                param_hint="--deck",
            )
    app = StudyApp(ReviewService(repository), deck, sync_templates=True, quiz_questions=count)
    app.run()
    tally = app.tally
    if tally is not None and tally.grades:
        click.echo(
            f"Answered {len(tally.grades)} questions ({tally.right_first_time} right on the "
            "first try). Every grade is saved."
        )
