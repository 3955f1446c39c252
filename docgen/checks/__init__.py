"""Checks: pure functions from a bundle to findings, judged at its `collected_at`."""

from __future__ import annotations

from docgen.areas.aadconnect.checks import check_aadconnect
from docgen.areas.dkim.checks import check_dkim
from docgen.areas.exchange_certificates.checks import check_exchange_certs
from docgen.areas.mail_auth.checks import check_dkim_without_dmarc, check_mail_auth
from docgen.checks.model import SEVERITIES, Finding, severity_rank
from docgen.checks.rules import default_rules
from docgen.core.dates import parse_iso

# section name -> check function(section, rules, as_of)
SECTION_CHECKS = {
    "aadconnect": check_aadconnect,
    "exchange_certificates": check_exchange_certs,
    "dkim": check_dkim,
    "mail_auth": check_mail_auth,
}

# checks that need several sections: function(sections, rules, as_of); each one
# decides itself which sections (and statuses) it needs
CROSS_SECTION_CHECKS = (
    check_dkim_without_dmarc,
)


def run_checks(bundle: dict, rules: dict | None = None) -> list[Finding]:
    """All findings for a bundle, most severe first, then by section and id."""
    rules = rules if rules is not None else default_rules()
    as_of = parse_iso(bundle["collected_at"])
    findings: list[Finding] = []
    for name, section in bundle["sections"].items():
        check = SECTION_CHECKS.get(name)
        if check is not None and section["status"] in ("ok", "partial"):
            findings.extend(check(section, rules, as_of))
    usable = {name: section for name, section in bundle["sections"].items()
              if section["status"] in ("ok", "partial")}
    for cross_check in CROSS_SECTION_CHECKS:
        findings.extend(cross_check(usable, rules, as_of))
    return sorted(findings, key=lambda f: (severity_rank(f.severity), f.section, f.id))


__all__ = ["SEVERITIES", "Finding", "run_checks"]
