"""Anki names for studytool things: deck paths, deck ids, tags and package file names (pure).

Anki nests decks with ``::`` and tags with ``::``; studytool nests both with ``/``. Deck ids
are derived from a stable hash of the Anki deck name, so every export of a deck carries the
same id; no card ever lands in Anki's ``Default`` deck (id 1).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache

#: The deck used when a card has no deck, and the default package name.
DEFAULT_DECK = "studytool"
#: Deck ids live in [2**40, 2**41): far from Anki's Default deck (1) and safe in JavaScript.
_DECK_ID_BASE = 1 << 40
_SPACES = re.compile(r"\s+")
_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def deck_parts(deck: str) -> list[str]:
    """The non-empty components of a ``/`` (or ``::``) separated deck path."""
    parts = []
    for part in re.split(r"/|::", deck):
        cleaned = _SPACES.sub(" ", part).strip()
        if cleaned:
            parts.append(cleaned)
    return parts


@lru_cache(maxsize=4096)
def anki_deck_name(deck: str | None, prefix: tuple[str, ...] = ()) -> str:
    """``AWS/Networking`` as ``AWS::Networking``; an empty deck becomes ``studytool``."""
    parts = [part for item in prefix for part in deck_parts(item)] + deck_parts(deck or "")
    if not parts:
        parts = [DEFAULT_DECK]
    elif len(parts) == 1 and parts[0].casefold() == "default":
        parts = [DEFAULT_DECK, parts[0]]
    return "::".join(parts)


def deck_id(anki_name: str) -> int:
    """A stable Anki deck id for a deck name (the same name always gives the same id)."""
    digest = hashlib.sha256(("studytool deck\x1f" + anki_name).encode("utf-8")).digest()
    return _DECK_ID_BASE + int.from_bytes(digest[:5], "big")


def anki_tag(tag: str) -> str | None:
    """An Anki tag: ``#`` dropped, white space as ``_``, ``a/b`` as ``a::b``; None when empty."""
    cleaned = tag.strip().lstrip("#")
    parts = [_SPACES.sub("_", part.strip()) for part in re.split(r"/|::", cleaned)]
    parts = [part for part in parts if part]
    return "::".join(parts) if parts else None


def anki_tags(tags: Iterable[str]) -> list[str]:
    """Distinct Anki tags, sorted (case-insensitively, as Anki compares them)."""
    return list(_anki_tags(tuple(tags)))


@lru_cache(maxsize=4096)
def _anki_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for tag in tags:
        converted = anki_tag(tag)
        if converted is not None:
            seen.setdefault(converted.casefold(), converted)
    return tuple(sorted(seen.values(), key=str.casefold))


def package_file_name(deck: str | None) -> str:
    """``decks/<this>.apkg``: the deck path with ``/`` replaced by ``-``, or ``studytool``."""
    parts = deck_parts(deck or "")
    cleaned = (_UNSAFE_FILE_CHARS.sub("-", part).strip(". -") for part in parts)
    stem = "-".join(part for part in cleaned if part)
    return f"{stem or DEFAULT_DECK}.apkg"
