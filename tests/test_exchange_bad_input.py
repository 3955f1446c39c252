"""Bad Exchange exports: one line naming file and record, non-zero exit, nothing half-written."""

from __future__ import annotations

import base64
import json

import pytest

from conftest import EXCHANGE_SAMPLES


def collector_json(servers: list[dict]) -> str:
    return json.dumps({"Collector": "Export-ExchangeCertificates", "CollectorVersion": "1.0",
                       "CollectedAt": "2026-11-02T09:30:00Z", "Organization": "Contoso",
                       "Servers": servers})


def server(name: str, certificate) -> dict:
    return {"Name": name, "Fqdn": f"{name}.corp.contoso.com",
            "DistinguishedName": f"CN={name},CN=Servers,DC=corp,DC=contoso,DC=com",
            "ServerRole": "Mailbox", "AdminDisplayVersion": "Version 15.2 (Build 1544.4)",
            "InternalTransportCertificate": certificate, "ExchangeCertificates": [], "Errors": []}


def sample_cert(name: str) -> str:
    document = json.loads((EXCHANGE_SAMPLES / "contoso-exchange-certs.json").read_text())
    return next(s for s in document["Servers"] if s["Name"] == name)["InternalTransportCertificate"]


def broken_fold_ldif() -> str:
    lines = (EXCHANGE_SAMPLES / "contoso-exchange-servers.ldf").read_bytes().decode().split("\r\n")
    # an editor trimmed the leading space of the first certificate continuation line
    index = next(i for i, line in enumerate(lines) if line.startswith("msExchServerInternalTLSCert::"))
    lines[index + 1] = lines[index + 1][1:]
    return "\r\n".join(lines), index + 2


def assert_failed_cleanly(result, bundle, message: str) -> None:
    assert result.exit_code == 1
    assert result.stderr == f"error: {message}\n"
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert not bundle.exists()
    assert [p.name for p in bundle.parent.iterdir() if p.name.startswith(".")] == []


def test_truncated_json(run_cli, tmp_path):
    text = (EXCHANGE_SAMPLES / "contoso-exchange-certs.json").read_text()
    source = tmp_path / "export.json"
    source.write_text(text[:2000])
    bundle = tmp_path / "b.json"
    result = run_cli("import", "exchange-certs", source, "-o", bundle)
    assert_failed_cleanly(result, bundle, "export.json: line 22 column 23: not valid JSON "
                                          "(Unterminated string starting at)")


def test_non_base64_certificate(run_cli, tmp_path):
    source = tmp_path / "export.json"
    source.write_text(collector_json([server("EX07", "MIIB%%%not-base64%%%")]))
    bundle = tmp_path / "b.json"
    result = run_cli("import", "exchange-certs", source, "-o", bundle)
    assert_failed_cleanly(result, bundle, "export.json: server EX07: not valid base64")


def test_der_that_is_not_a_certificate(run_cli, tmp_path):
    source = tmp_path / "export.json"
    source.write_text(collector_json([server("EX07", base64.b64encode(b"\x30\x03\x02\x01\x05").decode())]))
    bundle = tmp_path / "b.json"
    result = run_cli("import", "exchange-certs", source, "-o", bundle)
    assert_failed_cleanly(result, bundle, "export.json: server EX07: the bytes are not a readable "
                                          "X.509 certificate (DER)")


def test_ldif_with_a_broken_fold(run_cli, tmp_path):
    text, line = broken_fold_ldif()
    source = tmp_path / "servers.ldf"
    source.write_text(text)
    bundle = tmp_path / "b.json"
    result = run_cli("import", "exchange-certs", source, "-o", bundle)
    assert_failed_cleanly(result, bundle, f"servers.ldf: line {line}: expected 'attribute: value' "
                                          "(a folded line may have lost its leading space)")


