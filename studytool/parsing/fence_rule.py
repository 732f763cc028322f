"""Fenced code blocks as Obsidian reads them inside list items.

CommonMark ends a fence that was opened inside a list item as soon as a non-blank line is less
indented than the item, so in

    - example:
        ```http
        PUT /x
    ```

the unindented closing ```` ``` ```` opens a *new* fence that swallows the rest of the note.
Obsidian closes the inner fence there instead, and real notes rely on it. This rule is
markdown-it-py's ``fence`` rule (same tokens, same options) with one change: a less indented
line that is a valid closing fence for the open block closes it.
"""

from __future__ import annotations

from markdown_it.rules_block.state_block import StateBlock

_MARKERS = ("~", "`")
_MIN_MARKERS = 3


def obsidian_fence(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule for ```` ``` ````/``~~~`` fences (see the module docstring)."""
    pos = state.bMarks[start_line] + state.tShift[start_line]
    maximum = state.eMarks[start_line]
    if state.is_code_block(start_line) or pos + _MIN_MARKERS > maximum:
        return False
    marker = state.src[pos]
    if marker not in _MARKERS:
        return False
    mem = pos
    pos = state.skipCharsStr(pos, marker)
    length = pos - mem
    if length < _MIN_MARKERS:
        return False
    markup = state.src[mem:pos]
    params = state.src[pos:maximum]
    if marker == "`" and marker in params:
        return False
    if silent:
        return True

    next_line, have_end = _find_end(state, start_line, end_line, marker, length)
    indent = state.sCount[start_line]
    state.line = next_line + (1 if have_end else 0)
    token = state.push("fence", "code", 0)
    token.info = params
    token.content = state.getLines(start_line + 1, next_line, indent, True)
    token.markup = markup
    token.map = [start_line, state.line]
    return True


def _find_end(
    state: StateBlock, start_line: int, end_line: int, marker: str, length: int
) -> tuple[int, bool]:
    next_line = start_line
    while True:
        next_line += 1
        if next_line >= end_line:
            return next_line, False
        pos = state.bMarks[next_line] + state.tShift[next_line]
        maximum = state.eMarks[next_line]
        outdented = pos < maximum and state.sCount[next_line] < state.blkIndent
        if pos >= len(state.src):
            return next_line, False
        if state.src[pos] != marker or (not outdented and state.is_code_block(next_line)):
            if outdented:
                return next_line, False
            continue
        end = state.skipCharsStr(pos, marker)
        if end - pos >= length and state.skipSpaces(end) >= maximum:
            return next_line, True
        if outdented:
            return next_line, False
