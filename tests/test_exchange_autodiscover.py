"""Autodiscover in DNS for each accepted domain (issue 15): asked through docgen's DNS client
from a real loopback server, during `docgen build`; a failed lookup is an error, never
"no record"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import lxml.html
import pytest

from conftest import EXCHANGE_SAMPLES
from docgen.app.bundles import bundle_with_sections
from docgen.app.collect_dns import DnsRequest, area_lookups
from docgen.areas.exchange_servers.autodiscover import autodiscover_domains
from docgen.areas.exchange_servers.checks import readiness
from docgen.areas.exchange_servers.source import import_exchange_servers
from docgen.checks import run_checks
from docgen.dns.client import parse_nameserver
from support.dns_fixtures import FAST
from support.dns_server import DnsTestServer

CONFIG = EXCHANGE_SAMPLES / "contoso-exchange-config.json"
CONTOSO = """$ORIGIN contoso.com.
$TTL 300
@ SOA ns1 hostmaster 1 3600 600 86400 300
@ NS ns1
ns1 A 127.0.0.1
mail A 192.0.2.25
autodiscover CNAME mail
"""
FABRIKAM = """$ORIGIN fabrikam.com.
$TTL 300
@ SOA ns1 hostmaster 1 3600 600 86400 300
@ NS ns1
ns1 A 127.0.0.1
_autodiscover._tcp SRV 0 0 443 mail.contoso.com.
"""
NOTHING = """$ORIGIN fabrikam.com.
$TTL 300
@ SOA ns1 hostmaster 1 3600 600 86400 300
@ NS ns1
ns1 A 127.0.0.1
"""


@pytest.fixture
def zones(tmp_path: Path):
    def write(**texts: str) -> list[Path]:
        paths = []
        for name, text in texts.items():
            path = tmp_path / f"{name}.zone"
            path.write_text(text)
            paths.append(path)
        return paths
    return write


def looked_up(server: DnsTestServer):
    result = import_exchange_servers([CONFIG])
    request = DnsRequest(nameservers=(parse_nameserver(server.address),), settings=FAST)
    [result] = area_lookups([result], request)
    return result


def test_the_accepted_domains_without_microsofts_routing_domains():
    result = import_exchange_servers([CONFIG])
    assert autodiscover_domains(result.extra) == ["contoso.com", "fabrikam.com"]


def test_a_cname_or_an_srv_record_is_found_and_nothing_is_missing(loopback_only, zones):
    with DnsTestServer.from_zone_files(zones(contoso=CONTOSO, fabrikam=FABRIKAM)) as server:
        result = looked_up(server)
    domains = {d["domain"]: d for d in result.extra["autodiscover"]["domains"]}
    assert {name: d["state"] for name, d in domains.items()} == {"contoso.com": "found", "fabrikam.com": "found"}
    assert domains["contoso.com"]["host"]["cname_chain"] == ["mail.contoso.com"]
    assert domains["contoso.com"]["host"]["records"] == ["192.0.2.25"]
    assert domains["fabrikam.com"]["srv"]["records"] == ["0 0 443 mail.contoso.com."]
    assert result.extra["autodiscover"]["resolver"]["nameservers"] == [server.address]
    assert result.errors == []
    row = next(r for r in readiness(result.to_section()) if r["check"].startswith("Autodiscover"))
    assert row["state"] == "yes"


def test_no_record_is_a_warning_for_that_domain(loopback_only, zones):
    with DnsTestServer.from_zone_files(zones(contoso=CONTOSO, fabrikam=NOTHING)) as server:
        result = looked_up(server)
    state = {d["domain"]: d["state"] for d in result.extra["autodiscover"]["domains"]}
    assert state == {"contoso.com": "found", "fabrikam.com": "missing"}
    bundle = bundle_with_sections(None, [result], "Contoso")
    found = [(f.rule_id, f.key) for f in run_checks(bundle) if f.rule_id == "exchange-autodiscover-missing"]
    assert found == [("exchange-autodiscover-missing", "fabrikam.com")]
    row = next(r for r in readiness(result.to_section()) if r["check"].startswith("Autodiscover"))
    assert (row["state"], row["evidence"]) == ("no", "no record: fabrikam.com; found: contoso.com")


def test_a_servfail_is_an_error_not_a_missing_record(loopback_only, zones):
    with DnsTestServer.from_zone_files(zones(contoso=CONTOSO, fabrikam=NOTHING)) as server:
        server.set_fault("autodiscover.fabrikam.com", servfail=True)
        server.set_fault("_autodiscover._tcp.fabrikam.com", servfail=True)
        result = looked_up(server)
    state = {d["domain"]: d["state"] for d in result.extra["autodiscover"]["domains"]}
    assert state == {"contoso.com": "found", "fabrikam.com": "failed"}
    assert [(e.where, "SERVFAIL" in e.message or "servfail" in e.message) for e in result.errors] == [
        ("fabrikam.com", True)]
    assert result.status == "partial"
    row = next(r for r in readiness(result.to_section()) if r["check"].startswith("Autodiscover"))
    assert row["state"] == "not collected"


def test_an_import_says_it_did_not_look_up():
    result = import_exchange_servers([CONFIG])
    assert "autodiscover" not in result.extra
    row = next(r for r in readiness(result.to_section()) if r["check"].startswith("Autodiscover"))
    assert row["state"] == "not looked up"
    assert "autodiscover.contoso.com, autodiscover.fabrikam.com" in row["evidence"]


def build_with(run_cli, tmp_path, monkeypatch, dns: str) -> dict:
    folder = tmp_path / "contoso"
    assert run_cli("init", folder, "--organization", "Contoso").exit_code == 0
    shutil.copy(CONFIG, folder / "raw")
    (folder / "docgen.toml").write_text(f'[document]\norganization = "Contoso"\n{dns}\n'
                                        '[output]\nformats = ["html"]\n')
    monkeypatch.chdir(folder)
    result = run_cli("build")
    assert result.exit_code in (0, 4), result.output
    return {"bundle": json.loads((folder / "out" / "contoso.bundle.json").read_text()),
            "html": lxml.html.fromstring((folder / "out" / "contoso.html").read_bytes())}


def test_build_looks_up_autodiscover_through_the_projects_nameserver(run_cli, tmp_path, monkeypatch,
                                                                      loopback_only, zones):
    with DnsTestServer.from_zone_files(zones(contoso=CONTOSO, fabrikam=NOTHING)) as server:
        out = build_with(run_cli, tmp_path, monkeypatch,
                         f'[dns]\nnameservers = ["{server.address}"]\ntimeout = 0.5\nretries = 0')
    section = out["bundle"]["sections"]["exchange_servers"]
    assert [(d["domain"], d["state"]) for d in section["autodiscover"]["domains"]] == [
        ("contoso.com", "found"), ("fabrikam.com", "missing")]
    rows = out["html"].cssselect("table.autodiscover tbody tr")
    assert [row.get("data-state") for row in rows] == ["found", "missing"]


def test_build_with_dns_skipped_looks_nothing_up(run_cli, tmp_path, monkeypatch, loopback_only):
    out = build_with(run_cli, tmp_path, monkeypatch, "[dns]\nskip = true")
    assert "autodiscover" not in out["bundle"]["sections"]["exchange_servers"]
    assert not out["html"].cssselect("table.autodiscover")
