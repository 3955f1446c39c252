"""The Azure AD Connect section in HTML (selectors, not substrings) and in the demo's PDF."""

from __future__ import annotations

import io
import json

import lxml.html
import pytest
from pypdf import PdfReader

from docgen.app.demo import run_demo
from docgen.areas.aadconnect.source import import_aadconnect
from docgen.bundle import dump_bundle, new_bundle, parse_bundle, put_section
from docgen.render.documents import RenderRequest, render_documents
from docgen.render.options import DocumentOptions
from support.aadconnect import (
    AAD_ID,
    AD_ID,
    USER_COMMON_ID,
    USER_JOIN_ID,
    add_custom_rule,
    add_ou_exclusion,
    copy_corpus,
    corpus,
    set_global_setting,
    set_group_filtering_dn,
    set_rule_fields,
)

CUSTOM_ID = "11111111-2222-3333-4444-555555555555"
PILOT_DN = "CN=AADC Pilot,OU=Groups,OU=CORP,DC=contoso,DC=com"


def _page(folder, media: str = "screen", full_rules: bool = False):
    result = import_aadconnect(folder)
    bundle = put_section(new_bundle("Contoso", "2016-05-03T14:28:09Z"), result)
    loaded = parse_bundle(dump_bundle(bundle), "test.bundle.json")
    if media == "print":  # the HTML the PDF is made from: summaries instead of <details>
        from docgen.checks import run_checks
        from docgen.core.resources import data_dir
        from docgen.render.context import report_context
        from docgen.render.html import REPORT_TEMPLATE, make_environment, render_template
        context = report_context(loaded, run_checks(loaded.data), DocumentOptions(full_rules=full_rules),
                                 media=media)
        return lxml.html.fromstring(render_template(make_environment(data_dir("templates")),
                                                    REPORT_TEMPLATE, context))
    outputs = render_documents(loaded, RenderRequest(("html",), "t", DocumentOptions(full_rules=full_rules)))
    return lxml.html.fromstring(outputs["t.html"])


@pytest.fixture(scope="module")
def corpus_page():
    return _page(corpus())


def _text(element) -> str:
    return " ".join(element.text_content().split())


def test_setup_choices_table(corpus_page):
    rows = corpus_page.cssselect("#sec-aadconnect table.aad-setup-choices tbody tr")
    assert [row.get("data-choice") for row in rows] == [
        "source_anchor", "upn_attribute", "join_criteria", "group_filtering", "staging_mode",
        "password_hash_sync", "password_writeback", "hybrid_exchange", "device_writeback",
        "export_deletion_threshold", "auto_upgrade", "sync_interval"]
    cells = {row.get("data-choice"): [_text(td) for td in row.cssselect("td")] for row in rows}
    assert cells["source_anchor"] == ["Source anchor", "objectGUID", "no (install time only)",
                                      "Microsoft.SynchronizationOption.AnchorAttribute"]
    assert cells["upn_attribute"][1:3] == ["userPrincipalName", "no (install time only)"]
    assert cells["group_filtering"][1:3] == ["off", "yes"]
    assert cells["export_deletion_threshold"][1] == "on (500 objects)"
    assert cells["sync_interval"][1] == "00:30:00"


def test_group_filtering_off(corpus_page):
    box = corpus_page.cssselect("div.aad-group-filtering")[0]
    assert "in-effect" not in box.get("class")
    assert _text(box.cssselect(".aad-gf-state")[0]).startswith("Off:")


def test_group_filtering_in_effect_shows_the_group(tmp_path):
    folder = copy_corpus(tmp_path)
    set_global_setting(folder, "Microsoft.OptionalFeature.GroupFiltering", "True")
    set_group_filtering_dn(folder, PILOT_DN)
    page = _page(folder)
    box = page.cssselect("div.aad-group-filtering.in-effect")[0]
    assert _text(box.cssselect(".aad-gf-state strong")[0]) == "In effect:"
    row = box.cssselect(f'tr[data-connector="{AD_ID}"]')[0]
    assert [_text(td) for td in row.cssselect("td")] == ["contoso.com", PILOT_DN, "yes"]
    # it comes before the setup choices, not buried below them
    section = page.cssselect("#sec-aadconnect")[0]
    order = [el.get("class") for el in section.iter() if el.get("class") in (
        "aad-group-filtering in-effect", "aad-setup-choices")]
    assert order == ["aad-group-filtering in-effect", "aad-setup-choices"]
    badge = page.cssselect(f'table.aad-connectors tr[data-connector="{AD_ID}"] .badge')[0]
    assert _text(badge) == "warning"


