"""``studytool doctor``: check the database's health, explain each problem, fix what is safe."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from studytool.cli.context import CliContext

if TYPE_CHECKING:
    from studytool.store.health import Finding, HealthReport

_MARKS = {"error": "error", "warning": "warning"}


@click.command("doctor")
@click.option("--fix", is_flag=True, help="Fix what is safe to fix (a backup is made first).")
@click.pass_obj
def command(obj: CliContext, fix: bool) -> None:
    """Check the database: SQLite integrity and foreign keys, the schema version, cards whose
    note is gone, review states without a card, cards without a state, review history without
    a card, and cards whose state disagrees with their last logged grade.

    Each problem is printed with how to fix it. With --fix, studytool backs the database up and
    fixes what is safe (it never deletes a reviewed card or any review history). Exit status 1
    when a problem was found (with --fix: when one remains).
    """
    from studytool.store.health import check_database, repair_database

    path = obj.resolved_db_path()
    report = repair_database(path) if fix else check_database(path)
    print_report(report, fixing=fix)
    if not report.ok:
        sys.exit(1)


def print_report(report: HealthReport, fixing: bool) -> None:
    """The findings (and repairs) as plain lines: user text is never read as markup."""
    version = "-" if report.schema_version is None else str(report.schema_version)
    click.echo(
        f"Database: {report.path} (schema version {version}, {report.cards} cards, "
        f"{report.reviews} reviews)"
    )
    if report.backup is not None:
        click.echo(f"Backup before fixing: {report.backup}")
    for line in report.fixed:
        click.echo(f"fixed: {line}")
    for finding in report.findings:
        _print_finding(finding)
    if report.ok:
        click.echo("No problems found." if not report.fixed else "No problems remain.")
        return
    fixable = len(report.fixable)
    remaining = len(report.findings)
    if fixing:
        click.echo(f"{remaining} problems remain; see the advice above.")
    elif fixable:
        click.echo(
            f"{remaining} problems found; `studytool doctor --fix` can fix {fixable} of them."
        )
    else:
        click.echo(f"{remaining} problems found; see the advice above.")


def _print_finding(finding: Finding) -> None:
    click.echo(f"{_MARKS.get(finding.severity, finding.severity)} [{finding.check}]: "
               f"{finding.summary}")  # fmt: skip
    for detail in finding.details:
        click.echo(f"    {detail}")
    if finding.count > len(finding.details) and finding.details:
        click.echo(f"    ... and {finding.count - len(finding.details)} more")
    click.echo(f"  how to fix: {finding.advice}")
