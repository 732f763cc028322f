"""The ``studytool`` command group: global options and lazy loading of subcommands.

Each subcommand lives in its own module under ``studytool.cli`` and exposes ``command``.
Modules are imported only when their command runs (or when help lists them), so that
``studytool --help`` and quick commands do not pay for Textual, SQLAlchemy or genanki.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from studytool import __version__
from studytool.cli.context import CliContext
from studytool.startup import hold_collection

#: command name -> (module, one-line help shown by ``studytool --help`` without importing it)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "import": ("studytool.cli.import_cmd", "Import highlighted statements from notes as cards."),
    "cards": ("studytool.cli.cards_cmd", "List cards as a table or as JSON."),
    "review": ("studytool.cli.review_cmd", "Review due cards in the terminal app."),
    "quiz": ("studytool.cli.quiz_cmd", "Answer generated scenario questions only."),
    "check": ("studytool.cli.check_cmd", "Answer scenario files' questions with the rule model."),
    "scenarios": ("studytool.cli.scenarios_cmd", "Print generated scenario questions."),
    "config": ("studytool.cli.config_cmd", "Show or change scheduler, limits and day start."),
    "export": ("studytool.cli.export_cmd", "Export cards to an Anki package (.apkg)."),
    "stats": ("studytool.cli.stats_cmd", "Show review statistics."),
    "doctor": ("studytool.cli.doctor_cmd", "Check the database's health and fix what is safe."),
    "backup": ("studytool.cli.backup_cmd", "Copy the database to the backups folder."),
    "restore": ("studytool.cli.restore_cmd", "Restore the database from a backup file."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in SUBCOMMANDS if _module_exists(SUBCOMMANDS[name][0])]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = SUBCOMMANDS.get(cmd_name)
        if entry is None or not _module_exists(entry[0]):
            return None
        module = importlib.import_module(entry[0])
        return module.command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.ClickException:
            raise  # already a message for a person
        except Exception as error:
            message = storage_failure_message(error, ctx.obj)
            if message is None:
                raise
            raise click.ClickException(message) from error

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUBCOMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


#: SQLite's result codes (``sqlite_errorname``) that mean the file is damaged, or the disk failed
DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
DISK_FAILED = ("SQLITE_IOERR", "SQLITE_FULL")


def storage_failure_message(error: BaseException, obj: object) -> str | None:
    """What to tell a person whose command stopped on a damaged database file or a failing
    disk (SQLite's error, perhaps wrapped by SQLAlchemy); None for any other error."""
    import sqlite3

    found: BaseException | None = error
    while found is not None and not isinstance(found, sqlite3.DatabaseError):
        found = found.__cause__ or found.__context__
    name = getattr(found, "sqlite_errorname", "")
    if not name.startswith(DAMAGED + DISK_FAILED):
        return None
    where = obj.resolved_db_path() if isinstance(obj, CliContext) else Path("the database")
    if name.startswith(DISK_FAILED):
        return f"{where}: the disk failed while reading or writing the database ({found}); free " \
            "some space or check the disk, then try again"  # fmt: skip
    from studytool.locations import backups_dir

    return (
        f"{where} is damaged ({found}). `studytool doctor` shows what is wrong; "
        f"`studytool backup --list` lists the backups in {backups_dir(where)}, and "
        "`studytool restore FILE` brings one back."
    )


def _module_exists(module_name: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module_name) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Database file. Default: $STUDYTOOL_DB, else studytool.db in the user data directory.",
)
@click.version_option(__version__, prog_name="studytool")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None) -> None:
    """studytool: study the highlighted statements of your Obsidian notes.

    Highlights (==text== or Highlightr <mark> tags) become cloze cards, scheduled with SM-2
    and reviewed in a terminal app. Scenario questions about AWS networking are answered by
    an embedded rule model. Decks export to Anki.

    \b
    Start here:
      studytool review               study (imports the bundled notes on first run)
      studytool import ~/vault       import your own notes
      studytool check my.yaml        answer a scenario file's questions
      studytool export --help        send your cards to Anki
    """
    ctx.obj = CliContext(db_path=db_path)


def main() -> None:
    """Console-script entry point (the collector runs rarely during start-up: ``startup``)."""
    hold_collection()
    cli(prog_name="studytool")
