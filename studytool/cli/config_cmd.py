"""``studytool config``: show or change the scheduler, the daily limits and the day start.

Without a subcommand it prints the settings, the per-deck overrides and what applies to each
deck. Changes go through :class:`studytool.store.reviews.ReviewService`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import click

from studytool.cli.context import CliContext

DEFAULT_WORD = "default"

_NEGATIVE_NUMBER = re.compile(r"-\d+(\.\d*)?")


class NumberArgumentCommand(click.Command):
    """A command whose argument is a number: ``-1`` is a wrong value, not an unknown option.

    Click reads any word starting with ``-`` as an option, so ``config day-start -1`` said
    "No such option '-1'". When a word is a negative number it is passed to the argument, whose
    own check then explains what is allowed.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if any(_NEGATIVE_NUMBER.fullmatch(word) for word in args):
            ctx.ignore_unknown_options = True
        return super().parse_args(ctx, args)


def _service(obj: CliContext) -> Any:
    from studytool.store.reviews import ReviewService

    return ReviewService(obj.repository())


def _count_or_default(value: str, what: str) -> int | None:
    if value.lower() == DEFAULT_WORD:
        return None
    try:
        count = int(value)
    except ValueError:
        raise click.BadParameter(
            f"{what} must be a whole number or 'default', got {value!r}"
        ) from None
    if count < 0:
        raise click.BadParameter(f"{what} must be 0 or more, got {count}")
    return count


def _apply(action: Any) -> None:
    from studytool.store.reviews import ReviewError

    try:
        action()
    except ReviewError as error:
        raise click.ClickException(str(error)) from None


def _warn_unknown_deck(obj: CliContext, deck: str | None) -> None:
    if deck is None:
        return
    names = {name.lower() for name in obj.repository().deck_names()}
    wanted = deck.strip().strip("/").lower()
    if not any(name == wanted or name.startswith(wanted + "/") for name in names):
        click.echo(f"note: no cards in deck {deck!r} yet; the setting is saved anyway", err=True)


def _scope(deck: str | None) -> str:
    return f"deck {deck}" if deck else "all decks (default)"


@click.group("config", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
@click.pass_context
def command(ctx: click.Context, as_json: bool) -> None:
    """Show or change settings: scheduler (sm2|fsrs), daily limits, day start.

    \b
    studytool config                              show everything
    studytool config scheduler fsrs [--deck D]    opt in to FSRS (SM-2 is the default)
    studytool config new-per-day 10 [--deck D]    new cards introduced per day
    studytool config reviews-per-day 100 [--deck D]
    studytool config day-start 4                  hour (local time) a study day begins

    A deck setting also applies to its sub-decks; 'default' removes a deck's override.
    """
    if ctx.invoked_subcommand is None:
        _show(ctx.obj, as_json)


def _show(obj: CliContext, as_json: bool) -> None:
    settings = _service(obj).settings()
    decks = obj.repository().deck_names()
    effective = {deck: settings.for_deck(deck) for deck in decks}
    if as_json:
        payload = {
            "day_start_hour": settings.day_start_hour,
            "scheduler": settings.scheduler,
            "new_per_day": settings.new_per_day,
            "reviews_per_day": settings.reviews_per_day,
            "deck_overrides": [
                {"deck": o.deck, "scheduler": o.scheduler, "new_per_day": o.new_per_day,
                 "reviews_per_day": o.reviews_per_day}
                for o in settings.decks
            ],
            "decks": [
                {"deck": deck, "scheduler": p.scheduler, "new_per_day": p.new_per_day,
                 "reviews_per_day": p.reviews_per_day}
                for deck, p in effective.items()
            ],
        }  # fmt: skip
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(f"database         {obj.resolved_db_path()}")
    click.echo(f"day start        {settings.day_start_hour:02d}:00 local time")
    click.echo(f"scheduler        {settings.scheduler}")
    click.echo(f"new per day      {settings.new_per_day}")
    click.echo(f"reviews per day  {settings.reviews_per_day}")
    if settings.decks:
        click.echo("\ndeck overrides")
        for override in settings.decks:
            parts = [
                f"{label} {value}"
                for label, value in (
                    ("scheduler", override.scheduler),
                    ("new per day", override.new_per_day),
                    ("reviews per day", override.reviews_per_day),
                )
                if value is not None
            ]
            click.echo(f"  {override.deck}: {', '.join(parts)}")
    if effective:
        click.echo("\ndecks (scheduler, new per day, reviews per day)")
        width = max(len(deck) for deck in effective)
        for deck, policy in effective.items():
            click.echo(
                f"  {deck:<{width}}  {policy.scheduler:<4}  {policy.new_per_day:>4}  "
                f"{policy.reviews_per_day:>5}"
            )


@command.command("scheduler")
@click.argument("name", type=click.Choice(["sm2", "fsrs", DEFAULT_WORD], case_sensitive=False))
@click.option("--deck", help="Only this deck (and its sub-decks).")
@click.pass_obj
def scheduler_cmd(obj: CliContext, name: str, deck: str | None) -> None:
    """Use SM-2 (default) or FSRS; cards switch when next graded, rebuilt from their log."""
    name = name.lower()
    value = None if name == DEFAULT_WORD else name
    if deck is None and value is None:
        value = "sm2"
    _warn_unknown_deck(obj, deck)
    _apply(lambda: _service(obj).set_scheduler(value, deck=deck))
    shown = value or "the default"
    click.echo(f"scheduler for {_scope(deck)}: {shown}")


@command.command("new-per-day", cls=NumberArgumentCommand)
@click.argument("count")
@click.option("--deck", help="Only this deck (and its sub-decks).")
@click.pass_obj
def new_per_day_cmd(obj: CliContext, count: str, deck: str | None) -> None:
    """How many new cards to introduce per study day (default 20)."""
    value = _count_or_default(count, "new-per-day")
    _warn_unknown_deck(obj, deck)
    _apply(lambda: _service(obj).set_new_per_day(value, deck=deck))
    click.echo(f"new cards per day for {_scope(deck)}: {_describe(value)}")


@command.command("reviews-per-day", cls=NumberArgumentCommand)
@click.argument("count")
@click.option("--deck", help="Only this deck (and its sub-decks).")
@click.pass_obj
def reviews_per_day_cmd(obj: CliContext, count: str, deck: str | None) -> None:
    """How many reviews to do at most per study day (default 200)."""
    value = _count_or_default(count, "reviews-per-day")
    _warn_unknown_deck(obj, deck)
    _apply(lambda: _service(obj).set_reviews_per_day(value, deck=deck))
    click.echo(f"reviews per day for {_scope(deck)}: {_describe(value)}")


@command.command("day-start", cls=NumberArgumentCommand)
@click.argument("hour", type=click.IntRange(0, 23))
@click.pass_obj
def day_start_cmd(obj: CliContext, hour: int) -> None:
    """The local hour (0-23) at which a study day begins (default 4)."""
    _apply(lambda: _service(obj).set_day_start_hour(hour))
    click.echo(f"a study day now starts at {hour:02d}:00 local time")


def _describe(value: int | None) -> str:
    return "the default" if value is None else str(value)
