"""The command palette's study commands (ctrl+p): decks, tags, highlight colours, themes.

Deck and tag names are read once per palette opening, in a thread, through the app's review
desk. Highlight colours are the tags ``colour/<name>`` the importer gives highlighted cards.
Names are user text: they are matched and shown as plain text (``Content``), never as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape

if TYPE_CHECKING:
    from studytool.tui.app import StudyApp

COLOUR_PREFIX = "colour/"


def palette_entries(
    decks: list[str], tags: list[str], themes: list[str]
) -> list[tuple[str, str, str, str | None]]:
    """``(kind, name shown, help, value)`` for every deck, tag, colour and theme command."""
    entries: list[tuple[str, str, str, str | None]] = [
        ("deck", "Deck: all decks", "Study every deck", None),
        ("tag", "Tag: no filter", "Stop filtering by tag or colour", None),
    ]
    for deck in decks:
        entries.append(("deck", f"Deck: {deck}", "Study this deck and its sub-decks", deck))
    for tag in tags:
        if tag.lower().startswith(COLOUR_PREFIX):
            colour = tag[len(COLOUR_PREFIX) :]
            entries.append(("tag", f"Highlight colour: {colour}", f"Only #{tag} cards", tag))
        else:
            entries.append(("tag", f"Tag: {tag}", f"Only cards tagged #{tag}", tag))
    for theme in themes:
        entries.append(("theme", f"Theme: {theme}", "Change the colours", theme))
    return entries


def plain_highlight(matcher: Matcher, candidate: str) -> Content:
    """``candidate`` as plain text with the fuzzy match marked.

    ``Matcher.highlight`` parses the candidate as markup, which a deck or tag called ``[b]``
    would break; this marks the same characters on an unparsed ``Content``.
    """
    content = Content(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if not score:
        return content
    for offset in offsets:
        if not candidate[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class StudyCommands(Provider):
    """Switch deck, filter by tag or highlight colour, change theme, and the screen's keys."""

    async def startup(self) -> None:
        app: StudyApp = self.app  # type: ignore[assignment]
        try:
            desk = await app.open_desk()
            decks, tags = await app.call(desk.catalog)
        except Exception as error:  # a broken database must not break the palette
            app.log.error(f"palette: cannot read decks and tags: {error}")
            decks, tags = [], []
        themes = sorted(app.available_themes)
        self.entries = palette_entries(decks, tags, themes)

    def _callback(self, kind: str, value: str | None) -> Callable[[], Any]:
        app: StudyApp = self.app  # type: ignore[assignment]
        if kind == "deck":
            return partial(app.switch_scope, value, app.scope.tag)
        if kind == "tag":
            return partial(app.set_tag, value)
        return partial(setattr, app, "theme", value)

    def _actions(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app: StudyApp = self.app  # type: ignore[assignment]
        return [
            ("Pick a deck", "Decks with their due and new counts (d)", app.action_pick_deck),
            ("Statistics", "Reviews, retention and forecast (t)", app.action_stats),
        ]

    async def discover(self) -> Hits:
        for name, help_text, callback in self._actions():
            yield DiscoveryHit(name, callback, help=help_text)
        for kind, name, help_text, value in self.entries:
            if kind != "theme":
                yield DiscoveryHit(
                    Content(name), self._callback(kind, value), text=name, help=escape(help_text)
                )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._actions():
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
        for kind, name, help_text, value in self.entries:
            if (score := matcher.match(name)) > 0:
                yield Hit(
                    score, plain_highlight(matcher, name), self._callback(kind, value),
                    text=name, help=escape(help_text),
                )  # fmt: skip
