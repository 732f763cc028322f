"""Scheduling, pure: SM-2 (:mod:`.sm2`), opt-in FSRS (:mod:`.fsrs_adapter`), study days
(:mod:`.days`) and the review queue (:mod:`.queue`). No database or UI imports here."""

from __future__ import annotations
