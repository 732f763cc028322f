"""Obsidian Markdown notes to statements with highlights (pure: no database, no UI).

Public API: :func:`decode_note_bytes` (file bytes to text, or a reason to skip), and
:func:`parse_note` (text to :class:`ParsedNote`), plus the model dataclasses.
"""

from __future__ import annotations

from studytool.parsing.decode import decode_note_bytes
from studytool.parsing.model import (
    Embed,
    Highlight,
    ParsedNote,
    ParseWarning,
    ScenarioBlock,
    Statement,
)
from studytool.parsing.statements import parse_note

__all__ = [
    "Embed",
    "Highlight",
    "ParseWarning",
    "ParsedNote",
    "ScenarioBlock",
    "Statement",
    "decode_note_bytes",
    "parse_note",
]
