"""Every rule of the model, one small registered function each, grouped by topic.

Importing this package registers all rules in :data:`studytool.model.rules.RULES`.
"""

from __future__ import annotations

from studytool.model.rulebook import (  # noqa: F401  (imported to register their rules)
    apigateway,
    availability,
    filtering,
    nat,
    routing,
    vpn,
)
