"""Identity Protection's tables for CSV and XLSX: counts only."""

from __future__ import annotations

from docgen.render.tables import Table


def identity_protection_tables(section: dict) -> list[Table]:
    view = section["view"]
    return [
        Table("idp-risky-users", "Risky users by level and state", ("Risk level", *view["states"], "Total"),
              [[row["level"], *row["cells"], row["total"]] for row in view["matrix"]]),
        Table("idp-detections", "Risk detections by type", ("Detection", "Level", "State", "Count"),
              [[row["event_type"], row["level"], row["state"], row["count"]] for row in view["detection_counts"]]),
    ]
