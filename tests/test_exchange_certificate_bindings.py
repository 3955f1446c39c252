"""Every Exchange certificate and where it is bound (issue 15, part 3): the store read with
key and signature from RawData (the real Get-ExchangeCertificate CLIXML of an Exchange 2019
lab, and Export-ExchangeConfig's JSON), findings per bound certificate (expiry, weak key or
hash, host names not covered), the default SMTP certificate marked among them, and the diff
by server and thumbprint (a renewal reads as replaced)."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pytest

from conftest import EXCHANGE_SAMPLES, TEST_DATA
from docgen.app.bundles import bundle_with_sections
from docgen.app.detect import detect_areas
from docgen.areas.exchange_certificates.checks import check_exchange_certs
from docgen.areas.exchange_certificates.source import import_exchange_certs
from docgen.areas.exchange_certificates.view import exchange_certs_view
from docgen.bundle import dump_bundle, new_bundle, parse_bundle, put_section
from docgen.bundle.schema import schema_errors
from docgen.checks import run_checks
from docgen.checks.rules import default_rules, with_overrides
from docgen.diff import diff_bundles
from docgen.readers.certificates import dns_name_matches

CONFIG = EXCHANGE_SAMPLES / "contoso-exchange-config.json"
CERTS = EXCHANGE_SAMPLES / "contoso-exchange-certs.json"
STORE_E19 = TEST_DATA / "css-exchange" / "E19" / "GetExchangeCertificate.xml"
WEBMAIL = "E66F3BE15F2BD6C95A620B8E114E163113E6C107"   # EX07's IIS certificate, RSA 1024
EX07_SELF = "45AACD83F72A2EBBA8E003D931026FBB793F69BF"


@pytest.fixture(scope="module")
def config():
    return import_exchange_certs([CONFIG])


def ids(findings) -> list[str]:
    return [finding.id for finding in findings]


# -- reading -----------------------------------------------------------------------------


def test_the_config_collector_feeds_every_exchange_area():
    assert detect_areas(CONFIG) == ["exchange_certificates", "exchange_connectors", "exchange_servers"]


def test_config_json_servers_stores_and_host_names(config):
    """Export-ExchangeConfig has no msExchServerInternalTLSCert: "not collected", not an error."""
    assert (config.status, config.errors) == ("ok", [])
    assert [(item["name"], item["fqdn"], item["roles"], item["default_smtp_certificate"])
            for item in config.items] == [
        ("EX01", "EX01.corp.contoso.com", ["Mailbox"], {"state": "not_collected"}),
        ("EX07", "EX07.corp.contoso.com", ["Mailbox"], {"state": "not_collected"}),
        ("EX08", "EX08.corp.contoso.com", ["Mailbox"], {"state": "not_collected"})]
    ex07 = config.items[1]
    assert [(c["thumbprint"], c["services"], c["key_type"], c["key_size"], c["signature_hash"],
             c["issuer"], c["not_before"], c["not_after"]) for c in ex07["store_certificates"]] == [
        (WEBMAIL, ["IIS", "SMTP"], "RSA", 1024, "sha256", "CN=Contoso Issuing CA 01",
         "2024-12-02T09:30:00Z", "2026-11-22T09:30:00Z"),
        (EX07_SELF, ["IMAP", "POP", "SMTP"], "RSA", 2048, "sha256", "CN=EX07",
         "2021-11-28T09:30:00Z", "2026-11-27T09:30:00Z"),
        ("FE78D59F4C89B42FE1724FBB4BD6C2E59991A52B", ["SMTP"], "RSA", 2048, "sha256",
         "CN=Microsoft Exchange Server Auth Certificate", "2024-05-16T09:30:00Z",
         "2029-05-15T09:30:00Z")]
    assert ex07["web_host_names"] == [
        {"setting": "EWS InternalUrl", "url": "https://ex07.corp.contoso.com/EWS/Exchange.asmx",
         "host": "ex07.corp.contoso.com"},
        {"setting": "AutoDiscoverServiceInternalUri",
         "url": "https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml",
         "host": "autodiscover.contoso.com"}]
    assert [entry["host"] for entry in config.items[0]["web_host_names"]] == [
        "mail.contoso.com", "mail.contoso.com", "autodiscover.contoso.com"]
    assert schema_errors(bundle_with_sections(None, [config], "Contoso")) == []


def test_a_failed_cmdlet_leaves_that_part_not_collected(tmp_path):
    document = json.loads(CONFIG.read_text("utf-8"))
    document["ExchangeCertificates"] = [c for c in document["ExchangeCertificates"] if c["Server"] != "EX07"]
    document["WebServicesVirtualDirectories"] = None
    document["ClientAccessServices"] = None
    document["Errors"] = ["Get-ExchangeCertificate -Server EX07: The RPC server is unavailable",
                          "Get-WebServicesVirtualDirectory: Access denied",
                          "Get-ClientAccessService: Access denied"]
    path = tmp_path / "config.json"
    path.write_text(json.dumps(document), "utf-8")
    result = import_exchange_certs([path])
    stores = {item["name"]: item["store_certificates"] for item in result.items}
    assert stores["EX07"] is None and len(stores["EX01"]) == 3   # None: not read, never "empty"
    assert [item["web_host_names"] for item in result.items] == [None, None, None]
    assert [str(error) for error in result.errors] == [
        "config.json: the collector reported: Get-ExchangeCertificate -Server EX07: The RPC server is unavailable",
        "config.json: the collector reported: Get-WebServicesVirtualDirectory: Access denied",
        "config.json: the collector reported: Get-ClientAccessService: Access denied"]


def test_with_the_default_certificate_from_the_other_collector(config):
    """EX01 is in both samples: its default certificate from Export-ExchangeCertificates, its
    store and host names from Export-ExchangeConfig (the store read with RawData wins); the
    old collector's default certificate of EX02-EX04 lends its key facts to its store entry."""
    result = import_exchange_certs([CERTS, CONFIG])
    assert (result.status, result.errors) == ("ok", [])
    by_name = {item["name"]: item for item in result.items}
    assert list(by_name) == ["EX01", "EX02", "EX03", "EX04", "EX05", "EX07", "EX08"]
    assert by_name["EX01"]["default_smtp_certificate"]["state"] == "present"
    assert by_name["EX01"]["store_certificates"] == config.items[0]["store_certificates"]
    assert by_name["EX01"]["web_host_names"] == config.items[0]["web_host_names"]
    (ex04,) = by_name["EX04"]["store_certificates"]
    assert (ex04["key_type"], ex04["key_size"], ex04["signature_hash"]) == ("RSA", 1024, "sha1")
    assert by_name["EX04"]["web_host_names"] is None


