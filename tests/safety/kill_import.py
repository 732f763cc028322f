"""Run ``studytool import`` in this process and SIGKILL it at a chosen point.

Used by the kill tests as ``python tests/safety/kill_import.py POINT studytool-args...``. The
importer is not changed: its steps are wrapped here, from outside, so that the process dies
right after one of them (or before/after the commit), as a power cut or ``kill -9`` would.

Points: ``reading`` (after the fifth note is read, before any write), ``after:<step>`` for the
importer's steps ``_upsert_notes``, ``_update_matched``, ``_insert_new``, ``_retire`` (inside
the write transaction), ``before-commit`` and ``after-commit``.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def die_after(owner: Any, name: str, calls: int = 1) -> None:
    """Replace ``owner.name`` by a wrapper that kills the process after its ``calls``-th call."""
    original: Callable[..., Any] = getattr(owner, name)
    seen = 0

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal seen
        result = original(*args, **kwargs)
        seen += 1
        if seen >= calls:
            die()
        return result

    setattr(owner, name, wrapper)


def die_before(owner: Any, name: str) -> None:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        die()

    setattr(owner, name, wrapper)


def arm(point: str) -> None:
    from sqlmodel import Session

    from studytool.store import importer

    if point == "reading":
        die_after(importer, "_read_note", calls=5)
    elif point.startswith("after:"):
        die_after(importer, point.removeprefix("after:"))
    elif point == "before-commit":
        die_before(Session, "commit")
    elif point == "after-commit":
        die_after(Session, "commit")
    elif point != "none":
        raise SystemExit(f"unknown kill point {point!r}")


def main() -> None:
    point, *args = sys.argv[1:]
    arm(point)
    from studytool.cli.main import cli

    cli(args, prog_name="studytool")


if __name__ == "__main__":
    main()
