"""User text as inert :class:`rich.text.Text`: never markup, never terminal control codes.

Note text is data. Building a ``Text`` (instead of passing a string to a widget) means
``[bold]``, ``[/]`` and ``[link=...]`` are shown as typed; control characters such as the ESC
of an ANSI colour code are replaced by their visible Unicode "control picture" (``␛[31m``), so
nothing a note contains can restyle or move the terminal.
"""

from __future__ import annotations

from rich.text import Text

_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)} | {0x7F: "\u2421"}
_CONTROL_PICTURES.pop(ord("\n"))
_CONTROL_PICTURES[ord("\t")] = " "
#: C1 controls (U+0080..U+009F) can act as escape sequences in some terminals: show as U+FFFD.
_TRANSLATION = _CONTROL_PICTURES | {code: "\ufffd" for code in range(0x80, 0xA0)}


def visible(text: str) -> str:
    """``text`` with every control character (except newline) made visible, one for one.

    Each character becomes exactly one character (a tab becomes a space), so indices into the
    original string, such as answer-comparison spans, stay valid.
    """
    return text.translate(_TRANSLATION)


def literal(text: str, style: str = "") -> Text:
    """A ``Text`` that shows ``text`` exactly as typed (see the module docstring)."""
    return Text(visible(text), style=style, end="")


def one_line(text: str, style: str = "") -> Text:
    """Like :func:`literal`, with newlines shown as spaces (for headings and list rows)."""
    return Text(visible(text).replace("\n", " "), style=style, end="")
