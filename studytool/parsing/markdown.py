"""The one markdown-it-py parser studytool uses, built on first use and then shared.

CommonMark with HTML, tables and ``~~strikethrough~~``, YAML frontmatter, ``$``/``$$`` math (as
Obsidian reads it: no space inside the dollars, no digit right after the closing one, ``$$`` also
inside a paragraph), the Obsidian inline rules of :mod:`studytool.parsing.mark_rule` and
Obsidian's reading of fences nested in lists (:mod:`studytool.parsing.fence_rule`).
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from studytool.parsing.fence_rule import obsidian_fence
from studytool.parsing.mark_rule import obsidian_plugin


@cache
def markdown_parser() -> MarkdownIt:
    """The shared parser (created on the first call)."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.use(front_matter_plugin)
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.use(obsidian_plugin)
    md.block.ruler.at(
        "fence", obsidian_fence, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    return md
