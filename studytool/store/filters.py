"""SQL filters for "this deck (and its sub-decks)" and "this tag (and its sub-tags)".

Deck paths use ``/`` (``AWS/Networking``); tags nest with ``/`` too (``colour/orange``).
Filtering by ``AWS`` includes ``AWS/Networking``; by tag ``colour`` includes ``colour/orange``.
Matching is case-insensitive (``str.casefold``, through the ``st_fold`` SQL function).
These are the SQLAlchemy forms of :mod:`studytool.store.sql_filters`, which defines the names
compared (the review service uses its SQL text and needs no SQLAlchemy).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, true

from studytool.store import schema
from studytool.store.sql_filters import deck_name, tag_name

_card = schema.card


def deck_clause(deck: str | None) -> ColumnElement[bool]:
    """Cards in ``deck`` or one of its sub-decks (everything when ``deck`` is None)."""
    if not deck:
        return true()
    name = deck_name(deck)
    lowered = func.st_fold(_card.c.deck)
    return or_(lowered == name, func.substr(lowered, 1, len(name) + 1) == name + "/")


def tag_clause(tag: str | None) -> ColumnElement[bool]:
    """Cards carrying ``tag`` or one of its sub-tags (everything when ``tag`` is None)."""
    if not tag:
        return true()
    name = tag_name(tag)
    tags = func.json_each(_card.c.tags).table_valued("value").alias("tag_value")
    value = func.st_fold(tags.c.value)
    matching = (
        select(1)
        .select_from(tags)
        .where(or_(value == name, func.substr(value, 1, len(name) + 1) == name + "/"))
    )
    return exists(matching)


def card_clause(deck: str | None = None, tag: str | None = None) -> ColumnElement[bool]:
    """Both filters together."""
    return and_(deck_clause(deck), tag_clause(tag))


__all__ = ["card_clause", "deck_clause", "tag_clause"]