def _tree(ul) -> list:
    return [(li.get("class"), li.get("data-dn"),
             _tree(li.cssselect(":scope > ul.ou-tree")[0]) if li.cssselect(":scope > ul.ou-tree") else [])
            for li in ul.cssselect(":scope > li")]


def test_ou_filter_tree(corpus_page):
    partition = corpus_page.cssselect('div.aad-partition[data-partition="dc4c27db-d13d-460a-9a82-c48aba1ee815"]')[0]
    assert _tree(partition.cssselect("ul.ou-tree")[0]) == [
        ("ou-excluded", "DC=contoso,DC=com", [("ou-included", "OU=CORP,DC=contoso,DC=com", [])])]


def test_ou_filter_tree_with_an_added_exclusion(tmp_path):
    folder = copy_corpus(tmp_path)
    add_ou_exclusion(folder, "OU=Disabled Users,OU=CORP,DC=contoso,DC=com")
    add_ou_exclusion(folder, "OU=Service\\, Accounts,DC=contoso,DC=com")
    page = _page(folder)
    root = page.cssselect("div.aad-partition ul.ou-tree")[0]
    assert _tree(root) == [
        ("ou-excluded", "DC=contoso,DC=com", [
            ("ou-included", "OU=CORP,DC=contoso,DC=com", [
                ("ou-excluded", "OU=Disabled Users,OU=CORP,DC=contoso,DC=com", [])]),
            ("ou-excluded", "OU=Service\\, Accounts,DC=contoso,DC=com", []),
        ])]
    labels = [_text(span) for span in root.cssselect("li > span.mono")]
    assert labels == ["DC=contoso,DC=com", "OU=CORP", "OU=Disabled Users", "OU=Service\\, Accounts"]


def test_rules_grouped_by_connector_and_direction_in_precedence_order(corpus_page):
    groups = corpus_page.cssselect("div.aad-rule-group")
    assert [(g.get("data-connector"), g.get("data-direction"),
             len(g.cssselect("table.aad-rules tbody tr"))) for g in groups] == [
        (AD_ID, "Inbound", 21), (AD_ID, "Outbound", 8), (AAD_ID, "Inbound", 7),
        (AAD_ID, "Outbound", 26)]
    for group in groups:
        precedences = [int(_text(row.cssselect("td")[0]))
                       for row in group.cssselect("table.aad-rules tbody tr")]
        assert precedences == sorted(precedences)
    assert _text(groups[0].cssselect(".aad-group-count")[0]) == "21 rule(s): 0 custom, 21 default."


def test_default_rules_collapse_in_html(corpus_page):
    details = corpus_page.cssselect("details.aad-rule-default")
    assert len(details) == 62
    assert all(d.get("open") is None for d in details)
    join = corpus_page.cssselect(f'details[data-rule="{USER_JOIN_ID}"]')[0]
    assert _text(join.cssselect("summary")[0]) == "100 · In from AD - User Join"
    flow = join.cssselect('table.aad-flows tr[data-destination="cloudFiltered"] td')
    assert [_text(td) for td in flow][:2] == ["cloudFiltered", "expression"]
    scope = [_text(li) for li in join.cssselect("ol.aad-scope > li")]
    assert scope == ["isCriticalSystemObject NOTEQUAL TRUE AND adminDescription NOTSTARTSWITH User_"]


def test_custom_rules_are_marked_and_shown_in_full(tmp_path):
    folder = copy_corpus(tmp_path)
    add_custom_rule(folder, USER_COMMON_ID, CUSTOM_ID, name="In from AD - User Common (Contoso)",
                    precedence="90")
    set_rule_fields(folder, USER_JOIN_ID, disabled="True")
    page = _page(folder)
    row = page.cssselect(f'table.aad-rules tr[data-rule="{CUSTOM_ID}"]')[0]
    assert "aad-custom-row" in row.get("class")
    assert [_text(td) for td in row.cssselect("td")][:3] == [
        "90", "In from AD - User Common (Contoso) info", "custom"]
    block = page.cssselect(f"div.aad-rule-custom#aad-rule-{CUSTOM_ID}")[0]
    assert [_text(b) for b in block.cssselect("h5 .badge")] == ["custom", "info"]
    assert page.cssselect(f'details.aad-rule-default[data-rule="{CUSTOM_ID}"]') == []
    disabled = page.cssselect(f'details[data-rule="{USER_JOIN_ID}"] summary .badge.aad-disabled')
    assert [_text(b) for b in disabled] == ["disabled"]


