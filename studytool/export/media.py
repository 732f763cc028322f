"""Images embedded near a card's statement, resolved in the vault and named for the package.

The store does not (yet) record which embeds belong to which card, so the export re-reads the
card's note. A card carries two kinds of images:

1. those in **its statement block**: the card's own line and the lines below it that belong to
   the same list item or paragraph (lines indented deeper than the card's line, such as child
   bullets, and lazy continuation lines directly below it), stopping at a blank line followed by
   a line that is not indented deeper, at a new bullet or heading at the same or a lower
   indentation, or at a code fence;
2. **stand-alone images of its section**: a paragraph at the left margin made only of embeds
   (e.g. a diagram under a heading) belongs to every card of the heading section it stands in,
   sub-sections included (before the first heading: the whole note).

Embeds are ``![[name.png]]`` (optionally ``|300`` or ``|300x200`` for the width) and
``![alt](path.png)``; only image files count (a ``![[Other note]]`` transclusion is not
media), and nothing inside fenced code. Targets resolve like Obsidian does
(:func:`studytool.vault.resolve_embed`: relative to the vault or note, else by file name
anywhere in the vault, never outside it). Remote images (``http:``, ``data:``...) are left
out. A missing image is a warning, not an error.

In the package each image keeps its own file name. Only when two *different* files (different
bytes) share a name are the later ones (in vault path order) renamed ``stem-<hash>.ext``; the
card's ``<img>`` points at the name actually used.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from studytool.vault import VaultScan, resolve_embed, scan_path

IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".avif", ".tif", ".tiff", ".ico"}
)
_WIKI_EMBED = re.compile(r"!\[\[([^\]\n]+?)\]\]")
_MARKDOWN_EMBED = re.compile(r"!\[[^\]\n]*\]\(\s*(<[^>\n]+>|[^)\s]+)(?:\s+\"[^\"\n]*\")?\s*\)")
_WIDTH = re.compile(r"^\s*(\d{1,4})(?:\s*x\s*\d{1,4})?\s*$")
_NEW_BLOCK = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|#{1,6}\s|>)")
_HEADING = re.compile(r"^(#{1,6})\s")
_FENCE = re.compile(r"^\s*(```|~~~)")
_REMOTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


_UNREAD = object()


@dataclass(frozen=True, slots=True)
class EmbedRef:
    """An image embed found in a note: its target as written, its line, an optional width."""

    target: str
    line: int
    width: int | None = None


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A vault file going into the package under ``name``."""

    path: Path
    name: str
    digest: str


def _indent(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip())


@dataclass(slots=True)
class NoteLayout:
    """A note's lines, which of them are fenced code, and its stand-alone images by section."""

    lines: list[str]
    has_embeds: bool = True
    fenced: set[int] = field(default_factory=set)
    section_images: list[tuple[range, EmbedRef]] = field(default_factory=list)

    @classmethod
    def from_text(cls, text: str) -> NoteLayout:
        if "![" not in text:
            return cls(lines=[], has_embeds=False)
        layout = cls(lines=text.splitlines())
        headings: list[tuple[int, int]] = []
        standalone: list[int] = []
        inside_fence = False
        for index, line in enumerate(layout.lines):
            if _FENCE.match(line) or inside_fence:
                if _FENCE.match(line):
                    inside_fence = not inside_fence
                layout.fenced.add(index)
                continue
            heading = _HEADING.match(line)
            if heading:
                headings.append((index, len(heading.group(1))))
            elif layout._is_standalone(index):
                standalone.append(index)
        for index in standalone:
            section = _section_of(index, headings, len(layout.lines))
            for embed in _embeds_on_line(layout.lines[index], index + 1):
                layout.section_images.append((section, embed))
        return layout

    def _is_standalone(self, index: int) -> bool:
        line = self.lines[index]
        if not line.strip() or _indent(line) > 0:
            return False
        if _WIKI_EMBED.sub("", _MARKDOWN_EMBED.sub("", line)).strip():
            return False
        previous = self.lines[index - 1] if index > 0 else ""
        return not previous.strip() or bool(_HEADING.match(previous))

    def statement_block(self, line: int) -> range:
        """The 0-based indexes of the statement block of a card on ``line`` (empty: no embeds)."""
        if not self.has_embeds:
            return range(0)
        lines = self.lines
        start = line - 1
        if not 0 <= start < len(lines) or start in self.fenced:
            return range(0)
        base = _indent(lines[start])
        end = start + 1
        previous_blank = False
        while end < len(lines):
            current = lines[end]
            if not current.strip():
                previous_blank = True
                end += 1
                continue
            if end in self.fenced:
                break
            deeper = _indent(current) > base
            if not deeper and (previous_blank or _NEW_BLOCK.match(current)):
                break
            previous_blank = False
            end += 1
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        return range(start, end)

    def embeds_for(self, line: int) -> list[EmbedRef]:
        """The card's images: its statement block's, then its section's stand-alone ones."""
        if not self.has_embeds:
            return []
        found: list[EmbedRef] = []
        for index in self.statement_block(line):
            found.extend(_embeds_on_line(self.lines[index], index + 1))
        found.extend(embed for section, embed in self.section_images if line - 1 in section)
        return found


