"""Exchange servers and hybrid readiness: the build table, real CLIXML (CSS-Exchange), the
collector's JSON, PowerShell 5.1/7 JSON, findings, the checklist, the diff, bad input."""

from __future__ import annotations

import json
import tomllib
from datetime import date, datetime, timezone

import pytest

from conftest import REPO, SAMPLES
from docgen.app.detect import detect_areas
from docgen.areas.exchange_servers.builds import look_up, parse_build, parse_version
from docgen.areas.exchange_servers.checks import check_exchange_servers, readiness
from docgen.areas.exchange_servers.source import import_exchange_servers
from docgen.bundle import load_bundle
from docgen.checks.rules import default_rules
from docgen.diff.engine import VolatileMatcher, compare_bundles

CSS = REPO / "tests" / "data" / "css-exchange"
CONFIG = SAMPLES / "exchange" / "contoso-exchange-config.json"
AS_OF = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)
BUILDS = REPO / "docgen" / "areas" / "exchange_servers" / "builds.toml"


def findings(result, as_of=AS_OF) -> list[tuple[str, str]]:
    return sorted((f.rule_id, f.key) for f in check_exchange_servers(result.to_section(), default_rules(), as_of))


# -- the build table ----------------------------------------------------------------------------


def test_the_table_holds_every_cu_in_build_order():
    table = tomllib.loads(BUILDS.read_text("utf-8"))
    by_product: dict[str, list[str]] = {}
    for row in table["builds"]:
        by_product.setdefault(row["product"], []).append(row["update"])
    assert by_product["15.1"] == ["RTM", *(f"CU{n}" for n in range(1, 24))]
    assert by_product["15.2"] == ["RTM", *(f"CU{n}" for n in range(1, 16))]
    assert by_product["SE"] == ["RTM"]
    for product in by_product:
        rows = [row for row in table["builds"] if row["product"] == product]
        assert [parse_build(r["build"]) for r in rows] == sorted(parse_build(r["build"]) for r in rows)
        assert [r["released"] for r in rows] == sorted(r["released"] for r in rows)
    assert table["products"]["15.1"]["support_ends"] == table["products"]["15.2"]["support_ends"] == date(2025, 10, 14)
    assert "support_ends" not in table["products"]["SE"]
    # the checklist's floor and the finding's default threshold are the same build
    assert table["teams"]["min_build"] == default_rules()["exchange-build-below-teams-floor"]["min_build"] \
        == "15.1.544.27"


@pytest.mark.parametrize("version, product, update, later", [
    ("Version 15.1 (Build 2375.7)", "Exchange Server 2016", "CU22", False),
    ("Version 15.2 (Build 986.5)", "Exchange Server 2019", "CU11", False),
    ("Version 15.1 (Build 544.27)", "Exchange Server 2016", "CU3", False),
    ("Version 15.1 (Build 466.34)", "Exchange Server 2016", "CU2", False),
    ("15.02.1544.036", "Exchange Server 2019", "CU14", True),        # ExSetup's file version, an SU
    ("Version 15.2 (Build 1748.10)", "Exchange Server 2019", "CU15", False),
    ("Version 15.2 (Build 2562.17)", "Exchange Server Subscription Edition", "RTM", False),
    ({"Major": 15, "Minor": 1, "Build": 2507, "Revision": 6}, "Exchange Server 2016", "CU23", False),
    ("Version 15.20 (Build 7452.28)", "Exchange Online", None, False),
])
def test_versions_map_to_their_cu(version, product, update, later):
    info = look_up(parse_version(version))
    assert (info.product, info.update, info.later_update) == (product, update, later)


def test_a_build_newer_than_the_table_says_so():
    info = look_up(parse_version("15.2.2700.5"))
    assert (info.update, info.note) == ("RTM", "newer than RTM (15.2.2562.17), the newest build docgen's table knows")


@pytest.mark.parametrize("value", ["Version 15.2", "15.2.x.1", "", {"Major": 15}, 15.2])
def test_an_unreadable_version_is_a_value_error(value):
    with pytest.raises(ValueError, match="^AdminDisplayVersion: "):
        parse_version(value)