# -- findings ----------------------------------------------------------------------------


def test_real_exchange_2019_store_findings():
    """Solo-E19A's three certificates: Auth (SMTP), the self-signed one (IMAP, POP, IIS, SMTP),
    WMSvc (None: not bound, not judged); the first two are signed with SHA-1."""
    result = import_exchange_certs([STORE_E19])
    as_of = datetime(2024, 11, 20, tzinfo=timezone.utc)
    findings = check_exchange_certs({"items": result.items}, default_rules(), as_of)
    auth, self_signed = "C3EDCF181EF4F9B53D01768ECA99564014BCA6E7", "6C7DE09FB39A40144F57EFEBC3DF0148E3A9AB28"
    assert ids(findings) == [f"exchange-cert-expired:solo-e19a/{auth}",
                             f"exchange-cert-weak-signature:solo-e19a/{auth}",
                             f"exchange-cert-expires-soon:solo-e19a/{self_signed}",
                             f"exchange-cert-weak-signature:solo-e19a/{self_signed}"]
    expired, sha1, soon, _ = findings
    assert (expired.severity, expired.subject, expired.title) == (
        "critical", "Solo-E19A: CN=Microsoft Exchange Server Auth Certificate",
        "Exchange certificate bound to SMTP has expired")
    assert expired.evidence == (f"CN=Microsoft Exchange Server Auth Certificate (thumbprint {auth}), bound "
                                "to SMTP: valid until 2024-11-06, expired 13 days before collection.")
    assert sha1.title == "Exchange certificate bound to SMTP is signed with a weak hash (SHA1)"
    assert soon.title == "Exchange certificate bound to IMAP, POP, IIS, SMTP expires within 30 days"
    assert soon.evidence == (f"CN=Solo-E19A (thumbprint {self_signed}), bound to IMAP, POP, IIS, SMTP: "
                             "valid until 2024-12-03, 13 days left at collection.")


