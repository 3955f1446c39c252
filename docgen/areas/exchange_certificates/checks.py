"""Checks on each Exchange server's default SMTP certificate."""

from __future__ import annotations

from datetime import datetime

from docgen.areas.exchange_certificates.facts import ExchangeSection, ExchangeServer, SmtpCertificate
from docgen.checks.model import Finding, make_finding
from docgen.core.dates import parse_iso

SECTION = "exchange_certificates"


def check_exchange_certs(section: ExchangeSection, rules: dict, as_of: datetime) -> list[Finding]:
    findings: list[Finding] = []
    for server in section["items"]:
        findings.extend(_check_server(server, rules, as_of))
    return findings


def _check_server(server: ExchangeServer, rules: dict, as_of: datetime) -> list[Finding]:
    certificate = server["default_smtp_certificate"]

    def finding(rule_id: str, evidence: str, **title_values: str) -> Finding:
        return make_finding(rules, rule_id, section=SECTION, key=server["key"],
                            subject=server["name"], evidence=evidence, **title_values)

    if certificate["state"] == "absent":
        return [finding("exchange-smtp-cert-missing",
                        f"msExchServerInternalTLSCert is not set on {server['name']}.")]
    if certificate["state"] != "present":
        return []  # unreadable: reported as a section error, not judged
    found = []
    expiry = _expiry_finding(certificate, rules, as_of, finding)
    if expiry:
        found.append(expiry)
    min_bits = rules["exchange-smtp-cert-weak-key"]["min_bits"]
    if certificate["key_type"] == "RSA" and (certificate["key_size"] or 0) < min_bits:
        found.append(finding("exchange-smtp-cert-weak-key",
                             f"RSA key of {certificate['key_size']} bits "
                             f"(thumbprint {certificate['thumbprint_sha1']})."))
    hash_name = (certificate["signature_hash"] or "").lower()
    if hash_name in rules["exchange-smtp-cert-weak-signature"]["weak_hashes"]:
        found.append(finding("exchange-smtp-cert-weak-signature",
                             f"Signature hash {hash_name.upper()} "
                             f"(thumbprint {certificate['thumbprint_sha1']}).",
                             hash=hash_name.upper()))
    return found


def _expiry_finding(certificate: SmtpCertificate, rules: dict, as_of: datetime,
                    finding) -> Finding | None:
    not_after = parse_iso(certificate["not_after"])
    days_left = (not_after - as_of).total_seconds() / 86400
    stamp = f"Valid until {certificate['not_after'][:10]}"
    if days_left <= 0:
        return finding("exchange-smtp-cert-expired",
                       f"{stamp}: expired {_days(-days_left)} before collection.")
    for rule_id in ("exchange-smtp-cert-expires-soon", "exchange-smtp-cert-expires"):
        if days_left <= rules[rule_id]["days"]:
            return finding(rule_id, f"{stamp}: {_days(days_left)} left at collection.")
    return None


def _days(days: float) -> str:
    whole = int(days)
    return "less than a day" if whole == 0 else f"{whole} day{'s' if whole != 1 else ''}"
