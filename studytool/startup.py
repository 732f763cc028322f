"""Start-up speed: the cyclic garbage collector runs rarely until the first screen is drawn.

Starting ``studytool review`` creates a few hundred thousand objects that live as long as the
process (Textual's classes and stylesheets, the widgets, the study queue). Python's collector
looks for cycles every 700 new objects, walks more and more of these survivors each time, and
finds almost no garbage: about a sixth of the start-up's CPU time. So the console-script entry
point raises that threshold to :data:`STARTUP_THRESHOLD` (:func:`hold_collection`): the
collector still runs, a hundred times less often, so memory stays bounded even in a long
command such as importing a large vault. The review app, which then runs for as long as the
user studies, gives Python's settings back once its first frame is on screen
(:func:`release_collection`) and freezes what start-up created (``gc.freeze``), so that later
collections skip those long-lived objects. Nothing happens unless collection was held: tests
and library use that do not go through the entry point keep Python's normal collector.
"""

from __future__ import annotations

import gc

#: new objects between two collections of the youngest generation during start-up (Python: 700)
STARTUP_THRESHOLD = 100_000

_saved: tuple[int, int, int] | None = None


def hold_collection() -> None:
    """Collect a hundred times less often until :func:`release_collection`."""
    global _saved
    if _saved is None:
        _saved = gc.get_threshold()
        gc.set_threshold(max(STARTUP_THRESHOLD, _saved[0]), *_saved[1:])


def release_collection() -> None:
    """Freeze what start-up created and give the collector its settings back (when held)."""
    global _saved
    if _saved is not None:
        saved, _saved = _saved, None
        gc.freeze()
        gc.set_threshold(*saved)


def collection_held() -> bool:
    return _saved is not None
