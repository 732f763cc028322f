"""What every subcommand shares: the chosen database path and a lazily opened store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studytool.store.repository import Repository


@dataclass
class CliContext:
    """Carried in ``click.Context.obj``; opens the repository on first use."""

    db_path: Path | None = None
    _repository: Repository | None = field(default=None, repr=False)

    def resolved_db_path(self) -> Path:
        from studytool.locations import default_db_path

        return (self.db_path or default_db_path()).expanduser()

    def repository(self) -> Repository:
        """The store's service API for the chosen database (created on first call)."""
        if self._repository is None:
            import click

            from studytool.store.migrations import SchemaTooNewError
            from studytool.store.repository import Repository, UnreadableDatabaseError

            try:
                self._repository = Repository.open(self.resolved_db_path())
            except (UnreadableDatabaseError, SchemaTooNewError) as error:
                raise click.ClickException(str(error)) from error
        return self._repository
