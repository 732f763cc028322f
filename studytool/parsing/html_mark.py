"""HTML ``<mark>`` tags as highlights: recognising the tags and naming their colour.

Highlightr writes ``<mark style="background: #FFB86CA6;">text</mark>``; the colour is read from
the ``background``/``background-color`` declaration of the ``style`` attribute (attributes in any
order, quoted or not). Highlightr's palette maps to colour names (``FFB86C`` is ``orange``...);
any other hex colour becomes ``hex-rrggbb``; a CSS colour word (``background: orange``) is kept
as that word; Highlightr's css-class mode (``<mark class="hltr-orange">``) gives ``orange``; a
plain ``<mark>`` and ``==text==`` are ``yellow``.

Decision on ``<span class='mint'>`` (another plugin's highlight style): **not a highlight**.
``<span>`` is Markdown's general-purpose styling tag (text colour, fonts, tooltips, plugin
widgets), and class names are private to each user's CSS snippet, so reading spans as
highlights would turn text the user never marked for study into cards. The span's text stays
in the statement as plain text; only ``<mark>`` and ``==`` make cards.
"""

from __future__ import annotations

import re

DEFAULT_COLOUR = "yellow"

HIGHLIGHTR_PALETTE: dict[str, str] = {
    "fff3a3": "yellow",
    "ffb86c": "orange",
    "ff5582": "red",
    "ffb8eb": "pink",
    "d2b3ff": "purple",
    "adccff": "blue",
    "abf7f7": "cyan",
    "bbfabb": "green",
}

_ATTR_NAME = r"[a-zA-Z_:][a-zA-Z0-9:._-]*"
_ATTR_VALUE = r"(?:[^\"'=<>`\x00-\x20]+|'[^']*'|\"[^\"]*\")"
_ATTRIBUTE = rf"(?:\s+{_ATTR_NAME}(?:\s*=\s*{_ATTR_VALUE})?)"

MARK_OPEN_RE = re.compile(rf"<mark({_ATTRIBUTE}*)\s*(/?)>", re.IGNORECASE)
MARK_CLOSE_RE = re.compile(r"</mark\s*>", re.IGNORECASE)

_ATTR_RE = re.compile(rf"({_ATTR_NAME})(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?")
_BACKGROUND_RE = re.compile(r"background(?:-color)?\s*:\s*([^;]+)", re.IGNORECASE)
_HEX_RE = re.compile(r"#([0-9a-fA-F]{3,8})\b")
_RGB_RE = re.compile(r"rgba?\(\s*(\d{1,3})\s*[, ]\s*(\d{1,3})\s*[, ]\s*(\d{1,3})", re.IGNORECASE)
_WORD_RE = re.compile(r"[a-zA-Z]+")
_HLTR_CLASS_RE = re.compile(r"\bhltr-([a-zA-Z]+)\b")


def colour_of_mark_attributes(attributes: str) -> str:
    """The colour name of a ``<mark>`` tag from the text of its attributes."""
    values = _attribute_values(attributes)
    style = values.get("style")
    if style:
        declaration = _BACKGROUND_RE.search(style)
        if declaration:
            colour = _colour_of_css_value(declaration.group(1))
            if colour:
                return colour
    css_class = values.get("class")
    if css_class:
        hltr = _HLTR_CLASS_RE.search(css_class)
        if hltr:
            return hltr.group(1).lower()
    return DEFAULT_COLOUR


def colour_of_hex(hex_digits: str) -> str:
    """Palette name or ``hex-rrggbb`` for a CSS hex colour (3, 4, 6 or 8 digits, no ``#``)."""
    digits = hex_digits.lower()
    if len(digits) in (3, 4):
        digits = "".join(ch * 2 for ch in digits[:3])
    elif len(digits) in (6, 8):
        digits = digits[:6]
    else:
        return DEFAULT_COLOUR
    return HIGHLIGHTR_PALETTE.get(digits, f"hex-{digits}")


def _attribute_values(attributes: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for match in _ATTR_RE.finditer(attributes):
        raw = match.group(2) or ""
        if raw[:1] in ("'", '"'):
            raw = raw[1:-1]
        values.setdefault(match.group(1).lower(), raw)
    return values


def _colour_of_css_value(value: str) -> str | None:
    hex_match = _HEX_RE.search(value)
    if hex_match:
        return colour_of_hex(hex_match.group(1))
    rgb = _RGB_RE.search(value)
    if rgb:
        channels = [min(int(channel), 255) for channel in rgb.groups()]
        return colour_of_hex("".join(f"{channel:02x}" for channel in channels))
    word = _WORD_RE.fullmatch(value.strip())
    if word:
        return word.group(0).lower()
    return None
