"""DMARC, SPF, MX, MTA-STS, TLS-RPT and BIMI per domain, over the real loopback server."""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen.areas.dkim.source import read_dkim_export
from docgen.areas.mail_auth.source import KIND_NAMES, parse_bimi_without_fetching
from docgen.dns.client import LookupClient, ZoneTransport
from docgen.dns.collect import collect_dns
from docgen.readers.zones import load_zone_files
from support.dns_fixtures import (
    COLLECTOR_EXPORT,
    FAST,
    SAMPLE_COLLECTED_AT,
    SAMPLE_ZONES,
    SAMPLES_DNS,
    TEST_ZONES,
    collect,
    item,
)

STATES = {
    # domain: (dmarc, spf, mx, mta_sts, tls_rpt, bimi)
    "contoso-archive.com": ("ok", "ok", "ok", "missing", "missing", "missing"),
    "contoso-events.com": ("missing", "multiple", "ok", "missing", "missing", "missing"),
    "contoso-legacy.com": ("missing", "ok", "ok", "missing", "missing", "missing"),
    "contoso-mail.com": ("multiple", "invalid", "ok", "missing", "missing", "missing"),
    "contoso-shop.com": ("ok", "ok", "ok", "missing", "missing", "missing"),
    "contoso.com": ("ok", "ok", "ok", "ok", "ok", "ok"),
    "contoso.de": ("ok", "ok", "ok", "missing", "missing", "missing"),
    "contoso.net": ("ok", "ok", "ok", "missing", "ok", "missing"),
    "contoso.onmicrosoft.com": ("missing", "ok", "ok", "missing", "missing", "missing"),
    "contoso.org": ("ok", "invalid", "ok", "missing", "missing", "missing"),
}
CONTOSO_DE_NAMES = ["contoso.de", "_dmarc.contoso.de", "_mta-sts.contoso.de",
                    "_smtp._tls.contoso.de", "default._bimi.contoso.de",
                    "selector1._domainkey.contoso.de", "selector2._domainkey.contoso.de"]


def test_the_kinds_the_documents_name_are_the_kinds_collected():
    from docgen.areas.mail_auth.kinds import KIND_TITLES
    assert KIND_NAMES == tuple(KIND_TITLES)


def states(bundle: dict) -> dict:
    return {entry["domain"]: tuple(entry[kind]["state"] for kind in KIND_NAMES)
            for entry in bundle["sections"]["mail_auth"]["items"]}


def mail_findings(findings: dict) -> dict:
    return {fid: f.severity for fid, f in findings.items() if f.section == "mail_auth"}


def test_every_sample_domain_is_documented_with_its_state(sample_server):
    collection, bundle, _ = collect(sample_server)
    assert states(bundle) == STATES
    assert collection.mail_auth.status == "ok"
    section = bundle["sections"]["mail_auth"]
    assert section["checkdmarc_version"].startswith("6.")
    assert section["resolver"] == {"mode": "network",
                                   "nameservers": [f"127.0.0.1:{sample_server.port}"],
                                   "zone_files": [], "timeout": 0.25, "retries": 0,
                                   "concurrency": 8, "deadline": 30}


def test_exact_findings(sample_server):
    _, _, findings = collect(sample_server)
    assert mail_findings(findings) == {
        "dmarc-missing:contoso-events.com": "high",
        "dmarc-missing:contoso-legacy.com": "high",
        "dmarc-missing:contoso.onmicrosoft.com": "high",
        "dmarc-multiple-records:contoso-mail.com": "high",
        "dmarc-no-rua:contoso-archive.com": "warning",
        "dmarc-no-rua:contoso.de": "warning",
        "dmarc-policy-none:contoso.de": "warning",
        "dkim-without-dmarc:contoso-events.com": "warning",
        "dkim-without-dmarc:contoso.onmicrosoft.com": "warning",
        "spf-multiple-records:contoso-events.com": "high",
        "spf-pass-all:contoso-legacy.com": "critical",
        "spf-too-many-lookups:contoso-mail.com": "high",
        "spf-too-many-void-lookups:contoso.org": "high",
    }


