"""Finding and reading a vault's files, and resolving embeds, without ever leaving the vault.

A vault is the nearest folder holding ``.obsidian/`` above what the user named, or else the
folder named (or the folder of the note named). Hidden folders (``.obsidian``, ``.trash``,
``.git``) are skipped. Embeds resolve like Obsidian: a path relative to the vault or to the
note, else the file name anywhere in the vault. A target that would leave the vault (``..``,
absolute paths, symlinks pointing out) resolves to nothing and is never read.

A note is imported only from where it really is: a symlinked note or folder is never imported
through its link (the note it points at in the vault is imported itself, once), a link that
leaves the vault is never followed, and each such link is a ``link:1: what`` warning. Links
are never walked into, so a symlink loop cannot make a scan go round forever.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

NOTE_SUFFIX = ".md"
_SKIPPED_DIRS = {"node_modules", "__pycache__"}


@dataclass(frozen=True, slots=True)
class NoteFile:
    """A note inside a vault."""

    vault: Path
    rel: str

    @property
    def path(self) -> Path:
        return self.vault / self.rel


@dataclass(slots=True)
class VaultScan:
    """The notes to import from one vault, and every file name in it (for embeds).

    ``complete`` is True when the whole vault (or a folder of it) was scanned, so notes
    that were imported before and are no longer found can be treated as gone. ``warnings``
    are ``link:1: what`` lines for the symlinks in the scanned folder that were skipped, and
    ``skipped_notes`` counts the ``.md`` ones among them (notes found but not imported).
    """

    root: Path
    notes: list[NoteFile] = field(default_factory=list)
    files_by_name: dict[str, list[str]] = field(default_factory=dict)
    scanned_prefix: str | None = None
    complete: bool = False
    warnings: list[str] = field(default_factory=list)
    skipped_notes: int = 0

    def covers(self, rel: str) -> bool:
        """Whether a note path was inside what this scan looked at."""
        if not self.complete:
            return False
        if not self.scanned_prefix:
            return True
        return rel.startswith(self.scanned_prefix + "/")


def find_vault_root(path: Path) -> Path:
    """The folder holding ``.obsidian/`` above ``path``, else the folder ``path`` is or is in."""
    start = path if path.is_dir() else path.parent
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / ".obsidian").is_dir():
            return candidate
    return start


def scan_path(path: Path) -> VaultScan:
    """Scan a vault folder, a folder inside a vault, or a single note."""
    resolved = path.expanduser().resolve()
    root = find_vault_root(resolved)
    scan = VaultScan(root=root)
    found = list(_walk(root))
    for entry in found:
        if entry.usable_file:
            scan.files_by_name.setdefault(PurePosixPath(entry.rel).name.lower(), []).append(
                entry.rel
            )
    if resolved.is_dir():
        prefix = resolved.relative_to(root).as_posix()
        scan.scanned_prefix = None if prefix == "." else prefix
        scan.complete = True
        scan.notes = [
            NoteFile(root, entry.rel)
            for entry in found
            if entry.link is None and _is_note(entry.rel) and scan.covers(entry.rel)
        ]
        _skip_links(scan, found)
    else:
        scan.notes = [NoteFile(root, resolved.relative_to(root).as_posix())]
    scan.notes.sort(key=lambda note: note.rel.lower())
    return scan


#: What a symlink's target is when it is not a path inside the vault.
_OUTSIDE = "\0outside"
_NOWHERE = "\0nowhere"


@dataclass(frozen=True, slots=True)
class _Found:
    """A file or symlink met while walking a vault.

    ``link`` is None for a real file; for a symlink it is its final target's path in the vault
    (``.`` for the vault folder itself), or :data:`_OUTSIDE` or :data:`_NOWHERE` (a missing
    target or a loop). ``folder`` tells a link to a folder.
    """

    rel: str
    link: str | None = None
    folder: bool = False

    @property
    def usable_file(self) -> bool:
        """A real file, or a link to a file in the vault: something an embed may show."""
        return not self.folder and self.link not in (_OUTSIDE, _NOWHERE)


def _is_note(rel: str) -> bool:
    return rel.lower().endswith(NOTE_SUFFIX)


def _skip_links(scan: VaultScan, found: list[_Found]) -> None:
    """Warn about each symlink in the scanned folder that could hold a note (none is imported)."""
    imported = {note.rel for note in scan.notes}
    for entry in found:
        if entry.link is None or not scan.covers(entry.rel):
            continue
        message = _link_problem(entry, imported)
        if message is None:
            continue
        scan.warnings.append(f"{entry.rel}:1: {message}; skipped")
        if not entry.folder and _is_note(entry.rel):
            scan.skipped_notes += 1


def _link_problem(entry: _Found, imported: set[str]) -> str | None:
    """Why a symlink is skipped, or None when it is no concern of the import (a linked image)."""
    what = "folder" if entry.folder else "file"
    if entry.link == _OUTSIDE:
        return f"a link to a {what} outside the vault"
    if not entry.folder and not _is_note(entry.rel):
        return None
    if entry.link == _NOWHERE:
        return "a link that leads nowhere (its target is missing, or it loops)"
    target = "the vault folder" if entry.link == "." else entry.link
    if entry.link in imported:
        return f"a link to {target}, which is imported itself"
    return f"a link to {target} (a note is imported only from where it really is)"


def _walk(root: Path) -> Iterator[_Found]:
    """Every file under ``root`` outside hidden folders, links reported and never walked into."""
    for directory, dirnames, filenames in os.walk(root):
        base = Path(directory)
        visible = sorted(
            name for name in dirnames if not name.startswith(".") and name not in _SKIPPED_DIRS
        )
        dirnames[:] = [name for name in visible if not (base / name).is_symlink()]
        for name in visible:
            if name not in dirnames:
                full = base / name
                yield _Found(_rel(full, root), _link_target(full, root), folder=True)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = base / name
            link = _link_target(full, root) if full.is_symlink() else None
            yield _Found(_rel(full, root), link, folder=link is not None and full.is_dir())


def _rel(full: Path, root: Path) -> str:
    return full.relative_to(root).as_posix()


def _link_target(link: Path, root: Path) -> str:
    """Where a symlink finally leads: its path in the vault, :data:`_OUTSIDE` or :data:`_NOWHERE`.

    Only the link chain is looked up (no file is opened), so a target outside is never read.
    """
    try:
        target = Path(os.path.realpath(link, strict=True))
    except (OSError, RuntimeError):
        return _NOWHERE
    if not _inside(target, root):
        return _OUTSIDE
    return _rel(target, root)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def deck_for(rel: str, root: Path) -> str:
    """The deck a note belongs to: its folder path in the vault, or the vault's name at the top."""
    parent = PurePosixPath(rel).parent.as_posix()
    return root.name if parent in ("", ".") else parent


def resolve_embed(scan: VaultScan, note_rel: str, target: str) -> Path | None:
    """The vault file an embed points at, or None when it is missing or outside the vault."""
    cleaned = target.split("|", 1)[0].split("#", 1)[0].strip().replace("\\", "/")
    if not cleaned or cleaned.startswith("/") or ":" in cleaned:
        return None
    candidates = [cleaned, (PurePosixPath(note_rel).parent / cleaned).as_posix()]
    for candidate in candidates:
        normalised = os.path.normpath(candidate).replace("\\", "/")
        if normalised.startswith("../") or normalised == "..":
            continue
        full = (scan.root / normalised).resolve()
        if _inside(full, scan.root) and full.is_file():
            return full
    if "/" in cleaned and ".." in PurePosixPath(cleaned).parts:
        return None
    name = PurePosixPath(cleaned).name.lower()
    matches = scan.files_by_name.get(name) or scan.files_by_name.get(name + NOTE_SUFFIX)
    if matches:
        return scan.root / sorted(matches, key=lambda rel: (rel.count("/"), rel))[0]
    return None
