"""Diff on the DNS sections, collected for real over the loopback server: exact change lists."""

from __future__ import annotations

from datetime import datetime, timezone

from docgen.bundle import dump_bundle, parse_bundle
from docgen.diff import diff_bundles
from support.dns_fixtures import SAMPLE_ZONES, TEST_ZONES, collect
from support.dns_server import DnsTestServer

ROTATED = datetime(2026, 11, 15, 10, 0, tzinfo=timezone.utc)  # contoso.de rotates on 2026-11-14


def loaded(bundle: dict, name: str):
    return parse_bundle(dump_bundle(bundle), name)


def changes(document: dict) -> list[tuple[str, str]]:
    return [(c["kind"], c["summary"]) for s in document["sections"] for c in s["changes"]]


def test_same_answers_collected_again_are_no_change(sample_server):
    _, before, _ = collect(sample_server)
    _, after, _ = collect(sample_server)
    document = diff_bundles(loaded(before, "a.json"), loaded(after, "b.json"))
    assert document["result"] == "no changes"
    assert changes(document) == []


def test_dkim_rotation_flips_the_active_selector(sample_server):
    _, before, _ = collect(sample_server)
    _, after, _ = collect(sample_server, at=ROTATED)
    document = diff_bundles(loaded(before, "a.json"), loaded(after, "b.json"))
    assert changes(document) == [
        ("modified", "DKIM domain 'contoso.de' (Active selector selector1 -> selector2; "
                     "Selector selector1: active true -> false; Selector selector2: active false -> true)"),
    ]


def test_dmarc_policy_none_to_quarantine(loopback_only, tmp_path):
    zones = []
    for path in SAMPLE_ZONES + TEST_ZONES:
        text = path.read_text()
        if path.name == "contoso.de.zone":
            text = text.replace('"v=DMARC1; p=none"', '"v=DMARC1; p=quarantine"')
        copy = tmp_path / path.name
        copy.write_text(text)
        zones.append(copy)
    with DnsTestServer.from_zone_files(SAMPLE_ZONES + TEST_ZONES) as server:
        _, before, _ = collect(server)
    with DnsTestServer.from_zone_files(zones) as server:
        _, after, _ = collect(server)
    document = diff_bundles(loaded(before, "a.json"), loaded(after, "b.json"))
    assert changes(document) == [
        ("modified", "Domain 'contoso.de' (DMARC: published records [v=DMARC1; p=none] -> "
                     "[v=DMARC1; p=quarantine]; DMARC: policy (p) none -> quarantine)"),
    ]
    # np and sp follow p: kept in the JSON with their raw paths, marked derived
    (change,) = [c for s in document["sections"] for c in s["changes"]]
    derived = {f["path"]: f["label"] for f in change["fields"] if f["derived"]}
    assert derived["dmarc.result.tags.np.value"] == "DMARC: non-existent subdomain policy (np)"
    assert "dmarc.result.tags.sp.value" in derived and "dmarc.result.tags.p.value" not in derived
    assert [f["id"] for f in document["findings"]["resolved"]] == ["dmarc-policy-none:contoso.de"]
    assert document["findings"]["new"] == []


def test_a_lookup_that_failed_on_one_side_is_unknown_not_changed(sample_server):
    _, before, _ = collect(sample_server)
    sample_server.set_fault("_dmarc.contoso.de", servfail=True)
    _, after, _ = collect(sample_server)
    document = diff_bundles(loaded(before, "a.json"), loaded(after, "b.json"))
    assert changes(document) == [
        ("unknown", "Domain 'contoso.de': dmarc could not be compared (a lookup failed on one side)"),
    ]
    assert document["result"] == "no changes"
    assert document["summary"]["unknown"] == 1
    (change,) = [c for s in document["sections"] for c in s["changes"]]
    assert change["fields"] == [] and change["unknown"]
    # findings of an object a failed lookup left uncertain are neither resolved nor new
    assert document["findings"]["resolved"] == [] and document["findings"]["new"] == []
    assert {f["id"] for f in document["findings"]["not_comparable"]} >= {
        "dmarc-policy-none:contoso.de", "dmarc-no-rua:contoso.de"}


def test_checkdmarcs_wording_of_the_same_outcome_is_no_change(sample_server):
    # the same NXDOMAIN at _dmarc worded by checkdmarc in two ways (issue 12): what is
    # compared is the outcome (state, the lookups' rcodes, the records), not the message
    _, before, _ = collect(sample_server)
    _, after, _ = collect(sample_server)
    dmarc = next(entry for entry in after["sections"]["mail_auth"]["items"]
                 if entry["key"] == "contoso-legacy.com")["dmarc"]
    assert (dmarc["state"], dmarc["lookup"]["outcome"]) == ("missing", "nxdomain")
    dmarc["error"] = "The domain does not exist."
    dmarc["error_class"] = "DMARCError"
    document = diff_bundles(loaded(before, "a.json"), loaded(after, "b.json"))
    assert document["result"] == "no changes" and changes(document) == []
    assert [(v["path"], v["new"]) for v in document["volatile"] if ".dmarc." in v["path"]] == [
        ("sections.mail_auth.items[contoso-legacy.com].dmarc.error", "The domain does not exist."),
        ("sections.mail_auth.items[contoso-legacy.com].dmarc.error_class", "DMARCError")]
    # a different outcome is still a change
    dmarc["state"] = "invalid"
    document = diff_bundles(loaded(before, "a.json"), loaded(after, "b.json"))
    assert changes(document) == [
        ("modified", "Domain 'contoso-legacy.com' (DMARC: state missing -> invalid)")]
