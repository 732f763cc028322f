"""The card store: SQLite through SQLModel/SQLAlchemy, and the service API on top of it.

Nothing outside this package opens a database session. Callers use
:class:`studytool.store.repository.Repository` and the services built on it.
"""

from __future__ import annotations