def test_dmarc_with_two_records(sample_server):
    _, bundle, findings = collect(sample_server)
    dmarc = item(bundle, "mail_auth", "contoso-mail.com")["dmarc"]
    assert dmarc["records"] == ["v=DMARC1; p=none; rua=mailto:dmarc@contoso-mail.com",
                                "v=DMARC1; p=reject; rua=mailto:dmarc-reports@contoso-mail.com"]
    assert (dmarc["state"], dmarc["error_class"]) == ("multiple", "MultipleDMARCRecords")
    assert findings["dmarc-multiple-records:contoso-mail.com"].evidence == " | ".join(
        dmarc["records"])


def test_spf_with_eleven_lookups(sample_server):
    _, bundle, findings = collect(sample_server)
    spf = item(bundle, "mail_auth", "contoso-mail.com")["spf"]
    assert (spf["state"], spf["result"]["dns_lookups"], spf["result"]["void_dns_lookups"]) == (
        "invalid", 11, 0)
    assert spf["error"] == ("Parsing the SPF record requires 11/10 maximum DNS lookups "
                            "(RFC 7208 § 4.6.4)")
    assert spf["records"] == [spf["result"]["record"]]
    assert findings["spf-too-many-lookups:contoso-mail.com"].title == (
        "SPF needs more than 10 DNS lookups")
    assert findings["spf-too-many-lookups:contoso-mail.com"].evidence.startswith(
        "11 DNS lookups: v=spf1 a:out1.contoso-mail.com")


def test_spf_limits_are_rule_settings(sample_server):
    from docgen.checks import run_checks
    from docgen.checks.rules import default_rules, with_overrides
    _, bundle, _ = collect(sample_server)
    rules = with_overrides(default_rules(), {"spf-too-many-lookups": {"max_lookups": 0}}, "t")
    flagged = {f.key for f in run_checks(bundle, rules) if f.rule_id == "spf-too-many-lookups"}
    assert "contoso.com" in flagged  # one include is now over the limit


def test_raw_records_are_kept_for_valid_and_invalid_records(sample_server):
    _, bundle, _ = collect(sample_server)
    legacy = item(bundle, "mail_auth", "contoso-legacy.com")
    assert legacy["spf"]["records"] == ["v=spf1 mx +all"]
    assert legacy["spf"]["result"]["parsed"]["all"] == "pass"
    assert legacy["dmarc"]["lookup"] == {
        "name": "_dmarc.contoso-legacy.com", "type": "TXT", "outcome": "nxdomain",
        "records": [], "ttl": None, "cname_chain": [], "error": None}
    events = item(bundle, "mail_auth", "contoso-events.com")["spf"]
    assert events["records"] == ["v=spf1 include:mailers.contoso-events.com ~all",
                                 "v=spf1 include:spf.protection.outlook.com -all"]
    # the domain-verification token is not an SPF candidate, but the lookup keeps it
    assert any(r.startswith("MS=") for r in item(bundle, "mail_auth",
                                                 "contoso.com")["spf"]["lookup"]["records"])


def test_mx_mta_sts_tls_rpt_and_bimi(sample_server):
    _, bundle, _ = collect(sample_server)
    contoso = item(bundle, "mail_auth", "contoso.com")
    assert contoso["mx"]["result"]["hosts"] == [
        {"preference": 0, "hostname": "contoso-com.mail.protection.outlook.com"}]
    assert contoso["mta_sts"]["result"]["tags"] == {"v": "STSv1", "id": "20261001T000000"}
    assert contoso["mta_sts"]["result"]["policy_fetched"] is False
    assert contoso["tls_rpt"]["result"]["tags"]["rua"]["value"] == ["mailto:tls-reports@contoso.com"]
    bimi = contoso["bimi"]
    assert bimi["result"]["tags"]["l"]["value"] == "https://contoso.com/brand/logo.svg"
    assert "was not fetched or validated (docgen makes no HTTP requests)" in bimi["warnings"][-1]
    archive = item(bundle, "mail_auth", "contoso-archive.com")
    assert archive["mx"]["result"]["null_mx"] is True


