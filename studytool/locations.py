"""Every filesystem location studytool uses, in one place.

The database lives in the platformdirs user data directory unless ``--db`` or the
``STUDYTOOL_DB`` environment variable says otherwise; it is never written into a vault.
Backups go to ``backups/`` beside the default database. The bundled notes are found both in
a source checkout (``<repo>/notes``) and in an installed wheel (``studytool/_bundled_notes``).
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "studytool"
DB_ENV_VAR = "STUDYTOOL_DB"
DB_FILENAME = "studytool.db"


def data_dir() -> Path:
    """The per-user data directory (created on demand by callers that write)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def screenshots_dir() -> Path:
    """Where the review app saves screenshots (created when the first one is saved)."""
    return data_dir() / "screenshots"


def default_db_path() -> Path:
    """``STUDYTOOL_DB`` when set, else ``studytool.db`` in the user data directory."""
    override = os.environ.get(DB_ENV_VAR)
    if override:
        return Path(override).expanduser()
    return data_dir() / DB_FILENAME


def backups_dir(db_path: Path) -> Path:
    """Where automatic and manual backups of ``db_path`` are kept."""
    return db_path.expanduser().resolve().parent / "backups"


def bundled_notes_dir() -> Path:
    """The notes shipped with studytool: the default content on a fresh machine."""
    package_dir = Path(__file__).resolve().parent
    installed = package_dir / "_bundled_notes"
    if installed.is_dir():
        return installed
    return package_dir.parent / "notes"


def project_root() -> Path:
    """The current working directory, where ``decks/`` exports go by default."""
    return Path.cwd()


def default_decks_dir() -> Path:
    """``decks/`` under the current directory: the default place for ``.apkg`` exports."""
    return project_root() / "decks"
