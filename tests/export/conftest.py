"""Fixtures for the Anki export tests: a small vault, a store with a settable clock, real Anki."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from studytool.store.repository import Repository

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

#: Two different images that share a file name, in different folders.
DIAGRAM_NETWORKING = b"\x89PNG\r\n\x1a\n networking diagram"
DIAGRAM_OTHER = b"\x89PNG\r\n\x1a\n a different diagram"

ORANGE = '<mark style="background: #FFB86CA6;">'
NAT_NOTE = "\n".join(
    [
        "---",
        "tags: [aws, networking]",
        "---",
        "# NAT gateway",
        "## Basics",
        f"- A NAT gateway needs an ==Elastic IP== in a {ORANGE}public subnet</mark>",
        "\t- ![[attachments/diagram.png]]",
        f"- {ORANGE}NAT instance supports port forwarding</mark>",
        "- A missing picture ==still exports== ![[missing.png]]",
        "## Danger",
        "- Text with `<script>alert(1)</script>` and ==**bold** answer== and &lt;b&gt; {{c1::x}}",
        "",
    ]
)

GATEWAY_NOTE = """\
# Gateways
An internet gateway is ==horizontally scaled== and redundant.

![](img/diagram.png)
"""


class MutableClock:
    """A clock the test moves forward (the repository stamps imports with it)."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class ExportVault:
    """A vault on disk and helpers to edit it."""

    root: Path

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def export_vault(tmp_path: Path) -> ExportVault:
    """A vault with two notes, one existing image per folder (same name), one missing image."""
    root = tmp_path / "My Vault"
    (root / ".obsidian").mkdir(parents=True)
    vault = ExportVault(root)
    vault.write("AWS/Networking/NAT gateway.md", NAT_NOTE)
    vault.write("Other/Gateways.md", GATEWAY_NOTE)
    (root / "AWS/Networking/attachments").mkdir(parents=True)
    (root / "AWS/Networking/attachments/diagram.png").write_bytes(DIAGRAM_NETWORKING)
    (root / "Other/img").mkdir(parents=True)
    (root / "Other/img/diagram.png").write_bytes(DIAGRAM_OTHER)
    return vault


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock()


@pytest.fixture
def store(tmp_path: Path, clock: MutableClock) -> Iterator[Repository]:
    repository = Repository.open(tmp_path / "export-test.db", clock=clock)
    yield repository
    repository.close()


@pytest.fixture
def imported_store(store: Repository, export_vault: ExportVault) -> Repository:
    report = store.import_paths([export_vault.root])
    assert not report.errors
    return store


OpenAnki = Callable[[], Collection]


@pytest.fixture
def open_anki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenAnki]:
    """Open fresh Anki collections (each in its own temporary folder); all closed afterwards."""
    opened: list[Collection] = []

    def open_collection() -> Collection:
        folder = tmp_path_factory.mktemp("anki")
        collection = Collection(str(folder / "collection.anki2"))
        opened.append(collection)
        return collection

    yield open_collection
    for collection in opened:
        collection.close()


def import_package(collection: Collection, package: Path) -> object:
    """Import ``package`` the way the issue describes (Anki's defaults otherwise)."""
    options = ImportAnkiPackageOptions(merge_notetypes=True, with_scheduling=True)
    request = ImportAnkiPackageRequest(package_path=str(package), options=options)
    return collection.import_anki_package(request).log
