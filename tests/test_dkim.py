"""DKIM: reading Get-DkimSigningConfig exports, and the DNS facts and findings over loopback.

The samples (samples/dns) are served by the real loopback server; the bounce
case (the active selector's target does not exist) is contoso-shop.com.
"""

from __future__ import annotations

import base64
import codecs
import json
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from docgen.areas.dkim.source import active_selector, parse_dkim_export, read_dkim_export
from docgen.core.errors import InputError
from support.dns_fixtures import COLLECTOR_EXPORT, PS51_EXPORT, SAMPLE_COLLECTED_AT, collect, item, selector

DOMAINS = ["contoso-events.com", "contoso-legacy.com", "contoso-mail.com", "contoso-shop.com",
           "contoso.com", "contoso.de", "contoso.net", "contoso.onmicrosoft.com", "contoso.org"]


def ms(moment: datetime) -> str:
    return f"/Date({int(moment.timestamp() * 1000)})/"


# -- reading exports ------------------------------------------------------------

def test_windows_powershell_51_export_utf16_with_ms_dates():
    raw = PS51_EXPORT.read_bytes()
    assert raw.startswith(codecs.BOM_UTF16_LE) and "/Date(" in raw.decode("utf-16")
    export = read_dkim_export(PS51_EXPORT)
    assert export.errors == []
    assert [config.domain for config in export.configs] == [
        "contoso.com", "contoso-shop.com", "contoso.net", "contoso.org", "contoso.de",
        "contoso-legacy.com", "contoso-mail.com", "contoso-events.com", "contoso.onmicrosoft.com"]
    shop = export.configs[1]
    assert shop.to_record() == {
        "enabled": True, "status": "Valid",
        "selector1_cname": "selector1-contoso-shop-com._domainkey.contoso.onmicrosoft.com",
        "selector2_cname": "selector2-contoso-shop-com._domainkey.contoso.onmicrosoft.com",
        "selector1_key_size": 2048, "selector2_key_size": 2048,
        "rotate_on_date": "2026-11-27T10:00:00Z", "selector_before_rotate": "selector1",
        "selector_after_rotate": "selector2", "key_creation_time": "2025-09-28T10:00:00Z",
        "last_checked": "2026-11-02T05:00:00Z"}
    assert shop.source == {"file": "contoso-dkim-ps51.json", "where": "object 2 (contoso-shop.com)"}
    assert export.collected_at is None and export.accepted_domains == []
    assert export.inputs[0]["name"] == "contoso-dkim-ps51.json"


def test_collector_export_matches_the_raw_export_and_adds_accepted_domains():
    collector, raw = read_dkim_export(COLLECTOR_EXPORT), read_dkim_export(PS51_EXPORT)
    assert [c.to_record() for c in collector.configs] == [c.to_record() for c in raw.configs]
    assert [c.public_keys for c in collector.configs] == [c.public_keys for c in raw.configs]
    assert collector.collected_at == SAMPLE_COLLECTED_AT
    assert collector.organization == "Contoso"
    assert collector.domains == sorted(DOMAINS + ["contoso-archive.com"])


def test_a_single_object_in_utf16_is_one_domain():
    obj = {"Domain": "Contoso.COM.", "Enabled": "True", "RotateOnDate": ms(SAMPLE_COLLECTED_AT),
           "SelectorBeforeRotateOnDate": "Selector1", "SelectorAfterRotateOnDate": "selector2"}
    data = codecs.BOM_UTF16_LE + json.dumps(obj).encode("utf-16-le")
    export = parse_dkim_export(data, "one.json")
    (config,) = export.configs
    assert (config.domain, config.enabled, config.selector_before_rotate) == (
        "contoso.com", True, "selector1")
    assert config.cnames == {"selector1": None, "selector2": None}


def test_a_bad_record_is_that_records_error_and_the_rest_is_kept():
    # A row without a usable Domain has no key and is dropped; a row with one unreadable
    # field (late.example's RotateOnDate) is kept with that field empty (issue 12).
    data = json.dumps([{"Domain": "good.example"}, {"Domain": "not a domain"},
                       {"Domain": "late.example", "RotateOnDate": "soon"},
                       {"Domain": "good.example"}]).encode()
    export = parse_dkim_export(data, "dkim.json")
    assert [config.domain for config in export.configs] == ["good.example", "late.example"]
    assert export.configs[1].rotate_on_date is None
    assert [str(error) for error in export.errors] == [
        "dkim.json: object 2: Domain 'not a domain': label 'not a domain' is not letters, "
        "digits and inner hyphens",
        "dkim.json: object 3 (late.example).RotateOnDate: not a date: 'soon'",
        "dkim.json: object 4: good.example appears twice; kept the first"]


