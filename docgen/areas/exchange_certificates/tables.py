"""The Exchange section's tables for CSV and XLSX."""

from __future__ import annotations

from typing import Any

from docgen.render.tables import Table


def exchange_tables(section: dict) -> list[Table]:
    view = section["view"]
    servers = view["servers"]
    overview = Table(
        "exchange-servers", "Exchange default SMTP certificates",
        ("Server", "Roles", "Subject", "Issuer", "Not after", "Days left", "Key", "Signature", "Self-signed"),
        [_server_row(server) for server in servers], date_columns=("Not after",))
    certificates = Table(
        "exchange-certificates", "Exchange certificates per server",
        ("Server", "Subject", "Services", "Not after", "Days left", "Key", "Signature", "Self-signed"),
        [[entry["server"], entry["subject"], ", ".join(entry["bound"]), entry["not_after"],
          entry["days_left"], _key(entry), entry["signature_hash"], entry["self_signed"]]
         for entry in view["certificates"]], date_columns=("Not after",))
    store = Table(
        "exchange-store-certificates", "Exchange certificate stores",
        ("Server", "Thumbprint", "Friendly name", "Issuer", "Services", "Status", "Valid from",
         "Not after", "Names"),
        [[server["name"], entry["thumbprint"], entry["friendly_name"], entry.get("issuer"),
          ", ".join(entry["services"]), entry["status"], entry.get("not_before"), entry["not_after"],
          ", ".join(entry["domains"])]
         for server in servers for entry in server["store"]], date_columns=("Valid from", "Not after"))
    return [overview, certificates, store]


def _key(entry: dict) -> str | None:
    if not entry.get("key_type"):
        return None
    return f"{entry['key_type']} {entry['key_size']}" if entry.get("key_size") else entry["key_type"]


def _server_row(server: dict) -> list[Any]:
    cert = server["default_smtp_certificate"]
    if cert["state"] != "present":
        state = {"absent": "not set", "not_collected": "not in the export"}.get(
            cert["state"], f"could not be read: {cert.get('error')}")
        return [server["name"], ", ".join(server["roles"]), state, None, None, None, None, None, None]
    return [server["name"], ", ".join(server["roles"]), cert["subject"], cert["issuer"], cert["not_after"],
            server["days_left"], f"{cert['key_type']} {cert['key_size']}", cert["signature_hash"],
            cert["self_signed"]]
