"""The Exchange section as the templates see it: each server with its days left and every
certificate of its store (services, expiry, key, signature; which one is the default SMTP
certificate), and the expiry timelines."""

from __future__ import annotations

from datetime import datetime

from docgen.areas.exchange_certificates.checks import bound_services
from docgen.areas.exchange_certificates.facts import ExchangeSection
from docgen.checks.model import worst_by_key
from docgen.core.dates import parse_iso, whole_days
from docgen.render.charts import expiry_timeline, validity_timeline


def exchange_certs_view(section: ExchangeSection, as_of: datetime, findings: list[dict]) -> dict:
    worst = worst_by_key(findings)
    servers: list[dict] = []
    for server in section["items"]:
        certificate = server["default_smtp_certificate"]
        days_left = None
        if certificate["state"] == "present":
            days_left = _days_left(certificate["not_after"], as_of)
        default_thumbprint = certificate.get("thumbprint_sha1")
        store = [{**entry,
                  "is_default": entry["thumbprint"] == default_thumbprint,
                  "bound": bound_services(entry),
                  "days_left": _days_left(entry["not_after"], as_of),
                  "worst": worst.get(f"{server['key']}/{entry['thumbprint']}")}
                 for entry in server["store_certificates"] or []]
        servers.append({
            **server,
            "days_left": days_left,
            "worst": worst.get(server["key"]),
            "store": store,
            "default_in_store": any(entry["is_default"] for entry in store),
            "web_host_names": server.get("web_host_names"),
        })
    return {"servers": servers, "timeline": expiry_timeline(servers, as_of),
            "store_timeline": _store_timeline(servers, as_of),
            "certificates": [{"server": server["name"], "server_key": server["key"], **entry}
                             for server in servers for entry in server["store"]]}


def _days_left(not_after: str | None, as_of: datetime) -> int | None:
    if not not_after:
        return None
    return whole_days(parse_iso(not_after) - as_of)


def _store_timeline(servers: list[dict], as_of: datetime):
    """Every certificate of every store with an expiry, soonest first: 'EX07 webmail.contoso.com'."""
    rows = []
    for server in servers:
        for entry in server["store"]:
            if entry["not_after"]:
                rows.append((entry["not_after"], server["key"], entry["thumbprint"],
                             f"{server['name']} {_short_name(entry)}",
                             parse_iso(entry["not_before"]) if entry.get("not_before") else None,
                             parse_iso(entry["not_after"])))
    rows.sort(key=lambda row: row[:3])
    return validity_timeline([(label, start, end) for *_sort, label, start, end in rows], as_of,
                             "Validity of every Exchange certificate by server", label_width=250)


def _short_name(entry: dict) -> str:
    subject = entry["subject"] or entry["thumbprint"][:8]
    name = subject[3:].split(",", 1)[0] if subject.upper().startswith("CN=") else subject
    return name if len(name) <= 30 else name[:29] + "…"
