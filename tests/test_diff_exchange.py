"""Diff on Exchange certificates, and the diff's general behaviour (outputs, exit codes)."""

from __future__ import annotations

import copy
import json
import uuid

import lxml.html
import pytest
from jsonschema import Draft202012Validator
from pypdf import PdfReader

from conftest import EXCHANGE_SAMPLES
from docgen.areas.exchange_certificates.source import import_exchange_certs
from docgen.bundle import dump_bundle, new_bundle, parse_bundle, put_section
from docgen.diff import diff_bundles
from docgen.diff.document import diff_schema_text
from docgen.diff.engine import VolatileMatcher, compare_bundles


@pytest.fixture(scope="module")
def before_data() -> dict:
    result = import_exchange_certs([EXCHANGE_SAMPLES / "contoso-exchange-certs.json"])
    return put_section(new_bundle("Contoso", "2026-11-02T09:30:00Z"), result,
                       run_id="00000000-0000-4000-8000-000000000001")


def loaded(data: dict, name: str):
    return parse_bundle(dump_bundle(data), name)


def changes(document: dict) -> list[tuple[str, str]]:
    return [(change["kind"], change["summary"]) for section in document["sections"]
            for change in section["changes"]]


def resnapshot(data: dict) -> dict:
    """The same facts collected again later: only volatile facts differ."""
    again = copy.deepcopy(data)
    again["run_id"] = str(uuid.uuid4())
    again["collected_at"] = "2026-11-03T09:30:00Z"
    again["sections"]["exchange_certificates"]["collected_at"] = "2026-11-03T09:30:00Z"
    again["inputs"][0]["sha256"] = "0" * 64
    for item in again["sections"]["exchange_certificates"]["items"]:
        item["source"] = {"file": "contoso-exchange-servers.ldf", "where": "line 1"}
    return again


def test_identical_bundles_have_no_changes(before_data):
    document = diff_bundles(loaded(before_data, "a.json"), loaded(before_data, "b.json"))
    assert document["result"] == "no changes"
    assert changes(document) == [] and document["volatile"] == []
    # each server, then its certificates (matched by thumbprint, labelled with their server)
    assert [u["label"] for u in document["sections"][0]["unchanged"]] == [
        "EX01", "EX01: CN=mail.contoso.com", "EX01: CN=owa.contoso.com", "EX02", "EX02: CN=EX02",
        "EX03", "EX03: CN=smtp.contoso.com", "EX04", "EX04: CN=legacy-smtp.contoso.com", "EX05"]


def test_only_volatile_facts_differ(before_data):
    after = resnapshot(before_data)
    document = diff_bundles(loaded(before_data, "a.json"), loaded(after, "b.json"))
    assert document["result"] == "no changes"
    assert changes(document) == []
    paths = [field["path"] for field in document["volatile"]]
    assert paths[:4] == ["collected_at", "inputs", "run_id", "sections.exchange_certificates.collected_at"]
    assert "sections.exchange_certificates.items[ex01].source" in paths


def test_certificate_renewed_on_one_server_reads_as_replaced(before_data):
    after = resnapshot(before_data)
    renewed = import_exchange_certs([EXCHANGE_SAMPLES / "contoso-exchange-certs.json"]).items[0]
    ex03 = after["sections"]["exchange_certificates"]["items"][2]
    ex03["default_smtp_certificate"] = copy.deepcopy(renewed["default_smtp_certificate"])
    document = diff_bundles(loaded(before_data, "a.json"), loaded(after, "b.json"))
    old = before_data["sections"]["exchange_certificates"]["items"][2]["default_smtp_certificate"]
    new = renewed["default_smtp_certificate"]
    assert changes(document) == [(
        "replaced",
        f"Exchange server 'EX03': default SMTP certificate renewed/replaced (thumbprint "
        f"{old['thumbprint_sha1']} -> {new['thumbprint_sha1']}; expires 2026-11-23 09:30 UTC -> "
        f"2028-04-15 09:30 UTC)")]
    assert document["findings"]["resolved"][0]["id"] == "exchange-smtp-cert-expires-soon:ex03"
    # the old certificate is still in EX03's store, bound to SMTP: now judged as a store certificate
    assert [f["id"] for f in document["findings"]["new"]] == [
        f"exchange-cert-expires-soon:ex03/{old['thumbprint_sha1']}"]


