"""The DKIM section's tables for CSV and XLSX."""

from __future__ import annotations

from docgen.render.tables import Table


def dkim_tables(section: dict) -> list[Table]:
    view = section["view"]

    def selector_cell(item: dict, name: str) -> str | None:
        facts = item["by_selector"].get(name)
        return None if facts is None else f"CNAME {facts['summary']['cname']}; {facts['summary']['key']}"

    return [
        Table("dkim-failures", "Failing active DKIM selectors",
              ("Domain", "Active selector", "Selector CNAME (target)", "Why"),
              [[row["domain"], row["selector"], row["cname"], row["reason"]] for row in view["failing"]]),
        Table("dkim-overview", "DKIM signing", ("Domain", "Signing", "Active", "selector1", "selector2"),
              [[item["domain"], item["signing"], item["active_selector"], selector_cell(item, "selector1"),
                selector_cell(item, "selector2")] for item in view["domains"]]),
        Table("dkim-selectors", "DKIM selectors",
              ("Domain", "Selector", "Published CNAME", "Configured target", "Key at target"),
              [[item["domain"], facts["selector"], facts["published_target"], facts["configured_target"],
                facts["summary"]["key"]] for item in view["domains"] for facts in item["selector_rows"]]),
    ]
