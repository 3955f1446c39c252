"""Exchange servers and the readiness checklist as tables for CSV and XLSX."""

from __future__ import annotations

from docgen.render.tables import Table


def exchange_server_tables(section: dict) -> list[Table]:
    view = section["view"]
    servers = [[s["name"], ", ".join(s["roles"]), s["edition"], s["site"], s["build"], s["product"], s["update"],
                s["released"], s["support_text"]] for s in view["servers"]]
    checklist = [[row["check"], row["state"], row["evidence"]] for row in view["readiness"]]
    return [Table("exchange-servers", "Exchange servers",
                  ("Server", "Roles", "Edition", "Site", "Build", "Product", "Update", "Update released",
                   "Support"), servers),
            Table("exchange-hybrid-readiness", "Teams and hybrid readiness",
                  ("Check", "State", "Evidence"), checklist)]