def test_added_removed_and_modified_servers(before_data):
    after = copy.deepcopy(before_data)
    items = after["sections"]["exchange_certificates"]["items"]
    items[0]["roles"] = ["Mailbox", "Edge"]
    added = copy.deepcopy(items[4])
    added.update(key="ex06", name="EX06", dn="CN=EX06,DC=corp,DC=contoso,DC=com")
    del items[4]
    items.insert(0, added)  # position must not matter
    document = diff_bundles(loaded(before_data, "a.json"), loaded(after, "b.json"))
    assert changes(document) == [
        ("removed", "Exchange server 'EX05' removed"),
        ("added", "Exchange server 'EX06' added (DN: CN=EX06,DC=corp,DC=contoso,DC=com; FQDN: "
                  "EX05.corp.contoso.com; Version: Version 15.2 (Build 1544.4); and 2 more fields)"),
        ("modified", "Exchange server 'EX01' (Roles: Edge added)"),
    ]
    # an added object lists its fields, a removed one too (as it was)
    (removed_change, added_change, _) = [c for s in document["sections"] for c in s["changes"]]
    assert [(f["label"], f["old"], f["new"]) for f in added_change["fields"]][-1] == (
        "Version", None, "Version 15.2 (Build 1544.4)")
    assert [(f["label"], f["old"], f["new"]) for f in removed_change["fields"]][-1] == (
        "Version", "Version 15.2 (Build 1544.4)", None)
    assert document["findings"]["new"][0]["id"] == "exchange-smtp-cert-missing:ex06"
    assert document["findings"]["resolved"][0]["id"] == "exchange-smtp-cert-missing:ex05"


def test_errored_section_is_not_comparable_never_everything_removed(before_data):
    after = copy.deepcopy(before_data)
    after["sections"]["exchange_certificates"].update(
        status="error", items=[], errors=[{"source": "x.json", "where": "line 1 column 1",
                                           "message": "not valid JSON (Expecting value)"}])
    document = diff_bundles(loaded(before_data, "a.json"), loaded(after, "b.json"))
    (section,) = document["sections"]
    assert section["comparable"] is False
    assert section["reason"] == "collection error in the after bundle: not valid JSON (Expecting value)"
    assert section["changes"] == []
    assert document["summary"]["not_comparable"] == ["exchange_certificates"]
    assert document["findings"]["resolved"] == []
    assert len(document["findings"]["not_comparable"]) == 5


def test_section_missing_on_one_side_is_not_comparable(before_data):
    after = copy.deepcopy(before_data)
    del after["sections"]["exchange_certificates"]
    after["inputs"] = []
    document = diff_bundles(loaded(before_data, "a.json"), loaded(after, "b.json"))
    assert document["sections"][0]["reason"] == "not collected in the after bundle"
    assert document["result"] == "no changes"


def test_diff_document_is_valid_against_its_published_schema(before_data):
    after = copy.deepcopy(before_data)
    after["organization"] = "Contoso Ltd"
    document = diff_bundles(loaded(before_data, "a.json"), loaded(after, "b.json"))
    assert list(Draft202012Validator(json.loads(diff_schema_text())).iter_errors(document)) == []
    assert document["top_level"] == [{"path": "organization", "old": "Contoso", "new": "Contoso Ltd",
                                      "label": "Organization", "derived": False}]
    assert document["result"] == "changed"


def test_diff_is_symmetric(before_data):
    after = copy.deepcopy(before_data)
    del after["sections"]["exchange_certificates"]["items"][1]
    forward = diff_bundles(loaded(before_data, "a.json"), loaded(after, "b.json"))
    backward = diff_bundles(loaded(after, "b.json"), loaded(before_data, "a.json"))
    assert [c[0] for c in changes(forward)] == ["removed"]
    assert [c[0] for c in changes(backward)] == ["added"]


@pytest.fixture
def bundle_files(tmp_path, before_data):
    before = tmp_path / "before.bundle.json"
    before.write_bytes(dump_bundle(before_data))
    after_data = copy.deepcopy(before_data)
    after_data["sections"]["exchange_certificates"]["items"][0]["roles"] = ["Edge"]
    after = tmp_path / "after.bundle.json"
    after.write_bytes(dump_bundle(after_data))
    same = tmp_path / "same.bundle.json"
    same.write_bytes(dump_bundle(resnapshot(before_data)))
    return before, after, same


def test_cli_exit_codes(run_cli, bundle_files, tmp_path):
    before, after, same = bundle_files
    result = run_cli("diff", before, same, "-o", tmp_path / "a", "--format", "json", "--fail-on-change")
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "no changes")
    result = run_cli("diff", before, after, "-o", tmp_path / "b", "--format", "json", "--fail-on-change")
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (3, "1 change(s)")
    result = run_cli("diff", before, after, "-o", tmp_path / "c", "--format", "json")
    assert result.exit_code == 0


