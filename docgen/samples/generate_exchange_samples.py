"""Regenerate the fictional Contoso Exchange certificate exports in samples/exchange/.

    python samples/generate_exchange_samples.py

The committed files are what the tests and `docgen demo` use; run this only to
change them on purpose (keys are new each run, so every thumbprint changes).
All dates are relative to COLLECTED_AT, the moment the exports claim to be from,
so the findings they produce never age.

Servers:
  EX01  CA-issued, valid, RSA 2048, SHA-256
  EX02  Exchange's own self-signed default certificate
  EX03  CA-issued, expires 21 days after collection
  EX04  CA-issued, expired, RSA 1024, SHA-1
  EX05  no msExchServerInternalTLSCert (a server set up without one)
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

COLLECTED_AT = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)
ORGANIZATION = "Contoso"
AD_DOMAIN = "DC=corp,DC=contoso,DC=com"
SERVERS_CONTAINER = ("CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),"
                     "CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,"
                     f"CN=Configuration,{AD_DOMAIN}")
VERSION = "Version 15.2 (Build 1544.4)"
MAILBOX_ROLES = 16439  # msExchCurrentServerRoles of an Exchange 2016/2019 Mailbox server
OUT = Path(__file__).resolve().parent / "exchange"


def name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_cert(subject: str, sans: list[str], not_before: datetime, not_after: datetime, *,
              serial: int, issuer: tuple[x509.Name, rsa.RSAPrivateKey] | None = None,
              bits: int = 2048, hash_algorithm=None) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    issuer_name, issuer_key = issuer or (name(subject), key)
    builder = (x509.CertificateBuilder()
               .subject_name(name(subject))
               .issuer_name(issuer_name)
               .public_key(key.public_key())
               .serial_number(serial)
               .not_valid_before(not_before)
               .not_valid_after(not_after))
    if sans:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(san) for san in sans]), critical=False)
    return builder.sign(issuer_key, hash_algorithm or hashes.SHA256()), key


def make_ca() -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Contoso Ltd"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "Contoso Issuing CA 01")])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(0x1000)
            .not_valid_before(COLLECTED_AT - timedelta(days=3650))
            .not_valid_after(COLLECTED_AT + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key


def sha1_signed(subject: str, sans: list[str], not_before: datetime, not_after: datetime,
                serial: int, ca_key: rsa.RSAPrivateKey, ca_name: x509.Name) -> x509.Certificate:
    """An old certificate: RSA 1024, signed with SHA-1.

    cryptography no longer issues SHA-1 certificates, so build it as SHA-256,
    swap the algorithm identifier in the to-be-signed part, and sign that with
    SHA-1 ourselves (PKCS #1 v1.5), as a CA of 2016 would have.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    draft = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(ca_name)
             .public_key(key.public_key()).serial_number(serial)
             .not_valid_before(not_before).not_valid_after(not_after)
             .add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]),
                            critical=False)
             .sign(ca_key, hashes.SHA256()))
    sha256_rsa = bytes.fromhex("06092a864886f70d01010b0500")  # OID + NULL
    sha1_rsa = bytes.fromhex("06092a864886f70d0101050500")
    tbs = draft.tbs_certificate_bytes.replace(sha256_rsa, sha1_rsa)
    signature = ca_key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())
    algorithm = _der(0x30, sha1_rsa)
    body = tbs + algorithm + _der(0x03, b"\x00" + signature)
    return x509.load_der_x509_certificate(_der(0x30, body))


def _der(tag: int, content: bytes) -> bytes:
    """A DER tag-length-value (definite length)."""
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def build_servers() -> list[dict]:
    ca_cert, ca_key = make_ca()
    issuer = (ca_cert.subject, ca_key)
    at = COLLECTED_AT
    ex01, _ = make_cert("mail.contoso.com", ["mail.contoso.com", "autodiscover.contoso.com",
                                             "EX01.corp.contoso.com"],
                        at - timedelta(days=200), at + timedelta(days=530), serial=0x51A1, issuer=issuer)
    ex02, _ = make_cert("EX02", ["EX02", "EX02.corp.contoso.com"],
                        at - timedelta(days=400), at + timedelta(days=1425), serial=0x2F6D0B1E)
    ex03, _ = make_cert("smtp.contoso.com", ["smtp.contoso.com", "EX03.corp.contoso.com"],
                        at - timedelta(days=344), at + timedelta(days=21), serial=0x51A3, issuer=issuer)
    ex04 = sha1_signed("legacy-smtp.contoso.com", ["legacy-smtp.contoso.com", "EX04.corp.contoso.com"],
                       at - timedelta(days=1900), at - timedelta(days=75), 0x0A04, ca_key, ca_cert.subject)
    iis, _ = make_cert("owa.contoso.com", ["owa.contoso.com"], at - timedelta(days=100),
                       at + timedelta(days=265), serial=0x51B1, issuer=issuer)
    return [
        server("EX01", ex01, [(ex01, "Contoso SMTP 2026", "IMAP, POP, SMTP", False),
                              (iis, "Contoso OWA 2026", "IIS", False)]),
        server("EX02", ex02, [(ex02, "Microsoft Exchange", "IMAP, POP, IIS, SMTP", True)]),
        server("EX03", ex03, [(ex03, "Contoso SMTP 2025", "SMTP", False)]),
        server("EX04", ex04, [(ex04, "legacy smtp", "SMTP", False)]),
        server("EX05", None, []),
    ]


