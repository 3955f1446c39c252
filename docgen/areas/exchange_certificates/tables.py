"""The Exchange section's tables for CSV and XLSX."""

from __future__ import annotations

from typing import Any

from docgen.render.tables import Table


def exchange_tables(section: dict) -> list[Table]:
    servers = section["view"]["servers"]
    overview = Table(
        "exchange-servers", "Exchange default SMTP certificates",
        ("Server", "Roles", "Subject", "Issuer", "Not after", "Days left", "Key", "Signature", "Self-signed"),
        [_server_row(server) for server in servers], date_columns=("Not after",))
    store = Table(
        "exchange-store-certificates", "Exchange certificate stores",
        ("Server", "Thumbprint", "Friendly name", "Services", "Status", "Not after", "Self-signed"),
        [[server["name"], entry["thumbprint"], entry["friendly_name"], ", ".join(entry["services"]),
          entry["status"], entry["not_after"], entry["self_signed"]]
         for server in servers for entry in server["store"]], date_columns=("Not after",))
    return [overview, store]


def _server_row(server: dict) -> list[Any]:
    cert = server["default_smtp_certificate"]
    if cert["state"] != "present":
        state = "not set" if cert["state"] == "absent" else f"could not be read: {cert['error']}"
        return [server["name"], ", ".join(server["roles"]), state, None, None, None, None, None, None]
    return [server["name"], ", ".join(server["roles"]), cert["subject"], cert["issuer"], cert["not_after"],
            server["days_left"], f"{cert['key_type']} {cert['key_size']}", cert["signature_hash"],
            cert["self_signed"]]