def test_something_else_is_refused_as_a_whole():
    with pytest.raises(InputError, match="not a Get-DkimSigningConfig export"):
        parse_dkim_export(b'[{"Name": "x"}]', "other.json")


def test_active_selector_is_judged_at_collection_time():
    config = read_dkim_export(COLLECTOR_EXPORT).configs[1]  # contoso-shop.com
    rotate = config.rotate_on_date
    assert active_selector(config, rotate - timedelta(seconds=1))[0] == "selector1"
    selector_name, reason = active_selector(config, rotate)
    assert selector_name == "selector2"
    assert reason == ("RotateOnDate 2026-11-27T10:00:00Z had passed at the collection time "
                      "2026-11-27T10:00:00Z: SelectorAfterRotateOnDate applies")


# -- DNS facts and findings over the loopback server ---------------------------------

def test_active_selector_target_that_does_not_exist_is_critical(sample_server):
    _, bundle, findings = collect(sample_server, domains=[])
    facts = selector(bundle, "contoso-shop.com", "selector1")
    assert facts == {**facts, "active": True, "cname_state": "matches", "key_state": "no_key",
                     "published_target": "selector1-contoso-shop-com._domainkey.contoso.onmicrosoft.com",
                     "key_record": None, "key": None}
    assert facts["cname_lookup"] == {
        "name": "selector1._domainkey.contoso-shop.com", "type": "CNAME", "outcome": "noerror",
        "records": ["selector1-contoso-shop-com._domainkey.contoso.onmicrosoft.com."],
        "ttl": 3600, "cname_chain": [], "error": None}
    assert facts["key_lookup"] == {
        "name": "selector1-contoso-shop-com._domainkey.contoso.onmicrosoft.com", "type": "TXT",
        "outcome": "nxdomain", "records": [], "ttl": None, "cname_chain": [], "error": None}
    finding = findings["dkim-active-selector-unresolved:contoso-shop.com"]
    assert finding.severity == "critical"
    assert finding.evidence == ("selector1 is active; selector1-contoso-shop-com._domainkey."
                                "contoso.onmicrosoft.com does not exist (NXDOMAIN).")


def test_each_problem_gives_exactly_its_findings(sample_server):
    collection, bundle, findings = collect(sample_server)
    dkim_findings = {fid: f.severity for fid, f in findings.items() if f.section == "dkim"}
    assert dkim_findings == {
        "dkim-active-selector-unresolved:contoso-shop.com": "critical",
        "dkim-key-revoked:contoso.org": "critical",
        "dkim-cname-elsewhere:contoso.net": "high",
        "dkim-cname-missing:contoso-events.com": "high",
        "dkim-key-short:contoso.de": "warning",
        "dkim-testing-mode:contoso-mail.com": "warning",
        "dkim-not-enabled:contoso-legacy.com": "warning",
        "dkim-not-enabled:contoso-archive.com": "warning",
    }
    assert collection.dkim.status == "ok" and collection.dkim.errors == []


def test_rotation_that_has_passed_makes_selector2_active(sample_server):
    _, bundle, _ = collect(sample_server)
    net = item(bundle, "dkim", "contoso.net")
    assert net["active_selector"] == "selector2"
    assert net["active_selector_reason"].startswith("RotateOnDate 2026-10-30T10:00:00Z had passed")
    assert [(s["selector"], s["active"], s["key_state"]) for s in net["selectors"]] == [
        ("selector1", False, "ok"), ("selector2", True, "ok")]
    # selector1's CNAME has a typo: what receivers would find there is nothing
    wrong = selector(bundle, "contoso.net", "selector1")
    assert wrong["published_key_lookup"]["outcome"] == "nxdomain"


