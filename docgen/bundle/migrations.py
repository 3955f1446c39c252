"""Explicit steps that bring an older bundle to the current schema version.

Each step takes a bundle of version N and returns one of version N + 1. Loading
applies them in order; a version newer than CURRENT_VERSION is refused.
"""

from __future__ import annotations

from typing import Callable

CURRENT_VERSION = 2


def _add_skipped_inputs(document: dict) -> dict:
    """1 -> 2: inputs handed over but not used are recorded; a version 1 bundle recorded none."""
    return {**document, "skipped_inputs": []}


# version N -> function producing version N + 1
STEPS: dict[int, Callable[[dict], dict]] = {1: _add_skipped_inputs}


def migrate(document: dict, steps: dict[int, Callable[[dict], dict]] | None = None,
            current: int = CURRENT_VERSION) -> dict:
    """Apply every step from the document's version up to `current`, in order.

    A version with no step is a docgen bug (every release that bumps the version
    ships its step); KeyError says so loudly rather than loading half-migrated data.
    """
    steps = STEPS if steps is None else steps
    version = document["schema_version"]
    while version < current:
        document = steps[version](document)
        version += 1
        document["schema_version"] = version
    return document
