"""Finding and reading a vault's files, and resolving embeds, without ever leaving the vault.

A vault is the nearest folder holding ``.obsidian/`` above what the user named, or else the
folder named (or the folder of the note named). Hidden folders (``.obsidian``, ``.trash``,
``.git``) are skipped. Embeds resolve like Obsidian: a path relative to the vault or to the
note, else the file name anywhere in the vault. A target that would leave the vault (``..``,
absolute paths, symlinks pointing out) resolves to nothing and is never read.
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
    that were imported before and are no longer found can be treated as gone.
    """

    root: Path
    notes: list[NoteFile] = field(default_factory=list)
    files_by_name: dict[str, list[str]] = field(default_factory=dict)
    scanned_prefix: str | None = None
    complete: bool = False

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
    all_files = list(_walk(root))
    for rel in all_files:
        scan.files_by_name.setdefault(PurePosixPath(rel).name.lower(), []).append(rel)
    if resolved.is_dir():
        prefix = resolved.relative_to(root).as_posix()
        scan.scanned_prefix = None if prefix == "." else prefix
        scan.complete = True
        scan.notes = [
            NoteFile(root, rel)
            for rel in all_files
            if rel.lower().endswith(NOTE_SUFFIX) and scan.covers(rel)
        ]
    else:
        scan.notes = [NoteFile(root, resolved.relative_to(root).as_posix())]
    scan.notes.sort(key=lambda note: note.rel.lower())
    return scan


def _walk(root: Path) -> Iterator[str]:
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            name for name in dirnames if not name.startswith(".") and name not in _SKIPPED_DIRS
        )
        base = Path(directory)
        for name in filenames:
            if name.startswith("."):
                continue
            full = base / name
            if full.is_symlink() and not _inside(full.resolve(), root):
                continue
            yield full.relative_to(root).as_posix()


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