@pytest.mark.parametrize("offset, active, failing", [
    (timedelta(seconds=-1), "selector2", False),   # RotateOnDate has just passed
    (timedelta(seconds=+1), "selector1", True),    # just before: selector1, whose target is gone
])
def test_rotation_moment_decides_which_target_must_resolve(sample_server, tmp_path, offset,
                                                           active, failing):
    config = json.loads(PS51_EXPORT.read_bytes().decode("utf-16"))[1]  # contoso-shop.com
    now = datetime.now(timezone.utc)
    config["RotateOnDate"] = ms(now + offset)
    path = tmp_path / "dkim.json"
    path.write_text(json.dumps(config))
    _, bundle, findings = collect(sample_server, export_path=path, at=now)
    assert item(bundle, "dkim", "contoso-shop.com")["active_selector"] == active
    assert ("dkim-active-selector-unresolved:contoso-shop.com" in findings) is failing


def test_revoked_and_1024_bit_keys(sample_server):
    _, bundle, findings = collect(sample_server)
    revoked = selector(bundle, "contoso.org", "selector1")
    assert (revoked["key_state"], revoked["key_record"], revoked["key"]["revoked"]) == (
        "revoked", "v=DKIM1; k=rsa; p=", True)
    short = selector(bundle, "contoso.de", "selector1")
    assert (short["key_state"], short["key"]["key_size"], short["key_matches_config"]) == (
        "ok", 1024, True)
    assert findings["dkim-key-short:contoso.de"].evidence == (
        "selector1 (active): 1024 bits; selector2: 1024 bits")
    assert "dkim-key-too-short:contoso.de" not in findings


def test_key_under_1024_bits_is_critical(sample_server, tmp_path):
    modulus = (1 << 767) | 0xF1
    der = rsa.RSAPublicNumbers(65537, modulus).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    sample_server.load_zone_text(None, f"""$ORIGIN weak.test.
@ 60 SOA ns1 hostmaster 1 3600 600 86400 60
selector1._domainkey 60 CNAME s1.weak.test.
s1 60 TXT "v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"
""")
    path = tmp_path / "dkim.json"
    path.write_text(json.dumps({"Domain": "weak.test", "Enabled": True,
                                "Selector1CNAME": "s1.weak.test", "Selector2CNAME": "s2.weak.test",
                                "RotateOnDate": ms(SAMPLE_COLLECTED_AT + timedelta(days=1)),
                                "SelectorBeforeRotateOnDate": "selector1",
                                "SelectorAfterRotateOnDate": "selector2"}))
    _, _, findings = collect(sample_server, export_path=path)
    assert findings["dkim-key-too-short:weak.test"].severity == "critical"
    assert findings["dkim-key-too-short:weak.test"].evidence == "selector1 (active): 768 bits"
    assert "dkim-key-short:weak.test" not in findings


def test_inactive_selector_without_key_is_a_fact_not_a_finding(sample_server):
    _, bundle, findings = collect(sample_server)
    inactive = selector(bundle, "contoso.com", "selector2")
    assert (inactive["active"], inactive["cname_state"], inactive["key_state"]) == (
        False, "matches", "no_key")
    assert [fid for fid in findings if fid.endswith(":contoso.com")] == []


def test_a_timed_out_target_is_could_not_verify_never_missing(sample_server):
    sample_server.set_fault("selector1-contoso-shop-com._domainkey.contoso.onmicrosoft.com",
                            drop=True)
    collection, bundle, findings = collect(sample_server)
    facts = selector(bundle, "contoso-shop.com", "selector1")
    assert (facts["key_state"], facts["key_lookup"]["outcome"]) == ("unverified", "timeout")
    assert "dkim-active-selector-unresolved:contoso-shop.com" not in findings
    assert findings["dkim-unverified:contoso-shop.com"].evidence.startswith(
        "selector1-contoso-shop-com._domainkey.contoso.onmicrosoft.com TXT: timeout (no answer")
    assert collection.dkim.status == "partial"
    assert [str(error) for error in collection.dkim.errors] == [
        "dns: contoso-shop.com: could not verify DKIM (selector1-contoso-shop-com._domainkey."
        "contoso.onmicrosoft.com TXT timed out)"]


