"""Checks: pure functions from a bundle to findings, judged at its `collected_at`."""

from __future__ import annotations

from docgen.checks.aadconnect import check_aadconnect
from docgen.checks.exchange_certs import check_exchange_certs
from docgen.checks.model import SEVERITIES, Finding, severity_rank
from docgen.checks.rules import default_rules
from docgen.dates import parse_iso

# section name -> check function(section, rules, as_of)
SECTION_CHECKS = {
    "aadconnect": check_aadconnect,
    "exchange_certificates": check_exchange_certs,
}


def run_checks(bundle: dict, rules: dict | None = None) -> list[Finding]:
    """All findings for a bundle, most severe first, then by section and id."""
    rules = rules if rules is not None else default_rules()
    as_of = parse_iso(bundle["collected_at"])
    findings: list[Finding] = []
    for name, section in bundle["sections"].items():
        check = SECTION_CHECKS.get(name)
        if check is not None and section["status"] in ("ok", "partial"):
            findings.extend(check(section, rules, as_of))
    return sorted(findings, key=lambda f: (severity_rank(f.severity), f.section, f.id))


__all__ = ["SEVERITIES", "Finding", "run_checks"]
