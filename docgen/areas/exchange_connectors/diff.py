"""How two connector sections are matched: by server and connector name."""

from __future__ import annotations

from docgen.diff.spec import Collection


def collections() -> tuple[Collection, ...]:
    return (Collection(path="items", noun="receive connector", label="identity"),)
