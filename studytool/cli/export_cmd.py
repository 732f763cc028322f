"""``studytool export``: write cards (and generated scenario questions) to an Anki package."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from studytool.cli.context import CliContext
from studytool.cli.output import ensure_cards_or_import

if TYPE_CHECKING:
    from studytool.export.anki import ExportResult, Progress

#: Exports smaller than this finish too fast for a progress bar to help.
PROGRESS_THRESHOLD = 1000
#: Warnings printed before "... and N more".
WARNING_LIMIT = 30


#: --scenarios N asks every template for N questions: 1000 makes about 36,000 notes already
MAX_SCENARIOS_PER_TEMPLATE = 1000


@click.command("export")
@click.argument("out", required=False, type=click.Path(path_type=Path))
@click.option("--deck", help="Only this deck and its sub-decks (e.g. AWS/Networking).")
@click.option("--tag", help="Only cards with this tag or a sub-tag (e.g. aws, colour/orange).")
@click.option(
    "--with-scheduling",
    is_flag=True,
    help="Carry review state (interval, ease, due date) and the review log into Anki.",
)
@click.option(
    "--scenarios",
    type=click.IntRange(0, MAX_SCENARIOS_PER_TEMPLATE),
    default=0,
    metavar="N",
    help="Add N generated scenario questions per template as Basic notes (Scenarios::<topic>); "
    f"at most {MAX_SCENARIOS_PER_TEMPLATE}.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --scenarios.")
@click.pass_obj
def command(
    obj: CliContext, out: Path | None, deck: str | None, tag: str | None,
    with_scheduling: bool, scenarios: int, seed: int,
) -> None:  # fmt: skip
    """Export cards to an Anki package OUT (.apkg).

    Default OUT: decks/<deck>.apkg under the current folder (decks/studytool.apkg without
    --deck). Highlights become notes of the "studytool cloze" type (sibling highlights of one
    statement are c1, c2, ... of one note) in decks named like the note folders (AWS::Networking),
    with their tags (colour/orange as colour::orange) and embedded images. Re-exporting after
    editing notes updates the notes already in Anki instead of adding copies; the same cards
    always give the same package. Each question of a scenario block in your notes becomes a
    Basic note ("studytool scenario") with the rule model's answer and reasons, in the note's
    deck; these always arrive as new cards.

    Import the file in Anki with File > Import; tick "Import any learning progress" to keep
    the scheduling written by --with-scheduling. Warnings (e.g. a missing image) do not stop
    the export; the exit status is 0 when the package was written.
    """
    from studytool.export.anki import ExportOptions, NothingToExportError, export_package
    from studytool.export.names import package_file_name
    from studytool.export.scenarios import load_generator
    from studytool.locations import default_decks_dir

    generate = load_generator() if scenarios else None
    repository = obj.repository()
    ensure_cards_or_import(repository)
    target = out if out is not None else default_decks_dir() / package_file_name(deck)
    if target.is_dir():
        target = target / package_file_name(deck)
    options = ExportOptions(
        deck=deck, tag=tag, with_scheduling=with_scheduling, scenarios=scenarios, seed=seed
    )
    try:
        with export_progress(enabled=sys.stderr.isatty()) as progress:
            result = export_package(repository, target, options, progress, generate)
    except NothingToExportError as error:
        raise click.ClickException(_nothing_message(deck, tag)) from error
    except OSError as error:  # a read-only folder, a full disk, a path under /proc...
        raise click.ClickException(_write_failure(target, error)) from error
    _print_warnings(result.warnings)
    click.echo(_summary(result))


def _write_failure(target: Path, error: OSError) -> str:
    """Why the package could not be written, naming the path at fault when it is another."""
    reason = error.strerror or str(error)
    culprit = str(error.filename) if error.filename else ""
    if culprit and Path(culprit).name not in (target.name, target.name + ".partial"):
        return f"cannot write {target}: {reason} ({culprit})"
    return f"cannot write {target}: {reason}"


@contextmanager
def export_progress(enabled: bool = True) -> Iterator[Progress]:
    """A Rich progress bar on stderr for large exports, fed as ``progress(what, done, total)``."""
    if not enabled:
        yield lambda _description, _done, _total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
    from rich.progress import Progress as RichProgress

    bar = RichProgress(
        TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
        console=Console(stderr=True), transient=True,
    )  # fmt: skip
    tasks: dict[str, int] = {}

    def update(description: str, done: int, total: int) -> None:
        if total < PROGRESS_THRESHOLD:
            return
        if not tasks:
            bar.start()
        if description not in tasks:
            tasks[description] = bar.add_task(description, total=total)
        bar.update(tasks[description], completed=done)

    try:
        yield update
    finally:
        if tasks:
            bar.stop()


def _print_warnings(warnings: list[str]) -> None:
    for line in warnings[:WARNING_LIMIT]:
        click.echo(f"warning: {line}", err=True)
    hidden = len(warnings) - WARNING_LIMIT
    if hidden > 0:
        click.echo(f"... and {hidden} more warnings", err=True)


def _nothing_message(deck: str | None, tag: str | None) -> str:
    filters = [f"--deck {deck}" if deck else "", f"--tag {tag}" if tag else ""]
    chosen = " ".join(item for item in filters if item)
    if chosen:
        return f"no cards match {chosen}: nothing to export (see `studytool cards {chosen}`)"
    return "no active cards: nothing to export"


def _summary(result: ExportResult) -> str:
    parts = [
        f"{result.notes} notes",
        f"{result.cards} cards",
        f"{result.media_files} media files",
        f"{len(result.warnings)} warnings",
    ]
    if result.scenario_notes:
        parts.insert(1, f"{result.scenario_notes} of them scenario questions")
    if result.note_scenario_notes:
        index = 2 if result.scenario_notes else 1
        parts.insert(index, f"{result.note_scenario_notes} scenario questions from your notes")
    line = f"Wrote {result.path}: " + ", ".join(parts)
    if result.review_cards or result.revlog_entries:
        line += (
            f"; scheduling: {result.review_cards} cards with review state, "
            f"{result.revlog_entries} review log entries"
        )
    return line
