"""Regenerate the fictional Contoso DNS samples in samples/dns/.

    python samples/generate_dns_samples.py

The committed files are what the tests and `docgen demo` use; run this only to
change them on purpose (the RSA keys are new each run). All dates are relative
to COLLECTED_AT, the moment the exports claim to be from.

Domains (Exchange Online tenant contoso.onmicrosoft.com signs for all of them):
  contoso.com          healthy; inactive selector2 target not published (normal)
  contoso-shop.com     active selector1's target does not exist (the bounce case)
  contoso.net          rotation has passed: selector2 is active; selector1's CNAME
                       has a typo (points elsewhere, to nothing)
  contoso.org          active key revoked (empty p=); SPF with 3 void lookups
  contoso.de           1024-bit key; DMARC p=none without rua
  contoso-legacy.com   DKIM disabled, CNAMEs never published; no DMARC; SPF +all
  contoso-mail.com     key in testing mode (t=y); two DMARC records; SPF 11 lookups
  contoso-events.com   selector2 CNAME missing; no DMARC; two SPF records
  contoso-archive.com  accepted domain without DKIM configuration (parked: null MX)
  contoso.onmicrosoft.com  the tenant's initial domain (Microsoft publishes its DNS)

Zones outside the customer's control are stand-ins so the demo needs no network:
protection.outlook.com (an SPF include with documentation address ranges) and
the root zone (every other name does not exist).
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

COLLECTED_AT = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
ORGANIZATION = "Contoso"
TENANT = "contoso.onmicrosoft.com"
OUT = Path(__file__).resolve().parent / "dns"
SOA = "@ SOA ns1.{origin} hostmaster.{origin} 2026110201 3600 600 1209600 300"


def dkim_target(selector: str, domain: str) -> str:
    return f"{selector}-{domain.replace('.', '-')}._domainkey.{TENANT}"


def new_key_record(bits: int) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()};"


def txt(text: str) -> str:
    """Zone-file TXT data: strings of at most 255 characters, quoted."""
    chunks = [text[i:i + 255] for i in range(0, len(text), 255)] or [""]
    return " ".join('"' + chunk.replace("\\", "\\\\").replace('"', '\\"') + '"'
                    for chunk in chunks)


# domain -> how its DKIM is set up and what each selector's target holds
DOMAINS = {
    "contoso.com": dict(rotate=+18, keys={"selector1": 2048, "selector2": None}),
    "contoso-shop.com": dict(rotate=+25, keys={"selector1": None, "selector2": 2048}),
    "contoso.net": dict(rotate=-3, keys={"selector1": 2048, "selector2": 2048},
                        cname_elsewhere={"selector1": "selector1-contosonet._domainkey."
                                                      "contoso.onmicrosoft.com"}),
    "contoso.org": dict(rotate=+40, keys={"selector1": "revoked", "selector2": None}),
    "contoso.de": dict(rotate=+12, keys={"selector1": 1024, "selector2": 1024}, bits=1024),
    "contoso-legacy.com": dict(rotate=+60, keys={"selector1": None, "selector2": None},
                               enabled=False, publish_cnames=False, status="CnameMissing"),
    "contoso-mail.com": dict(rotate=+30, keys={"selector1": 2048, "selector2": None},
                             testing=True),
    "contoso-events.com": dict(rotate=+30, keys={"selector1": 2048, "selector2": None},
                               missing_cname="selector2"),
    TENANT: dict(rotate=+45, keys={"selector1": 2048, "selector2": None}),
}
ACCEPTED_ONLY = ["contoso-archive.com"]
SPF_OUTLOOK = "include:spf.protection.outlook.com"

# Mail-authentication records per domain (apex TXT, _dmarc TXT, MX, extras).
MAIL = {
    "contoso.com": dict(
        spf=[f"v=spf1 {SPF_OUTLOOK} -all"],
        dmarc=["v=DMARC1; p=reject; rua=mailto:dmarc-reports@contoso.com; adkim=s; aspf=s"],
        mx=["0 contoso-com.mail.protection.outlook.com."],
        extra=['_mta-sts TXT "v=STSv1; id=20261001T000000"',
               '_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls-reports@contoso.com"',
               'default._bimi TXT "v=BIMI1; l=https://contoso.com/brand/logo.svg;"',
               'mta-sts A 192.0.2.80']),
    "contoso-shop.com": dict(
        spf=[f"v=spf1 {SPF_OUTLOOK} -all"],
        dmarc=["v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@contoso-shop.com"],
        mx=["0 contoso-shop-com.mail.protection.outlook.com."]),
    "contoso.net": dict(
        spf=[f"v=spf1 {SPF_OUTLOOK} -all"],
        dmarc=["v=DMARC1; p=reject; rua=mailto:dmarc-reports@contoso.net"],
        mx=["0 contoso-net.mail.protection.outlook.com."],
        extra=['_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls-reports@contoso.net"']),
    "contoso.org": dict(
        spf=["v=spf1 a:relay1.contoso.org a:relay2.contoso.org a:relay3.contoso.org "
             f"{SPF_OUTLOOK} -all"],
        dmarc=["v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@contoso.org"],
        mx=["0 contoso-org.mail.protection.outlook.com."]),
    "contoso.de": dict(
        spf=[f"v=spf1 {SPF_OUTLOOK} ~all"],
        dmarc=["v=DMARC1; p=none"],
        mx=["0 contoso-de.mail.protection.outlook.com."]),
    "contoso-legacy.com": dict(
        spf=["v=spf1 mx +all"],
        dmarc=[],
        mx=["10 mail.contoso-legacy.com."],
        extra=["mail A 192.0.2.25"]),
    "contoso-mail.com": dict(
        spf=["v=spf1 " + " ".join(f"a:out{n}.contoso-mail.com" for n in range(1, 11))
             + f" {SPF_OUTLOOK} -all"],
        dmarc=["v=DMARC1; p=reject; rua=mailto:dmarc-reports@contoso-mail.com",
               "v=DMARC1; p=none; rua=mailto:dmarc@contoso-mail.com"],
        mx=["0 contoso-mail-com.mail.protection.outlook.com."],
        extra=[f"out{n} A 192.0.2.{100 + n}" for n in range(1, 11)]),
    "contoso-events.com": dict(
        spf=[f"v=spf1 {SPF_OUTLOOK} -all", "v=spf1 include:mailers.contoso-events.com ~all"],
        dmarc=[],
        mx=["0 contoso-events-com.mail.protection.outlook.com."],
        extra=['mailers TXT "v=spf1 ip4:198.51.100.0/24 -all"']),
    "contoso-archive.com": dict(
        spf=["v=spf1 -all"],
        dmarc=["v=DMARC1; p=reject"],
        mx=["0 ."]),
    TENANT: dict(
        spf=[f"v=spf1 {SPF_OUTLOOK} -all"],
        dmarc=[],
        mx=["0 contoso-onmicrosoft-com.mail.protection.outlook.com."]),
}


def domain_zone(domain: str, setup: dict | None, mail: dict) -> str:
    lines = [f"$ORIGIN {domain}.", "$TTL 3600", SOA.format(origin=f"{domain}."),
             f"@ NS ns1.{domain}.", "ns1 A 192.0.2.53"]
    lines += [f"@ TXT {txt(record)}" for record in mail["spf"]]
    # A domain-verification token, as Microsoft 365 asks for: not an SPF record.
    lines += [f"@ TXT {txt('MS=ms' + hashlib.sha256(domain.encode()).hexdigest()[:8])}"]
    lines += [f"_dmarc TXT {txt(record)}" for record in mail["dmarc"]]
    lines += [f"@ MX {record}" for record in mail["mx"]]
    lines += mail.get("extra", [])
    if setup and setup.get("publish_cnames", True) and domain != TENANT:
        for selector in ("selector1", "selector2"):
            if setup.get("missing_cname") == selector:
                continue
            target = setup.get("cname_elsewhere", {}).get(selector) or dkim_target(selector, domain)
            lines.append(f"{selector}._domainkey CNAME {target}.")
    return "\n".join(lines) + "\n"


def tenant_zone(keys: dict[str, dict[str, str]]) -> str:
    lines = [f"$ORIGIN {TENANT}.", "$TTL 3600", SOA.format(origin=f"{TENANT}."),
             f"@ NS ns1.{TENANT}.", "ns1 A 192.0.2.53"]
    mail = MAIL[TENANT]
    lines += [f"@ TXT {txt(record)}" for record in mail["spf"]]
    lines += [f"@ MX {record}" for record in mail["mx"]]
    for selector in ("selector1", "selector2"):
        lines.append(f"{selector}._domainkey CNAME {dkim_target(selector, TENANT)}.")
    for domain, by_selector in keys.items():
        for selector, record in by_selector.items():
            lines.append(f"{dkim_target(selector, domain)}. TXT {txt(record)}")
    return "\n".join(lines) + "\n"


def key_records() -> dict[str, dict[str, str]]:
    """The key record Microsoft publishes at each target (None: not published)."""
    published: dict[str, dict[str, str]] = {}
    for domain, setup in DOMAINS.items():
        for selector, spec in setup["keys"].items():
            if spec is None:
                continue
            record = "v=DKIM1; k=rsa; p=" if spec == "revoked" else new_key_record(spec)
            if setup.get("testing") and selector == "selector1":
                record = record.replace("k=rsa;", "k=rsa; t=y;")
            published.setdefault(domain, {})[selector] = record
    return published


def config_objects(published: dict[str, dict[str, str]]) -> list[dict]:
    """Get-DkimSigningConfig objects as ConvertTo-Json writes them in PowerShell 5.1."""
    objects = []
    for domain, setup in DOMAINS.items():
        rotate = COLLECTED_AT + timedelta(days=setup["rotate"])
        created = COLLECTED_AT - timedelta(days=400)
        bits = setup.get("bits", 2048)
        keys = published.get(domain, {})
        obj = {"Domain": domain, "AdminDisplayName": ""}
        for selector in ("selector1", "selector2"):
            number = selector[-1]
            obj[f"Selector{number}KeySize"] = bits
            obj[f"Selector{number}CNAME"] = dkim_target(selector, domain)
            # The configuration always holds the key, also where DNS does not (yet).
            obj[f"Selector{number}PublicKey"] = keys.get(selector) or new_key_record(bits)
        obj.update({
            "Enabled": setup.get("enabled", True), "IsDefault": domain == TENANT,
            "HeaderCanonicalization": "Relaxed", "BodyCanonicalization": "Relaxed",
            "Algorithm": "RsaSHA256", "NumberOfBytesToSign": "All",
            "IncludeSignatureCreationTime": True, "IncludeKeyExpiration": False,
            "KeyCreationTime": ms_date(created), "LastChecked": ms_date(COLLECTED_AT
                                                                        - timedelta(hours=5)),
            "RotateOnDate": ms_date(rotate),
            "SelectorBeforeRotateOnDate": "selector1", "SelectorAfterRotateOnDate": "selector2",
            "Status": setup.get("status", "Valid"), "Identity": domain, "Id": domain,
            "IsValid": True, "ExchangeVersion": "0.20 (15.0.0.0)", "Name": domain,
            "WhenChanged": ms_date(created), "WhenCreated": ms_date(created),
            "ObjectState": "Unchanged",
        })
        objects.append(obj)
    return objects


def ms_date(moment: datetime) -> str:
    return f"/Date({int(moment.timestamp() * 1000)})/"


def iso(value: str) -> str:
    """'/Date(ms)/' -> ISO 8601 UTC, as the collector writes dates."""
    milliseconds = int(value[6:-2])
    moment = datetime.fromtimestamp(milliseconds / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


COLLECTOR_FIELDS = ("Domain", "Enabled", "Status", "Selector1CNAME", "Selector2CNAME",
                    "Selector1KeySize", "Selector2KeySize", "Selector1PublicKey",
                    "Selector2PublicKey", "RotateOnDate", "SelectorBeforeRotateOnDate",
                    "SelectorAfterRotateOnDate", "KeyCreationTime", "LastChecked")
DATE_FIELDS = ("RotateOnDate", "KeyCreationTime", "LastChecked")


def collector_document(objects: list[dict]) -> dict:
    """What collectors/Export-DkimSigningConfig.ps1 writes for the same tenant."""
    configs = [{name: (iso(obj[name]) if name in DATE_FIELDS else obj[name])
                for name in COLLECTOR_FIELDS} for obj in objects]
    accepted = [{"DomainName": domain, "DomainType": "Authoritative",
                 "Default": domain == "contoso.com"}
                for domain in sorted([*DOMAINS, *ACCEPTED_ONLY])]
    return {"Collector": "Export-DkimSigningConfig", "CollectorVersion": "1.0",
            "CollectedAt": COLLECTED_AT.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Organization": ORGANIZATION, "AcceptedDomains": accepted,
            "DkimSigningConfig": configs, "Errors": []}


def ps51_json(value) -> bytes:
    """ConvertTo-Json's look (4-space indent, 'name':  value), CRLF, UTF-16 LE with BOM."""
    text = json.dumps(value, indent=4, separators=(",", ":  "), ensure_ascii=False)
    return codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le")


