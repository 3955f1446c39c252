"""Mobile mail access: ActiveSync's default and rules decide what Apple Mail gets on premises,
Conditional Access in the cloud; [mobile] block_native_ios_mail turns the finding on; devices
are counts, never people."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from conftest import SAMPLES
from docgen.areas.conditional_access.source import import_conditional_access
from docgen.areas.mobile_access.checks import check_mobile_access, check_native_ios_mail
from docgen.areas.mobile_access.source import import_mobile_access
from docgen.areas.mobile_access.verdict import native_ios, rules_in_order
from docgen.bundle import dump_bundle, new_bundle, parse_bundle, put_section
from docgen.checks.rules import default_rules
from docgen.diff import diff_bundles

MOBILE = SAMPLES / "mobile"
ENTRA = SAMPLES / "entra"
AS_OF = datetime(2026, 11, 2, 10, tzinfo=timezone.utc)


def rules(required: bool) -> dict:
    loaded = default_rules()
    loaded["mobile-ios-native-mail-not-blocked"]["required"] = required
    return loaded


@pytest.fixture
def section() -> dict:
    result = import_mobile_access([MOBILE / "contoso-mobile-onprem.json", MOBILE / "contoso-mobile-exo.json"])
    assert result.status == "ok"
    return result.to_section()


def test_demo_environments_rules_and_counts(section):
    onprem, exo = section["items"]
    assert (onprem["key"], exo["key"]) == ("on-premises", "exchange-online")
    # Windows PowerShell 5.1's numbers read as names
    assert onprem["default_access_level"] == "Allow"
    assert [(r["access_level"], r["characteristic"], r["query_string"]) for r in rules_in_order(onprem["rules"])] == [
        ("Block", "DeviceType", "iPhone"), ("Quarantine", "UserAgent", "Android-SAMSUNG-SM-S911B/101.130"),
        ("Allow", "DeviceModel", "Outlook for iOS and Android")]
    assert onprem["mailboxes"] == {"total": 135, "activesync_enabled": 120, "with_allowed_device_ids": 3,
                                   "allowed_device_ids": 3, "with_blocked_device_ids": 1, "blocked_device_ids": 1}
    assert sum(row["count"] for row in onprem["devices"]) == 46
    assert native_ios(onprem)["devices"] == {"iPhone": "blocked by rule 'iPhone (DeviceType)'",
                                             "iPad": "allowed by the organisation's default"}
    assert native_ios(onprem)["access"] == "Allow"


def test_no_personal_data_in_the_section(section):
    text = json.dumps(section)
    for field in ("DeviceImei", "DevicePhoneNumber", "DeviceId", "UserDisplayName", "Identity"):
        assert field.lower() not in text.lower()


def test_native_ios_finding_only_when_the_customer_asked(section):
    ca = import_conditional_access([ENTRA / "contoso-entra.json"]).to_section()
    sections = {"mobile_access": section, "conditional_access": ca}
    assert check_native_ios_mail(sections, rules(False), AS_OF) == []
    found = check_native_ios_mail(sections, rules(True), AS_OF)
    # Exchange Online is covered by CA001 (it blocks the Exchange ActiveSync client type)
    assert [(f.id, f.severity, f.evidence) for f in found] == [(
        "mobile-ios-native-mail-not-blocked:on-premises", "high",
        "iPhone blocked by rule 'iPhone (DeviceType)'; iPad allowed by the organisation's default.")]


def test_an_ipad_rule_closes_the_gap_on_premises(section):
    onprem = section["items"][0]
    onprem["rules"].append({"key": "devicetype:ipad", "characteristic": "DeviceType", "query_string": "iPad",
                            "access_level": "Block", "name": "iPad (DeviceType)"})
    assert native_ios(onprem)["access"] == "Block"
    ca = import_conditional_access([ENTRA / "contoso-entra.json"]).to_section()
    assert check_native_ios_mail({"mobile_access": section, "conditional_access": ca}, rules(True), AS_OF) == []


def test_cloud_without_an_enabled_policy_is_a_finding(section):
    ca = import_conditional_access([ENTRA / "contoso-entra.json"]).to_section()
    for policy in ca["items"]:
        if policy["name"].startswith("CA001"):
            policy["state"] = "disabled"
    found = {f.key: f.evidence for f in check_native_ios_mail(
        {"mobile_access": section, "conditional_access": ca}, rules(True), AS_OF)}
    assert found["exchange-online"].endswith(
        "no enabled Conditional Access policy blocks Exchange ActiveSync or requires approved client apps on iOS "
        "(report-only: 'CA006 Mobile mail: approved client apps only').")
    # only Conditional Access, no ActiveSync export: the cloud is judged by itself
    alone = check_native_ios_mail({"conditional_access": ca}, rules(True), AS_OF)
    assert [(f.id, f.section) for f in alone] == [("mobile-ios-native-mail-not-blocked:cloud", "conditional_access")]


def test_individually_allowed_devices_beside_a_block_rule(section):
    found = check_mobile_access(section, default_rules(), AS_OF)
    assert [(f.id, f.evidence) for f in found] == [(
        "mobile-devices-individually-allowed:on-premises",
        "3 device(s) are allowed individually while 2 rule(s) block or quarantine devices.")]


def test_raw_cmdlet_output_and_a_bad_rule(tmp_path):
    (tmp_path / "org.json").write_text(json.dumps({"DefaultAccessLevel": "Quarantine", "Identity": "x"}), "utf-8")
    (tmp_path / "rules.json").write_text(json.dumps([
        {"Name": "iPhone", "Characteristic": "DeviceType", "QueryString": "iPhone", "AccessLevel": "Block"},
        {"Name": "odd", "Characteristic": "DeviceColour", "QueryString": "red", "AccessLevel": "Block"}]), "utf-8")
    (tmp_path / "cut.json").write_text('[{"DeviceOS": "iOS 17.1", "DeviceAccessState": "Allo', "utf-8")
    result = import_mobile_access([tmp_path / "org.json", tmp_path / "rules.json", tmp_path / "cut.json"])
    assert result.status == "partial"
    [env] = result.to_section()["items"]
    assert env["key"] == "unstated" and env["default_access_level"] == "Quarantine"
    assert [rule["name"] for rule in env["rules"]] == ["iPhone"]
    assert [(e.source, e.message[:28]) for e in result.errors] == [
        ("rules.json", "unknown Characteristic 'Devi"), ("cut.json", "not valid JSON (Unterminated")]
    assert native_ios(env)["devices"]["iPad"] == "quarantined by the organisation's default"


def bundle_of(result):
    data = put_section(new_bundle("Contoso", "2026-11-02T09:45:00Z"), result,
                       run_id="00000000-0000-4000-8000-000000000001")
    return parse_bundle(dump_bundle(data), "x.json")


def test_diff_matches_rules_by_characteristic_and_query():
    paths = [MOBILE / "contoso-mobile-onprem.json"]
    before, after = import_mobile_access(paths), import_mobile_access(paths)
    iphone = next(rule for rule in after.items[0]["rules"] if rule["key"] == "devicetype:iphone")
    iphone["access_level"] = "Quarantine"           # iPhone: Block -> Quarantine
    iphone["name"] = "renamed"                       # the name is no identity: still the same rule
    document = diff_bundles(bundle_of(before), bundle_of(after))
    summaries = [(c["kind"], c["summary"]) for s in document["sections"] for c in s["changes"]]
    assert len(summaries) == 1 and summaries[0][0] == "modified", summaries
    assert "Block" in summaries[0][1] and "Quarantine" in summaries[0][1]


def test_docgen_toml_mobile_key_turns_the_rule_on(tmp_path, run_cli, monkeypatch):
    project = tmp_path / "p"
    (project / "raw").mkdir(parents=True)
    for path in (MOBILE / "contoso-mobile-onprem.json", ENTRA / "contoso-entra.json"):
        (project / "raw" / path.name).write_bytes(path.read_bytes())
    base = '[document]\norganization = "Contoso"\n[dns]\nskip = true\n[output]\nformats = ["html"]\n'
    for asked in (False, True):
        (project / "docgen.toml").write_text(base + f"[mobile]\nblock_native_ios_mail = {str(asked).lower()}\n",
                                             "utf-8")
        monkeypatch.chdir(project)
        result = run_cli("build")
        assert result.exit_code == 0, result.output
        html = next((project / "out").glob("*.html")).read_text("utf-8")
        assert ("mobile-ios-native-mail-not-blocked:on-premises" in html) is asked
