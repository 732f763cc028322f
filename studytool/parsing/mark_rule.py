"""markdown-it-py inline rules for Obsidian syntax: ``==mark==``, ``<mark>``, wikilinks, ``#tags``.

One tokenizer rule (``obsidian``, placed right after ``text``) dispatches on the character at the
current position, so markdown-it tries one extra function per stop instead of five:

- ``==``: delimiters handled like markdown-it's own ``strikethrough`` rule (tokenize pushes
  ``==`` text tokens and delimiters; the ``mark`` post-process rule, after ``balance_pairs``,
  turns matched pairs into ``mark_open``/``mark_close``). Flanking rules are the same as for
  ``~~``, so ``a == b`` is not a highlight.
- ``<mark ...>`` / ``</mark>``: ``html_mark_open`` (``meta["colour"]``) / ``html_mark_close``,
  recognised whatever the ``html`` option says and also with no space before the tag. Both are
  pushed with nesting 0 (like ``html_inline``): a tag may be unbalanced, and an opening nesting
  would start a new delimiter scope, so ``==`` pairs around a ``<mark>`` would not match.
- ``[[target#heading|alias]]``: ``wikilink`` (``meta["display"]``); with a leading ``!`` it is an
  ``embed`` (``meta["target"]``, the file part only).
- ``#tag`` after whitespace or ``*``/``_``/``(``/quote, with a letter or ``_``: ``hashtag``
  (``meta["name"]``).

Every token these rules push has ``meta["pos"]``, its offset in the inline source, so the
statement builder can give a highlight its exact line. Code spans and ``$math$`` are consumed
by their own rules before any of this can fire inside them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markdown_it.rules_inline.state_inline import Delimiter

from studytool.parsing.html_mark import MARK_CLOSE_RE, MARK_OPEN_RE, colour_of_mark_attributes

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline.state_inline import StateInline

EQUALS = 0x3D
_WIKILINK_RE = re.compile(r"\[\[([^\[\]\n]+)\]\]")
_TAG_RE = re.compile(r"#([\w/-]+)")
_TAG_MAY_FOLLOW = frozenset(" \t\n\r\f\v\xa0*_(\"'")


def obsidian_plugin(md: MarkdownIt) -> None:
    """Install the Obsidian inline rules on ``md``."""
    md.inline.ruler.after("text", "obsidian", obsidian_inline)
    md.inline.ruler2.after("balance_pairs", "mark", mark_post_process)


def obsidian_inline(state: StateInline, silent: bool) -> bool:
    """Tokenize one Obsidian construct at ``state.pos`` (see the module docstring)."""
    char = state.src[state.pos]
    if char == "=":
        return _tokenize_equals(state, silent)
    if char == "<":
        return _tokenize_mark_tag(state, silent)
    if char == "[" or char == "!":
        return _tokenize_wikilink(state, silent)
    if char == "#":
        return _tokenize_hashtag(state, silent)
    return False


def _tokenize_equals(state: StateInline, silent: bool) -> bool:
    if silent:
        return False
    start = state.pos
    scanned = state.scanDelims(start, True)
    length = scanned.length
    if length < 2:
        return False
    pos = start
    if length % 2:
        token = state.push("text", "", 0)
        token.content = "="
        length -= 1
        pos += 1
    for _ in range(length // 2):
        token = state.push("text", "", 0)
        token.content = "=="
        token.meta = {"pos": pos}
        state.delimiters.append(
            Delimiter(
                marker=EQUALS,
                length=0,
                token=len(state.tokens) - 1,
                end=-1,
                open=scanned.can_open,
                close=scanned.can_close,
            )
        )
        pos += 2
    state.pos += scanned.length
    return True


def _tokenize_mark_tag(state: StateInline, silent: bool) -> bool:
    src = state.src
    pos = state.pos
    head = src[pos + 1 : pos + 6].lower()
    if head.startswith("mark"):
        if len(head) < 5 or head[4] not in " \t\n\r\f/>":
            return False
        if state.html_terminator_last(">") < pos:
            return False
        match = MARK_OPEN_RE.match(src, pos, state.posMax)
        if match is None:
            return False
        if not silent and not match.group(2):
            token = state.push("html_mark_open", "mark", 0)
            token.meta = {"pos": pos, "colour": colour_of_mark_attributes(match.group(1))}
    elif head == "/mark":
        match = MARK_CLOSE_RE.match(src, pos, state.posMax)
        if match is None:
            return False
        if not silent:
            token = state.push("html_mark_close", "mark", 0)
            token.meta = {"pos": pos}
    else:
        return False
    state.pos = match.end()
    return True


def _tokenize_wikilink(state: StateInline, silent: bool) -> bool:
    src = state.src
    pos = state.pos
    embed = src[pos] == "!"
    start = pos + 1 if embed else pos
    if not src.startswith("[[", start):
        return False
    match = _WIKILINK_RE.match(src, start, state.posMax)
    if match is None:
        return False
    if not silent:
        inner = match.group(1).replace("\\|", "|")
        target, _, alias = inner.partition("|")
        page, _, heading = target.partition("#")
        if embed:
            token = state.push("embed", "", 0)
            token.meta = {"pos": pos, "target": page.strip()}
        else:
            token = state.push("wikilink", "", 0)
            token.meta = {"pos": pos, "display": wikilink_display(page, heading, alias)}
    state.pos = match.end()
    return True


def wikilink_display(page: str, heading: str, alias: str) -> str:
    """What Obsidian shows for a wikilink: the alias, else ``Page > Heading`` (no block ids)."""
    alias = alias.strip()
    if alias:
        return alias
    parts = [page.strip()] if page.strip() else []
    for section in heading.split("#"):
        section = section.strip()
        if section and not section.startswith("^"):
            parts.append(section)
    return " > ".join(parts)


def _tokenize_hashtag(state: StateInline, silent: bool) -> bool:
    src = state.src
    pos = state.pos
    if pos > 0 and src[pos - 1] not in _TAG_MAY_FOLLOW:
        return False
    match = _TAG_RE.match(src, pos, state.posMax)
    if match is None:
        return False
    name = match.group(1)
    if not any(ch.isalpha() or ch == "_" for ch in name):
        return False
    if not silent:
        token = state.push("hashtag", "", 0)
        token.meta = {"pos": pos, "name": name}
    state.pos = match.end()
    return True


def mark_post_process(state: StateInline) -> None:
    """Turn matched ``==`` delimiter pairs into ``mark_open``/``mark_close`` tokens."""
    _process_delimiters(state, state.delimiters)
    for meta in state.tokens_meta:
        if meta and "delimiters" in meta:
            _process_delimiters(state, meta["delimiters"])


def _process_delimiters(state: StateInline, delimiters: list[Delimiter]) -> None:
    lone_markers: list[int] = []
    tokens = state.tokens
    for start_delim in delimiters:
        if start_delim.marker != EQUALS or start_delim.end == -1:
            continue
        end_delim = delimiters[start_delim.end]
        opener = tokens[start_delim.token]
        opener.type, opener.tag, opener.nesting = "mark_open", "mark", 1
        opener.markup, opener.content = "==", ""
        closer = tokens[end_delim.token]
        closer.type, closer.tag, closer.nesting = "mark_close", "mark", -1
        closer.markup, closer.content = "==", ""
        before = tokens[end_delim.token - 1]
        if before.type == "text" and before.content == "=":
            lone_markers.append(end_delim.token - 1)
    # An odd run (`===`) leaves one `=` in front: move it after the closing tags it precedes.
    while lone_markers:
        index = lone_markers.pop()
        after = index + 1
        while after < len(tokens) and tokens[after].type == "mark_close":
            after += 1
        after -= 1
        if index != after:
            tokens[index], tokens[after] = tokens[after], tokens[index]
