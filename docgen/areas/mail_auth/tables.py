"""The mail-authentication section's tables for CSV and XLSX."""

from __future__ import annotations

from docgen.render.tables import Table


def mail_auth_tables(section: dict) -> list[Table]:
    view = section["view"]
    kinds = view["kinds"]
    return [
        Table("mail-auth-overview", "Mail authentication",
              ("Domain", *(title for _, title in kinds)),
              [[item["domain"], *(item["cells"][kind]["text"] for kind, _ in kinds)] for item in view["domains"]]),
        Table("mail-auth-records", "Mail authentication records",
              ("Domain", "Record", "Looked up", "Found", "Verdict"),
              [[item["domain"], title, f"{item[kind]['lookup']['name']} {item[kind]['lookup']['type']} "
                f"{item[kind]['lookup']['outcome'].upper()}", "\n".join(item[kind]["records"]),
                item["cells"][kind]["text"]] for item in view["domains"] for kind, title in kinds]),
    ]
