"""``studytool cards``: list cards as a readable table or as JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from studytool.cli.context import CliContext
from studytool.cli.output import ensure_cards_or_import

if TYPE_CHECKING:
    from datetime import tzinfo

    from studytool.store.records import CardRecord


@click.command("cards")
@click.option("--deck", help="Only this deck and its sub-decks (e.g. AWS/Networking).")
@click.option("--tag", help="Only cards with this tag or a sub-tag (e.g. aws, colour/orange).")
@click.option("--kind", type=click.Choice(["cloze", "scenario"]), help="Only this kind of card.")
@click.option("--active", is_flag=True, help="Leave out retired cards.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per card.")
@click.pass_obj
def command(
    obj: CliContext, deck: str | None, tag: str | None, kind: str | None, active: bool,
    as_json: bool,
) -> None:  # fmt: skip
    """List cards: deck, where they come from, the prompt, the answer and the state.

    With --json: an array of objects with the keys id, kind, deck, note, line, context,
    prompt, answer, tags, state (new, learning, review or retired) and due (ISO date or null).
    """
    from studytool.store.reviews import ReviewService

    repository = obj.repository()
    ensure_cards_or_import(repository)
    cards = repository.list_cards(deck=deck, tag=tag, kind=kind, include_retired=not active)
    service = ReviewService(repository)  # due days as the review app counts them
    day_start_hour, tz = service.settings().day_start_hour, service.tz
    if as_json:
        payload = [card.to_json(day_start_hour, tz) for card in cards]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    _print_table(cards, day_start_hour, tz)


def _source(card: CardRecord) -> str:
    """``note:line``, or the template a generated-scenario card draws from."""
    if card.note:
        return f"{card.note}:{card.line}"
    try:
        template = json.loads(card.extra or "").get("template")
    except (ValueError, AttributeError):
        template = None
    return f"template {template}" if template else "-"


def _print_table(cards: list[CardRecord], day_start_hour: int, tz: tzinfo) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, expand=True)
    for name, style in (("id", "dim"), ("deck", ""), ("source", "dim"), ("prompt", ""),
                        ("answer", "bold"), ("state", ""), ("due", "")):  # fmt: skip
        table.add_column(name, style=style, overflow="fold")
    for card in cards:
        table.add_row(
            Text(str(card.id)), Text(card.deck), Text(_source(card)),
            Text(card.prompt), Text(card.answer), Text(card.display_state),
            Text(card.to_json(day_start_hour, tz)["due"] or "-"),
        )  # fmt: skip
    Console().print(table)
    click.echo(f"{len(cards)} cards")
