"""YAML frontmatter of a note: the mapping itself, its ``tags`` and its ``deck``.

``tags``/``tag`` may be a YAML list or a string of tags separated by commas or spaces; a leading
``#`` is dropped. ``deck`` must be a scalar (text or number). Broken YAML, or YAML that is not a
mapping, gives a ``note:line`` warning and an empty frontmatter: the note is still parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from studytool.parsing.model import ParseWarning
from studytool.yaml_errors import YAML_READ_ERRORS

_TAG_SPLIT_RE = re.compile(r"[,\s]+")
_HIGHLIGHT_RE = re.compile(r"==[^=\n]+==|<mark\b", re.IGNORECASE)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG_KEYS = ("tags", "tag")


@dataclass(slots=True)
class Frontmatter:
    """What the parser keeps from a note's frontmatter."""

    data: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    deck: str | None = None
    warnings: list[ParseWarning] = field(default_factory=list)


def read_frontmatter(source: str, first_line: int, note: str) -> Frontmatter:
    """Parse the YAML ``source`` whose first line is note line ``first_line`` (1-based)."""
    result = Frontmatter()
    _warn_about_highlights(source, first_line, note, result.warnings)
    try:
        loaded = yaml.load(source, Loader=_SAFE_LOADER)  # the C-accelerated safe loader
    except yaml.YAMLError as error:
        line = first_line
        mark = getattr(error, "problem_mark", None)
        if mark is not None:
            line = first_line + mark.line
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        result.warnings.append(ParseWarning(note, line, f"invalid YAML frontmatter: {reason}"))
        return result
    except YAML_READ_ERRORS as error:  # a tagged value that does not fit its tag
        message = f"invalid YAML frontmatter: {_reason(error)}"
        result.warnings.append(ParseWarning(note, first_line, message))
        return result
    if loaded is None:
        return result
    if not isinstance(loaded, dict):
        message = "invalid YAML frontmatter: not a mapping of keys to values, ignored"
        result.warnings.append(ParseWarning(note, first_line, message))
        return result
    result.data = {str(key): value for key, value in loaded.items()}
    for key, value in result.data.items():
        if key.lower() in _TAG_KEYS:
            result.tags.extend(tags_of_value(value))
    result.deck = _deck_of(result.data.get("deck"), first_line, note, result.warnings)
    return result


def _reason(error: Exception) -> str:
    """A conversion error in words (``!!bool maybe`` raises ``KeyError('maybe')``)."""
    if isinstance(error, KeyError) and error.args:
        return f"{error.args[0]!r} does not fit its YAML tag"
    return str(error)


def _warn_about_highlights(
    source: str, first_line: int, note: str, warnings: list[ParseWarning]
) -> None:
    """Frontmatter is metadata, never cards: say so where it holds highlight syntax."""
    for offset, text in enumerate(source.splitlines()):
        if _HIGHLIGHT_RE.search(text):
            message = "highlight inside the YAML frontmatter is not a card (it is metadata)"
            warnings.append(ParseWarning(note, first_line + offset, message))


def tags_of_value(value: Any) -> list[str]:
    """Tag names from a frontmatter ``tags`` value (list, or comma/space separated string)."""
    items: list[Any] = value if isinstance(value, list) else [value]
    tags: list[str] = []
    for item in items:
        if item is None or isinstance(item, (dict, list)):
            continue
        for word in _TAG_SPLIT_RE.split(str(item)):
            word = word.lstrip("#")
            if word:
                tags.append(word)
    return tags


def _deck_of(value: Any, line: int, note: str, warnings: list[ParseWarning]) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list, bool)):
        warnings.append(ParseWarning(note, line, "frontmatter deck: must be text, ignored"))
        return None
    deck = str(value).strip().strip("/").strip()
    return deck or None
