"""Conditional Access: the real ScubaGear exports give exact policies, coverage and findings;
the Graph, SDK and collector shapes give the same facts; a bad policy or file is one error."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

from conftest import SAMPLES, TEST_DATA
from docgen.areas.conditional_access.checks import check_conditional_access
from docgen.areas.conditional_access.coverage import coverage, describe
from docgen.areas.conditional_access.detect import recognise
from docgen.areas.conditional_access.source import import_conditional_access
from docgen.bundle import dump_bundle, new_bundle, parse_bundle, put_section
from docgen.checks.rules import default_rules
from docgen.diff import diff_bundles

SCUBA = TEST_DATA / "scubagear"
ENTRA = SAMPLES / "entra"
RULES = default_rules()


def section_of(*paths: Path) -> dict:
    return import_conditional_access(list(paths)).to_section()


def finding_ids(section: dict, as_of: datetime | None = None) -> list[str]:
    moment = as_of or datetime.fromisoformat(section["collected_at"])
    return sorted(f.id for f in check_conditional_access(section, RULES, moment))


def covered(section: dict) -> dict[str, list[str]]:
    return {row["key"]: row["enabled"] for row in coverage(section["items"])}


def test_scubagear_sample_policies_coverage_and_findings():
    result = import_conditional_access([SCUBA / "ProviderSettingsExport.sample.json"])
    section = result.to_section()
    assert result.status == "ok" and result.organization == "tqhjy"
    assert section["collected_at"] == "2026-05-04T17:15:48Z" and section["forms"] == ["scubagear"]
    assert [p["state"] for p in section["items"]] == ["enabled"] * 7
    assert [p["name"].split(" ")[0] for p in section["items"]] == [
        "Live", "MS.AAD.1.1v1", "MS.AAD.2.1v1", "MS.AAD.2.1v1", "MS.AAD.2.3v1", "MS.AAD.3.2v1", "MS.AAD.3.9v1"]
    legacy = section["items"][1]
    assert legacy["client_app_types"] == ["exchangeActiveSync", "other"]
    assert legacy["grant"]["built_in"] == ["block"] and legacy["modified"] == "2026-04-30T21:26:01Z"
    assert describe(legacy, {}) == ("Block access, for all users, on all cloud apps, when the client is "
                                    "Exchange ActiveSync or other clients (legacy authentication).")
    # the device code policy blocks one flow, not every sign-in: it names the flow and covers nothing
    device_code = section["items"][6]
    assert describe(device_code, {}) == ("Block access, for all users except 1 user, on all cloud apps, "
                                         "when the sign-in uses the device code flow.")
    assert covered(section) == {
        "legacy_authentication": ["MS.AAD.1.1v1 Legacy authentication SHALL be blocked"],
        "mfa_all_users": [section["items"][5]["name"]],
        "mfa_admins": [section["items"][5]["name"]],
        "user_risk_high": ["MS.AAD.2.1v1 Users detected as high risk SHALL be blocked",
                           "MS.AAD.2.1v1 Users detected as high risk SHALL be blocked Duplicate"],
        "sign_in_risk_medium": [],   # only High is answered
        "native_mail_eas": ["MS.AAD.1.1v1 Legacy authentication SHALL be blocked"]}
    assert finding_ids(section) == ["ca-no-sign-in-risk-policy:tenant"]
    assert [row["name"] for row in section["authorization_policy"]][:2] == [
        "Who may invite guests", "Guest user access"]
    assert [s["name"] for s in section["directory_settings"]] == ["Consent Policy Settings", "Group.Unified"]


def test_scubagear_stub_twenty_policies_eight_report_only():
    section = section_of(SCUBA / "ProviderSettingsExport.stub.json")
    assert section["status"] == "ok" and len(section["items"]) == 20
    report_only = [p for p in section["items"] if p["state"] == "enabledForReportingButNotEnforced"]
    assert len(report_only) == 8
    # no timestamp_zulu: the date line's zone name is dropped
    assert section["collected_at"] == "2023-08-23T12:23:24Z"
    coverage_rows = covered(section)
    # 'Block Logins External to USA' blocks legacy clients from one location only: not coverage
    assert coverage_rows["legacy_authentication"] == ["Live - Legacy Authentication SHALL be Blocked"]
    assert coverage_rows["mfa_all_users"] == ["Live - MFA SHALL be required for all users"]
    assert coverage_rows["mfa_admins"] == ["Live - MFA SHALL be required for all users",
                                           "Live - MFA SHALL be required for Highly Privileged Roles"]
    assert finding_ids(section) == sorted(
        ["ca-no-sign-in-risk-policy:tenant"] + [f"ca-report-only-stale:{p['key']}" for p in report_only])
    mfa = next(p for p in section["items"] if p["name"] == "Live - MFA SHALL be required for all users")
    assert describe(mfa, {}) == ("Require MFA, for all users except 1 group, on all cloud apps except 1 app.")


def test_graph_rest_and_sdk_shapes_give_the_same_policies():
    collector = import_conditional_access([ENTRA / "contoso-entra.json"])
    graph = import_conditional_access([ENTRA / "contoso-entra-graph-policies.json"])
    assert collector.status == graph.status == "ok"
    assert collector.items == graph.items and len(collector.items) == 8
    section = collector.to_section()
    assert section["security_defaults"] == {"enabled": False}
    assert [loc["name"] for loc in section["named_locations"]] == ["Allowed countries", "Head office"]
    password = section["directory_settings"][0]
    assert {v["name"]: v["value"] for v in password["values"]}["BannedPasswordList"] == "(3 entries, not copied)"
    assert "winter2026" not in json.dumps(section)


def test_demo_policies_in_plain_words_and_findings():
    section = section_of(ENTRA / "contoso-entra.json")
    sentences = {p["name"][:5]: describe(p, section["directory_objects"]) for p in section["items"]}
    assert sentences["CA001"] == ("Block access, for all users except 1 group (Emergency access accounts), on "
                                  "all cloud apps, when the client is Exchange ActiveSync or other clients "
                                  "(legacy authentication).")
    assert sentences["CA007"].endswith("except from 2 locations (Head office, Allowed countries).")
    assert finding_ids(section) == ["ca-no-sign-in-risk-policy:tenant",
                                    "ca-report-only-stale:a1f3c2d4-0005-4b5c-8d9e-0f1a2b3c4d05"]


def test_mfa_finding_needs_security_defaults_off_and_no_policy():
    section = section_of(ENTRA / "contoso-entra.json")
    section["items"] = [p for p in section["items"] if not p["name"].startswith("CA002")]
    assert "ca-no-mfa-all-users:tenant" in finding_ids(section)
    section["security_defaults"] = {"enabled": True}
    assert "ca-no-mfa-all-users:tenant" not in finding_ids(section)
    section["items"] = []
    assert set(finding_ids(section)) == {"ca-legacy-auth-not-blocked:tenant", "ca-no-user-risk-policy:tenant",
                                         "ca-no-sign-in-risk-policy:tenant"}


def test_report_only_threshold_and_exclusions_are_data():
    section = section_of(ENTRA / "contoso-entra.json")
    stale = "ca-report-only-stale:a1f3c2d4-0005-4b5c-8d9e-0f1a2b3c4d05"
    modified = datetime(2026, 7, 30, 9, 45, tzinfo=timezone.utc)
    assert stale not in finding_ids(section, datetime(2026, 8, 29, 9, 45, tzinfo=timezone.utc))
    assert stale in finding_ids(section, datetime(2026, 8, 31, 9, 45, tzinfo=timezone.utc))
    assert section["items"][4]["modified"] == modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    # the disabled pilot excludes 7 users: judged once it is on
    pilot = section["items"][7]
    assert pilot["state"] == "disabled" and len(pilot["users"]["exclude_users"]) == 7
    pilot["state"] = "enabled"
    assert f"ca-too-many-exclusions:{pilot['key']}" in finding_ids(section)
    rules = copy.deepcopy(RULES)
    rules["ca-too-many-exclusions"]["max_users"] = 7
    as_of = datetime.fromisoformat(section["collected_at"])
    assert not [f for f in check_conditional_access(section, rules, as_of) if f.rule_id == "ca-too-many-exclusions"]


def graph_page(policies: list[dict]) -> str:
    return json.dumps({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/"
                                         "conditionalAccess/policies", "value": policies})


def demo_policies() -> list[dict]:
    return json.loads((ENTRA / "contoso-entra-graph-policies.json").read_text("utf-8"))["value"]


def test_policy_without_state_is_one_error_and_kept(tmp_path):
    policies = demo_policies()
    del policies[0]["state"]
    (tmp_path / "p.json").write_text(graph_page(policies), "utf-8")
    result = import_conditional_access([tmp_path / "p.json"])
    assert result.status == "partial" and len(result.items) == 8
    assert [e.as_record() for e in result.errors] == [{
        "source": "p.json", "where": "policy 'CA001 Block legacy authentication'",
        "message": "the policy has no state; it is not counted as enabled"}]
    section = result.to_section()
    assert section["items"][0]["state"] is None
    assert "ca-legacy-auth-not-blocked:tenant" in finding_ids(section)


def test_unknown_client_app_type_is_one_error(tmp_path):
    policies = demo_policies()
    policies[1]["conditions"]["clientAppTypes"] = ["all", "holographicClients"]
    (tmp_path / "p.json").write_text(graph_page(policies), "utf-8")
    result = import_conditional_access([tmp_path / "p.json"])
    assert result.status == "partial" and len(result.items) == 8
    assert [e.message for e in result.errors] == ["unknown client app type 'holographicClients' (ignored)"]
    assert result.items[1]["client_app_types"] == ["all"]


def test_truncated_export_is_one_error_and_the_others_are_kept(tmp_path):
    text = (ENTRA / "contoso-entra-graph-policies.json").read_text("utf-8")
    (tmp_path / "cut.json").write_text(text[: len(text) // 2], "utf-8")
    result = import_conditional_access([tmp_path / "cut.json", SCUBA / "ProviderSettingsExport.sample.json"])
    assert result.status == "partial" and len(result.items) == 7
    assert len(result.errors) == 1 and result.errors[0].source == "cut.json"
    assert "not valid JSON" in result.errors[0].message
    alone = import_conditional_access([tmp_path / "cut.json"])
    assert alone.status == "error" and alone.items == []


def test_recognised_by_content():
    for path in (SCUBA / "ProviderSettingsExport.sample.json", ENTRA / "contoso-entra.json",
                 ENTRA / "contoso-entra-graph-policies.json"):
        assert recognise(path.read_bytes()[:65536].decode("utf-8-sig", "replace")), path
    assert not recognise((SAMPLES / "dns" / "contoso-dkim-collector.json").read_text("utf-8"))
    assert not recognise('{"value": [{"id": "x", "displayName": "not a policy"}]}')


def bundle_of(section_result) -> object:
    data = put_section(new_bundle("Contoso", "2026-11-02T09:45:00Z"), section_result,
                       run_id="00000000-0000-4000-8000-000000000001")
    return parse_bundle(dump_bundle(data), "x.json")


def test_diff_matches_policies_by_id_and_compares_conditions_as_sets():
    before = import_conditional_access([ENTRA / "contoso-entra.json"])
    after = import_conditional_access([ENTRA / "contoso-entra.json"])
    after.items[0]["name"] = "CA001 Block legacy authentication (all users)"
    after.items[1]["client_app_types"] = ["browser", "mobileAppsAndDesktopClients"]
    removed = after.items.pop(7)
    document = diff_bundles(bundle_of(before), bundle_of(after))
    summaries = [(c["kind"], c["summary"]) for s in document["sections"] for c in s["changes"]]
    kinds = sorted(kind for kind, _ in summaries)
    assert kinds == ["modified", "modified", "removed"], summaries
    assert any("Name" in text and "CA001" in text for _, text in summaries)
    assert any(removed["name"] in text for kind, text in summaries if kind == "removed")
    same = diff_bundles(bundle_of(before), bundle_of(import_conditional_access([ENTRA / "contoso-entra.json"])))
    assert same["result"] == "no changes"


def test_import_command_writes_a_valid_bundle(tmp_path, run_cli):
    result = run_cli("import", "conditional-access", SCUBA / "ProviderSettingsExport.stub.json",
                     "-o", tmp_path / "b.json")
    assert result.exit_code == 0, result.output
    assert "conditional_access with 20 item(s), status ok" in result.output
    assert run_cli("validate", tmp_path / "b.json").exit_code == 0


def test_view_names_what_the_export_names():
    from docgen.areas.conditional_access.view import conditional_access_view
    section = section_of(ENTRA / "contoso-entra.json")
    view = conditional_access_view(section, datetime.fromisoformat(section["collected_at"]), [])
    admins = next(p for p in view["policies"] if p["name"].startswith("CA003"))
    assert admins["included"][0] == "Security Administrator"
    assert admins["excluded"] == ["Emergency access accounts"]
    assert view["counts"] == {"On": 5, "Report-only": 2, "Off": 1, "unknown": 0}
    assert view["security_defaults"] == "off"


def _variant(policy: dict, name: str, **conditions) -> dict:
    changed = copy.deepcopy(policy)
    changed.update(id=f"a1f3c2d4-0099-4b5c-8d9e-{sum(map(ord, name)):012d}", displayName=name,
                   state="enabled")
    changed["conditions"].update(conditions)
    return changed


def test_both_areas_read_one_answer_to_the_native_mail_question(tmp_path):
    """Which policy keeps the native mail apps from Exchange Online: the coverage row (iOS and
    Android) and the mobile section (iOS) ask docgen/areas/native_mail.py, so they agree."""
    from docgen.areas.mobile_access.cloud import native_mail_policies

    legacy, approved = demo_policies()[0], demo_policies()[5]   # CA001 blocks EAS; CA006 approved apps
    ios = {"includePlatforms": ["iOS"], "excludePlatforms": []}
    policies = [
        _variant(legacy, "block EAS everywhere"),
        _variant(legacy, "block EAS on iOS", platforms=ios),
        _variant(approved, "approved apps on iOS and Android"),
        _variant(approved, "approved apps on iOS", platforms=ios),
        _variant(approved, "approved apps, no platform named", platforms=None),
        _variant(legacy, "block EAS from one country",
                 locations={"includeLocations": ["00000000-0000-0000-0000-0000000000aa"],
                            "excludeLocations": []}),
    ]
    export = tmp_path / "policies.json"
    export.write_text(graph_page(policies))
    section = section_of(export)
    assert sorted(covered(section)["native_mail_eas"]) == [
        "approved apps on iOS and Android", "block EAS everywhere"]
    assert sorted(native_mail_policies(section["items"])["enabled"]) == [
        "approved apps on iOS", "approved apps on iOS and Android", "block EAS everywhere",
        "block EAS on iOS"]


def test_a_policy_id_met_again_with_other_settings_is_an_error_not_a_silent_drop(tmp_path):
    first, second = demo_policies()[0], copy.deepcopy(demo_policies()[1])
    second["id"] = first["id"]
    export = tmp_path / "policies.json"
    export.write_text(graph_page([first, second]))
    section = section_of(export)
    assert [item["name"] for item in section["items"]] == ["CA001 Block legacy authentication"]
    assert section["errors"] == [{
        "source": "policies.json", "where": "policy 'CA002 Require MFA for all users'",
        "message": f"policy id {first['id']} is also earlier in this file, with other settings; "
                   "that one is kept"}]
    # the same export read twice (or two exports of one tenant) holds the same policies: no error
    again = tmp_path / "again.json"
    again.write_text(graph_page(demo_policies()))
    assert section_of(ENTRA / "contoso-entra-graph-policies.json", again)["errors"] == []
