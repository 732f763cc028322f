"""``studytool import``: read notes into the card store and say what changed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from studytool.cli.context import CliContext
from studytool.cli.output import import_progress, print_warnings

if TYPE_CHECKING:
    from studytool.store.records import ImportReport


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", is_flag=True, help="No progress bar and no warnings, only the summary.")
@click.pass_obj
def command(obj: CliContext, paths: tuple[Path, ...], as_json: bool, quiet: bool) -> None:
    """Import highlighted statements from PATHS (vault folders, folders, or .md notes).

    Every ==highlight== and Highlightr <mark> becomes a cloze card with its context (headings
    and parent bullets). Re-importing is safe and quick: unchanged notes are skipped, edited
    highlights keep their card and review history, and a highlight that disappears retires its
    card (kept, out of reviews) until it comes back. The whole import is one transaction.

    Problems in notes are reported as `note:line: what` warnings and the import goes on. A
    note that cannot be used (binary, unreadable) is skipped, and so is a symlink: a link to a
    note in the vault (the note is imported once, from where it is) or to anything outside the
    vault (never read). Skipped notes are counted in the summary and looked at again next time.

    Exit status: 0 when notes were imported (even with warnings), when notes imported before
    were found gone, or when an Obsidian vault simply holds no note yet. 1 when nothing could
    be imported: every PATH missing, only notes that had to be skipped, or a folder outside
    any Obsidian vault with no .md note in it (each is also a warning).
    """
    repository = obj.repository()
    with import_progress(enabled=not quiet and sys.stderr.isatty()) as progress:
        report = repository.import_paths(list(paths), progress)
    if as_json:
        click.echo(json.dumps({**report.summary(), "warnings": report.warnings,
                               "errors": report.errors, "backup": report.backup},
                              indent=2))  # fmt: skip
    else:
        if not quiet:
            print_warnings(report)
        click.echo(_summary_line(report))
        if report.backup:
            click.echo(
                f"This import retired over a tenth of your cards, so the database was backed up "
                f"first: {report.backup} (studytool restore brings it back).",
                err=True,
            )
    if report.failed:
        sys.exit(1)


def _summary_line(report: ImportReport) -> str:
    parts = [
        f"{report.notes_read} notes read ({report.notes_changed} changed, "
        f"{report.notes_unchanged} unchanged"
        + (f", {report.notes_skipped} skipped" if report.notes_skipped else "")
        + (f", {report.notes_missing} gone" if report.notes_missing else "") + ")",
        f"cards: {report.cards_new} new, {report.cards_updated} updated, "
        f"{report.cards_unchanged} unchanged, {report.cards_retired} retired"
        + (f", {report.cards_restored} restored" if report.cards_restored else ""),
        f"{len(report.warnings)} warnings",
    ]  # fmt: skip
    if report.errors:
        parts.append(f"{len(report.errors)} errors")
    return "; ".join(parts)
