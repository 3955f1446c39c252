"""Findings on default SMTP certificates: each rule, thresholds as data, judged at collected_at."""

from __future__ import annotations

import copy

import pytest

from conftest import EXCHANGE_SAMPLES
from docgen.areas.exchange_certificates.source import import_exchange_certs
from docgen.bundle import new_bundle, put_section
from docgen.checks import run_checks
from docgen.checks.rules import default_rules, with_overrides
from docgen.core.errors import DocgenError


@pytest.fixture(scope="module")
def bundle() -> dict:
    result = import_exchange_certs([EXCHANGE_SAMPLES / "contoso-exchange-certs.json"])
    return put_section(new_bundle("Contoso", "2026-11-02T09:30:00Z"), result)


def ids(findings) -> list[str]:
    return [finding.id for finding in findings]


def test_every_sample_server_gets_exactly_its_findings(bundle):
    findings = run_checks(bundle)
    assert ids(findings) == [
        "exchange-smtp-cert-expired:ex04",
        "exchange-smtp-cert-expires-soon:ex03",
        "exchange-smtp-cert-missing:ex05",
        "exchange-smtp-cert-weak-key:ex04",
        "exchange-smtp-cert-weak-signature:ex04",
    ]
    by_id = {finding.id: finding for finding in findings}
    expired = by_id["exchange-smtp-cert-expired:ex04"]
    assert (expired.severity, expired.subject, expired.section) == ("critical", "EX04", "exchange_certificates")
    assert expired.evidence == "Valid until 2026-08-19: expired 75 days before collection."
    soon = by_id["exchange-smtp-cert-expires-soon:ex03"]
    assert (soon.severity, soon.title) == ("high", "Default SMTP certificate expires within 30 days")
    assert soon.evidence == "Valid until 2026-11-23: 21 days left at collection."
    assert by_id["exchange-smtp-cert-weak-signature:ex04"].title == (
        "Default SMTP certificate is signed with a weak hash (SHA1)")
    assert by_id["exchange-smtp-cert-weak-key:ex04"].title == (
        "Default SMTP certificate has an RSA key under 2048 bits")


def collected(bundle: dict, moment: str) -> dict:
    """The bundle as if its Exchange section had been collected at `moment`."""
    changed = copy.deepcopy(bundle)
    changed["sections"]["exchange_certificates"]["collected_at"] = moment
    return changed


def test_judged_at_collection_time_not_today(bundle):
    later = collected(bundle, "2026-12-01T09:30:00Z")  # EX03 has expired by then
    assert "exchange-smtp-cert-expired:ex03" in ids(run_checks(later))
    earlier = collected(bundle, "2026-09-20T09:30:00Z")  # EX03 then has 64 days: no expiry finding
    assert not [f for f in ids(run_checks(earlier)) if f.endswith(":ex03")]
    earlier = collected(bundle, "2026-10-01T09:30:00Z")  # 53 days: within 60
    assert "exchange-smtp-cert-expires:ex03" in ids(run_checks(earlier))


def test_judged_at_the_sections_collection_time_not_the_bundles(bundle):
    # a bundle gathers sections collected on different days: each is judged at its own
    later = copy.deepcopy(bundle)
    later["collected_at"] = "2026-12-01T09:30:00Z"
    assert ids(run_checks(later)) == ids(run_checks(bundle))


def test_thresholds_are_data(bundle):
    rules = with_overrides(default_rules(), {"exchange-smtp-cert-expires-soon": {"days": 14},
                                             "exchange-smtp-cert-weak-key": {"severity": "critical"}},
                           "docgen.toml")
    findings = {f.id: f for f in run_checks(bundle, rules)}
    assert "exchange-smtp-cert-expires:ex03" in findings  # 21 days is now only "within 60"
    assert findings["exchange-smtp-cert-weak-key:ex04"].severity == "critical"


def test_bad_overrides_are_reported_all_at_once():
    with pytest.raises(DocgenError) as caught:
        with_overrides(default_rules(), {"no-such-rule": {"days": 1},
                                         "exchange-smtp-cert-expires": {"days": "soon", "colour": "red",
                                                                        "severity": "urgent"}},
                       "docgen.toml")
    assert str(caught.value) == (
        "docgen.toml: no-such-rule: no such rule; exchange-smtp-cert-expires.days: expected int; "
        "exchange-smtp-cert-expires.colour: no such setting; "
        "exchange-smtp-cert-expires.severity: must be one of critical, high, warning, info")


def test_unreadable_certificate_is_not_judged_missing(bundle):
    broken = copy.deepcopy(bundle)
    broken["sections"]["exchange_certificates"]["items"][4]["default_smtp_certificate"] = {
        "state": "error", "error": "not valid base64"}
    assert "exchange-smtp-cert-missing:ex05" not in ids(run_checks(broken))


def test_an_errored_section_is_not_judged(bundle):
    broken = copy.deepcopy(bundle)
    broken["sections"]["exchange_certificates"]["status"] = "error"
    assert run_checks(broken) == []
