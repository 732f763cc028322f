"""The deck and tag filters as SQL text with named parameters (standard library only).

Deck paths use ``/`` (``AWS/Networking``); tags nest with ``/`` too (``colour/orange``).
Filtering by ``AWS`` includes ``AWS/Networking``; by tag ``colour`` includes ``colour/orange``.
Matching is case-insensitive (``str.casefold``, through the ``st_fold`` SQL function that
:func:`studytool.store.sqlite.configure_connection` installs).

This module owns what the filters mean: :mod:`studytool.store.filters` builds the same
conditions as SQLAlchemy expressions from :func:`deck_name` and :func:`tag_name`, and
:func:`deck_matches` decides the deck filter in Python exactly as the SQL does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The condition of a filter that lets everything through.
EVERYTHING = "1"


@dataclass(frozen=True)
class SqlFilter:
    """A boolean SQL expression over the ``card`` table and the parameters it names."""

    sql: str = EVERYTHING
    params: dict[str, Any] = field(default_factory=dict)


def deck_name(deck: str) -> str:
    """The folded deck path a deck filter compares with (``" /AWS/ "`` -> ``"aws"``)."""
    return deck.strip().strip("/").casefold()


def tag_name(tag: str) -> str:
    """The folded tag a tag filter compares with (``"#Colour/"`` -> ``"colour"``)."""
    return tag.strip().lstrip("#").strip("/").casefold()


def deck_matches(deck: str, wanted: str | None) -> bool:
    """Whether ``deck`` is ``wanted`` or under it, exactly as :func:`deck_filter` decides."""
    if not wanted:
        return True
    name = deck_name(wanted)
    folded = deck.casefold()
    return folded == name or folded[: len(name) + 1] == name + "/"


def deck_filter(deck: str | None) -> SqlFilter:
    """Cards in ``deck`` or one of its sub-decks (everything when ``deck`` is None or empty)."""
    if not deck:
        return SqlFilter()
    name = deck_name(deck)
    sql = (
        "(st_fold(card.deck) = :filter_deck"
        " OR substr(st_fold(card.deck), 1, :filter_deck_length) = :filter_deck_prefix)"
    )
    return SqlFilter(sql, _name_params("filter_deck", name))


def tag_filter(tag: str | None) -> SqlFilter:
    """Cards carrying ``tag`` or one of its sub-tags (everything when ``tag`` is None or empty)."""
    if not tag:
        return SqlFilter()
    name = tag_name(tag)
    sql = (
        "EXISTS (SELECT 1 FROM json_each(card.tags) AS tag_value"
        " WHERE st_fold(tag_value.value) = :filter_tag"
        " OR substr(st_fold(tag_value.value), 1, :filter_tag_length) = :filter_tag_prefix)"
    )
    return SqlFilter(sql, _name_params("filter_tag", name))


def card_filter(deck: str | None = None, tag: str | None = None) -> SqlFilter:
    """Both filters together."""
    by_deck, by_tag = deck_filter(deck), tag_filter(tag)
    return SqlFilter(f"{by_deck.sql} AND {by_tag.sql}", {**by_deck.params, **by_tag.params})


def _name_params(prefix: str, name: str) -> dict[str, Any]:
    return {prefix: name, f"{prefix}_length": len(name) + 1, f"{prefix}_prefix": name + "/"}


__all__ = [
    "EVERYTHING", "SqlFilter", "card_filter", "deck_filter", "deck_matches", "deck_name",
    "tag_filter", "tag_name",
]  # fmt: skip