# -- real CLIXML (CSS-Exchange) ----------------------------------------------------------------


def test_real_clixml_servers_partner_applications_and_ews():
    result = import_exchange_servers([CSS / "E16" / "GetExchangeServer.xml", CSS / "E19" / "GetExchangeServer.xml",
                                      CSS / "E19" / "GetPartnerApplication.xml",
                                      CSS / "E19" / "GetWebServicesVirtualDirectory.xml",
                                      CSS / "E19" / "GetHybridConfiguration.xml",
                                      CSS / "E19" / "GetOrganizationConfig.xml", CSS / "E19" / "GetAuthConfig.xml",
                                      CSS / "E19" / "GetAcceptedDomain.xml"])
    assert result.status == "ok", result.errors
    servers = {s["name"]: s for s in result.items}
    assert sorted(servers) == ["SOLO-E16A", "SOLO-E19A"]
    e16, e19 = servers["SOLO-E16A"], servers["SOLO-E19A"]
    assert (e16["admin_display_version"], e16["build"], e16["product"], e16["update"], e16["released"]) == (
        "Version 15.1 (Build 2375.7)", "15.1.2375.7", "Exchange Server 2016", "CU22", "2021-09-28")
    assert (e19["admin_display_version"], e19["build"], e19["product"], e19["update"], e19["released"]) == (
        "Version 15.2 (Build 986.5)", "15.2.986.5", "Exchange Server 2019", "CU11", "2021-09-28")
    assert (e19["roles"], e19["edition"], e19["fqdn"], e19["site"]) == (
        ["Mailbox"], "StandardEvaluation", "Solo-E19A.Solo.com",
        "Solo.com/Configuration/Sites/Default-First-Site-Name")
    section = result.to_section()
    apps = section["partner_applications"]
    assert [(a["name"], a["enabled"]) for a in sorted(apps, key=lambda a: a["source"]["where"])] == [
        ("Exchange Online", True), ("Microsoft Graph", True), ("TeamsScheduler", False),
        ("CloudVoicemail", False), ("SfBLegacy", True)]
    assert section["auth_servers"] is None                       # not collected, not "none"
    assert [v["external_url"] for v in section["ews_virtual_directories"]] == [None]
    assert section["hybrid"]["configured"] is True and "contoso.com" in section["hybrid"]["domains"]
    assert section["oauth2_client_profile_enabled"] is False
    assert findings(result) == [
        ("exchange-build-out-of-support", "solo-e16a"), ("exchange-build-out-of-support", "solo-e19a"),
        ("exchange-cu-mixed", "organization"),
        ("exchange-ews-external-url-missing", "solo-e19a\\ews (default web site)")]
    # the Exchange Online partner application is enabled: OAuth counts as configured
    rows = {row["check"]: row for row in readiness(section)}
    assert rows["OAuth to Exchange Online configured"]["state"] == "yes"
    assert "Get-AuthServer not collected" in rows["OAuth to Exchange Online configured"]["evidence"]
    # judged before the end of support, the two servers were supported
    assert findings(result, datetime(2025, 10, 13, tzinfo=timezone.utc)) == [
        ("exchange-cu-mixed", "organization"),
        ("exchange-ews-external-url-missing", "solo-e19a\\ews (default web site)")]


def test_real_clixml_is_recognised_by_content():
    for name in ("E16/GetExchangeServer.xml", "E19/GetPartnerApplication.xml", "E19/GetHybridConfiguration.xml",
                 "E19/GetWebServicesVirtualDirectory.xml"):
        assert detect_areas(CSS / name) == ["exchange_servers"], name
    assert sorted(detect_areas(CONFIG)) == ["exchange_certificates", "exchange_connectors", "exchange_servers"]
    assert "exchange_servers" not in detect_areas(SAMPLES / "exchange" / "contoso-exchange-certs.json")


# -- the collector's JSON (the sample) ---------------------------------------------------------