def test_bimi_parse_without_fetching_keeps_checkdmarc_validation():
    parsed = parse_bimi_without_fetching("v=BIMI1; l=https://x.example/a.svg; a=https://x.example/a.pem")
    assert parsed["tags"]["l"]["value"] == "https://x.example/a.svg"
    assert parsed["tags"]["a"]["value"] == "https://x.example/a.pem"
    assert len(parsed["warnings"]) == 2


def test_subdomain_without_dmarc_gets_the_organisational_domains(sample_server):
    _, bundle, findings = collect(sample_server, export_path=None, domains=["sub.edge.test"])
    dmarc = item(bundle, "mail_auth", "sub.edge.test")["dmarc"]
    assert (dmarc["state"], dmarc["lookup"]["outcome"], dmarc["result"]["location"]) == (
        "ok", "nxdomain", "edge.test")
    assert not [fid for fid in findings if fid.startswith("dmarc-")]


def test_server_timing_out_for_one_domain_only(sample_server):
    for name in CONTOSO_DE_NAMES:
        sample_server.set_fault(name, drop=True)
    collection, bundle, findings = collect(sample_server)
    expected = dict(STATES, **{"contoso.de": ("unverified",) * 6})
    assert states(bundle) == expected
    de = item(bundle, "mail_auth", "contoso.de")
    assert de["dmarc"]["lookup"]["outcome"] == "timeout"
    assert de["dmarc"]["error"].startswith("_dmarc.contoso.de TXT: no answer from 127.0.0.1:")
    # could not verify, never "missing"; the key at Microsoft's target still answered
    de_findings = {fid: f.severity for fid, f in findings.items() if fid.endswith(":contoso.de")}
    assert de_findings == {"mail-auth-unverified:contoso.de": "warning",
                           "dkim-unverified:contoso.de": "warning",
                           "dkim-key-short:contoso.de": "warning"}
    assert findings["mail-auth-unverified:contoso.de"].title == (
        "Could not verify DMARC, SPF, MX, MTA-STS, TLS-RPT, BIMI (lookup failed)")
    assert (collection.mail_auth.status, collection.dkim.status) == ("partial", "partial")
    assert [e.where for e in collection.mail_auth.errors] == ["contoso.de"]


def test_servfail_on_a_shared_include_makes_spf_unverified_everywhere(sample_server):
    sample_server.set_fault("spf.protection.outlook.com", servfail=True)
    collection, bundle, findings = collect(sample_server)
    spf = item(bundle, "mail_auth", "contoso.com")["spf"]
    assert spf["state"] == "unverified"
    assert [(lookup["name"], lookup["type"], lookup["outcome"])
            for lookup in spf["failed_lookups"]] == [
        ("spf.protection.outlook.com", "TXT", "servfail")]
    assert findings["mail-auth-unverified:contoso.com"].evidence == (
        "spf.protection.outlook.com TXT: servfail")
    assert "spf-missing:contoso.com" not in findings and "spf-invalid:contoso.com" not in findings
    assert collection.mail_auth.status == "partial"


def test_one_run_never_sees_the_answers_of_another(sample_server):
    _, bundle, _ = collect(sample_server, export_path=None, domains=["contoso.de"])
    assert item(bundle, "mail_auth", "contoso.de")["dmarc"]["result"]["tags"]["p"]["value"] == "none"
    zone = (SAMPLES_DNS / "zones" / "contoso.de.zone").read_text()
    sample_server.load_zone_text(None, zone.replace("p=none", "p=reject"))
    _, bundle, _ = collect(sample_server, export_path=None, domains=["contoso.de"])
    assert item(bundle, "mail_auth", "contoso.de")["dmarc"]["result"]["tags"]["p"]["value"] == "reject"


