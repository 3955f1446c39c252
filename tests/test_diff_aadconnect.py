"""Diff on the real Azure AD Connect export against mutated copies: the exact change lists."""

from __future__ import annotations

import json
import re

import lxml.html
import pytest
from pypdf import PdfReader

from docgen.areas.aadconnect.source import import_aadconnect
from docgen.bundle import dump_bundle, new_bundle, parse_bundle, put_section
from docgen.checks import run_checks
from docgen.checks.rules import default_rules, with_overrides
from docgen.diff import diff_bundles
from support.aadconnect import (
    AAD_USER_JOIN_ID,
    COMPUTER_JOIN_ID,
    USER_COMMON_ID,
    USER_JOIN_ID,
    add_custom_rule,
    add_ou_exclusion,
    copy_corpus,
    corpus,
    rule_file,
    set_flow_expression,
    set_global_setting,
    set_group_filtering_dn,
    set_rule_fields,
)

PILOT_DN = "CN=AADC Pilot,OU=Groups,OU=CORP,DC=contoso,DC=com"
RUN = "00000000-0000-4000-8000-00000000000{}"
# a word of the default cloudFiltered expression of "In from AD - User Join", and its edit
OLD_WORD, NEW_WORD = '"AAD_"', '"ADS_"'


def bundle_of(folder, number: int):
    result = import_aadconnect(folder)
    data = put_section(new_bundle("Contoso", "2016-05-03T14:28:09Z"), result, run_id=RUN.format(number))
    return parse_bundle(dump_bundle(data), f"{number}.json")


@pytest.fixture(scope="module")
def before():
    return bundle_of(corpus(), 1)


@pytest.fixture
def copy(tmp_path):
    return copy_corpus(tmp_path)


def changes(before, after_folder) -> list[tuple[str, str]]:
    document = diff_bundles(before, bundle_of(after_folder, 2))
    return [(c["kind"], c["summary"]) for s in document["sections"] for c in s["changes"]]


def test_only_next_start_time_changed(before, copy):
    set_global_setting(copy, "Microsoft.Synchronize.NextStartTime", "Tue, 03 May 2016 15:09:16 GMT")
    document = diff_bundles(before, bundle_of(copy, 2))
    assert document["result"] == "no changes"
    assert [(v["path"], v["old"], v["new"]) for v in document["volatile"] if "nextstarttime" in v["path"]] == [
        ("sections.aadconnect.items[contoso-sync01].global_settings[microsoft.synchronize.nextstarttime].value",
         "Tue, 03 May 2016 14:39:16 GMT", "Tue, 03 May 2016 15:09:16 GMT")]


def test_group_filtering_turned_on_with_a_group_is_one_entry(before, copy):
    set_global_setting(copy, "Microsoft.OptionalFeature.GroupFiltering", "True")
    set_group_filtering_dn(copy, PILOT_DN)
    document = diff_bundles(before, bundle_of(copy, 2))
    # the global setting and the connector parameter are restated under group_filtering: one entry
    assert [(c["kind"], c["summary"]) for s in document["sections"] for c in s["changes"]] == [
        ("modified", "Sync server 'CONTOSO-SYNC01' (Group filtering, connector contoso.com: pilot group DN "
                     f"(empty) -> {PILOT_DN}; Group filtering: enabled false -> true)"),
    ]
    (change,) = document["sections"][0]["changes"]
    # the raw facts stay in the JSON, each with its raw path, marked derived
    assert [(f["path"], f["derived"]) for f in change["fields"]] == [
        ("group_filtering.connectors[ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d].group_dn", False),
        ("group_filtering.connectors[ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d].in_effect", True),
        ("group_filtering.enabled", False),
        ("group_filtering.in_effect", True),
        ("setup_choices.group_filtering.value", True),
        ("global_settings[microsoft.optionalfeature.groupfiltering].value", True),
        ("connectors[ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d].global_parameters[connector.groupfilteringgroupdn]"
         ".value", True),
        ("connectors[ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d].group_filtering_group_dn", True),
    ]
    assert change["fields"][0]["label"] == "Group filtering, connector contoso.com: pilot group DN"
    assert document["summary"]["changes"] == 1 and document["result"] == "changed"
    # the setting folded into the server's entry is not "unchanged" either
    assert "Microsoft.OptionalFeature.GroupFiltering" not in [
        item["label"] for item in document["sections"][0]["unchanged"]]


def test_an_ou_exclusion_added(before, copy):
    add_ou_exclusion(copy, "OU=Disabled,OU=CORP,DC=contoso,DC=com")
    assert changes(before, copy) == [
        ("modified", "Connector 'contoso.com' (Partition DC=contoso,DC=com: OU=Disabled,OU=CORP,DC=contoso,DC=com "
                     "excluded)"),
    ]


def test_a_rule_disabled_and_a_precedence_changed(before, copy):
    set_rule_fields(copy, USER_COMMON_ID, disabled="True")
    set_rule_fields(copy, USER_JOIN_ID, precedence="99")
    assert changes(before, copy) == [
        ("modified", "Sync rule 'In from AD - User Join' (Precedence 100 -> 99)"),
        ("modified", "Sync rule 'In from AD - User Common' (Disabled false -> true)"),
    ]


