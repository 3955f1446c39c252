"""Exchange servers and the readiness checklist as tables for CSV and XLSX."""

from __future__ import annotations

from docgen.render.tables import Table


def exchange_server_tables(section: dict) -> list[Table]:
    view = section["view"]
    servers = [[s["name"], ", ".join(s["roles"]), s["edition"], s["build"],
                s["level"] + (f" ({s['build_note']})" if s["build_note"] else ""), s["released"], s["support_text"]]
               for s in view["servers"]]
    checklist = [[row["check"], row["state"], row["evidence"]] for row in view["readiness"]]
    return [Table("exchange-server-builds", "Exchange servers and builds",
                  ("Server", "Roles", "Edition", "Build", "Product and update", "Released", "Support"), servers),
            Table("exchange-hybrid-readiness", "Teams and hybrid readiness",
                  ("Check", "State", "Evidence"), checklist)]