def test_zone_files_in_process_give_the_same_facts_as_the_server(sample_server):
    _, over_network, _ = collect(sample_server)
    export = read_dkim_export(COLLECTOR_EXPORT)
    files = SAMPLE_ZONES + TEST_ZONES
    client = LookupClient(ZoneTransport(load_zone_files(files), [p.name for p in files]), FAST)
    in_process = collect_dns(export.domains, client, collected_at=SAMPLE_COLLECTED_AT,
                             export=export)
    for name, result in (("dkim", in_process.dkim), ("mail_auth", in_process.mail_auth)):
        assert result.items == over_network["sections"][name]["items"]
    assert client.queries_sent > 0


@pytest.mark.parametrize("concurrency", [1, 32])
def test_results_do_not_depend_on_concurrency(sample_server, concurrency):
    from docgen.dns.client import ResolverSettings
    settings = ResolverSettings(timeout=0.25, retries=0, concurrency=concurrency, deadline=30)
    _, bundle, _ = collect(sample_server, settings=settings)
    _, reference, _ = collect(sample_server)
    for name in ("dkim", "mail_auth"):
        assert bundle["sections"][name]["items"] == reference["sections"][name]["items"]
    assert (bundle["sections"]["mail_auth"]["other_lookups"]
            == reference["sections"]["mail_auth"]["other_lookups"])


def test_samples_domain_list_file_matches_the_export(tmp_path: Path):
    from docgen.dns.domains import read_domains_file
    domains, record = read_domains_file(SAMPLES_DNS / "contoso-domains.txt", "mail_auth")
    assert domains == read_dkim_export(COLLECTOR_EXPORT).domains
    assert record["name"] == "contoso-domains.txt"


# -- found, but unusable: invalid with the reason, never "missing" (tests/data/dns/broken.test) --

def broken(server, *names: str) -> tuple[dict, dict]:
    """Collect subdomains of broken.test; (bundle, findings)."""
    _, bundle, findings = collect(server, export_path=None,
                                  domains=[f"{name}.broken.test" for name in names])
    return bundle, findings


def test_spf_whose_include_target_does_not_exist_is_invalid_not_missing(sample_server):
    # the record of issue 12: present, but its include target publishes no SPF record
    from docgen.areas.mail_auth.view import mail_auth_view
    bundle, findings = broken(sample_server, "spf-include")
    spf = item(bundle, "mail_auth", "spf-include.broken.test")["spf"]
    assert spf["state"] == "invalid"
    assert spf["records"] == [
        "v=spf1 ip4:192.0.2.25 ip6:2001:db8::1:25 mx include:_spf.example.com ~all"]
    # the reason names the include, the name, and the answer docgen got for it
    assert spf["error"] == (
        "include:_spf.example.com: _spf.example.com does not exist (NXDOMAIN); an include to a "
        "name without an SPF record makes the whole record a permanent error (permerror, "
        "RFC 7208 5.2).")
    unusable = spf["result"]["unusable"]
    assert unusable["via"] == ["include:_spf.example.com"]
    assert (unusable["lookup"]["name"], unusable["lookup"]["type"],
            unusable["lookup"]["outcome"]) == ("_spf.example.com", "TXT", "nxdomain")
    # ... the same answer the run recorded for that name
    recorded = {(lookup["name"], lookup["type"]): lookup
                for lookup in bundle["sections"]["mail_auth"]["other_lookups"]}
    assert recorded[("_spf.example.com", "TXT")] == unusable["lookup"]
    ids = {fid for fid in findings if fid.endswith(":spf-include.broken.test")}
    assert "spf-missing:spf-include.broken.test" not in ids
    finding = findings["spf-include-unusable:spf-include.broken.test"]
    assert (finding.severity, finding.title) == (
        "high", "SPF include leads to a name without a usable SPF record")
    assert finding.evidence == spf["error"] + " Record: " + spf["records"][0]
    assert "Fix the include" in finding.remediation
    section = bundle["sections"]["mail_auth"]
    view = mail_auth_view(section, SAMPLE_COLLECTED_AT,
                          [f.as_dict() for f in findings.values()])
    assert view["domains"][0]["cells"]["spf"]["text"] == "invalid"


