"""The rule registry: every rule of the model with its stable id, statement, AWS documentation
page and the bundled-note statement it tests.

A rule is a small function decorated with :func:`rule`; it returns ``(ok, text)`` or
``(ok, text, value)`` and the decorator turns that into a :class:`Finding` tagged with the
rule's id. :func:`all_rules` imports the rulebook so that every rule is registered;
:func:`rule_note_line` finds, at run time, the line of the note that holds the rule's snippet
(highlight markup such as ``==..==`` and ``<mark>`` is ignored while searching).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple, ParamSpec

from studytool.model.answer import Finding

P = ParamSpec("P")

#: where a note's path is relative to: the bundled notes directory
NOTES_PREFIX = "AWS/Networking/"


class NoteRef(NamedTuple):
    """A statement in a bundled note: the note's path (relative to the notes directory) and
    an exact snippet of the statement's text with highlight markup removed."""

    path: str
    snippet: str


class Rule(NamedTuple):
    id: str
    statement: str
    doc_url: str
    note: NoteRef | None
    #: where the AWS documentation is more precise than a study note, what it says
    docs_precision: str | None = None


RULES: dict[str, Rule] = {}

#: builds a Finding from a 4-tuple without the NamedTuple constructor's argument handling
_new_finding = tuple.__new__


def rule(
    rule_id: str,
    statement: str,
    doc: str,
    note: tuple[str, str] | None = None,
    docs_precision: str | None = None,
) -> Callable[[Callable[P, tuple]], Callable[P, Finding]]:
    """Register a rule function under ``rule_id``; its result becomes a :class:`Finding`."""
    if rule_id in RULES:
        raise ValueError(f"rule id {rule_id!r} registered twice")
    note_ref = NoteRef(NOTES_PREFIX + note[0], note[1]) if note else None
    registered = Rule(rule_id, statement, doc, note_ref, docs_precision)
    RULES[rule_id] = registered

    def decorate(func: Callable[P, tuple]) -> Callable[P, Finding]:
        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> Finding:
            # unpacked by name: a tuple display with ``*result`` builds a list first
            result = func(*args, **kwargs)
            if len(result) == 2:
                ok, text = result
                return new(finding, (rule_id, ok, text, None))
            ok, text, value = result
            return new(finding, (rule_id, ok, text, value))

        new, finding = _new_finding, Finding

        run.rule = registered  # type: ignore[attr-defined]
        return run

    return decorate


def fact(rule_id: str, text: str, ok: bool = True, value: object = None) -> Finding:
    """A finding for a registered rule stated directly (for composite explanations)."""
    if rule_id not in RULES:
        all_rules()
        if rule_id not in RULES:
            raise KeyError(f"unknown rule id {rule_id!r}")
    return Finding(rule_id, ok, text, value)


def all_rules() -> dict[str, Rule]:
    """Every registered rule, by id (imports the rulebook on first use)."""
    import studytool.model.rulebook  # noqa: F401  (registers the rules)

    return RULES


def get_rule(rule_id: str) -> Rule:
    rules = all_rules()
    try:
        return rules[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule id {rule_id!r}") from None


#: highlight marks (``<mark>``, ``==``) and bold (``**``): not words of the statement
_MARKUP = r"</?mark\b[^>]*>|==|\*\*"


def plain_text(line: str) -> str:
    """A note line without highlight or bold markup, with runs of spaces collapsed."""
    return " ".join(re.sub(_MARKUP, "", line, flags=re.IGNORECASE).split())


@functools.lru_cache(maxsize=256)
def _note_lines(path: Path) -> tuple[str, ...]:
    text = path.read_text(encoding="utf-8")
    return tuple(plain_text(line) for line in text.splitlines())


def rule_note_line(rule_or_id: Rule | str, notes_dir: Path | None = None) -> int | None:
    """The 1-based line of the rule's note statement, or None (no note, or snippet not found)."""
    found = rule_note_location(rule_or_id, notes_dir)
    return found[1] if found else None


def rule_note_location(
    rule_or_id: Rule | str, notes_dir: Path | None = None
) -> tuple[Path, int, str] | None:
    """(note file, 1-based line, the line's statement) for a rule's note snippet, or None."""
    found_rule = get_rule(rule_or_id) if isinstance(rule_or_id, str) else rule_or_id
    if found_rule.note is None:
        return None
    if notes_dir is None:
        from studytool.locations import bundled_notes_dir

        notes_dir = bundled_notes_dir()
    path = notes_dir / found_rule.note.path
    if not path.is_file():
        return None
    snippet = plain_text(found_rule.note.snippet)
    for number, line in enumerate(_note_lines(path), start=1):
        if snippet in line:
            return path, number, _statement(line)
    return None


def _statement(line: str) -> str:
    return line.lstrip("-*> ").strip()


def rule_citation(rule_id: str, notes_dir: Path | None = None) -> str:
    """``"NAT Gateway.md:25: A NAT gateway is zonal ..."`` for a rule, or its statement."""
    found = rule_note_location(rule_id, notes_dir)
    if found is None:
        return get_rule(rule_id).statement
    path, line, statement = found
    return f"{path.name}:{line}: {statement}"