def main() -> None:
    zones = OUT / "zones"
    zones.mkdir(parents=True, exist_ok=True)
    published = key_records()
    for domain in [*DOMAINS, *ACCEPTED_ONLY]:
        if domain == TENANT:
            continue
        (zones / f"{domain}.zone").write_text(domain_zone(domain, DOMAINS.get(domain),
                                                          MAIL[domain]))
    (zones / f"{TENANT}.zone").write_text(tenant_zone(published))
    (zones / "protection.outlook.com.zone").write_text(
        "; Stand-in for Microsoft's zone so the demo needs no network (documentation ranges).\n"
        "$ORIGIN protection.outlook.com.\n$TTL 3600\n"
        + SOA.format(origin="protection.outlook.com.") + "\n"
        + f"spf TXT {txt('v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 ip6:2001:db8::/32 -all')}\n")
    (zones / "root.zone").write_text(
        "; Stand-in for the rest of the DNS: every name not in another file does not exist\n"
        "; (so DMARC's look-up at _dmarc.<tld> gets NXDOMAIN, as it would on the internet).\n"
        "$ORIGIN .\n$TTL 86400\n@ SOA a.root-servers.invalid. hostmaster.invalid. "
        "2026110201 1800 900 604800 86400\n")
    objects = config_objects(published)
    (OUT / "contoso-dkim-ps51.json").write_bytes(ps51_json(objects))
    (OUT / "contoso-dkim-collector.json").write_text(
        json.dumps(collector_document(objects), indent=2) + "\n", encoding="utf-8")
    (OUT / "contoso-domains.txt").write_text(
        "# Accepted domains of Contoso, one a line (docgen collect dns --domains-file)\n"
        + "".join(f"{domain}\n" for domain in sorted([*DOMAINS, *ACCEPTED_ONLY])))


if __name__ == "__main__":
    main()