@pytest.mark.parametrize("name, via, outcome, answer", [
    ("spf-nodata", ["include:nodata.broken.test"], "nodata",
     "nodata.broken.test has no TXT record (NOERROR, no data); an include"),
    ("spf-nospf", ["include:txt-only.broken.test"], "noerror",
     "txt-only.broken.test has TXT records, none of them SPF (NOERROR); an include"),
    ("spf-nested", ["include:level1.broken.test", "include:_spf.gone.broken.test"], "nxdomain",
     "_spf.gone.broken.test does not exist (NXDOMAIN); an include"),
    ("spf-redirect", ["redirect=_spf.gone.broken.test"], "nxdomain",
     "_spf.gone.broken.test does not exist (NXDOMAIN); a redirect to a name without an SPF "
     "record makes the whole record a permanent error (permerror, RFC 7208 6.1)."),
    ("spf-two", ["include:two.broken.test"], "noerror",
     "two.broken.test publishes 2 SPF records (NOERROR); several records there make the whole "
     "record a permanent error (permerror, RFC 7208 4.5)."),
])
def test_spf_include_or_redirect_that_leads_nowhere(sample_server, name, via, outcome, answer):
    bundle, findings = broken(sample_server, name)
    spf = item(bundle, "mail_auth", f"{name}.broken.test")["spf"]
    # "spf-two": the domain has one SPF record; the two are its include target's
    assert (spf["state"], len(spf["records"])) == ("invalid", 1)
    assert spf["result"]["unusable"]["via"] == via
    assert spf["result"]["unusable"]["lookup"]["outcome"] == outcome
    assert spf["error"].startswith(f"{' -> '.join(via)}: {answer}")
    assert set(findings) & {f"{rule}:{name}.broken.test" for rule in (
        "spf-missing", "spf-multiple-records", "spf-invalid")} == set()
    assert f"spf-include-unusable:{name}.broken.test" in findings


@pytest.mark.parametrize("name, kind, reason, rule", [
    ("spf-version", "spf", 'spf-version.broken.test publishes "v=spf10 ip4:192.0.2.30 -all", '
     'which receivers discard: SPF records begin with exactly "v=spf1", then a space or the end '
     "(RFC 7208 4.5).", "spf-invalid"),
    ("dmarc-cname", "dmarc", "_dmarc.dmarc-cname.broken.test is a CNAME to "
     "dmarc.gone-provider.example, which does not exist (NXDOMAIN), so receivers find no DMARC "
     "record.", "dmarc-invalid"),
    ("mta-sts", "mta_sts", '_mta-sts.mta-sts.broken.test publishes "v=STSv1 id=20261101T000000", '
     'which receivers discard: MTA-STS records begin with "v=STSv1;" (RFC 8461 3.1).',
     "mta-sts-invalid"),
    ("tls-rpt", "tls_rpt", "_smtp._tls.tls-rpt.broken.test is a CNAME to "
     "tlsrpt-target.broken.test, which has no TXT record (NOERROR, no data), so receivers find "
     "no TLS-RPT record.", "tls-rpt-invalid"),
    ("bimi", "bimi", 'default._bimi.bimi.broken.test publishes "v=BIMI1 '
     'l=https://bimi.broken.test/logo.svg", which receivers discard: BIMI records begin with '
     '"v=BIMI1;" (the BIMI draft).', "bimi-invalid"),
])
def test_found_but_unusable_records_of_each_kind_are_invalid(sample_server, name, kind, reason,
                                                             rule):
    bundle, findings = broken(sample_server, name)
    entry = item(bundle, "mail_auth", f"{name}.broken.test")[kind]
    assert (entry["state"], entry["error"]) == ("invalid", reason)
    assert entry["result"]["unusable"]["lookup"] == entry["lookup"]
    assert findings[f"{rule}:{name}.broken.test"].evidence.startswith(reason)
    # every other kind of this domain publishes nothing (or an SPF record): unchanged
    others = {other: item(bundle, "mail_auth", f"{name}.broken.test")[other]["state"]
              for other in KIND_NAMES if other != kind}
    assert set(others.values()) <= {"missing", "ok"}


