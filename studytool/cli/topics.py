"""The ``--topic`` option's type: a scenario topic as people write it.

``nat-gateway``, ``NAT gateway``, ``nat_gateway`` and ``NAT-Gateway`` all name the topic
``nat-gateway`` (:func:`studytool.scenarios.generator.normalise_topic`); anything else gets
click's usual message listing the topics.
"""

from __future__ import annotations

from typing import Any

import click

from studytool.scenarios.generator import UnknownTopicError, normalise_topic
from studytool.scenarios.templates.base import TOPICS


class TopicChoice(click.Choice):  # type: ignore[type-arg]
    """One of :data:`TOPICS`, in any case, with spaces or underscores for the dashes."""

    def __init__(self) -> None:
        super().__init__(TOPICS, case_sensitive=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            try:
                return normalise_topic(value)
            except UnknownTopicError:
                pass  # click's own message names the choices
        return super().convert(value, param, ctx)
