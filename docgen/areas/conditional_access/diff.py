"""How two Conditional Access sections are matched: policies and locations by id (a renamed
policy is 'modified: name'); conditions and controls are sorted lists, so they compare as sets."""

from __future__ import annotations

from docgen.diff.spec import AreaDiff, Collection


def spec() -> AreaDiff:
    return AreaDiff(collections=(
        Collection(path="items", noun="Conditional Access policy", label="name",
                   keys=(("key",), ("name",))),
        Collection(path="named_locations", noun="named location", label="name"),
        Collection(path="directory_settings", noun="directory setting", label="name"),
        Collection(path="authorization_policy", noun="authorization setting", label="name"),
    ))