def test_a_record_with_nothing_published_is_still_missing(sample_server):
    bundle, findings = broken(sample_server, "dmarc-cname")
    entry = item(bundle, "mail_auth", "dmarc-cname.broken.test")
    assert (entry["mta_sts"]["state"], entry["mta_sts"]["lookup"]["outcome"]) == (
        "missing", "nxdomain")
    assert entry["mta_sts"]["result"] is None


def test_an_include_target_that_timed_out_is_unverified_not_invalid(sample_server):
    sample_server.set_fault("nodata.broken.test", drop=True)
    bundle, findings = broken(sample_server, "spf-nodata")
    spf = item(bundle, "mail_auth", "spf-nodata.broken.test")["spf"]
    assert spf["state"] == "unverified"
    assert [(lookup["name"], lookup["outcome"]) for lookup in spf["failed_lookups"]] == [
        ("nodata.broken.test", "timeout")]
    assert "spf-include-unusable:spf-nodata.broken.test" not in findings
    assert "mail-auth-unverified:spf-nodata.broken.test" in findings


def test_a_domain_that_never_answers_costs_one_timeout_round(sample_server):
    # issue 12: its lookups waited one after another (DKIM CNAMEs, DMARC, SPF, MX, ...);
    # the questions that need no earlier answer are asked at the same time
    import time

    from docgen.dns.client import ResolverSettings
    from support.dns_fixtures import client_for
    for name in CONTOSO_DE_NAMES:
        sample_server.set_fault(name, drop=True)
    settings = ResolverSettings(timeout=0.75, retries=1, concurrency=8, deadline=30)
    one_round = settings.timeout * (settings.retries + 1)
    export = read_dkim_export(COLLECTOR_EXPORT)
    started = time.monotonic()
    collection = collect_dns(export.domains, client_for(sample_server, settings),
                             collected_at=SAMPLE_COLLECTED_AT, export=export)
    elapsed = time.monotonic() - started
    # one after another, its 8 lookups took 8 rounds
    assert elapsed < 2.5 * one_round, f"{elapsed:.2f} s for a {one_round:g} s timeout round"
    # every lookup of a name of that domain is recorded as timed out, none as missing
    assert collection.dkim is not None
    dkim = next(entry for entry in collection.dkim.items if entry["key"] == "contoso.de")
    mail = next(entry for entry in collection.mail_auth.items if entry["key"] == "contoso.de")
    lookups = [facts["cname_lookup"] for facts in dkim["selectors"]]
    lookups += [mail[kind]["lookup"] for kind in KIND_NAMES]
    lookups += [lookup for kind in KIND_NAMES for lookup in mail[kind]["failed_lookups"]]
    lookups += collection.mail_auth.extra["other_lookups"]
    own = {(lookup["name"], lookup["type"], lookup["outcome"]) for lookup in lookups
           if lookup["name"] == "contoso.de" or lookup["name"].endswith(".contoso.de")}
    assert {(name, rdtype) for name, rdtype, _ in own} >= {
        (name, "TXT") for name in CONTOSO_DE_NAMES if "_domainkey" not in name} | {
        ("contoso.de", "MX"), ("selector1._domainkey.contoso.de", "CNAME"),
        ("selector2._domainkey.contoso.de", "CNAME")}
    assert {outcome for _, _, outcome in own} == {"timeout"}
    assert {mail[kind]["state"] for kind in KIND_NAMES} == {"unverified"}
    assert {facts["cname_state"] for facts in dkim["selectors"]} == {"unverified"}