def test_collector_sample():
    result = import_exchange_servers([CONFIG])
    assert result.status == "ok", result.errors
    assert [(s["name"], s["product"], s["update"], s["build"], s["support_ends"]) for s in result.items] == [
        ("EX01", "Exchange Server 2019", "CU14", "15.2.1544.4", "2025-10-14"),
        ("EX07", "Exchange Server 2016", "CU2", "15.1.466.34", "2025-10-14"),
        ("EX08", "Exchange Server Subscription Edition", "RTM", "15.2.2562.17", None)]
    assert findings(result) == [
        ("exchange-build-below-teams-floor", "ex07"),
        ("exchange-build-out-of-support", "ex01"), ("exchange-build-out-of-support", "ex07"),
        ("exchange-cu-mixed", "organization"),
        ("exchange-ews-external-url-missing", "ex07\\ews (default web site)")]
    rows = [(row["state"], row["evidence"]) for row in readiness(result.to_section())]
    assert rows == [
        ("no", "below: EX07 (Exchange 2016 CU2, 15.1.466.34)"),
        ("yes", "auth servers: ACS - 4b1c6f3e-0c1e-4b53-9f2e-5d0b3c5d2a10 (MicrosoftACS, enabled), "
                "EvoSts - 4b1c6f3e-0c1e-4b53-9f2e-5d0b3c5d2a10 (AzureAD, enabled); partner application "
                "Exchange Online (00000002-0000-0ff1-ce00-000000000000) enabled"),
        ("yes", "Exchange Online (enabled), Microsoft Graph (enabled), SfBLegacy (enabled), "
                "TeamsScheduler (enabled)"),
        ("no", "not set on EX07\\EWS (Default Web Site); set: https://mail.contoso.com/EWS/Exchange.asmx"),
        ("not looked up", "DNS was not part of this run (docgen import); `docgen build` looks up "
                               "autodiscover.contoso.com, autodiscover.fabrikam.com")]


def test_hybrid_without_oauth_is_high_and_without_hybrid_it_is_not_judged(tmp_path):
    document = json.loads(CONFIG.read_text("utf-8-sig"))
    document["AuthServers"] = [{**s, "Enabled": False} for s in document["AuthServers"]]
    document["PartnerApplications"] = [a for a in document["PartnerApplications"]
                                       if a["ApplicationIdentifier"] != "00000002-0000-0ff1-ce00-000000000000"]
    path = tmp_path / "config.json"
    path.write_text(json.dumps(document), "utf-8")
    result = import_exchange_servers([path])
    oauth = [f for f in check_exchange_servers(result.to_section(), default_rules(), AS_OF)
             if f.rule_id == "exchange-oauth-not-configured"]
    assert [(f.severity, f.key) for f in oauth] == [("high", "organization")]
    assert oauth[0].evidence.startswith("Hybrid is configured (Get-HybridConfiguration: domains contoso.com, "
                                        "fabrikam.com); auth servers: ACS")
    document["HybridConfiguration"] = None
    path.write_text(json.dumps(document), "utf-8")
    result = import_exchange_servers([path])
    assert result.to_section()["hybrid"] == {"collected": True, "configured": False, "domains": [], "features": [],
                                             "client_access_servers": [], "on_premises_smart_host": None}
    assert ("exchange-oauth-not-configured", "organization") not in findings(result)


# -- PowerShell 5.1 and 7 JSON -------------------------------------------------------------------


def test_powershell_json_version_objects_and_strings(tmp_path):
    ps51 = tmp_path / "servers51.json"
    server = {"Name": "EX09", "ServerRole": 2, "Edition": 2, "Site": {"Name": "HQ"},
              "AdminDisplayVersion": {"Major": 15, "Minor": 1, "Build": 2507, "Revision": 39,
                                      "FilePatchLevelDescription": None}}
    ps51.write_bytes("\ufeff".encode("utf-16-le") + json.dumps(server).encode("utf-16-le"))
    ps7 = tmp_path / "servers7.json"
    ps7.write_text(json.dumps([{"Name": "EX10", "ServerRole": "Mailbox", "Edition": "Standard",
                                "AdminDisplayVersion": "Version 15.2 (Build 1748.10)"}]), "utf-8")
    result = import_exchange_servers([ps51, ps7])
    assert result.status == "ok", result.errors
    assert [(s["name"], s["build"], s["update"], s["later_update"]) for s in result.items] == [
        ("EX09", "15.1.2507.39", "CU23", True), ("EX10", "15.2.1748.10", "CU15", False)]
    assert result.to_section()["partner_applications"] is None


