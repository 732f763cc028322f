"""Shared terminal output for commands: a progress bar, warnings, and the first-run import."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from studytool.store.importer import Progress
    from studytool.store.records import ImportReport
    from studytool.store.repository import Repository

#: Imports smaller than this finish too fast for a progress bar to help.
PROGRESS_THRESHOLD = 50


@contextmanager
def import_progress(enabled: bool = True) -> Iterator[Progress]:
    """A Rich progress bar on stderr, fed as ``progress(description, done, total)``."""
    if not enabled:
        yield lambda _description, _done, _total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("Reading notes"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.description}", markup=False), console=console, transient=True,
    )  # fmt: skip
    task = None

    def update(description: str, done: int, total: int) -> None:
        nonlocal task
        if total < PROGRESS_THRESHOLD:
            return
        if task is None:
            bar.start()
            task = bar.add_task(description, total=total)
        bar.update(task, completed=done, description=description[-40:])

    try:
        yield update
    finally:
        if task is not None:
            bar.stop()


def print_warnings(report: ImportReport, limit: int | None = None) -> None:
    """Warnings and errors as ``file:line: what`` lines on stderr."""
    shown = report.warnings if limit is None else report.warnings[:limit]
    for line in report.errors:
        click.echo(f"error: {line}", err=True)
    for line in shown:
        click.echo(f"warning: {line}", err=True)
    hidden = len(report.warnings) - len(shown)
    if hidden > 0:
        click.echo(f"... and {hidden} more warnings (run `studytool import` to see all)", err=True)


def ensure_cards_or_import(repository: Repository) -> ImportReport | None:
    """Import the bundled notes into an empty database, saying so on stderr."""
    if repository.has_cards():
        return None
    click.echo("The database is empty: importing the bundled notes first.", err=True)
    with import_progress() as progress:
        report = repository.import_bundled_notes(progress)
    click.echo(
        f"Imported {report.cards_new} cards from {report.notes_read} bundled notes.", err=True
    )
    print_warnings(report, limit=5)
    return report
