"""studytool: spaced-repetition study of highlighted Obsidian notes, in the terminal.

The package is layered in one direction: ``parsing``, ``cards``, ``scheduling`` and ``model``
are pure; ``store`` owns the database; ``scenarios`` builds questions from the model;
``export`` reads the store; ``tui`` and ``cli`` sit on top.
"""

from __future__ import annotations

__version__ = "0.1.0"
