"""The Exchange section as the templates see it: each server with its days left and store."""

from __future__ import annotations

from datetime import datetime

from docgen.areas.exchange_certificates.facts import ExchangeSection
from docgen.checks.model import worst_by_key
from docgen.core.dates import parse_iso
from docgen.render.charts import expiry_timeline


def exchange_certs_view(section: ExchangeSection, as_of: datetime, findings: list[dict]) -> dict:
    worst = worst_by_key(findings)
    servers = []
    for server in section["items"]:
        certificate = server["default_smtp_certificate"]
        days_left = None
        if certificate["state"] == "present":
            days_left = int((parse_iso(certificate["not_after"]) - as_of).total_seconds() // 86400)
        default_thumbprint = certificate.get("thumbprint_sha1")
        servers.append({
            **server,
            "days_left": days_left,
            "worst": worst.get(server["key"]),
            "store": [{**entry, "is_default": entry["thumbprint"] == default_thumbprint}
                      for entry in server["store_certificates"] or []],
        })
    return {"servers": servers, "timeline": expiry_timeline(servers, as_of)}
