"""Explicit steps that bring an older bundle to the current schema version.

Each step takes a bundle of version N and returns one of version N + 1. Loading
applies them in order; a version newer than CURRENT_VERSION is refused.
"""

from __future__ import annotations

from typing import Callable

CURRENT_VERSION = 1

# version N -> function producing version N + 1
STEPS: dict[int, Callable[[dict], dict]] = {}


def migrate(document: dict) -> dict:
    """Apply every step from the document's version up to CURRENT_VERSION."""
    version = document["schema_version"]
    while version < CURRENT_VERSION:
        document = STEPS[version](document)
        version += 1
        document["schema_version"] = version
    return document