def server(server_name: str, cert: x509.Certificate | None, store: list[tuple]) -> dict:
    return {
        "name": server_name,
        "dn": f"CN={server_name},{SERVERS_CONTAINER}",
        "fqdn": f"{server_name}.corp.contoso.com",
        "der": cert.public_bytes(serialization.Encoding.DER) if cert else None,
        "store": [{
            "Thumbprint": entry.fingerprint(hashes.SHA1()).hex().upper(),
            "FriendlyName": friendly,
            "Subject": entry.subject.rfc4514_string(),
            "Issuer": entry.issuer.rfc4514_string(),
            "Services": services,
            "Status": "Valid" if entry.not_valid_after_utc > COLLECTED_AT else "DateInvalid",
            "NotAfter": entry.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "IsSelfSigned": self_signed,
            "CertificateDomains": [san for san in entry.extensions.get_extension_for_class(
                x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)],
        } for entry, friendly, services, self_signed in store],
    }


def collector_json(servers: list[dict]) -> bytes:
    """What collectors/Export-ExchangeCertificates.ps1 writes (UTF-8, no BOM)."""
    document = {
        "Collector": "Export-ExchangeCertificates",
        "CollectorVersion": "1.0",
        "CollectedAt": COLLECTED_AT.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Organization": ORGANIZATION,
        "Servers": [{
            "Name": s["name"],
            "Fqdn": s["fqdn"],
            "DistinguishedName": s["dn"],
            "ServerRole": "Mailbox",
            "AdminDisplayVersion": VERSION,
            "InternalTransportCertificate": base64.b64encode(s["der"]).decode() if s["der"] else None,
            "ExchangeCertificates": s["store"],
            "Errors": [],
        } for s in servers],
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def adobject(s: dict, when_changed_ms: int) -> dict:
    obj = {
        "DistinguishedName": s["dn"],
        "msExchCurrentServerRoles": MAILBOX_ROLES,
        "Name": s["name"],
        "ObjectClass": "msExchExchangeServer",
        "ObjectGUID": "00000000-0000-0000-0000-0000000000" + s["name"][-2:],
        "serialNumber": [VERSION],
        "whenChanged": f"/Date({when_changed_ms})/",
    }
    if s["der"]:
        obj["msExchServerInternalTLSCert"] = list(s["der"])
    names = sorted(obj)
    obj.update({"PropertyNames": names, "AddedProperties": [], "RemovedProperties": [],
                "ModifiedProperties": [], "PropertyCount": len(names)})
    return obj


def ps51_json(value) -> str:
    """ConvertTo-Json as Windows PowerShell 5.1 lays it out (odd indents, '\\/Date')."""
    text = _ps51_layout(value, 0)
    return text.replace('"/Date(', '"\\/Date(').replace(')/"', ')\\/"')


def _ps51_layout(value, indent: int) -> str:
    pad = " " * indent
    if isinstance(value, dict):
        inner = [f'{pad}    {json.dumps(key)}:  {_ps51_layout(item, indent + 4 + len(key) + 5).lstrip()}'
                 for key, item in value.items()]
        return "{\n" + ",\n".join(inner) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[\n\n" + pad + "]"
        inner = [pad + "    " + _ps51_layout(item, indent + 4).lstrip() for item in value]
        return "[\n" + ",\n".join(inner) + "\n" + pad + "]"
    return json.dumps(value)


def ps51_bytes(value) -> bytes:
    """`ConvertTo-Json > file` in PS 5.1: UTF-16 LE with a BOM, CRLF line ends."""
    return b"\xff\xfe" + (ps51_json(value) + "\n").replace("\n", "\r\n").encode("utf-16-le")


def ps7_bytes(value) -> bytes:
    """PowerShell 7: UTF-8 without BOM, ISO 8601 dates."""
    def iso(obj):
        if isinstance(obj, dict):
            return {k: iso(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [iso(v) for v in obj]
        if isinstance(obj, str) and obj.startswith("/Date("):
            ms = int(obj[6:-2])
            return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat()
        return obj
    return (json.dumps(iso(value), indent=2) + "\n").encode("utf-8")


def ldif(servers: list[dict]) -> bytes:
    """ldifde -f out.ldf output: changetype lines, base64 binaries, lines folded at 78."""
    lines: list[str] = []
    for s in servers:
        record = [f"dn: {s['dn']}", "changetype: add", "objectClass: top", "objectClass: server",
                  "objectClass: msExchExchangeServer", f"cn: {s['name']}", f"name: {s['name']}",
                  f"serialNumber: {VERSION}", f"msExchCurrentServerRoles: {MAILBOX_ROLES}"]
        if s["der"]:
            record.append("msExchServerInternalTLSCert:: " + base64.b64encode(s["der"]).decode())
        for line in record:
            lines.extend(_fold(line))
        lines.append("")
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def _fold(line: str, width: int = 78) -> list[str]:
    if len(line) <= width:
        return [line]
    parts = [line[:width]]
    rest = line[width:]
    while rest:
        parts.append(" " + rest[: width - 1])
        rest = rest[width - 1:]
    return parts


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    servers = build_servers()
    when = int((COLLECTED_AT - timedelta(days=3)).timestamp() * 1000)
    objects = [adobject(s, when) for s in servers]
    (OUT / "contoso-exchange-certs.json").write_bytes(collector_json(servers))
    (OUT / "contoso-adobjects-ps51.json").write_bytes(ps51_bytes(objects))
    (OUT / "contoso-ex02-adobject-ps51.json").write_bytes(ps51_bytes(objects[1]))
    (OUT / "contoso-adobjects-ps7.json").write_bytes(ps7_bytes(objects))
    (OUT / "contoso-exchange-servers.ldf").write_bytes(ldif(servers))
    for path in sorted(OUT.iterdir()):
        print(f"wrote {path.relative_to(OUT.parent.parent)}")


if __name__ == "__main__":
    main()
