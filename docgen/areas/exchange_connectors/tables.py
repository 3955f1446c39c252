"""The receive connectors as a table for CSV and XLSX."""

from __future__ import annotations

from docgen.render.tables import Table


def exchange_connector_tables(section: dict) -> list[Table]:
    rows = []
    for server in section["view"]["servers"]:
        for connector in server["connectors"]:
            rows.append([
                connector["server"],
                connector["name"] + (" (disabled)" if connector["enabled"] is False else ""),
                (connector["transport_role"] or "").replace("Transport", "") or None,
                ", ".join(connector["bindings"]),
                ", ".join(f"{entry['expression']} ({entry['size_text'] or 'unreadable'})"
                          for entry in connector["ranges"]),
                ", ".join(connector["auth_mechanism"]), ", ".join(connector["permission_groups"]),
                connector["relay_text"], connector["tls_certificate_name"],
            ])
    return [Table("exchange-receive-connectors", "Exchange receive connectors",
                  ("Server", "Connector", "Role (transport)", "Bindings", "Remote ranges (addresses)",
                   "Authentication", "Permission groups", "Relay", "TLS certificate"),
                  rows)]
