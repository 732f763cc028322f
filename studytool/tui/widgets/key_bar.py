"""The footer: the keys that work now, drawn as one line of text.

Textual's own ``Footer`` builds a widget per key and rebuilds them all whenever the bindings
change, which it does several times while the first card appears (a fifth of the review
app's start-up). :class:`KeyBar` is a single widget: it reads the screen's active bindings when
it draws, and a change of bindings only repaints it. It shows what ``Footer`` shows: each
binding with ``show=True`` (one entry per action, disabled ones dimmed), and the command
palette's key on the right. Clicking a key presses it; hovering shows its tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.screen import Screen


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One key as shown: what to press, what it does, and where it sits on the line."""

    key: str
    display: str
    description: str
    tooltip: str
    enabled: bool
    start: int = 0
    end: int = 0


class KeyBar(Widget):
    """One line of ``key description`` pairs for the screen's active, shown bindings."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyBar > .key-bar--key { color: $footer-key-foreground; text-style: bold; }
    KeyBar > .key-bar--description { color: $footer-description-foreground; }
    KeyBar > .key-bar--disabled { text-style: dim; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--disabled",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: the keys as last drawn, with their columns (what a click or hover is matched against)
        self.drawn: list[KeyEntry] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen[object]) -> None:
        self.refresh()

    def entries(self) -> tuple[list[KeyEntry], KeyEntry | None]:
        """The keys to show now in binding order, and the command palette's key apart."""
        app = self.app
        active = self.screen.active_bindings
        palette_key = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
        seen: set[str] = set()
        entries: list[KeyEntry] = []
        palette: KeyEntry | None = None
        for key, (_node, binding, enabled, tooltip) in active.items():
            if key == palette_key and palette is None:
                palette = KeyEntry(key, app.get_key_display(binding), binding.description,
                                   binding.tooltip or binding.description, enabled)  # fmt: skip
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            entries.append(KeyEntry(key, app.get_key_display(binding), binding.description,
                                    tooltip or binding.tooltip, enabled))  # fmt: skip
        return entries, palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        disabled_style = self.get_component_rich_style("key-bar--disabled")
        entries, palette = self.entries()
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        placed: list[KeyEntry] = []
        for entry in entries:
            start = line.cell_len
            self._append(line, entry, key_style, description_style, disabled_style)
            placed.append(replace(entry, start=start, end=line.cell_len))
        if palette is not None:
            width = self.size.width
            label = Text(end="")
            self._append(label, palette, key_style, description_style, disabled_style)
            start = max(line.cell_len + 1, width - label.cell_len)
            line.append(" " * (start - line.cell_len))
            line.append_text(label)
            placed.append(replace(palette, start=start, end=line.cell_len))
        self.drawn = placed
        return line

    @staticmethod
    def _append(
        line: Text,
        entry: KeyEntry,
        key_style: object,
        description_style: object,
        disabled_style: object,
    ) -> None:
        start = line.cell_len
        line.append(f" {entry.display} ", key_style)  # type: ignore[arg-type]
        if entry.description:
            line.append(f"{entry.description} ", description_style)  # type: ignore[arg-type]
        if not entry.enabled:
            line.stylize(disabled_style, start, line.cell_len)  # type: ignore[arg-type]

    def entry_at(self, x: int) -> KeyEntry | None:
        """The key drawn at column ``x`` (as last drawn), or None."""
        return next((entry for entry in self.drawn if entry.start <= x < entry.end), None)

    def on_click(self, event: events.Click) -> None:
        entry = self.entry_at(event.x)
        if entry is None:
            return
        event.stop()
        if entry.enabled:
            self.app.simulate_key(entry.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        entry = self.entry_at(event.x)
        self.tooltip = entry.tooltip if entry is not None and entry.tooltip else None