def _section_of(index: int, headings: list[tuple[int, int]], line_count: int) -> range:
    """From the nearest heading above ``index`` to the next heading of the same or higher level."""
    above = [(start, level) for start, level in headings if start < index]
    if not above:
        return range(0, line_count)
    start, level = above[-1]
    end = next(
        (later for later, later_level in headings if later > index and later_level <= level),
        line_count,
    )
    return range(start, end)


def _embeds_on_line(line: str, number: int) -> list[EmbedRef]:
    matches: list[tuple[int, EmbedRef]] = []
    for match in _WIKI_EMBED.finditer(line):
        target, _, alias = match.group(1).partition("|")
        width_match = _WIDTH.match(alias) if alias else None
        width = int(width_match.group(1)) if width_match else None
        matches.append((match.start(), EmbedRef(target.strip(), number, width)))
    for match in _MARKDOWN_EMBED.finditer(line):
        target = unquote(match.group(1).strip("<>").strip())
        matches.append((match.start(), EmbedRef(target, number)))
    matches.sort(key=lambda item: item[0])
    return [ref for _, ref in matches if _is_local_image(ref.target)]


def _is_local_image(target: str) -> bool:
    if not target or _REMOTE.match(target):
        return False
    name = target.split("#", 1)[0]
    return PurePosixPath(name).suffix.lower() in IMAGE_SUFFIXES


def card_embeds(note_text: str, line: int) -> list[EmbedRef]:
    """The image embeds that belong to the card on ``line`` (1-based) of a note."""
    return NoteLayout.from_text(note_text).embeds_for(line)


@dataclass(slots=True)
class MediaCollector:
    """Finds cards' images in their vaults and gives each file its name in the package.

    Call :meth:`images_for` for every card, then :meth:`files` once: names are assigned only
    when every file is known, so they do not depend on the order cards were seen in.
    """

    warnings: list[str] = field(default_factory=list)
    _scans: dict[str, VaultScan | None] = field(default_factory=dict)
    _notes: dict[tuple[str, str], NoteLayout | None] = field(default_factory=dict)
    _files: dict[str, set[str]] = field(default_factory=dict)
    _digests: dict[Path, str] = field(default_factory=dict)
    _rels: dict[Path, str] = field(default_factory=dict)
    _warned: set[str] = field(default_factory=set)

    def images_for(self, vault: str | None, note: str, line: int) -> list[tuple[Path, int | None]]:
        """The resolved image files (and widths) of the card at ``note:line``."""
        if not vault:
            return []
        layout = self._notes.get((vault, note), _UNREAD)
        if layout is _UNREAD:
            layout = self._load(vault, note)
        if layout is None or not layout.has_embeds:
            return []
        scan = self._scan(vault)
        if scan is None:
            return []
        images: list[tuple[Path, int | None]] = []
        for embed in layout.embeds_for(line):
            resolved = resolve_embed(scan, note, embed.target)
            if resolved is None:
                self._warn(f"{note}:{embed.line}: embedded image not found in the vault: "
                           f"{embed.target}")  # fmt: skip
                continue
            resolved = resolved.resolve()
            if self._digest(resolved) is None:
                self._warn(f"{note}:{embed.line}: cannot read embedded image: {embed.target}")
                continue
            self._rels.setdefault(resolved, _relative(resolved, scan.root))
            images.append((resolved, embed.width))
        return images

    def files(self) -> dict[Path, MediaFile]:
        """Every image seen, with its unique name in the package."""
        by_name: dict[str, list[Path]] = {}
        for path in self._rels:
            by_name.setdefault(path.name.casefold(), []).append(path)
        result: dict[Path, MediaFile] = {}
        for paths in by_name.values():
            paths.sort(key=lambda path: (self._rels[path], str(path)))
            kept_digest = self._digests[paths[0]]
            for path in paths:
                digest = self._digests[path]
                name = path.name if digest == kept_digest else _unique_name(path.name, digest)
                result[path] = MediaFile(path=path, name=name, digest=digest)
        return result

    def _warn(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            self.warnings.append(message)

    def _scan(self, vault: str) -> VaultScan | None:
        if vault not in self._scans:
            root = Path(vault)
            scan = scan_path(root) if root.is_dir() else None
            self._scans[vault] = scan
            if scan is None:
                self._warn(f"{vault}: vault folder not found; its cards' images are not exported")
            else:
                self._files[vault] = {rel for rels in scan.files_by_name.values() for rel in rels}
        return self._scans[vault]

    def _load(self, vault: str, note: str) -> NoteLayout | None:
        """The note's layout; only files the vault scan found are read (never outside it)."""
        layout = None
        scan = self._scan(vault)
        if scan is not None:
            text = _read_text(scan.root / note) if note in self._files[vault] else None
            if text is None:
                self._warn(f"{note}:1: note file not found in {vault}; its images are not "
                           "exported")  # fmt: skip
            else:
                layout = NoteLayout.from_text(text)
        self._notes[(vault, note)] = layout
        return layout

    def _digest(self, path: Path) -> str | None:
        if path not in self._digests:
            try:
                data = path.read_bytes()
            except OSError:
                return None
            self._digests[path] = hashlib.sha1(data, usedforsecurity=False).hexdigest()
        return self._digests[path]


def _read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError:
        return None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _unique_name(name: str, digest: str) -> str:
    path = PurePosixPath(name)
    return f"{path.stem}-{digest[:8]}{path.suffix}"
