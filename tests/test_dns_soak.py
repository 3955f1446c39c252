"""DNS fault soak, scaled down: 150 generated domains against the loopback server with
5% dropped queries, 5% SERVFAIL, 2% truncated answers and random delays up to 200 ms.

The run must end within its deadline, account for every domain in both sections
(each record verified, or "could not verify" with the failed lookup's outcome),
state nothing verified that a clean second run contradicts, and the clean run
must verify everything. bench/dns_soak.py runs the same with 1,000 domains.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from docgen.app.bundles import bundle_with_sections
from docgen.areas.dkim.source import read_dkim_export
from docgen.bundle.schema import schema_errors
from docgen.dns.client import LookupClient, Nameserver, NetworkTransport, ResolverSettings
from docgen.dns.collect import collect_dns
from support.dns_corpus import EXPECTED_VERDICTS, domain_names, write_dkim_export, write_zones
from support.dns_server import FaultPlan
from support.dns_server_process import ServerProcess
from support.dns_soak import account, against_truth, contradictions

pytestmark = [pytest.mark.usefixtures("loopback_only"), pytest.mark.slow]

DOMAINS = domain_names(150)
FAULTS = FaultPlan(drop_rate=0.05, servfail_rate=0.05, truncate_rate=0.02, max_delay=0.2,
                   seed=20261102)
SETTINGS = ResolverSettings(timeout=1.0, retries=1, concurrency=48, deadline=15.0)
# The run may overshoot its deadline by the time to finish the domains' bookkeeping.
MARGIN = 1.5
AT = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[list[Path], Path]:
    folder = tmp_path_factory.mktemp("soak")
    return write_zones(folder / "zones", DOMAINS), write_dkim_export(folder / "dkim.json", DOMAINS)


@pytest.fixture(scope="module")
def server(corpus):
    with ServerProcess(corpus[0]) as running:
        yield running


def run(server: ServerProcess, export_path: Path, plan: FaultPlan | None,
        settings: ResolverSettings = SETTINGS) -> tuple[dict, float, int]:
    """One collection of every domain; (bundle, seconds, queries the server received)."""
    server.set_plan(plan)
    server.clear()
    export = read_dkim_export(export_path)
    client = LookupClient(NetworkTransport([Nameserver(server.host, server.port)]), settings)
    started = time.monotonic()
    collection = collect_dns(export.domains, client, collected_at=AT, export=export)
    seconds = time.monotonic() - started
    bundle = bundle_with_sections(None, [collection.dkim, collection.mail_auth], "Soak")
    assert schema_errors(bundle) == []
    return bundle, seconds, server.counters()["total"]


def test_faulty_run_accounts_for_every_domain_and_a_clean_run_verifies_them_all(server, corpus):
    faulty, seconds, queries = run(server, corpus[1], FAULTS)
    assert seconds <= SETTINGS.deadline + MARGIN
    faulty_accounts = account(faulty, DOMAINS)
    assert faulty_accounts.missing_domains == []
    assert faulty_accounts.unexplained == []
    # The faults did happen, and were reported as such.
    assert faulty_accounts.verified_domains < len(DOMAINS)
    assert set(faulty_accounts.unverified_by_reason) & {"timeout", "servfail"}
    assert queries > len(DOMAINS) * 10

    # Faults off. A longer timeout, so that a busy CI machine cannot fail the clean run.
    clean, _, _ = run(server, corpus[1], None, dataclasses.replace(SETTINGS, timeout=3.0))
    clean_accounts = account(clean, DOMAINS)
    assert clean_accounts.verified_domains == len(DOMAINS), clean_accounts.unverified_by_reason
    assert clean_accounts.unexplained == [] and clean_accounts.missing_domains == []
    assert against_truth(clean, EXPECTED_VERDICTS) == []
    # Nothing the faulty run verified is contradicted (a timeout shown as "missing" would be).
    assert contradictions(faulty, clean) == []
    assert against_truth(faulty, EXPECTED_VERDICTS) == []


def test_a_deadline_that_cuts_the_run_short_still_accounts_for_every_domain(server, corpus):
    settings = ResolverSettings(timeout=1.0, retries=1, concurrency=48, deadline=2.0)
    bundle, seconds, _ = run(server, corpus[1], FAULTS, settings)
    assert seconds <= settings.deadline + MARGIN
    accounts = account(bundle, DOMAINS)
    assert accounts.missing_domains == [] and accounts.unexplained == []
    assert accounts.unverified_by_reason["not_attempted"] > 0
    assert against_truth(bundle, EXPECTED_VERDICTS) == []
    errors = bundle["sections"]["mail_auth"]["errors"]
    assert any("was not attempted before the deadline" in error["message"] for error in errors)
