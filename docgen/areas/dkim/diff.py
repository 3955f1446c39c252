"""How two DKIM sections are matched: domains, then their selectors."""

from __future__ import annotations

from docgen.diff.spec import AreaDiff, Collection


def spec() -> AreaDiff:
    return AreaDiff(collections=(
        Collection(path="items", noun="DKIM domain", label="domain",
                   children=(Collection(path="selectors", noun="Selector", keys=(("selector",),),
                                        label="selector"),),
                   uncertain_parts=_unverified_selectors,
                   quiet=("selectors[*].key_lookup.records",
                          "selectors[*].cname_lookup.records", "selectors[*].configured_key_record")),
    ))


def _unverified_selectors(item: dict) -> list[str]:
    return [f"selectors[{facts['selector']}]" for facts in item.get("selectors") or []
            if "unverified" in (facts.get("cname_state"), facts.get("key_state"))]
