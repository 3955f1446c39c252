"""The Conditional Access section's tables for CSV and XLSX."""

from __future__ import annotations

from docgen.render.tables import Table


def conditional_access_tables(section: dict) -> list[Table]:
    view = section["view"]
    return [
        Table("ca-policies", "Conditional Access policies",
              ("Policy", "State", "What it does", "Modified"),
              [[p["name"], p["state_words"], p["sentence"], p["modified"]] for p in view["policies"]],
              date_columns=("Modified",)),
        Table("ca-coverage", "Conditional Access coverage",
              ("Protection", "Enabled policies", "Report-only policies"),
              [[row["title"], "; ".join(row["enabled"]), "; ".join(row["report_only"])]
               for row in view["coverage"]]),
    ]