def test_sample_findings_weak_key_and_host_names(config):
    findings = run_checks(put_section(new_bundle("Contoso", "2026-11-02T09:30:00Z"), config))
    assert ids(findings) == [   # run_checks orders by id
        f"exchange-cert-expires-soon:ex07/{EX07_SELF}",
        f"exchange-cert-expires-soon:ex07/{WEBMAIL}",
        f"exchange-cert-name-mismatch:ex07/{WEBMAIL}",
        f"exchange-cert-weak-key:ex07/{WEBMAIL}"]
    by_rule = {finding.rule_id: finding for finding in findings if WEBMAIL in finding.key}
    weak = by_rule["exchange-cert-weak-key"]
    assert (weak.severity, weak.title) == (
        "high", "Exchange certificate bound to IIS, SMTP has an RSA key under 2048 bits")
    assert weak.evidence == (f"CN=webmail.contoso.com (thumbprint {WEBMAIL}), bound to IIS, SMTP: "
                             "RSA key of 1024 bits.")
    names = by_rule["exchange-cert-name-mismatch"]
    assert (names.severity, names.subject) == ("high", "EX07: CN=webmail.contoso.com")
    assert names.evidence == (
        f"CN=webmail.contoso.com (thumbprint {WEBMAIL}), bound to IIS, SMTP: its names "
        "(webmail.contoso.com) do not cover ex07.corp.contoso.com (EWS InternalUrl); "
        "autodiscover.contoso.com (AutoDiscoverServiceInternalUri).")


def _server(certificates: list[dict], hosts: list[str], default: dict | None = None) -> dict:
    return {"key": "ex01", "name": "EX01", "default_smtp_certificate": default or {"state": "not_collected"},
            "store_certificates": certificates,
            "web_host_names": [{"setting": "EWS ExternalUrl", "url": f"https://{h}/EWS", "host": h}
                               for h in hosts]}


def _cert(thumbprint: str, services: list[str], domains: list[str], *, self_signed: bool = False,
          not_after: str = "2030-01-01T00:00:00Z", key_size: int = 2048) -> dict:
    return {"thumbprint": thumbprint, "friendly_name": None, "subject": f"CN={domains[0]}",
            "services": services, "status": "Valid", "not_after": not_after, "self_signed": self_signed,
            "domains": domains, "issuer": "CN=CA", "not_before": "2025-01-01T00:00:00Z",
            "key_type": "RSA", "key_size": key_size, "signature_hash": "sha256"}


AS_OF = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)


def test_which_certificates_are_judged_for_host_names():
    """IIS always; SMTP only when CA-issued (Exchange's own self-signed SMTP and Auth
    certificates never carry client names); unbound certificates never."""
    server = _server([
        _cert("A" * 40, ["IIS"], ["*.contoso.com"]),                      # wildcard covers both
        _cert("B" * 40, ["SMTP"], ["EX01"], self_signed=True),             # not judged
        _cert("C" * 40, ["SMTP"], ["smtp.contoso.com"]),                   # CA SMTP: judged
        _cert("D" * 40, ["IIS", "SMTP"], ["EX01"], self_signed=True),      # self-signed IIS: judged
        _cert("E" * 40, ["None"], ["old.contoso.com"], not_after="2020-01-01T00:00:00Z"),
    ], ["mail.contoso.com", "autodiscover.contoso.com"])
    findings = check_exchange_certs({"items": [server]}, default_rules(), AS_OF)
    assert ids(findings) == [f"exchange-cert-name-mismatch:ex01/{'C' * 40}",
                             f"exchange-cert-name-mismatch:ex01/{'D' * 40}"]
    only_iis = with_overrides(default_rules(), {"exchange-cert-name-mismatch": {"services": ["IIS"]}}, "t")
    assert ids(check_exchange_certs({"items": [server]}, only_iis, AS_OF)) == [
        f"exchange-cert-name-mismatch:ex01/{'D' * 40}"]


def test_the_default_certificate_is_judged_once():
    """The default SMTP certificate is in the store too: its expiry and key are the
    exchange-smtp-cert-* findings, not repeated as exchange-cert-*."""
    weak = _cert("A" * 40, ["SMTP"], ["smtp.contoso.com"], key_size=1024)
    other = _cert("B" * 40, ["SMTP"], ["smtp2.contoso.com"], key_size=1024)
    default = {"state": "present", "thumbprint_sha1": "A" * 40, "not_after": "2030-01-01T00:00:00Z",
               "key_type": "RSA", "key_size": 1024, "signature_hash": "sha256"}
    findings = check_exchange_certs({"items": [_server([weak, other], [], default)]}, default_rules(), AS_OF)
    assert ids(findings) == ["exchange-smtp-cert-weak-key:ex01", f"exchange-cert-weak-key:ex01/{'B' * 40}"]


