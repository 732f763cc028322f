"""``python -m studytool``: the same entry point as the ``studytool`` console script."""

from __future__ import annotations

from studytool.cli.main import main

if __name__ == "__main__":
    main()
