"""Checks on each Exchange server's default SMTP certificate and on every certificate of its
store that is bound to a service."""

from __future__ import annotations

from datetime import datetime

from docgen.areas.exchange_certificates.facts import (
    ExchangeSection,
    ExchangeServer,
    SmtpCertificate,
    StoreCertificate,
)
from docgen.checks.model import Finding, make_finding
from docgen.core.dates import parse_iso
from docgen.readers.certificates import dns_name_matches

SECTION = "exchange_certificates"


def check_exchange_certs(section: ExchangeSection, rules: dict, as_of: datetime) -> list[Finding]:
    findings: list[Finding] = []
    for server in section["items"]:
        findings.extend(_check_server(server, rules, as_of))
        for certificate in server["store_certificates"] or []:
            findings.extend(_check_store_certificate(server, certificate, rules, as_of))
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


def bound_services(certificate: StoreCertificate) -> list[str]:
    """The services a certificate is enabled for ("None" is none)."""
    return [name for name in certificate["services"] if name and name != "None"]


def _check_store_certificate(server: ExchangeServer, certificate: StoreCertificate, rules: dict,
                             as_of: datetime) -> list[Finding]:
    services = bound_services(certificate)
    if not services:
        return []
    thumbprint = certificate["thumbprint"]
    shown = ", ".join(services)
    label = f"{certificate['subject'] or 'certificate'} (thumbprint {thumbprint})"

    def finding(rule_id: str, evidence: str, **title_values: str) -> Finding:
        return make_finding(rules, rule_id, section=SECTION, key=f"{server['key']}/{thumbprint}",
                            subject=f"{server['name']}: {certificate['subject'] or thumbprint}",
                            evidence=f"{label}, bound to {shown}: {evidence}",
                            services=shown, **title_values)

    found: list[Finding] = []
    default = server["default_smtp_certificate"]
    if not (default["state"] == "present" and default.get("thumbprint_sha1") == thumbprint):
        found.extend(_store_expiry(certificate, rules, as_of, finding))
        min_bits = rules["exchange-cert-weak-key"]["min_bits"]
        if certificate.get("key_type") == "RSA" and (certificate.get("key_size") or 0) < min_bits:
            found.append(finding("exchange-cert-weak-key",
                                 f"RSA key of {certificate.get('key_size')} bits."))
        hash_name = (certificate.get("signature_hash") or "").lower()
        if hash_name in rules["exchange-cert-weak-signature"]["weak_hashes"]:
            found.append(finding("exchange-cert-weak-signature",
                                 f"signature hash {hash_name.upper()}.", hash=hash_name.upper()))
    names = _name_finding(server, certificate, services, rules, finding)
    if names:
        found.append(names)
    return found


def _store_expiry(certificate: StoreCertificate, rules: dict, as_of: datetime,
                  finding) -> list[Finding]:
    if not certificate["not_after"]:
        return []
    days_left = (parse_iso(certificate["not_after"]) - as_of).total_seconds() / 86400
    stamp = f"valid until {certificate['not_after'][:10]}"
    if days_left <= 0:
        return [finding("exchange-cert-expired",
                        f"{stamp}, expired {_days(-days_left)} before collection.")]
    for rule_id in ("exchange-cert-expires-soon", "exchange-cert-expires"):
        if days_left <= rules[rule_id]["days"]:
            return [finding(rule_id, f"{stamp}, {_days(days_left)} left at collection.")]
    return []


def _name_finding(server: ExchangeServer, certificate: StoreCertificate, services: list[str],
                  rules: dict, finding) -> Finding | None:
    """A certificate bound to IIS (or SMTP) whose names miss a host name clients use."""
    rule = rules["exchange-cert-name-mismatch"]
    judged = set(rule["self_signed_services"] if certificate["self_signed"] else rule["services"])
    hosts = server.get("web_host_names")
    if not hosts or not judged.intersection(services):
        return None
    missing: dict[str, list[str]] = {}
    for entry in hosts:
        if not any(dns_name_matches(name, entry["host"]) for name in certificate["domains"]):
            missing.setdefault(entry["host"], []).append(entry["setting"])
    if not missing:
        return None
    names = ", ".join(certificate["domains"]) or "none"
    gaps = "; ".join(f"{host} ({', '.join(settings)})" for host, settings in missing.items())
    return finding("exchange-cert-name-mismatch",
                   f"its names ({names}) do not cover {gaps}.")


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