def test_garbage_and_4096_bit_keys(sample_server, tmp_path):
    path = tmp_path / "dkim.json"
    path.write_text(json.dumps({"Domain": "edge.test", "Enabled": True,
                                "Selector1CNAME": "s1._keys.edge.test",
                                "Selector2CNAME": "s2._keys.edge.test",
                                "RotateOnDate": ms(SAMPLE_COLLECTED_AT - timedelta(days=1)),
                                "SelectorBeforeRotateOnDate": "selector2",
                                "SelectorAfterRotateOnDate": "selector1"}))
    _, bundle, findings = collect(sample_server, export_path=path)
    garbage, big = selector(bundle, "edge.test", "selector1"), selector(bundle, "edge.test", "selector2")
    assert (garbage["active"], garbage["key_state"], garbage["key"]["error"]) == (
        True, "invalid", "not a public key")
    assert (big["key_state"], big["key"]["key_size"]) == ("ok", 4096)
    assert findings["dkim-active-selector-unresolved:edge.test"].evidence == (
        "selector1 is active; the TXT record at s1._keys.edge.test is not a usable DKIM key "
        "(not a public key).")


@pytest.mark.parametrize("cname, evidence", [
    (None, "selector1 is active; its CNAME selector1._domainkey.cm.test is missing (NXDOMAIN), "
           "so receivers find no key (it should point to s1.keys.cm.test)."),
    ("typo.keys.cm.test.", "selector1 is active; selector1._domainkey.cm.test points to "
                           "typo.keys.cm.test, which holds no DKIM key (does not exist "
                           "(NXDOMAIN)); configured target: s1.keys.cm.test."),
])
def test_active_selector_whose_cname_leads_nowhere_is_critical(sample_server, tmp_path, cname,
                                                               evidence):
    public = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    key = base64.b64encode(public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
    record = f"selector1._domainkey 60 CNAME {cname}\n" if cname else ""
    sample_server.load_zone_text(None, f"""$ORIGIN cm.test.
@ 60 SOA ns1 hostmaster 1 3600 600 86400 60
s1.keys 60 TXT "v=DKIM1; k=rsa; p={key}"
{record}""")
    path = tmp_path / "dkim.json"
    path.write_text(json.dumps({"Domain": "cm.test", "Enabled": True,
                                "Selector1CNAME": "s1.keys.cm.test",
                                "Selector2CNAME": "s2.keys.cm.test",
                                "RotateOnDate": ms(SAMPLE_COLLECTED_AT + timedelta(days=1)),
                                "SelectorBeforeRotateOnDate": "selector1",
                                "SelectorAfterRotateOnDate": "selector2"}))
    _, bundle, findings = collect(sample_server, export_path=path)
    assert selector(bundle, "cm.test", "selector1")["key_state"] == "ok"
    assert findings["dkim-active-selector-unresolved:cm.test"].evidence == evidence


def test_active_selector_without_its_cname_names_the_cname_first(sample_server, tmp_path):
    # issue 12: neither selector1._domainkey.<domain> nor its target exists; the evidence
    # names the missing CNAME, and the remediation starts with publishing it
    target = "selector1-dkim-nocname-broken-test._domainkey.contoso.onmicrosoft.com"
    path = tmp_path / "dkim.json"
    path.write_text(json.dumps({"Domain": "dkim-nocname.broken.test", "Enabled": True,
                                "Selector1CNAME": target,
                                "Selector2CNAME": target.replace("selector1", "selector2"),
                                "RotateOnDate": ms(SAMPLE_COLLECTED_AT + timedelta(days=1)),
                                "SelectorBeforeRotateOnDate": "selector1",
                                "SelectorAfterRotateOnDate": "selector2"}))
    _, bundle, findings = collect(sample_server, export_path=path)
    facts = selector(bundle, "dkim-nocname.broken.test", "selector1")
    assert (facts["active"], facts["cname_state"], facts["key_state"]) == (True, "missing", "no_key")
    finding = findings["dkim-active-selector-unresolved:dkim-nocname.broken.test"]
    assert finding.evidence == (
        "selector1 is active; its CNAME selector1._domainkey.dkim-nocname.broken.test is missing "
        f"(NXDOMAIN), so receivers find no key (it should point to {target}, which does not "
        "exist (NXDOMAIN) too).")
    assert finding.remediation.startswith("Publish the active selector's CNAME")
    assert finding.remediation.index("CNAME") < finding.remediation.index("Rotate-DkimSigningConfig")
    # the inactive selector's missing CNAME is its own finding, as before
    assert "dkim-cname-missing:dkim-nocname.broken.test" in findings
