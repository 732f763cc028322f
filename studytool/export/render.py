"""Note text as safe HTML for Anki fields (pure).

Note text is data, never markup: every character a user wrote is HTML-escaped, and only a small
Markdown subset is turned into HTML by markdown-it-py with raw HTML switched off: ``**bold**``,
``*italic*``, `` `code` ``, ``[links](https://...)`` and ``<https://...>`` autolinks. Links
are kept only for ``http``/``https`` URLs (``javascript:``, ``data:``, ``obsidian:``... stay
plain text). Braces are written as character references so that text can never open an Anki
cloze (``{{c1::``) or a template field, and inside a cloze every ``:`` is ``&#58;`` so that a
``::`` in the answer (``::/0``) is not read as Anki's hint separator.

Cloze deletions are placed before rendering, as private-use sentinel characters around each
hidden span, and become ``{{cN::...}}`` after it, so Markdown around and inside the hidden part
renders the same as elsewhere. Private-use characters in the user's text are replaced by
U+FFFD first so they cannot pose as sentinels.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import PurePosixPath
from typing import NamedTuple
from urllib.parse import quote

from markdown_it import MarkdownIt

#: Characters that may start Markdown (or an entity) the renderer understands.
_MARKDOWN_TRIGGERS = frozenset("*_`[<\\&")
_CLOSE = "\ue000"
_OPEN_BASE = 0xE100
_MAX_CLOZE = 0x7FF
_PRIVATE_USE = re.compile("[\ue000-\ue8ff]")
_CLOZE_SEGMENT = re.compile("([\ue101-\ue8ff])(.*?)\ue000", re.DOTALL)
_SAFE_SCHEMES = ("http://", "https://")
#: Characters plain text cannot keep as they are in HTML (or in an Anki field).
_ESCAPED = frozenset("&<>{}\n")


class ClozeSpan(NamedTuple):
    """The part ``text[start:end]`` hidden as cloze number ``number`` (1-based)."""

    start: int
    end: int
    number: int


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(["emphasis", "backticks", "link", "autolink", "escape", "entity"])
    md.validateLink = _is_safe_link  # type: ignore[method-assign]
    return md


def _is_safe_link(url: str) -> bool:
    return url.strip().lower().startswith(_SAFE_SCHEMES)


def escape_braces(markup: str) -> str:
    """``{`` and ``}`` as character references (they mean nothing else in HTML)."""
    return markup.replace("{", "&#123;").replace("}", "&#125;")


def escape_text(text: str) -> str:
    """Plain text as HTML: escaped, braces neutralised, line breaks as ``<br>``."""
    return _plain(_PRIVATE_USE.sub("\ufffd", text))


def render_inline(text: str) -> str:
    """A piece of note text as safe HTML with the Markdown subset rendered."""
    cleaned = _PRIVATE_USE.sub("\ufffd", text)
    return _render(cleaned)


def _render(text: str) -> str:
    if _MARKDOWN_TRIGGERS.isdisjoint(text):
        return _plain(text)
    rendered = _markdown().renderInline(text)
    return escape_braces(rendered).replace("\n", "<br>")


def render_cloze(text: str, spans: Sequence[ClozeSpan]) -> str:
    """``text`` as HTML with each span wrapped as ``{{cN::...}}``.

    Spans must lie inside ``text``, be non-empty and must not overlap (the caller splits
    overlapping highlights into separate notes).
    """
    ordered = spans if len(spans) == 1 else sorted(spans, key=lambda span: span.start)
    _check_spans(text, ordered)
    if _MARKDOWN_TRIGGERS.isdisjoint(text) and not _PRIVATE_USE.search(text):
        return _plain_cloze(text, ordered)
    cleaned = _PRIVATE_USE.sub("\ufffd", text)
    pieces: list[str] = []
    position = 0
    for span in ordered:
        pieces.extend(
            (cleaned[position : span.start], chr(_OPEN_BASE + span.number),
             cleaned[span.start : span.end], _CLOSE)
        )  # fmt: skip
        position = span.end
    pieces.append(cleaned[position:])
    rendered = _render("".join(pieces))
    if rendered.count(_CLOSE) != len(ordered):
        # Markdown swallowed a sentinel (a span boundary inside a link URL): render plainly.
        rendered = escape_braces(html.escape("".join(pieces), quote=False)).replace("\n", "<br>")
    return _CLOZE_SEGMENT.sub(_cloze_markup, rendered)


def _plain_cloze(text: str, ordered: Sequence[ClozeSpan]) -> str:
    """:func:`render_cloze` for text without Markdown: the same output, without markdown-it."""
    pieces: list[str] = []
    position = 0
    for span in ordered:
        hidden = _plain(text[span.start : span.end])
        if ":" in hidden:
            hidden = hidden.replace(":", "&#58;")
        pieces.append(f"{_plain(text[position : span.start])}{{{{c{span.number}::{hidden}}}}}")
        position = span.end
    pieces.append(_plain(text[position:]))
    return "".join(pieces)


def _plain(text: str) -> str:
    if _ESCAPED.isdisjoint(text):
        return text
    return escape_braces(html.escape(text, quote=False)).replace("\n", "<br>")


def _check_spans(text: str, ordered: Sequence[ClozeSpan]) -> None:
    previous_end = 0
    for span in ordered:
        if not 0 <= span.start < span.end <= len(text):
            raise ValueError(f"cloze span {span.start}..{span.end} outside a text of {len(text)}")
        if span.start < previous_end:
            raise ValueError(f"cloze spans overlap at {span.start}")
        if not 1 <= span.number <= _MAX_CLOZE:
            raise ValueError(f"cloze number {span.number} out of range")
        previous_end = span.end


def _cloze_markup(match: re.Match[str]) -> str:
    number = ord(match.group(1)) - _OPEN_BASE
    inner = match.group(2).replace(":", "&#58;")
    return f"{{{{c{number}::{inner}}}}}"


@lru_cache(maxsize=4096)
def render_context(context: tuple[str, ...]) -> str:
    """The heading path and parent bullets, one ``<div>`` per level, outermost first."""
    lines = []
    for depth, item in enumerate(context):
        if item.strip():
            lines.append(f'<div class="st-ctx st-d{min(depth, 5)}">{render_inline(item)}</div>')
    return "".join(lines)


def obsidian_link(vault: str, note: str) -> str:
    """``obsidian://open?vault=<vault folder name>&file=<note path without .md>``."""
    vault_name = PurePosixPath(vault.replace("\\", "/")).name
    file = note[:-3] if note.lower().endswith(".md") else note
    return f"obsidian://open?vault={quote(vault_name, safe='')}&file={quote(file, safe='')}"


def render_source(note: str, line: int, vault: str | None) -> str:
    """``note.md:12`` as a link that opens the note in Obsidian (plain text without a vault)."""
    label = escape_text(f"{note}:{line}")
    if not vault:
        return f'<span class="st-source-path">{label}</span>'
    return f'<a class="st-source-link" href="{_source_href(vault, note)}">{label}</a>'


@lru_cache(maxsize=4096)
def _source_href(vault: str, note: str) -> str:
    return escape_braces(html.escape(obsidian_link(vault, note), quote=True))


def image_tag(file_name: str, width: int | None = None) -> str:
    """An ``<img>`` for a media file in the package (the name is an attribute, escaped)."""
    source = escape_braces(html.escape(file_name, quote=True))
    size = f' width="{width}"' if width else ""
    return f'<img src="{source}"{size}>'
