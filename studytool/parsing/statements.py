"""One note's text to a :class:`ParsedNote`: statements, tags, deck, embeds, scenario blocks.

One markdown-it pass; the block tokens are walked once with a stack of open list items and
blockquotes. What is a statement (a block holding at least one highlight):

- a list item's own text (its first paragraph; its child bullets are separate statements and
  are listed in ``Statement.children``); later paragraphs of the item are statements too;
- a paragraph; a heading (context: the headings above it);
- a table cell; its context ends with the row's first cell when that is a short label (six
  words at most) and the cell is in another column, then the cell's column header;
- a blockquote paragraph. An Obsidian callout's first line (``> [!tip] Title``, ``[!fail]-``)
  is its title, which becomes context for everything inside the callout (``Tip`` when the title
  is empty); a highlighted title is also a statement;
- an HTML block (``<div>...``) that contains ``<mark``, read as one paragraph.

Context is the heading path (outermost first, plain text, emoji kept) then the texts of the
parent list items and callout titles. A statement's ``line`` is its block's first line;
each highlight carries its own line. Fenced code, indented code and ``$$`` math blocks are
never statements; fenced ``scenario`` blocks go to ``ParsedNote.scenarios``. A highlight in an
indented code block (a top-level line indented by a tab, which CommonMark and Obsidian read as
code) gets a warning, as that is rarely what the user meant.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from studytool.parsing.frontmatter import read_frontmatter
from studytool.parsing.inline_text import InlineText, render_inline
from studytool.parsing.markdown import markdown_parser
from studytool.parsing.model import ParsedNote, ParseWarning, ScenarioBlock, Statement

if TYPE_CHECKING:
    from markdown_it.token import Token

SCENARIO_INFO = "scenario"
_NEEDS_RENDER_RE = re.compile(r"==|<[mM]|#|\[\[|!\[")
_HIGHLIGHT_IN_CODE_RE = re.compile(r"<mark[\s>]|==[^\s=][^\n]*?[^\s=]==|==[^\s=]==", re.IGNORECASE)
_CALLOUT_RE = re.compile(r"\[!([^\]\s]+)\][+-]?[ \t]*")
_BREAKS = frozenset(("softbreak", "hardbreak"))
_EMPTY = InlineText()
_ROW_LABEL_CHARS = 60
_ROW_LABEL_WORDS = 6


@dataclass(slots=True)
class _Block:
    """The inline content of one block, rendered to plain text on first need."""

    token: Token
    first_line: int
    rendered: InlineText | None = None

    def text(self, note: str) -> str:
        if self.rendered is None:
            children = self.token.children or []
            self.rendered = render_inline(children, self.token.content, self.first_line, note)
        return self.rendered.text


@dataclass(slots=True)
class _Item:
    """An open list item."""

    level: int
    expect_text: bool = True
    block: _Block | None = None
    context: tuple[str, ...] = ()
    seq: int = 0
    is_statement: bool = False
    children: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Quote:
    """An open blockquote (``title`` set when it is a callout)."""

    level: int
    expect_text: bool = True
    title: str | None = None


def parse_note(text: str, path: str) -> ParsedNote:
    """Parse one note (``path`` is its vault-relative posix path). Never raises."""
    title = PurePosixPath(path).stem
    try:
        return _NoteWalker(text, path, title).walk()
    except Exception as error:  # last line of defence: one bad note must not stop an import
        note = ParsedNote(path=path, title=title, skipped=True)
        message = f"internal parser error, note skipped: {error!r}"
        note.warnings.append(ParseWarning(path, 1, message))
        return note


class _NoteWalker:
    """Walks the block tokens of one note and collects what :class:`ParsedNote` holds."""

    def __init__(self, text: str, path: str, title: str) -> None:
        self.text = text
        self.path = path
        self.note = ParsedNote(path=path, title=title)
        self.tags: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self.containers: list[_Item | _Quote] = []
        self.statements: list[tuple[int, Statement]] = []
        self.seq = 0
        self.header_cells: list[str] = []
        self.column = 0
        self.row_label = ""
        self.block_kind = ""
        self.heading_level = 1
        self.handlers: dict[str, Callable[[Token], None]] = {
            "inline": self._inline,
            "paragraph_open": self._on_paragraph_open,
            "heading_open": self._on_heading_open,
            "list_item_open": self._open_item,
            "list_item_close": self._close_item,
            "blockquote_open": self._on_blockquote_open,
            "blockquote_close": self._on_blockquote_close,
            "tr_open": self._on_row_open,
            "thead_open": self._on_thead_open,
            "th_open": self._on_header_cell_open,
            "td_open": self._on_cell_open,
            "fence": self._fence,
            "html_block": self._html_block,
            "code_block": self._indented_code,
            "front_matter": self._front_matter,
        }

    def walk(self) -> ParsedNote:
        tokens = markdown_parser().parse(self.text, {})
        for token in tokens:
            self._token(token)
        self.statements.sort(key=lambda entry: entry[0])
        self.note.statements = [statement for _, statement in self.statements]
        self.note.tags = tuple(_unique(self.tags))
        return self.note

    # -- dispatch -------------------------------------------------------------------------

    def _token(self, token: Token) -> None:
        if token.nesting >= 0 and self.containers:
            self._note_container_child(token)
        handler = self.handlers.get(token.type)
        if handler is not None:
            handler(token)

    def _on_paragraph_open(self, token: Token) -> None:
        if self.block_kind not in ("item_text", "quote_first"):
            self.block_kind = "paragraph"

    def _on_heading_open(self, token: Token) -> None:
        self.block_kind = "heading" if not self.containers else "paragraph"
        self.heading_level = int(token.tag[1:]) if token.tag[1:].isdigit() else 6

    def _on_blockquote_open(self, token: Token) -> None:
        self.containers.append(_Quote(level=token.level))

    def _on_blockquote_close(self, token: Token) -> None:
        if self.containers and isinstance(self.containers[-1], _Quote):
            self.containers.pop()

    def _on_row_open(self, token: Token) -> None:
        self.column = 0

    def _on_thead_open(self, token: Token) -> None:
        self.header_cells = []

    def _on_header_cell_open(self, token: Token) -> None:
        self.block_kind = "header_cell"
        self.column += 1

    def _on_cell_open(self, token: Token) -> None:
        self.block_kind = "cell"
        self.column += 1

    def _note_container_child(self, token: Token) -> None:
        top = self.containers[-1]
        if not top.expect_text or token.level != top.level + 1:
            return
        top.expect_text = False
        if token.type == "paragraph_open":
            self.block_kind = "item_text" if isinstance(top, _Item) else "quote_first"

    # -- blocks ---------------------------------------------------------------------------

    def _inline(self, token: Token) -> None:
        kind, self.block_kind = self.block_kind, ""
        first_line = token.map[0] + 1 if token.map else 1
        block = _Block(token, first_line)
        if kind == "heading":
            self._heading(block)
        elif kind == "item_text":
            self._item_text(block)
        elif kind == "quote_first":
            self._quote_first(block)
        elif kind == "header_cell":
            self._header_cell(block)
        elif kind == "cell":
            self._cell(block)
        else:
            self._paragraph(block, self._context(), first_line)

    def _heading(self, block: _Block) -> None:
        rendered = self._scan(block, force=True)
        level = self.heading_level
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self._add_statement(self._context(), block.first_line, rendered)
        self.headings.append((level, rendered.text.replace("\n", " ")))

    def _paragraph(self, block: _Block, context: tuple[str, ...], line: int) -> None:
        rendered = self._scan(block)
        self._add_statement(context, line, rendered)

    def _open_item(self, token: Token) -> None:
        self.containers.append(_Item(level=token.level))

    def _item_text(self, block: _Block) -> None:
        item = self.containers[-1]
        assert isinstance(item, _Item)
        item.block = block
        rendered = self._scan(block)
        item.seq = self._next_seq()
        if rendered.highlights:
            item.is_statement = True
            item.context = self._context(skip_last=True)

    def _close_item(self, token: Token) -> None:
        if not self.containers or not isinstance(self.containers[-1], _Item):
            return
        item = self.containers.pop()
        block = item.block
        if block is None:
            return
        if item.is_statement and block.rendered is not None:
            self._add_statement(
                item.context, block.first_line, block.rendered, item.children, seq=item.seq
            )
        parent = self._parent_item()
        if parent is not None and parent.is_statement:
            text = block.text(self.path)
            if text:
                parent.children.append(text.replace("\n", " "))

    def _parent_item(self) -> _Item | None:
        for container in reversed(self.containers):
            if isinstance(container, _Item):
                return container
        return None

    def _quote_first(self, block: _Block) -> None:
        quote = self.containers[-1]
        assert isinstance(quote, _Quote)
        callout = _CALLOUT_RE.match(block.token.content)
        if callout is None:
            self._paragraph(block, self._context(), block.first_line)
            return
        children = block.token.children or []
        split = next((i for i, child in enumerate(children) if child.type in _BREAKS), None)
        title_tokens = children if split is None else children[:split]
        title = self._scan_tokens(title_tokens, block.token.content, 0, block.first_line)
        marker = _CALLOUT_RE.match(title.text)
        title = _without_prefix(title, marker.end() if marker else 0)
        if title.highlights:
            self._add_statement(self._context(skip_last=True), block.first_line, title)
        quote.title = title.text.replace("\n", " ") or callout.group(1).capitalize()
        if split is None:
            return
        body_start = block.token.content.find("\n") + 1
        body = self._scan_tokens(
            children[split + 1 :], block.token.content, body_start, block.first_line + 1
        )
        self._add_statement(self._context(), block.first_line + 1, body)

    def _header_cell(self, block: _Block) -> None:
        rendered = self._scan(block, force=True)
        self.header_cells.append(rendered.text.replace("\n", " "))
        self._add_statement(self._context(), block.first_line, rendered)

    def _cell(self, block: _Block) -> None:
        rendered = self._scan(block)
        if self.column == 1:
            text = block.text(self.path).replace("\n", " ")
            short = len(text) <= _ROW_LABEL_CHARS and len(text.split()) <= _ROW_LABEL_WORDS
            self.row_label = text if short else ""
        if not rendered.highlights:
            return
        context = self._context()
        if self.column > 1 and self.row_label:
            context = (*context, self.row_label)
        index = self.column - 1
        if 0 <= index < len(self.header_cells) and self.header_cells[index]:
            context = (*context, self.header_cells[index])
        self._add_statement(context, block.first_line, rendered)

    def _fence(self, token: Token) -> None:
        info = token.info.strip().split(maxsplit=1)
        if info and info[0].lower() == SCENARIO_INFO and token.map:
            self.note.scenarios.append(ScenarioBlock(token.map[0] + 2, token.content))

    def _indented_code(self, token: Token) -> None:
        """Warn about a highlight that indentation turned into code (4 spaces or a tab)."""
        if not token.map:
            return
        message = "highlight in an indented code block (4 spaces or a tab), no card"
        for offset, line in enumerate(token.content.split("\n")):
            if _HIGHLIGHT_IN_CODE_RE.search(line):
                self.note.warnings.append(
                    ParseWarning(self.path, token.map[0] + 1 + offset, message)
                )

    def _html_block(self, token: Token) -> None:
        content = token.content
        if "<mark" not in content.lower() or content.lstrip().startswith("<!--"):
            return
        parsed = markdown_parser().parseInline(content, {})
        if not parsed or not token.map:
            return
        block = _Block(parsed[0], token.map[0] + 1)
        self._paragraph(block, self._context(), block.first_line)

    def _front_matter(self, token: Token) -> None:
        first_line = token.map[0] + 2 if token.map else 2
        frontmatter = read_frontmatter(token.content, first_line, self.path)
        self.note.frontmatter = frontmatter.data
        self.note.deck = frontmatter.deck
        self.note.warnings.extend(frontmatter.warnings)
        self.tags[:0] = frontmatter.tags

    # -- helpers --------------------------------------------------------------------------

    def _scan(self, block: _Block, force: bool = False) -> InlineText:
        """Render a block if it may hold highlights, tags or embeds (or when forced)."""
        if not force and not _NEEDS_RENDER_RE.search(block.token.content):
            return _EMPTY
        block.text(self.path)
        assert block.rendered is not None
        self._collect(block.rendered)
        return block.rendered

    def _scan_tokens(
        self, children: Sequence[Token], src: str, start: int, first_line: int
    ) -> InlineText:
        rendered = render_inline(children, src, first_line, self.path, start)
        self._collect(rendered)
        return rendered

    def _collect(self, rendered: InlineText) -> None:
        self.tags.extend(rendered.tags)
        self.note.embeds.extend(rendered.embeds)
        self.note.warnings.extend(rendered.warnings)

    def _context(self, skip_last: bool = False) -> tuple[str, ...]:
        context = [text for _, text in self.headings if text]
        containers = self.containers[:-1] if skip_last else self.containers
        for container in containers:
            if isinstance(container, _Item):
                text = container.block.text(self.path) if container.block else ""
            else:
                text = container.title or ""
            if text:
                context.append(text.replace("\n", " "))
        return tuple(context)

    def _add_statement(
        self,
        context: tuple[str, ...],
        line: int,
        rendered: InlineText,
        children: Iterable[str] = (),
        seq: int | None = None,
    ) -> None:
        if not rendered.highlights:
            return
        statement = Statement(
            note=self.path,
            line=line,
            context=context,
            text=rendered.text,
            highlights=tuple(rendered.highlights),
            children=tuple(children),
            tags=tuple(_unique(rendered.tags)),
        )
        self.statements.append((self._next_seq() if seq is None else seq, statement))

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq


def _without_prefix(rendered: InlineText, cut: int) -> InlineText:
    """``rendered`` minus its first ``cut`` characters (highlights shifted, trimmed)."""
    if cut <= 0:
        return rendered
    text = rendered.text[cut:]
    highlights = [
        replace(h, start=max(h.start - cut, 0), end=h.end - cut)
        for h in rendered.highlights
        if h.end - cut > 0
    ]
    return InlineText(text, highlights, rendered.tags, rendered.embeds, rendered.warnings)


def _unique(tags: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    unique: list[str] = []
    for tag in tags:
        key = tag.casefold()
        if key not in seen:
            seen.add(key)
            unique.append(tag)
    return unique
