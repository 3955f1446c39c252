"""A CISA ScubaGear export (ProviderSettingsExport.json, real files in tests/data/scubagear,
CC0) feeds the DKIM area too: its dkim_config and accepted_domains name the domains and
their signing configurations, looked up like the collector's export (issue 16)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from docgen.app.build import dkim_exports
from docgen.app.detect import detect_areas
from docgen.areas.dkim.source import read_dkim_export
from support.dns_fixtures import CORPUS, SAMPLES_DNS

SCUBA = CORPUS / "scubagear"
STUB = SCUBA / "ProviderSettingsExport.stub.json"
SAMPLE = SCUBA / "ProviderSettingsExport.sample.json"


def test_the_stubs_signing_configurations_are_read_exactly():
    export = read_dkim_export(STUB)
    assert export.errors == []
    assert export.from_scubagear and export.organization == "Agency"
    assert export.collected_at == datetime(2023, 8, 23, 12, 23, 24, tzinfo=timezone.utc)
    assert [(c.domain, c.enabled, c.cnames["selector1"], c.selector_after_rotate) for c in export.configs][:2] == [
        ("dhs.agency.gov", True, "selector1-dhs-agency-gov._domainkey.agency.onmicrosoft.com", "selector2"),
        ("associates.dhs.agency.gov", True, "selector1-associates-dhs-agency-gov._domainkey.agency.onmicrosoft.com",
         "selector1")]
    assert export.domains == ["agency.net", "agency.onmicrosoft.com", "associates.dhs.agency.gov",
                              "dhs.agency.gov", "test365.agency.dhs.gov"]


def test_the_samples_accepted_domains_are_looked_up_too():
    export = read_dkim_export(SAMPLE)
    assert [c.domain for c in export.configs] == ["tqhjy.onmicrosoft.com", "tqhjy.mail.onmicrosoft.com"]
    assert "example.com" in export.domains and "test365.tqhjy.dhs.gov" in export.domains
    assert export.collected_at == datetime(2026, 5, 4, 17, 15, 48, 307000, tzinfo=timezone.utc)


def test_one_scubagear_file_feeds_conditional_access_and_dkim():
    # dkim_config lies 1.5 MB into the sample: recognised by the head's versions
    assert detect_areas(SAMPLE) == ["conditional_access", "dkim"]


def test_a_dedicated_dkim_export_wins_over_scubagear(tmp_path):
    shutil.copy(STUB, tmp_path / "scuba.json")
    shutil.copy(SAMPLES_DNS / "contoso-dkim-collector.json", tmp_path / "dkim.json")
    assert dkim_exports([tmp_path / "scuba.json", tmp_path / "dkim.json"]) == [tmp_path / "dkim.json"]
    assert dkim_exports([tmp_path / "scuba.json"]) == [tmp_path / "scuba.json"]


def test_a_scubagear_run_without_exchange_online_is_not_a_dkim_export(tmp_path):
    document = json.loads(STUB.read_text())
    document["dkim_config"] = None
    document.pop("accepted_domains", None)
    (tmp_path / "aad-only.json").write_text(json.dumps(document))
    assert dkim_exports([tmp_path / "aad-only.json"]) == []


def test_a_broken_dkim_entry_names_its_place(tmp_path):
    document = json.loads(STUB.read_text())
    document["dkim_config"][2]["Domain"] = "not a domain!"
    (tmp_path / "scuba.json").write_text(json.dumps(document))
    export = read_dkim_export(tmp_path / "scuba.json")
    assert [(e.where, e.source) for e in export.errors] == [("dkim_config[3]", "scuba.json")]
    assert len(export.configs) == 4


AGENCY_GOV = """$ORIGIN dhs.agency.gov.
$TTL 300
@ SOA ns1 hostmaster 1 3600 600 86400 300
@ NS ns1
ns1 A 192.0.2.53
selector1._domainkey CNAME selector1-dhs-agency-gov._domainkey.agency.onmicrosoft.com.
selector2._domainkey CNAME selector2-dhs-agency-gov._domainkey.agency.onmicrosoft.com.
"""


def txt(value: str) -> str:
    """A TXT record's text as zone-file strings of at most 255 characters."""
    return " ".join(f'"{value[i:i + 255]}"' for i in range(0, len(value), 255))


@pytest.fixture
def scuba_project(run_cli, tmp_path) -> Path:
    folder = tmp_path / "agency"
    assert run_cli("init", folder, "--organization", "Agency").exit_code == 0
    shutil.copy(STUB, folder / "raw" / "ProviderSettingsExport.json")
    config = json.loads(STUB.read_text())["dkim_config"][0]
    (folder / "dhs.agency.gov.zone").write_text(AGENCY_GOV)
    (folder / "agency.onmicrosoft.com.zone").write_text(
        "$ORIGIN agency.onmicrosoft.com.\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 600 86400 300\n@ NS ns1\n"
        "ns1 A 192.0.2.53\n"
        + "".join(f'selector{n}-dhs-agency-gov._domainkey TXT {txt(config[f"Selector{n}PublicKey"])}\n' for n in (1, 2)))
    (folder / "docgen.toml").write_text(
        '[document]\norganization = "Agency"\n[dns]\n'
        'zone_files = ["dhs.agency.gov.zone", "agency.onmicrosoft.com.zone"]\n[output]\nformats = ["html"]\n')
    return folder


def test_build_looks_up_the_scubagear_domains(run_cli, scuba_project, monkeypatch):
    monkeypatch.chdir(scuba_project)
    result = run_cli("build")
    assert result.exit_code in (0, 4), result.output
    bundle = json.loads((scuba_project / "out" / "agency.bundle.json").read_text())
    assert {"conditional_access", "dkim", "mail_auth"} <= set(bundle["sections"])
    dkim = {item["domain"]: item for item in bundle["sections"]["dkim"]["items"]}
    assert sorted(dkim) == ["agency.net", "agency.onmicrosoft.com", "associates.dhs.agency.gov",
                            "dhs.agency.gov", "test365.agency.dhs.gov"]
    agency = dkim["dhs.agency.gov"]
    assert agency["active_selector"] == "selector2"   # RotateOnDate 2021-07-20, collected 2023-08-23
    active = next(s for s in agency["selectors"] if s["active"])
    assert (active["cname_state"], active["key"]["valid"]) == ("matches", True)
    assert any(entry["name"] == "ProviderSettingsExport.json" and entry["section"] == "dkim"
               for entry in bundle["inputs"])