@pytest.mark.parametrize("content", [
    "Name,Thumbprint\nEX01,ABCDEF\n",
    "\x89PNG\r\n\x1a\n",
], ids=["csv", "png"])
def test_a_file_in_the_wrong_format(run_cli, tmp_path, content):
    source = tmp_path / "servers.csv"
    source.write_text(content)
    bundle = tmp_path / "b.json"
    result = run_cli("import", "exchange-certs", source, "-o", bundle)
    assert_failed_cleanly(result, bundle, "servers.csv: line 1: not an Exchange certificate export: "
                                          "expected the collector's JSON, Get-ADObject | ConvertTo-Json "
                                          "output, an ldifde LDIF file, or Export-Clixml output")


def test_json_that_is_not_an_exchange_export(run_cli, tmp_path):
    source = tmp_path / "other.json"
    source.write_text('[{"Domain": "contoso.com"}]')
    bundle = tmp_path / "b.json"
    result = run_cli("import", "exchange-certs", source, "-o", bundle)
    assert_failed_cleanly(result, bundle, "other.json: object 1: neither the collector's JSON nor "
                                          "Get-ADObject output (no DistinguishedName)")


def test_missing_file(run_cli, tmp_path):
    bundle = tmp_path / "b.json"
    result = run_cli("import", "exchange-certs", tmp_path / "nope.json", "-o", bundle)
    assert_failed_cleanly(result, bundle, f"{tmp_path / 'nope.json'}: cannot read (No such file or directory)")


def test_bad_file_among_good_ones_keeps_the_good_records(run_cli, tmp_path):
    bad = tmp_path / "export.json"
    bad.write_text("{")
    bundle = tmp_path / "b.json"
    result = run_cli("import", "exchange-certs", EXCHANGE_SAMPLES / "contoso-exchange-servers.ldf", bad,
                     "-o", bundle)
    assert result.exit_code == 4
    assert result.stdout == f"wrote {bundle}: exchange_certificates with 5 item(s), status partial\n"
    assert result.stderr == ("warning: export.json: line 1 column 2: not valid JSON "
                             "(Expecting property name enclosed in double quotes)\n")
    section = json.loads(bundle.read_text())["sections"]["exchange_certificates"]
    assert section["status"] == "partial"
    assert section["errors"] == [{"source": "export.json", "where": "line 1 column 2",
                                  "message": "not valid JSON (Expecting property name enclosed in double quotes)"}]
    assert [item["name"] for item in section["items"]] == ["EX01", "EX02", "EX03", "EX04", "EX05"]


def test_bad_record_among_good_ones_is_kept_as_an_error(run_cli, tmp_path):
    source = tmp_path / "export.json"
    source.write_text(collector_json([server("EX01", sample_cert("EX01")), server("EX07", "%%%")]))
    bundle = tmp_path / "b.json"
    result = run_cli("import", "exchange-certs", source, "-o", bundle)
    assert result.exit_code == 4
    assert result.stderr == "warning: export.json: server EX07: not valid base64\n"
    items = json.loads(bundle.read_text())["sections"]["exchange_certificates"]["items"]
    assert [(i["name"], i["default_smtp_certificate"]["state"]) for i in items] == [
        ("EX01", "present"), ("EX07", "error")]
    assert items[1]["default_smtp_certificate"]["error"] == "not valid base64"


def test_strict_writes_nothing_on_any_error(run_cli, tmp_path):
    source = tmp_path / "export.json"
    source.write_text(collector_json([server("EX01", sample_cert("EX01")), server("EX07", "%%%")]))
    bundle = tmp_path / "b.json"
    result = run_cli("import", "exchange-certs", source, "-o", bundle, "--strict")
    assert_failed_cleanly(result, bundle, "export.json: server EX07: not valid base64")


def test_failed_import_leaves_an_existing_bundle_untouched(run_cli, tmp_path):
    bundle = tmp_path / "b.json"
    assert run_cli("import", "exchange-certs", EXCHANGE_SAMPLES / "contoso-exchange-certs.json",
                   "-o", bundle).exit_code == 0
    before = bundle.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text("[")
    result = run_cli("import", "exchange-certs", bad, "-o", bundle)
    assert result.exit_code == 1
    assert bundle.read_bytes() == before