def test_cli_refuses_a_bad_bundle_and_writes_nothing(run_cli, bundle_files, tmp_path):
    before, _, _ = bundle_files
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    result = run_cli("diff", before, broken, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {broken}: line 1 column 2: not valid JSON")
    assert not (tmp_path / "out").exists()


def test_html_marks_kinds_and_switches_without_script(run_cli, bundle_files, tmp_path):
    before, after, _ = bundle_files
    assert run_cli("diff", before, after, "-o", tmp_path, "--format", "html").exit_code == 0
    page = lxml.html.fromstring((tmp_path / "diff.html").read_bytes())
    (row,) = page.cssselect("tr.change.kind-modified")
    assert row.get("data-key") == "ex01"
    assert [td.text_content() for td in row.cssselect("table.fields td")] == ["Roles", "[Mailbox]", "→", "[Edge]"]
    assert len(page.cssselect("tr.unchanged")) == 9   # EX02-EX05 and the five store certificates
    toggle = page.cssselect("input#show-unchanged.toggle-input")[0]
    assert toggle.get("checked") is not None and page.cssselect("label[for=show-unchanged]")
    assert page.cssselect("script") == []
    assert page.cssselect("#result")[0].text_content().strip() == "1 change"


def test_changes_only_pdf_with_three_attachments_and_same_bytes_twice(run_cli, bundle_files, tmp_path):
    before, after, _ = bundle_files
    for out in ("one", "two"):
        result = run_cli("diff", before, after, "-o", tmp_path / out, "--changes-only")
        assert result.exit_code == 0
    first = (tmp_path / "one" / "diff.pdf").read_bytes()
    assert first == (tmp_path / "two" / "diff.pdf").read_bytes()
    reader = PdfReader(tmp_path / "one" / "diff.pdf")
    attachments = {name: content[0] for name, content in reader.attachments.items()}
    # and the options it was rendered with, so `docgen verify` can render it again
    assert json.loads(attachments.pop("docgen-render.json"))["changes_only"] is True
    assert attachments == {"before.bundle.json": before.read_bytes(), "after.bundle.json": after.read_bytes(),
                           "diff.json": (tmp_path / "one" / "diff.json").read_bytes()}
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Exchange server EX01" in text and "EX02" not in text.split("Exchange certificates")[-1]
    assert 'pdfaid:part="3"' in reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()


def test_an_empty_value_is_one_value_shown_one_way(before_data):
    after = copy.deepcopy(before_data)
    servers = after["sections"]["exchange_certificates"]["items"]
    servers[0]["web_host_names"] = []          # None before: empty either way, no change
    servers[1]["roles"] = []                   # ["Mailbox"] before
    servers[2]["web_host_names"] = ["mail.contoso.com"]
    servers[3]["fqdn"] = ""
    # compared as the engine sees them (the bundle schema allows no empty list here)
    comparison = compare_bundles(before_data, after, VolatileMatcher(()), ["exchange_certificates"])
    assert sorted(change.summary for change in comparison.changes) == [
        "Exchange server 'EX02' (Roles: Mailbox removed)",
        "Exchange server 'EX03' (Web host names: mail.contoso.com added)",
        "Exchange server 'EX04' (FQDN EX04.corp.contoso.com -> (empty))",
    ]


def test_html_shows_every_field_by_its_label_and_whole(run_cli, before_data, tmp_path):
    after = copy.deepcopy(before_data)
    long_dn = "CN=EX01," + ",".join(f"OU=Department{n:02d}" for n in range(12)) + ",DC=contoso,DC=com"
    after["sections"]["exchange_certificates"]["items"][0].update(dn=long_dn, roles=["Mailbox", "Edge"])
    (tmp_path / "a.json").write_bytes(dump_bundle(before_data))
    (tmp_path / "b.json").write_bytes(dump_bundle(after))
    assert run_cli("diff", tmp_path / "a.json", tmp_path / "b.json", "-o", tmp_path / "out",
                   "--format", "html").exit_code == 0
    page = lxml.html.fromstring((tmp_path / "out" / "diff.html").read_bytes())
    (row,) = page.cssselect("tr.change.kind-modified")
    fields = row.cssselect("table.fields tr.field")
    assert [field.cssselect("td.path")[0].text_content() for field in fields] == ["DN", "Roles"]
    # the long DN compared word by word, both values whole; a list's new member said in words
    assert [mark.text_content() for mark in fields[0].cssselect("ins")] == [
        ",".join(f"OU=Department{n:02d}" for n in range(12))]
    assert fields[0].cssselect(".new-text")[0].text_content() == "After " + long_dn
    assert fields[1].cssselect("td.members")[0].text_content() == "Edge added"
    # a long token may break after its commas, never inside a word
    assert "OU=<wbr>Department00,<wbr>" in lxml.html.tostring(fields[0]).decode()
