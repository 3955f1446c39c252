"""Mobile access tables for CSV and XLSX."""

from __future__ import annotations

from docgen.render.tables import Table


def mobile_access_tables(section: dict) -> list[Table]:
    environments = section["view"]["environments"]
    return [
        Table("mobile-rules", "ActiveSync device access rules",
              ("Environment", "Access", "Characteristic", "Query string", "Name"),
              [[env["title"], rule["access_level"], rule["characteristic"], rule["query_string"], rule["name"]]
               for env in environments for rule in env["rules_in_order"]]),
        Table("mobile-devices", "Mobile devices by OS, type and state",
              ("Environment", "OS", "Type", "Model", "Client", "State", "Reason", "Devices"),
              [[env["title"], row["os"], row["type"], row["model"], row["client"], row["state"], row["reason"],
                row["count"]] for env in environments for row in env["devices"]]),
    ]