# -- bad input: one line naming the file and the object ------------------------------------------


def test_an_unreadable_version_names_file_and_server_and_keeps_the_rest(tmp_path):
    path = tmp_path / "servers.json"
    path.write_text(json.dumps([{"Name": "EX01", "ServerRole": "Mailbox", "AdminDisplayVersion": "Version 15.2"},
                                {"Name": "EX02", "ServerRole": "Mailbox",
                                 "AdminDisplayVersion": "Version 15.2 (Build 1544.4)"}]), "utf-8")
    result = import_exchange_servers([path])
    assert [str(e) for e in result.errors] == [
        "servers.json: object 1 (EX01): AdminDisplayVersion: 'Version 15.2' is not an Exchange version "
        "('Version 15.2 (Build 986.5)' or '15.2.986.5')"]
    assert result.status == "partial"
    assert [(s["name"], s["build"]) for s in result.items] == [("EX01", None), ("EX02", "15.2.1544.4")]


def test_a_truncated_clixml_is_one_line_naming_the_file_and_the_others_are_kept(tmp_path):
    data = (CSS / "E19" / "GetPartnerApplication.xml").read_bytes()
    path = tmp_path / "apps.xml"
    path.write_bytes(data[: len(data) // 2])
    result = import_exchange_servers([path, CSS / "E16" / "GetExchangeServer.xml"])
    assert len(result.errors) == 1
    message = str(result.errors[0])
    assert message.startswith("apps.xml: ") and "\n" not in message
    assert result.status == "partial" and [s["name"] for s in result.items] == ["SOLO-E16A"]
    assert result.to_section()["partner_applications"] is None


# -- diff: server by name, partner application by identifier, the CU named ---------------------------


def test_a_cu_update_reads_cu_to_cu(tmp_path):
    before = import_exchange_servers([CONFIG]).to_section()
    document = json.loads(CONFIG.read_text("utf-8-sig"))
    document["Servers"][0]["AdminDisplayVersion"] = "Version 15.2 (Build 1748.10)"
    document["PartnerApplications"][2]["Enabled"] = False
    document["PartnerApplications"][2]["Name"] = "Teams Scheduler"
    path = tmp_path / CONFIG.name          # the next export, under the same name
    path.write_text(json.dumps(document), "utf-8")
    after = import_exchange_servers([path]).to_section()

    def bundle(section):
        return {"collected_at": "2026-11-02T09:30:00Z", "sections": {"exchange_servers": section}}

    comparison = compare_bundles(bundle(before), bundle(after), VolatileMatcher(()), ["exchange_servers"])
    summaries = sorted(change.summary for change in comparison.changes)
    assert summaries == [
        "Exchange server 'EX01' (Build 15.2.1544.4 -> 15.2.1748.10; Update CU14 -> CU15)",
        "partner application 'Teams Scheduler' (Name TeamsScheduler -> Teams Scheduler; Enabled true -> false)"]


# -- the demo -------------------------------------------------------------------------------------


def test_demo_shows_the_section(demo_dir):
    bundle = load_bundle(demo_dir / "contoso.bundle.json").data
    section = bundle["sections"]["exchange_servers"]
    assert section["status"] == "ok" and [s["update"] for s in section["items"]] == ["CU14", "CU2", "RTM"]
    html = (demo_dir / "contoso.html").read_text("utf-8")
    assert 'id="sec-exchange_servers"' in html
    assert "Mailbox server below the build Teams needs (Exchange 2016 CU3, 15.1.544.27)" in html
    assert 'data-table="exchange-hybrid-readiness"' in html
    # the demo looks Autodiscover up in its sample zones: contoso.com has it, fabrikam.com not
    assert [(d["domain"], d["state"]) for d in section["autodiscover"]["domains"]] == [
        ("contoso.com", "found"), ("fabrikam.com", "missing")]
    assert "no record: fabrikam.com; found: contoso.com" in html.replace("<wbr>", "")
