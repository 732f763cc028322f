"""Inline tokens of one block to plain text, with highlight spans, tags and embeds.

Plain text rules: emphasis, code and link markup dropped (their text kept); wikilinks shown by
their display text; embeds and images leave no text (each becomes an ``Embed`` with its target
as written, except web addresses such as ``https://``, which are not vault files); HTML tags
dropped (their text kept, ``<br>`` is a space); entities arrive decoded from markdown-it;
``$math$`` keeps its TeX source; runs of whitespace become one space, except that a line break
of the note is kept as one ``\n`` (it often separates facts; cards show it as a space).
``#tags`` keep their word without the ``#`` (so a sentence stays readable) except a run of tags
at the very end of the block, which is dropped (``... a fact. #todo`` reads ``... a fact.``).

Highlights: ``==`` pairs and ``<mark>`` tags may nest or mix; the outermost opening tag gives the
colour. An unclosed ``<mark>`` highlights the rest of its block, as a browser renders it, and
yields an ``unclosed <mark> tag`` warning; a stray ``</mark>`` is ignored. A highlight with no
letter or digit (``<mark></mark>``, one around an image or a dash) yields a warning instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote

from studytool.parsing.model import Embed, Highlight, ParseWarning

if TYPE_CHECKING:
    from markdown_it.token import Token

_URL_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_OPENERS = frozenset(("mark_open", "html_mark_open"))
_CLOSERS = frozenset(("mark_close", "html_mark_close"))
_DROPPED = frozenset(
    (
        "strong_open",
        "strong_close",
        "em_open",
        "em_close",
        "s_open",
        "s_close",
        "link_open",
        "link_close",
    )
)


@dataclass(slots=True)
class InlineText:
    """The plain text of a block and what was found in it."""

    text: str = ""
    highlights: list[Highlight] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    embeds: list[Embed] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)


@dataclass(slots=True)
class _Open:
    start: int
    line: int
    colour: str


class _Builder:
    """Accumulates plain text with collapsed whitespace and tracks highlight spans."""

    __slots__ = ("_depth", "_open", "_parts", "hl_spans", "length", "tag_spans", "trailing_space")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.length = 0
        self.trailing_space = True
        self.hl_spans: list[tuple[int, int, int, str]] = []
        self.tag_spans: list[tuple[int, int]] = []
        self._open: _Open | None = None
        self._depth = 0

    def emit(self, piece: str) -> None:
        if not piece:
            return
        core = " ".join(piece.split())
        if not core:
            if not self.trailing_space:
                self._append(" ")
            return
        if piece[0].isspace() and not self.trailing_space:
            core = " " + core
        if piece[-1].isspace():
            core += " "
        self._append(core)

    def _append(self, piece: str) -> None:
        self._parts.append(piece)
        self.length += len(piece)
        self.trailing_space = piece[-1] == " "

    def emit_break(self) -> None:
        """A line break: kept as one ``\n`` so that cards can tell the note's lines apart."""
        if self.trailing_space:
            return
        self._parts.append("\n")
        self.length += 1
        self.trailing_space = True

    def open_highlight(self, line: int, colour: str) -> None:
        if self._depth == 0:
            self._open = _Open(self.length, line, colour)
        self._depth += 1

    def close_highlight(self) -> None:
        if self._depth == 0:
            return
        self._depth -= 1
        if self._depth == 0 and self._open is not None:
            opened = self._open
            self.hl_spans.append((opened.start, self.length, opened.line, opened.colour))
            self._open = None

    def finish_open_highlight(self) -> int | None:
        """Close a highlight left open at the end of the block; return the line it opened on."""
        if self._depth == 0 or self._open is None:
            return None
        opened = self._open
        self.hl_spans.append((opened.start, self.length, opened.line, opened.colour))
        self._depth = 0
        self._open = None
        return opened.line

    def text(self) -> str:
        return "".join(self._parts)


