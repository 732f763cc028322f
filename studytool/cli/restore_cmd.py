"""``studytool restore FILE``: replace the database with a backup, keeping a copy of it first."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from studytool.cli.context import CliContext


@click.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def command(obj: CliContext, backup_file: Path, yes: bool) -> None:
    """Restore the database from BACKUP_FILE (a path, or a file name in the backups folder).

    The file must be a sound studytool database (integrity check, known schema version). The
    current database is backed up first (reason "before-restore"), so a restore can be undone
    by restoring that copy. See `studytool backup --list`.
    """
    from studytool.locations import backups_dir
    from studytool.store.backup import BackupError, restore_database

    path = obj.resolved_db_path()
    if not backup_file.exists() and (backups_dir(path) / backup_file).exists():
        backup_file = backups_dir(path) / backup_file
    if not yes:
        click.confirm(f"Replace {path} with {backup_file}?", abort=True)
    try:
        result = restore_database(path, backup_file)
    except BackupError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    if result.safety_backup is not None:
        click.echo(f"Saved the replaced database as {result.safety_backup}")
    click.echo(
        f"Restored {path} from {result.restored_from} (schema version {result.schema_version})"
    )