def test_a_rule_added_shows_its_details_and_one_removed(before, copy):
    add_custom_rule(copy, USER_JOIN_ID, "11111111-2222-3333-4444-555555555555",
                    name="In from AD - User Join (custom)", precedence="50")
    (copy / rule_file(USER_COMMON_ID)).unlink()
    document = diff_bundles(before, bundle_of(copy, 2))
    assert [(c["kind"], c["summary"]) for s in document["sections"] for c in s["changes"]] == [
        ("removed", "Sync rule 'In from AD - User Common' removed"),
        ("added", "Sync rule 'In from AD - User Join (custom)' added (Connector: contoso.com; Direction: Inbound; "
                  "Source object type: user; Target object type: person; and 6 more fields)"),
    ]
    added = document["sections"][0]["changes"][1]
    assert [(f["label"], f["new"]) for f in added["fields"]][:6] == [
        ("Connector", "contoso.com"), ("Direction", "Inbound"), ("Source object type", "user"),
        ("Target object type", "person"), ("Link type", "Provision"), ("Precedence", 50)]
    assert [f["label"] for f in added["fields"]][6:] == ["Disabled", "Scoping filter", "Join rules",
                                                         "Attribute flows"]


def test_a_rule_recreated_with_a_new_id_reads_as_modified(before, copy):
    add_custom_rule(copy, USER_JOIN_ID, "22222222-2222-3333-4444-555555555555", precedence="98")
    (copy / rule_file(USER_JOIN_ID)).unlink()
    # matched by connector and rule name, since the id is new
    assert changes(before, copy) == [
        ("modified", "Sync rule 'In from AD - User Join' (ID 0b088913-b613-4d9d-9563-9988b7719ed6 -> "
                     "22222222-2222-3333-4444-555555555555; Immutable tag Microsoft.InfromADUserJoin.003 -> "
                     "(empty); Microsoft default rule true -> false; Precedence 100 -> 98)"),
    ]


def test_a_changed_flow_expression_is_one_field_summarised_around_its_change(before, copy):
    set_flow_expression(copy, USER_JOIN_ID, "cloudFiltered", OLD_WORD, NEW_WORD)
    document = diff_bundles(before, bundle_of(copy, 2))
    (change,) = [c for s in document["sections"] for c in s["changes"]]
    (flow,) = change["fields"]
    assert flow["path"] == "flows[cloudFiltered].expression"
    assert flow["label"] == "Attribute flow cloudFiltered: expression"
    assert flow["new"] == flow["old"].replace(OLD_WORD, NEW_WORD) and len(flow["new"]) > 500
    # the sentence is cut around the change, so old and new never read alike
    assert change["summary"] == (
        "Sync rule 'In from AD - User Join' (Attribute flow cloudFiltered: expression "
        '…[sAMAccountName], 4) = "AAD_" || (Left([mailNickname… -> '
        '…[sAMAccountName], 4) = "ADS_" || (Left([mailNickname…)')


def _squashed(text: str) -> str:
    """Text without white space: a PDF line break may fall where a space was, or inside a token."""
    return re.sub(r"\s+", "", text)


def test_a_changed_flow_shows_in_html_and_pdf_word_by_word_and_whole(run_cli, before, copy, tmp_path):
    set_flow_expression(copy, USER_JOIN_ID, "cloudFiltered", OLD_WORD, NEW_WORD)
    after = bundle_of(copy, 2)
    (tmp_path / "a.bundle.json").write_bytes(before.raw)
    (tmp_path / "b.bundle.json").write_bytes(after.raw)
    result = run_cli("diff", tmp_path / "a.bundle.json", tmp_path / "b.bundle.json", "-o", tmp_path / "out",
                     "--changes-only")
    assert result.exit_code == 0, result.stderr
    (flow,) = [f for s in json.loads((tmp_path / "out" / "diff.json").read_bytes())["sections"]
               for c in s["changes"] for f in c["fields"]]
    # HTML: the old value with the changed word struck out, the new one with it marked in
    page = lxml.html.fromstring((tmp_path / "out" / "diff.html").read_bytes())
    (row,) = page.cssselect(f'tr.change[data-key="{USER_JOIN_ID}"]')
    assert [mark.text_content() for mark in row.cssselect("td.words del")] == ["AAD_"]
    assert [mark.text_content() for mark in row.cssselect("td.words ins")] == ["ADS_"]
    assert row.cssselect("td.words .new-text")[0].text_content() == "After " + flow["new"]
    # PDF: both values whole (wrapped, never cut)
    text = _squashed("".join(p.extract_text() for p in PdfReader(tmp_path / "out" / "diff.pdf").pages))
    assert _squashed(flow["new"]) in text and _squashed(flow["old"]) in text


# -- a default rule edited (issue 13, item 8) ------------------------------------------------

EDITED = "aadconnect-default-rule-edited"


def _edited_findings(findings) -> list[tuple[str, str, str]]:
    return [(f["id"], f["severity"], f["evidence"]) for f in findings if f["rule_id"] == EDITED]


