"""Exchange default SMTP certificates from every export form, read from real sample files."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from conftest import EXCHANGE_SAMPLES
from docgen.areas.exchange_certificates.source import import_exchange_certs

FORMS = [
    "contoso-exchange-certs.json",   # the collector
    "contoso-adobjects-ps51.json",   # Get-ADObject | ConvertTo-Json, Windows PowerShell 5.1
    "contoso-adobjects-ps7.json",    # the same from PowerShell 7
    "contoso-exchange-servers.ldf",  # ldifde
]
FACT_FIELDS = ["subject", "issuer", "serial", "thumbprint_sha1", "sha256", "not_before",
               "not_after", "san_dns", "key_type", "key_size", "signature_hash", "self_signed",
               "der_base64"]


def _import(name: str):
    result = import_exchange_certs([EXCHANGE_SAMPLES / name])
    assert result.errors == []
    return result


def _certs(result) -> dict:
    return {item["name"]: item["default_smtp_certificate"] for item in result.items}


def test_collector_export_facts():
    result = _import("contoso-exchange-certs.json")
    assert result.status == "ok"
    assert result.organization == "Contoso"
    assert result.collected_at.isoformat() == "2026-11-02T09:30:00+00:00"
    certs = _certs(result)
    assert list(certs) == ["EX01", "EX02", "EX03", "EX04", "EX05"]

    ex01 = certs["EX01"]
    assert ex01["state"] == "present"
    assert ex01["subject"] == "CN=mail.contoso.com"
    assert ex01["issuer"] == "CN=Contoso Issuing CA 01,O=Contoso Ltd"
    assert ex01["serial"] == "51A1"
    assert ex01["san_dns"] == ["mail.contoso.com", "autodiscover.contoso.com", "EX01.corp.contoso.com"]
    assert (ex01["key_type"], ex01["key_size"], ex01["signature_hash"]) == ("RSA", 2048, "sha256")
    assert ex01["self_signed"] is False
    assert ex01["not_before"] == "2026-04-16T09:30:00Z"
    assert ex01["not_after"] == "2028-04-15T09:30:00Z"

    assert certs["EX02"]["self_signed"] is True and certs["EX02"]["subject"] == "CN=EX02"
    assert certs["EX03"]["not_after"] == "2026-11-23T09:30:00Z"
    ex04 = certs["EX04"]
    assert (ex04["key_size"], ex04["signature_hash"], ex04["not_after"]) == (1024, "sha1", "2026-08-19T09:30:00Z")
    assert certs["EX05"] == {"state": "absent"}


def test_thumbprints_are_exchange_style_and_match_the_der():
    document = json.loads((EXCHANGE_SAMPLES / "contoso-exchange-certs.json").read_text())
    certs = _certs(_import("contoso-exchange-certs.json"))
    for server in document["Servers"]:
        if server["InternalTransportCertificate"] is None:
            continue
        der = base64.b64decode(server["InternalTransportCertificate"])
        cert = certs[server["Name"]]
        assert cert["thumbprint_sha1"] == hashlib.sha1(der).hexdigest().upper()
        assert cert["sha256"] == hashlib.sha256(der).hexdigest().upper()
        assert base64.b64decode(cert["der_base64"]) == der


@pytest.mark.parametrize("name", FORMS[1:])
def test_every_form_gives_the_same_certificates(name):
    expected = _certs(_import(FORMS[0]))
    actual = _certs(_import(name))
    assert list(actual) == list(expected)
    for server, cert in expected.items():
        assert {k: cert.get(k) for k in FACT_FIELDS} == {k: actual[server].get(k) for k in FACT_FIELDS}, server


def test_raw_ad_forms_carry_roles_and_version_from_ad():
    result = _import("contoso-adobjects-ps51.json")
    ex01 = result.items[0]
    assert ex01["roles"] == ["ClientAccess", "Mailbox", "UnifiedMessaging", "HubTransport",
                             "FrontendTransport"]
    assert ex01["version"] == "Version 15.2 (Build 1544.4)"
    assert ex01["dn"].startswith("CN=EX01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT)")
    assert ex01["store_certificates"] is None  # not part of this export form
    assert result.organization == "corp.contoso.com"  # from the AD domain in the DNs


def test_single_object_export_for_one_server():
    result = _import("contoso-ex02-adobject-ps51.json")
    assert [item["name"] for item in result.items] == ["EX02"]
    assert result.items[0]["source"] == {"file": "contoso-ex02-adobject-ps51.json",
                                         "where": "object 1 (EX02)"}


def test_collector_keeps_the_certificate_store():
    ex01 = _import("contoso-exchange-certs.json").items[0]
    store = ex01["store_certificates"]
    assert [entry["friendly_name"] for entry in store] == ["Contoso SMTP 2026", "Contoso OWA 2026"]
    assert store[0]["services"] == ["IMAP", "POP", "SMTP"]
    assert store[0]["thumbprint"] == ex01["default_smtp_certificate"]["thumbprint_sha1"]
    assert store[1]["not_after"] == "2027-07-25T09:30:00Z"


def test_inputs_are_recorded_with_hash_and_size():
    path = EXCHANGE_SAMPLES / "contoso-exchange-servers.ldf"
    result = _import(path.name)
    assert result.inputs == [{"name": path.name, "section": "exchange_certificates",
                              "size": path.stat().st_size,
                              "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}]


def test_same_server_in_two_exports_is_kept_once():
    result = import_exchange_certs([EXCHANGE_SAMPLES / FORMS[0], EXCHANGE_SAMPLES / FORMS[3]])
    assert result.errors == []
    assert [item["name"] for item in result.items] == ["EX01", "EX02", "EX03", "EX04", "EX05"]
    assert result.items[0]["store_certificates"]  # the collector's richer record wins