def test_print_lists_default_rules_by_name_unless_asked(tmp_path):
    summary = _page(corpus(), media="print")
    assert summary.cssselect(".aad-rule-default") == []
    assert len(summary.cssselect("table.aad-rules tbody tr")) == 62
    assert summary.cssselect("table.aad-rules a") == []  # nothing to link to
    full = _page(corpus(), media="print", full_rules=True)
    assert len(full.cssselect("div.aad-rule-default")) == 62
    assert full.cssselect("details") == []


def test_markup_in_names_is_escaped(tmp_path):
    folder = copy_corpus(tmp_path)
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    add_custom_rule(folder, USER_COMMON_ID, CUSTOM_ID, name=f"Rule {evil}", precedence="90",
                    description=evil)
    set_global_setting(folder, "Microsoft.OptionalFeature.GroupFiltering", "True")
    set_group_filtering_dn(folder, f"CN={evil},DC=contoso,DC=com")
    page = _page(folder)
    assert page.cssselect("script") == []
    assert page.cssselect("img") == []
    assert all(el.get("onerror") is None for el in page.iter())
    heading = page.cssselect(f"#aad-rule-{CUSTOM_ID} h5")[0]
    assert _text(heading).startswith(f"Rule {evil}")
    assert _text(page.cssselect("td.aad-group-dn")[0]) == f"CN={evil},DC=contoso,DC=com"


def test_a_rule_for_an_unknown_connector_gets_its_own_group(tmp_path):
    folder = copy_corpus(tmp_path)
    set_rule_fields(folder, USER_JOIN_ID, connector="{0000AAAA-0000-0000-0000-000000000001}")
    page = _page(folder)
    last = page.cssselect("div.aad-rule-group")[-1]
    assert last.get("data-connector") == "0000aaaa-0000-0000-0000-000000000001"
    assert _text(last.cssselect("h4")[0]) == (
        "Unknown connector 0000aaaa-0000-0000-0000-000000000001: Inbound")
    assert _text(page.cssselect("#sec-aadconnect .errors li")[0]).startswith(
        "SynchronizationRules/SynchronizationRule_")


def test_findings_and_all_global_settings(corpus_page):
    finding = corpus_page.cssselect(
        '#sec-aadconnect tr[data-finding-id="aadconnect-version-unsupported:contoso-sync01"]')
    assert len(finding) == 1
    assert len(corpus_page.cssselect("table.aad-global-settings tbody tr")) == 37
    assert corpus_page.cssselect("table.aad-scheduler") == []


@pytest.mark.slow   # reads the demo's PDF
def test_demo_has_the_aadconnect_section_in_html_and_pdf(demo_pdf_dir):
    out = demo_pdf_dir
    bundle = json.loads((out / "contoso.bundle.json").read_text("utf-8"))
    assert sorted(bundle["sections"]) == ["aadconnect", "conditional_access", "dkim", "exchange_certificates",
                                          "exchange_connectors", "exchange_servers", "identity_protection",
                                          "mail_auth", "mobile_access"]
    assert bundle["sections"]["aadconnect"]["status"] == "ok"
    page = lxml.html.parse(str(out / "contoso.html")).getroot()
    assert _text(page.cssselect("#sec-aadconnect > h1")[0]) == "Azure AD Connect"
    assert page.cssselect("table.aad-scheduler")  # the demo goes through the collector JSON
    reader = PdfReader(io.BytesIO((out / "contoso.pdf").read_bytes()))
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Azure AD Connect" in outline
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Microsoft's default rules are listed by name only" in text
    assert "In from AD - User Join" in text
    attached = json.loads(reader.attachments["bundle.json"][0])
    assert attached["sections"]["aadconnect"]["items"][0]["server"] == "CONTOSO-SYNC01"


def test_demo_bundle_is_reproducible(demo_dir, tmp_path):
    again = run_demo(tmp_path, ("html",))
    assert again.bundle_path.read_bytes() == (demo_dir / "contoso.bundle.json").read_bytes()
