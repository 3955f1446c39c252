"""Per-section view models: bundle facts arranged for templates, nothing judged here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from docgen.areas.aadconnect.view import aadconnect_view
from docgen.areas.dns_views import dkim_view, mail_auth_view
from docgen.checks.model import worst_by_key
from docgen.core.dates import parse_iso
from docgen.render.charts import expiry_timeline


@dataclass(frozen=True)
class SectionView:
    """How a section appears in documents: its title, template, and view builder."""

    name: str
    title: str
    template: str
    # (section facts, collection time, that section's finding records) -> view
    build: Callable[[dict, datetime, list[dict]], dict]


def exchange_certs_view(section: dict, as_of: datetime, findings: list[dict]) -> dict:
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


SECTION_VIEWS = {
    "aadconnect": SectionView(
        name="aadconnect",
        title="Azure AD Connect",
        template="sections/aadconnect.html.j2",
        build=aadconnect_view,
    ),
    "exchange_certificates": SectionView(
        name="exchange_certificates",
        title="Exchange default SMTP certificates",
        template="sections/exchange_certificates.html.j2",
        build=exchange_certs_view,
    ),
    "dkim": SectionView(
        name="dkim",
        title="DKIM signing",
        template="sections/dkim.html.j2",
        build=dkim_view,
    ),
    "mail_auth": SectionView(
        name="mail_auth",
        title="Mail authentication (DMARC, SPF, MX, MTA-STS, TLS-RPT, BIMI)",
        template="sections/mail_auth.html.j2",
        build=mail_auth_view,
    ),
}
