"""Fictional domains for DNS benchmarks and soak tests: zone files and a DKIM export.

Each domain publishes DKIM CNAMEs to keys in a tenant zone, DMARC, SPF with two
includes and MX, so one domain costs about the lookups a real one does. Used by
bench/dns_bench.py, bench/dns_soak.py and tests/test_dns_soak.py.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

TENANT = "benchcorp.onmicrosoft.com"
SOA = "@ SOA ns1.{origin} hostmaster.{origin} 1 3600 600 86400 300"
COLLECTED_AT = "2026-11-02T10:00:00Z"


def domain_names(count: int) -> list[str]:
    return [f"bench{n:04d}.com" for n in range(count)]


def txt(text: str) -> str:
    """Zone-file TXT data: `text` cut into quoted strings of at most 255 bytes."""
    return " ".join(f'"{text[i:i + 255]}"' for i in range(0, len(text), 255))


def target(selector: str, domain: str) -> str:
    return f"{selector}-{domain.replace('.', '-')}._domainkey.{TENANT}"


def key_record() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    der = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"


def write_zones(folder: Path, domains: list[str]) -> list[Path]:
    """One zone per domain, the tenant zone with every key, and two stand-ins."""
    folder.mkdir(parents=True, exist_ok=True)
    record = key_record()  # one real key for all: generating 2,000 would dominate
    paths = []
    for domain in domains:
        lines = [f"$ORIGIN {domain}.", "$TTL 3600", SOA.format(origin=f"{domain}."),
                 f"@ NS ns1.{domain}.", "ns1 A 192.0.2.53",
                 f'@ TXT "v=spf1 include:spf.protection.outlook.com include:_spf.{domain} -all"',
                 '_spf TXT "v=spf1 ip4:198.51.100.0/24 -all"',
                 f'_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@{domain}"',
                 f"@ MX 0 {domain.replace('.', '-')}.mail.protection.outlook.com.",
                 f"selector1._domainkey CNAME {target('selector1', domain)}.",
                 f"selector2._domainkey CNAME {target('selector2', domain)}."]
        paths.append(_write(folder / f"{domain}.zone", lines))
    tenant = [f"$ORIGIN {TENANT}.", "$TTL 3600", SOA.format(origin=f"{TENANT}.")]
    tenant += [f"{target(selector, domain)}. TXT {txt(record)}"
               for domain in domains for selector in ("selector1", "selector2")]
    paths.append(_write(folder / f"{TENANT}.zone", tenant))
    paths.append(_write(folder / "protection.outlook.com.zone", [
        "$ORIGIN protection.outlook.com.", "$TTL 3600",
        SOA.format(origin="protection.outlook.com."),
        'spf TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"']))
    paths.append(_write(folder / "root.zone", [
        "$ORIGIN .", "$TTL 86400",
        "@ SOA a.root.invalid. hostmaster.invalid. 1 1800 900 604800 86400"]))
    return paths


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def write_dkim_export(path: Path, domains: list[str]) -> Path:
    configs = [{"Domain": domain, "Enabled": True, "Status": "Valid",
                "Selector1CNAME": target("selector1", domain),
                "Selector2CNAME": target("selector2", domain),
                "Selector1KeySize": 2048, "Selector2KeySize": 2048,
                "RotateOnDate": "2027-01-01T00:00:00Z",
                "SelectorBeforeRotateOnDate": "selector1",
                "SelectorAfterRotateOnDate": "selector2"} for domain in domains]
    path.write_text(json.dumps({"Collector": "Export-DkimSigningConfig",
                                "CollectorVersion": "1.0", "CollectedAt": COLLECTED_AT,
                                "Organization": "Bench", "AcceptedDomains": [],
                                "DkimSigningConfig": configs, "Errors": []}))
    return path


#: What every generated domain publishes, as the soak's entries name it
#: (tests/support/dns_soak.py): the truth a verified entry must state.
EXPECTED_VERDICTS = {
    "mail_auth.dmarc": "ok", "mail_auth.spf": "ok", "mail_auth.mx": "ok",
    "mail_auth.mta_sts": "missing", "mail_auth.tls_rpt": "missing", "mail_auth.bimi": "missing",
    "dkim.selector1.cname": "matches", "dkim.selector1.key": "ok",
    "dkim.selector2.cname": "matches", "dkim.selector2.key": "ok",
}
