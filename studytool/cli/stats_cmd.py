"""``studytool stats``: review statistics drawn in the terminal, or as JSON.

The drawing functions here build Rich renderables from a
:class:`studytool.scheduling.statistics.StatsReport` (no database access) and are shared with
the TUI stats screen: a calendar heatmap of the last year, a bar chart of the next 30 days,
and tables. Deck names and topics are user text: they go into ``Text`` objects, never markup.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import click

from studytool.cli.context import CliContext

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text

    from studytool.scheduling.statistics import RetentionRow, StatsReport

HEAT_STYLES = ("grey30", "dark_green", "green4", "green3", "bright_green")
#: One glyph per heat level, so the calendar reads without colour too.
HEAT_GLYPHS = ("·", "░", "▒", "▓", "█")
WEEKDAY_LABELS = ("Mon", "", "Wed", "", "Fri", "", "Sun")
BAR_HEIGHT = 8
_EIGHTHS = " ▁▂▃▄▅▆▇█"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@click.command("stats")
@click.option("--deck", help="Only this deck and its sub-decks (e.g. AWS/Networking).")
@click.option(
    "--days",
    type=click.IntRange(1, 36500),
    default=30,
    show_default=True,
    help="Retention and scenario accuracy over this many days up to today.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@click.pass_obj
def command(obj: CliContext, deck: str | None, days: int, as_json: bool) -> None:
    """Show review statistics: a calendar of the last year's reviews, reviews due in the next
    30 days, retention (share of grades >= 3) by interval and by deck, cards by state, average
    ease, the study streak and scenario accuracy per topic.

    Study days start at the configured hour (default 4 a.m. local time). Grades given before
    a card was due (same-day repeats, studying ahead) are counted apart from the intervals.
    """
    from studytool.store.stats import collect_stats

    report = collect_stats(obj.repository(), deck=deck, period_days=days)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    console = Console()
    for renderable in stats_renderables(report, wide=console.width >= 112):
        console.print(renderable)


def stats_renderables(report: StatsReport, wide: bool = True) -> list[RenderableType]:
    """Everything ``studytool stats`` prints, in order."""
    from rich.columns import Columns

    return [
        summary_text(report),
        section_title("Reviews in the last year"),
        heatmap_text(report, wide=wide),
        section_title("Reviews due in the next 30 days"),
        due_chart_text(report),
        Columns([retention_table(report), deck_retention_table(report)], padding=(0, 4)),
        Columns([cards_table(report), scenario_table(report)], padding=(0, 4)),
    ]


def user_text(value: str) -> Text:
    """User text (deck, topic) for display: no markup, control characters shown as escapes."""
    from rich.text import Text

    return Text(_CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", value))


def section_title(title: str) -> Text:
    from rich.text import Text

    return Text("\n" + title, style="bold")


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f}%"


def summary_text(report: StatsReport) -> Text:
    """The headline numbers: scope, streak, reviews, retention, ease."""
    from rich.text import Text

    text = Text()
    text.append("Statistics", style="bold")
    text.append(" for deck ")
    deck = user_text(report.deck or "(all decks)")
    deck.stylize("cyan")
    text.append_text(deck)
    text.append(
        f"  ·  today {report.today.isoformat()} (days start at "
        f"{report.day_start_hour:02d}:00, {report.timezone})\n"
    )
    ease = "-" if report.average_ef is None else f"{report.average_ef:.2f}"
    text.append(f"Streak: {report.streak} days", style="bold")
    text.append(
        f"  ·  reviews: {report.total_reviews} in all, {report.reviews_last_year} in the last "
        f"year on {report.days_studied_last_year} days\n"
    )
    text.append(
        f"Retention: {_percent(report.overall_retention.retention)} in the last "
        f"{report.period_days} days  ·  average ease: {ease}"
    )
    return text


def month_row(labels: list[tuple[int, str]], length: int, width: int) -> str:
    """The month names above the heatmap's week columns (``width`` characters each).

    A name that would run into the previous one is left out, except that a month cut short at
    the left edge (a week or two of it) gives way to the next one, as on GitHub: otherwise a
    year starting in late November would show no "Dec".
    """
    placed: list[tuple[int, str]] = []
    for index, label in labels:
        position = index * width
        if position + len(label) > length:
            continue
        if placed and placed[-1][0] + len(placed[-1][1]) >= position:
            if len(placed) == 1 and placed[0][0] == 0:
                placed.pop()  # the cramped leading month yields
            else:
                continue
        placed.append((position, label))
    row = [" "] * length
    for position, label in placed:
        row[position : position + len(label)] = label
    return "".join(row)


def heatmap_text(
    report: StatsReport, wide: bool = True, weeks: int | None = None, label_room: int = 1
) -> Text:
    """A calendar of the last year: week columns, Monday on top, denser = more reviews.

    ``weeks`` keeps only that many of the most recent week columns: the oldest are dropped, so
    today's column always shows. ``label_room`` is how many characters a month name may run
    past the start of the column after the last one (a name that would run further is left out).
    """
    from rich.text import Text

    from studytool.scheduling.statistics import heatmap_columns, month_labels

    columns = heatmap_columns(report.reviews_per_day)
    if weeks is not None:
        columns = columns[max(0, len(columns) - weeks) :]
    width = 2 if wide else 1
    length = len(columns) * width + label_room
    text = Text("    " + month_row(month_labels(columns), length, width).rstrip() + "\n",
                style="dim")  # fmt: skip
    for weekday in range(7):
        text.append(f"{WEEKDAY_LABELS[weekday]:<4}", style="dim")
        for column in columns:
            heat = column[weekday]
            glyph = HEAT_GLYPHS[heat.level] if heat.day is not None else " "
            text.append(glyph.ljust(width), style=HEAT_STYLES[heat.level])
        text.append("\n")
    text.append("    less ", style="dim")
    for glyph, style in zip(HEAT_GLYPHS, HEAT_STYLES, strict=True):
        text.append(glyph, style=style)
    busiest = max((day.count for day in report.reviews_per_day), default=0)
    text.append(f" more (busiest day: {busiest} reviews)", style="dim")
    return text


def due_chart_text(report: StatsReport, height: int = BAR_HEIGHT) -> Text:
    """Vertical bars, one per day from today; day-of-month labels under every fifth bar."""
    from rich.text import Text

    counts = [day.count for day in report.due_per_day]
    peak = max(counts, default=0)
    label_width = max(4, len(str(peak)) + 1)
    text = Text()
    for row in range(height, 0, -1):
        label = str(peak) if row == height else ("0" if row == 1 and not peak else "")
        text.append(f"{label:>{label_width - 1}} ", style="dim")
        for count in counts:
            eighths = 0 if peak == 0 else round(count * height * 8 / peak)
            filled = max(0, min(8, eighths - (row - 1) * 8))
            text.append(_EIGHTHS[filled] + " ", style="cyan")
        text.append("\n")
    axis = [" "] * (len(counts) * 2)
    for index, day in enumerate(report.due_per_day):
        if index % 5 == 0:
            label = "today" if index == 0 else f"{day.day.day}"
            axis[index * 2 : index * 2 + len(label)] = label
    text.append(" " * label_width + "".join(axis[: len(counts) * 2]).rstrip(), style="dim")
    text.append(f"\n{' ' * label_width}{sum(counts)} reviews due in 30 days", style="dim")
    return text


def _retention_rows(table: Table, rows: tuple[RetentionRow, ...]) -> None:

    for row in rows:
        table.add_row(
            user_text(row.label), str(row.reviews), str(row.passed), _percent(row.retention)
        )


def retention_table(report: StatsReport) -> Table:
    """Retention by the interval a card had before each grade."""
    from rich.table import Table

    table = Table(
        title=f"Retention by interval (last {report.period_days} days)", title_justify="left"
    )
    for name in ("interval", "grades", ">= 3", "retention"):
        table.add_column(name, justify="left" if name == "interval" else "right")
    _retention_rows(table, report.retention_by_interval)
    return table


def deck_retention_table(report: StatsReport) -> Table:
    """Retention per deck."""
    from rich.table import Table

    table = Table(title=f"Retention by deck (last {report.period_days} days)", title_justify="left")
    for name in ("deck", "grades", ">= 3", "retention"):
        table.add_column(name, justify="left" if name == "deck" else "right", overflow="fold")
    _retention_rows(table, report.retention_by_deck)
    if not report.retention_by_deck:
        table.add_row("(no reviews yet)", "", "", "")
    return table


def cards_table(report: StatsReport) -> Table:
    """Cards by state, and the average ease of reviewed cards."""
    from rich.table import Table

    table = Table(title="Cards", title_justify="left")
    table.add_column("state")
    table.add_column("cards", justify="right")
    for state, count in report.cards_by_state.items():
        table.add_row(state, str(count))
    ease = "-" if report.average_ef is None else f"{report.average_ef:.2f}"
    table.add_row("average ease", ease, style="dim")
    return table


def scenario_table(report: StatsReport) -> Table:
    """Scenario answers per topic: answered, right, accuracy."""
    from rich.table import Table

    table = Table(title=f"Scenario accuracy (last {report.period_days} days)", title_justify="left")
    for name in ("topic", "answered", "right", "accuracy"):
        table.add_column(name, justify="left" if name == "topic" else "right", overflow="fold")
    for row in report.scenario_accuracy:
        table.add_row(
            user_text(row.topic), str(row.answered), str(row.correct), _percent(row.accuracy)
        )
    if not report.scenario_accuracy:
        table.add_row("(no scenario answers yet)", "", "", "")
    return table