def test_thresholds_are_data():
    server = _server([_cert("A" * 40, ["IIS"], ["mail.contoso.com"], not_after="2027-01-31T09:30:00Z")], [])
    assert ids(check_exchange_certs({"items": [server]}, default_rules(), AS_OF)) == []
    rules = with_overrides(default_rules(), {"exchange-cert-expires": {"days": 90}}, "t")
    assert ids(check_exchange_certs({"items": [server]}, rules, AS_OF)) == [
        f"exchange-cert-expires:ex01/{'A' * 40}"]


@pytest.mark.parametrize("pattern, host, covered", [
    ("mail.contoso.com", "MAIL.contoso.com.", True),
    ("*.contoso.com", "mail.contoso.com", True),
    ("*.contoso.com", "contoso.com", False),             # a wildcard is one label, not none
    ("*.contoso.com", "a.mail.contoso.com", False),      # ... nor two
    ("*.com", "contoso.com", False),                     # not over fewer than two labels
    ("m*.contoso.com", "mail.contoso.com", False),       # no partial wildcards
    ("mail.*.com", "mail.contoso.com", False),           # only the left-most label
    ("autodiscover.contoso.com", "autodiscover.fabrikam.com", False),
])
def test_rfc_6125_name_matching(pattern, host, covered):
    assert dns_name_matches(pattern, host) is covered


# -- report and diff ---------------------------------------------------------------------


def test_view_marks_the_default_and_carries_the_timeline():
    result = import_exchange_certs([CERTS, CONFIG])
    section = {"items": result.items}
    findings = [{"key": f.key, "severity": f.severity}
                for f in check_exchange_certs(section, default_rules(), AS_OF)]
    view = exchange_certs_view(section, AS_OF, findings)
    rows = [(c["server"], c["subject"], c["bound"], c["is_default"], c["worst"]) for c in view["certificates"]]
    assert ("EX03", "CN=smtp.contoso.com", ["SMTP"], True, None) in rows
    assert ("EX07", "CN=webmail.contoso.com", ["IIS", "SMTP"], False, "high") in rows
    assert len(rows) == 12
    timeline = str(view["store_timeline"])
    assert "EX07 webmail.contoso.com" in timeline and timeline.count("<rect") >= 12


def _loaded(data: dict, name: str):
    return parse_bundle(dump_bundle(data), name)


def test_a_renewed_certificate_reads_as_replaced(config):
    before = put_section(new_bundle("Contoso", "2026-11-02T09:30:00Z"), config,
                         run_id="00000000-0000-4000-8000-000000000001")
    after = copy.deepcopy(before)
    ex07 = after["sections"]["exchange_certificates"]["items"][1]
    renewed = ex07["store_certificates"][0]
    renewed.update({"thumbprint": "0123456789ABCDEF0123456789ABCDEF01234567",
                    "not_after": "2027-11-22T09:30:00Z", "key_size": 2048})
    del ex07["store_certificates"][2]      # the Auth certificate removed from EX07
    document = diff_bundles(_loaded(before, "a.json"), _loaded(after, "b.json"))
    assert [(change["kind"], change["summary"]) for section in document["sections"]
            for change in section["changes"]] == [
        ("removed", "Exchange certificate 'EX07: CN=Microsoft Exchange Server Auth Certificate' removed"),
        ("replaced", f"Exchange certificate 'EX07: CN=webmail.contoso.com': certificate renewed/replaced "
                     f"(thumbprint {WEBMAIL} -> 0123456789ABCDEF0123456789ABCDEF01234567; "
                     "expires 2026-11-22 09:30 UTC -> 2027-11-22 09:30 UTC)")]
    resolved = {finding["id"] for finding in document["findings"]["resolved"]}
    assert f"exchange-cert-weak-key:ex07/{WEBMAIL}" in resolved


def test_a_bundle_written_before_the_new_fields_still_loads_and_renders():
    """Backward compatible: the new store fields and web_host_names are optional."""
    result = import_exchange_certs([CERTS])
    bundle = put_section(new_bundle("Contoso", "2026-11-02T09:30:00Z"), result)
    for item in bundle["sections"]["exchange_certificates"]["items"]:
        del item["web_host_names"]
        for entry in item["store_certificates"] or []:
            for name in ("issuer", "not_before", "key_type", "key_size", "signature_hash"):
                del entry[name]
    assert schema_errors(bundle) == []
    loaded = _loaded(bundle, "old.json")
    assert ids(run_checks(loaded.data)) == ids(run_checks(bundle))
    view = exchange_certs_view(loaded.data["sections"]["exchange_certificates"], AS_OF, [])
    assert len(view["certificates"]) == 5 and view["store_timeline"] is not None
