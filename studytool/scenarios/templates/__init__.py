"""Scenario question templates, one module per topic; importing the package registers them all
in :data:`~studytool.scenarios.templates.base.TEMPLATES` (see :mod:`.base` for the types)."""

from __future__ import annotations

from studytool.scenarios.templates import (  # noqa: F401  (imported to register their templates)
    api_gateway,
    internet_gateway,
    nat_gateway,
    nat_instance,
    site_to_site_vpn,
    transit_gateway,
)
from studytool.scenarios.templates.base import (
    KINDS,
    TEMPLATES,
    TOPICS,
    Draft,
    Option,
    Probe,
    Question,
    Template,
)

__all__ = ["KINDS", "TEMPLATES", "TOPICS", "Draft", "Option", "Probe", "Question", "Template"]