def test_the_sample_has_no_edited_default_rule(before):
    assert [f for f in run_checks(before.data) if f.rule_id == EDITED] == []


def test_a_default_rule_moved_below_100_is_a_finding_of_one_export(copy):
    # Microsoft's rules sit at 100 and above: one export shows this edit by itself
    set_rule_fields(copy, COMPUTER_JOIN_ID, precedence="90")
    findings = [f.as_dict() for f in run_checks(bundle_of(copy, 2).data)]
    assert _edited_findings(findings) == [(
        f"{EDITED}:{COMPUTER_JOIN_ID}", "warning",
        "Inbound rule on contoso.com at precedence 90 carries Microsoft's tag Microsoft.InfromADComputerJoin.002; "
        "Microsoft's default rules sit at precedence 100 and above, below 100 is for custom rules: its "
        "precedence was changed by hand.")]
    (finding,) = [f for f in findings if f["rule_id"] == EDITED]
    assert finding["title"] == "Default sync rule changed; upgrades overwrite it"


def test_a_default_rules_flow_edited_is_a_finding_of_the_diff(before, copy):
    # the export keeps no thumbprint of Microsoft's rule: a flow edited in place shows only
    # against an earlier snapshot
    set_flow_expression(copy, USER_JOIN_ID, "cloudFiltered", OLD_WORD, NEW_WORD)
    set_rule_fields(copy, AAD_USER_JOIN_ID, precedence="140")
    after = bundle_of(copy, 2)
    assert [f for f in run_checks(after.data) if f.rule_id == EDITED] == []
    document = diff_bundles(before, after)
    assert _edited_findings(document["findings"]["new"]) == [
        (f"{EDITED}:{USER_JOIN_ID}", "warning",
         "Inbound rule on contoso.com at precedence 100 carries Microsoft's tag Microsoft.InfromADUserJoin.003 in "
         "both snapshots, and its attribute flows changed."),
        (f"{EDITED}:{AAD_USER_JOIN_ID}", "warning",
         "Outbound rule on contoso.onmicrosoft.com - AAD at precedence 140 carries Microsoft's tag "
         "Microsoft.OuttoAADUserJoin.006 in both snapshots, and its precedence (123 -> 140) changed."),
    ]


def test_disabling_or_an_upgrade_of_a_default_rule_is_not_an_edit(before, copy):
    # disabling is Microsoft's supported way; a new tag version is Microsoft's own new rule
    set_rule_fields(copy, USER_COMMON_ID, disabled="True")
    set_rule_fields(copy, USER_JOIN_ID, immutable_tag="Microsoft.InfromADUserJoin.004")
    set_flow_expression(copy, USER_JOIN_ID, "cloudFiltered", OLD_WORD, NEW_WORD)
    document = diff_bundles(before, bundle_of(copy, 2))
    assert _edited_findings(document["findings"]["new"]) == []


def test_the_precedence_a_default_rule_must_keep_is_data(before):
    # one above the lowest default rule's precedence (In from AD - User Join, 100): only it is flagged
    rules = with_overrides(default_rules(), {EDITED: {"custom_precedence_below": 101}}, "docgen.toml")
    assert [f.id for f in run_checks(before.data, rules) if f.rule_id == EDITED] == [f"{EDITED}:{USER_JOIN_ID}"]


def test_html_reads_group_filtering_as_one_entry_and_an_exclusion_in_words(run_cli, before, copy, tmp_path):
    set_global_setting(copy, "Microsoft.OptionalFeature.GroupFiltering", "True")
    set_group_filtering_dn(copy, PILOT_DN)
    add_ou_exclusion(copy, "OU=Sales,DC=contoso,DC=com")
    (tmp_path / "a.bundle.json").write_bytes(before.raw)
    (tmp_path / "b.bundle.json").write_bytes(bundle_of(copy, 2).raw)
    result = run_cli("diff", tmp_path / "a.bundle.json", tmp_path / "b.bundle.json", "-o", tmp_path / "out",
                     "--format", "html")
    assert result.exit_code == 0, result.stderr
    page = lxml.html.fromstring((tmp_path / "out" / "diff.html").read_bytes())
    rows = page.cssselect("#diff-aadconnect tr.change")
    assert [row.cssselect("td.object")[0].text_content() for row in rows] == [
        "Sync server CONTOSO-SYNC01", "Connector contoso.com"]
    server, connector = rows
    # the derived facts (in effect, the setting and parameter restated) are in the JSON only
    assert [[td.text_content() for td in field.cssselect("td")] for field in server.cssselect("tr.field")] == [
        ["Group filtering, connector contoso.com: pilot group DN", "(empty)", "→", PILOT_DN],
        ["Group filtering: enabled", "false", "→", "true"]]
    assert [[td.text_content() for td in field.cssselect("td")] for field in connector.cssselect("tr.field")] == [
        ["Partition DC=contoso,DC=com: excluded OUs", "OU=Sales,DC=contoso,DC=com excluded"]]
    assert connector.cssselect("tr.field ins")[0].text_content() == "OU=Sales,DC=contoso,DC=com"