class _LineCounter:
    """1-based note lines of inline tokens.

    Tokens from the Obsidian rules carry their source offset: their line is exact (newlines
    counted in the source up to it, moving a cursor). Other tokens (images) get the line of the
    last exact token plus the line breaks seen since.
    """

    __slots__ = ("_breaks", "_line", "_pos", "_src")

    def __init__(self, src: str, first_line: int, start: int) -> None:
        self._src = src
        self._pos = start
        self._line = first_line
        self._breaks = 0

    def line_at(self, pos: int) -> int:
        if pos > self._pos:
            self._line += self._src.count("\n", self._pos, pos)
        elif pos < self._pos:
            self._line -= self._src.count("\n", pos, self._pos)
        self._pos = pos
        self._breaks = 0
        return self._line

    @property
    def line(self) -> int:
        return self._line + self._breaks

    def advance_lines(self, count: int) -> None:
        self._breaks += count


def render_inline(
    children: Sequence[Token], src: str, first_line: int, note: str, start: int = 0
) -> InlineText:
    """Plain text, highlights, tags, embeds and warnings of one block's inline tokens.

    ``src`` is the inline source the tokens came from and ``first_line`` the 1-based note line of
    ``src[start]``.
    """
    builder = _Builder()
    lines = _LineCounter(src, first_line, start)
    result = InlineText()
    for token in children:
        kind = token.type
        if kind == "text":
            builder.emit(token.content)
        elif kind in _DROPPED:
            continue
        elif kind == "softbreak" or kind == "hardbreak":
            builder.emit_break()
            lines.advance_lines(1)
        elif kind in _OPENERS:
            line = lines.line_at(token.meta["pos"]) if "pos" in token.meta else lines.line
            builder.open_highlight(line, token.meta.get("colour", "yellow"))
        elif kind in _CLOSERS:
            builder.close_highlight()
        elif kind == "code_inline":
            builder.emit(token.content)
        elif kind == "wikilink":
            lines.line_at(token.meta["pos"])
            builder.emit(token.meta["display"])
        elif kind == "hashtag":
            lines.line_at(token.meta["pos"])
            start = builder.length
            builder.emit(token.meta["name"])
            builder.tag_spans.append((start, builder.length))
            result.tags.append(token.meta["name"])
        elif kind == "embed":
            line = lines.line_at(token.meta["pos"])
            if token.meta["target"]:
                result.embeds.append(Embed(token.meta["target"], line))
        elif kind == "image":
            _add_image_embed(token, lines.line, result)
        elif kind == "html_inline":
            if token.content[:3].lower() == "<br":
                builder.emit(" ")
            lines.advance_lines(token.content.count("\n"))
        elif kind.startswith("math_inline"):
            builder.emit(token.content)
            lines.advance_lines(token.content.count("\n"))
        else:
            builder.emit(token.content)
    unclosed_line = builder.finish_open_highlight()
    if unclosed_line is not None:
        result.warnings.append(ParseWarning(note, unclosed_line, "unclosed <mark> tag"))
    _finish(builder, result, note)
    return result


def _add_image_embed(token: Token, line: int, result: InlineText) -> None:
    source = token.attrs.get("src", "")
    if not isinstance(source, str) or not source or _URL_SCHEME_RE.match(source):
        return
    result.embeds.append(Embed(unquote(source), line))


def _finish(builder: _Builder, result: InlineText, note: str) -> None:
    text = builder.text().rstrip()
    text = _drop_trailing_tags(text, builder.tag_spans, builder.hl_spans)
    result.text = text
    for start, end, line, colour in builder.hl_spans:
        start, end = _trim_span(text, min(start, len(text)), min(end, len(text)))
        if not any(ch.isalnum() for ch in text[start:end]):
            result.warnings.append(ParseWarning(note, line, "highlight has no words, no card"))
            continue
        result.highlights.append(Highlight(start, end, line, colour))


def _drop_trailing_tags(
    text: str, tag_spans: list[tuple[int, int]], hl_spans: list[tuple[int, int, int, str]]
) -> str:
    if not tag_spans:
        return text
    highlight_end = max((end for _, end, _, _ in hl_spans), default=0)
    for start, end in reversed(tag_spans):
        if end != len(text) or start < highlight_end:
            break
        kept = text[:start].rstrip()
        if not kept:
            break
        text = kept
    return text


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
