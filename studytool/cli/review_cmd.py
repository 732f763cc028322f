"""``studytool review``: open the Textual review app on the chosen deck/tag.

Environment: ``STUDYTOOL_EXIT_AFTER_FIRST_CARD=1`` makes the app quit as soon as the first card
is on screen and print ``first-card-at <unix time>`` on stderr (used by
``bench/bench_review_startup.py``; nothing is graded or written).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from studytool.cli.context import CliContext

if TYPE_CHECKING:
    from studytool.store.repository import Repository


@click.command("review")
@click.option("--deck", help="Only this deck and its sub-decks (e.g. AWS/Networking).")
@click.option("--tag", help="Only cards with this tag or a sub-tag (e.g. aws, colour/orange).")
@click.option(
    "--limit", type=click.IntRange(min=1), help="Study at most this many cards in this sitting."
)
@click.pass_obj
def command(obj: CliContext, deck: str | None, tag: str | None, limit: int | None) -> None:
    """Review due cards in the terminal app.

    \b
    Enter reveals (and checks a typed answer), 0-5 grade, Esc leaves the answer box so
    that single keys work: u undo, s skip, e edit the note, d decks, t statistics, q quit.
    ctrl+p opens the command palette (decks, tags, highlight colours, themes).
    On an empty database the bundled notes are imported first. Scenario cards (one per
    question template, deck Scenarios/<topic>) are mixed in: answer them with their own
    keys, ? gives a hint.
    """
    from studytool.store.reviews import ReviewService
    from studytool.tui.desk import FirstTurnReader, ReviewDesk, Scope

    repository = obj.repository()
    if (deck or tag) and repository.has_cards():
        from studytool.store.scenario_cards import ensure_template_cards

        ensure_template_cards(repository)  # so that --deck Scenarios/... is known
    _check_filters(repository, deck, tag)
    service = ReviewService(repository)
    scope = Scope(deck, tag, limit)
    desk = ReviewDesk(service, scope)
    # The first card is read while Textual loads (SQLite works without the interpreter lock).
    reader = FirstTurnReader(desk, scope).start()
    from studytool.tui.app import EXIT_AFTER_FIRST_CARD_ENV, StudyApp

    exit_after_first_card = os.environ.get(EXIT_AFTER_FIRST_CARD_ENV) == "1"
    app = StudyApp(
        service, deck, tag, limit, exit_after_first_card=exit_after_first_card,
        sync_templates=True, desk=desk,
    )  # fmt: skip
    app.use_first_turn(reader.result())
    app.run()
    if exit_after_first_card and app.first_card_at is not None:
        click.echo(f"first-card-at {app.first_card_at:.6f}", err=True)
        return
    tally = app.tally
    if tally is not None and tally.grades:
        click.echo(
            f"Reviewed {tally.reviewed} cards ({tally.right_first_time} right on the first try). "
            "Every grade is saved."
        )


def _check_filters(repository: Repository, deck: str | None, tag: str | None) -> None:
    """Refuse a deck or tag that matches nothing (when the database has cards at all)."""
    if not (deck or tag) or not repository.has_cards():
        return
    if deck and not _matches(deck, repository.deck_names()):
        raise click.BadParameter(f"no deck {deck!r} (see `studytool cards`)", param_hint="--deck")
    if tag and not _matches(tag.lstrip("#"), repository.tag_names()):
        raise click.BadParameter(f"no card has the tag {tag!r}", param_hint="--tag")


def _matches(name: str, names: list[str]) -> bool:
    """Whether ``name`` is one of ``names`` or a parent of one (case-insensitive, ``/``)."""
    wanted = name.strip().strip("/").lower()
    return any(n.lower() == wanted or n.lower().startswith(wanted + "/") for n in names)
