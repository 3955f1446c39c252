"""How two connector sections are matched: by server and connector name."""

from __future__ import annotations

from docgen.diff.spec import AreaDiff, Collection


def spec() -> AreaDiff:
    return AreaDiff(collections=(Collection(path="items", noun="receive connector", label="identity"),))
