"""Domain objects produced by the parser: statements, highlights, embeds, warnings.

Pure data (no Markdown, database or UI imports). Offsets index ``Statement.text``; lines are
1-based lines of the original note file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """Something in a note that the user should hear about: ``note:line: message``."""

    note: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.note}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Highlight:
    """One highlighted span inside a statement's plain text."""

    start: int
    end: int
    line: int
    colour: str


@dataclass(frozen=True, slots=True)
class Statement:
    """A block of note text (bullet, paragraph, table cell, quote) holding highlights.

    ``text`` is plain text: Markdown and HTML markup removed, wikilinks shown by their display
    text. ``context`` is the heading path (outermost first) followed by the parent bullets.
    ``children`` are the plain texts of the statement's direct child bullets.
    """

    note: str
    line: int
    context: tuple[str, ...]
    text: str
    highlights: tuple[Highlight, ...]
    children: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Embed:
    """An embedded file (``![[name]]`` or ``![alt](path)``) and the line it is on."""

    target: str
    line: int


@dataclass(frozen=True, slots=True)
class ScenarioBlock:
    """The source of a fenced ```scenario block and the 1-based line of its first content line."""

    line: int
    source: str


@dataclass(slots=True)
class ParsedNote:
    """Everything the importer needs from one note."""

    path: str
    title: str
    frontmatter: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    deck: str | None = None
    statements: list[Statement] = field(default_factory=list)
    embeds: list[Embed] = field(default_factory=list)
    scenarios: list[ScenarioBlock] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    #: True when the parser gave up on the note (see ``parse_note``): nothing above is complete.
    skipped: bool = False
