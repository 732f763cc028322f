"""``studytool backup``: copy the database to the backups folder, or list the backups."""

from __future__ import annotations

import sys

import click

from studytool.cli.context import CliContext


@click.command("backup")
@click.option("--list", "list_only", is_flag=True, help="List the backups instead of making one.")
@click.pass_obj
def command(obj: CliContext, list_only: bool) -> None:
    """Copy the database into the backups folder beside it (the newest 10 are kept).

    The copy is consistent even while `studytool review` or an import runs in another terminal.
    studytool also makes backups by itself before a schema migration and before an import that
    would retire more than a tenth of the cards. Restore one with `studytool restore FILE`.
    """
    from studytool.store.backup import BackupError, backup_database, list_backups

    path = obj.resolved_db_path()
    if list_only:
        backups = list_backups(path)
        if not backups:
            click.echo(f"No backups of {path} yet.")
        for backup in backups:
            stamp = backup.taken_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            click.echo(
                f"{stamp}  {backup.reason:<24} {backup.size / 1024:>9.0f} KiB  {backup.path}"
            )
        return
    try:
        target = backup_database(path, "manual")
    except BackupError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    click.echo(f"Backed up {path} to {target}")
