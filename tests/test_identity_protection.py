"""Identity Protection: counted by level and state, people kept out of the bundle and the report
unless asked, the high-risk finding by count and oldest date, diffs as numbers."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from conftest import SAMPLES
from docgen.areas.identity_protection.checks import check_identity_protection
from docgen.areas.identity_protection.source import import_identity_protection
from docgen.bundle import dump_bundle, new_bundle, parse_bundle, put_section
from docgen.checks.rules import default_rules
from docgen.diff import diff_bundles

ENTRA = SAMPLES / "entra"
RULES = default_rules()
UPN = "adele.vance@contoso.com"


def graph_page(kind: str, objects: list[dict]) -> str:
    return json.dumps({"@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#identityProtection/{kind}",
                       "value": objects})


RISKY = [
    {"id": "u1", "userPrincipalName": UPN, "userDisplayName": "Adele Vance", "riskLevel": "high",
     "riskState": "atRisk", "riskDetail": "none", "riskLastUpdatedDateTime": "2026-10-01T08:00:00Z"},
    {"id": "u2", "userPrincipalName": "b@contoso.com", "riskLevel": "high", "riskState": "atRisk",
     "riskDetail": "none", "riskLastUpdatedDateTime": "2026-10-20T08:00:00.1234567Z"},
    {"id": "u3", "userPrincipalName": "c@contoso.com", "riskLevel": "high", "riskState": "atRisk",
     "riskDetail": "none", "riskLastUpdatedDateTime": "2026-11-01T08:00:00Z"},
    {"id": "u4", "userPrincipalName": "d@contoso.com", "riskLevel": "none", "riskState": "remediated",
     "riskDetail": "userPerformedSecuredPasswordChange", "riskLastUpdatedDateTime": "2026-09-01T08:00:00Z"},
]


def test_demo_sample_counts_and_finding():
    result = import_identity_protection([ENTRA / "contoso-entra.json"])
    section = result.to_section()
    assert result.status == "ok" and section["includes_user_names"] is False
    assert [(i["key"], i["count"]) for i in section["items"]] == [
        ("high/atRisk", 2), ("medium/atRisk", 1), ("low/atRisk", 1), ("none/dismissed", 1),
        ("none/remediated", 1)]
    assert sum(row["count"] for row in section["detection_counts"]) == 8
    findings = check_identity_protection(section, RULES, result.collected_at)
    assert [(f.id, f.severity, f.evidence) for f in findings] == [(
        "idp-high-risk-users-open:tenant", "high",
        "1 user at high risk, open for more than 7 days; the oldest since 2026-10-21.")]


def test_user_names_only_when_asked_and_never_object_ids(tmp_path):
    path = tmp_path / "risky.json"
    path.write_text(graph_page("riskyUsers", RISKY), "utf-8")
    plain = json.dumps(import_identity_protection([path]).to_section())
    assert UPN not in plain and "Adele" not in plain and '"u1"' not in plain
    named = import_identity_protection([path], include_user_names="yes").to_section()
    assert named["includes_user_names"] is True and named["users"][0]["user"] == UPN
    assert "Adele" not in json.dumps(named) and '"u1"' not in json.dumps(named)


def test_high_risk_finding_is_a_count_and_the_oldest_date(tmp_path):
    path = tmp_path / "risky.json"
    path.write_text(graph_page("riskyUsers", RISKY), "utf-8")
    result = import_identity_protection([path], datetime(2026, 11, 2, tzinfo=timezone.utc))
    section = result.to_section()
    [finding] = check_identity_protection(section, RULES, result.collected_at)
    assert finding.evidence == "2 users at high risk, open for more than 7 days; the oldest since 2026-10-01."
    assert UPN not in finding.evidence
    rules = {**RULES, "idp-high-risk-users-open": {**RULES["idp-high-risk-users-open"], "days": 60}}
    assert check_identity_protection(section, rules, result.collected_at) == []


def test_bad_record_is_one_error_and_the_rest_kept(tmp_path):
    broken = [dict(RISKY[0]), *RISKY[1:]]
    del broken[0]["riskState"]
    path = tmp_path / "risky.json"
    path.write_text(graph_page("riskyUsers", broken), "utf-8")
    result = import_identity_protection([path])
    assert result.status == "partial" and len(result.to_section()["users"]) == 3
    assert [e.as_record() for e in result.errors] == [
        {"source": "risky.json", "where": "user 1", "message": "no riskstate"}]


def test_detail_three_lists_people_detail_two_does_not(tmp_path, run_cli, monkeypatch):
    bundle = tmp_path / "b.json"
    assert run_cli("import", "identity-protection", ENTRA / "contoso-entra.json", "-o", bundle).exit_code == 0
    project = tmp_path / "p"
    project.mkdir()
    (project / "docgen.toml").write_text('[document]\norganization = "Contoso"\n[sections]\n'
                                         'identity_protection = 3\n', "utf-8")
    assert run_cli("render", bundle, "-o", tmp_path / "d2", "--format", "html", "--no-project").exit_code == 0
    two = (tmp_path / "d2" / "b.html").read_text("utf-8")
    assert "Risky users, one by one" not in two and "6 users with a risk record, 4 of them open" in two
    monkeypatch.chdir(project)   # the project's docgen.toml sets detail level 3
    result = run_cli("render", bundle, "-o", tmp_path / "d3", "--format", "html")
    assert result.exit_code == 0, result.output
    assert "Risky users, one by one" in (tmp_path / "d3" / "b.html").read_text("utf-8")


def bundle_of(result):
    data = put_section(new_bundle("Contoso", "2026-11-02T09:45:00Z"), result,
                       run_id="00000000-0000-4000-8000-000000000001")
    return parse_bundle(dump_bundle(data), "x.json")


def test_diff_compares_counts_never_people():
    before = import_identity_protection([ENTRA / "contoso-entra.json"])
    after = import_identity_protection([ENTRA / "contoso-entra.json"])
    users = after.extra["users"]
    users[0]["state"] = "remediated"    # one high-risk user remediated
    after.items[0]["count"] = 1
    after.items.insert(4, {"key": "high/remediated", "level": "high", "state": "remediated", "count": 1})
    document = diff_bundles(bundle_of(before), bundle_of(after))
    summaries = sorted((c["kind"], c["summary"]) for s in document["sections"] for c in s["changes"])
    assert [kind for kind, _ in summaries] == ["added", "modified"], summaries
    assert all("users[" not in text for _, text in summaries)


def test_build_keeps_user_names_only_with_privacy_setting(tmp_path, run_cli, monkeypatch):
    document = json.loads((ENTRA / "contoso-entra.json").read_text("utf-8"))
    document["RiskyUsers"][0]["UserPrincipalName"] = UPN
    for include in (False, True):
        project = tmp_path / str(include)
        (project / "raw").mkdir(parents=True)
        (project / "raw" / "entra.json").write_text(json.dumps(document), "utf-8")
        (project / "docgen.toml").write_text(
            '[document]\norganization = "Contoso"\n[dns]\nskip = true\n[output]\nformats = ["html"]\n'
            f'[privacy]\ninclude_user_names = {"true" if include else "false"}\n', "utf-8")
        monkeypatch.chdir(project)
        result = run_cli("build")
        assert result.exit_code == 0, result.output
        bundle = json.loads(next((project / "out").glob("*.bundle.json")).read_text("utf-8"))
        section = bundle["sections"]["identity_protection"]
        assert section["includes_user_names"] is include
        assert (UPN in json.dumps(bundle)) is include
        assert UPN not in next((project / "out").glob("*.html")).read_text("utf-8")
