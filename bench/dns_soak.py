"""DNS fault soak: 1,000 domains against a loopback server that drops, fails and truncates.

    python bench/dns_soak.py [--domains 1000] [--deadline 120] [--timeout 2] [--concurrency 32]

Generates N fictional domains (tests/support/dns_corpus.py), serves them from the
loopback test server in its own process with 5% of queries dropped, 5% answered
SERVFAIL, 2% truncated (the client must retry over TCP) and a random delay of up
to 200 ms on every answer, and collects them with docgen's defaults (a fresh
process, as `docgen collect dns` would). Then the faults are switched off and the
same domains are collected again. Prints:

- the faulty run's wall time against its deadline;
- domains verified, and domains with something that could not be verified, by
  the reason (the outcome of the lookups that failed);
- queries sent and what the server did with them;
- lost-verified: domains missing from a section, entries that could not be
  verified without a reason, and verified entries or lookups that the clean run
  contradicts (a timeout shown as "missing" would count here). Must be 0;
- the clean run's verified domains (must be all of them).

Only loopback is used; every loop is bounded by the run's deadline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from support.dns_corpus import EXPECTED_VERDICTS, domain_names, write_dkim_export, write_zones  # noqa: E402
from support.dns_server import FaultPlan  # noqa: E402
from support.dns_server_process import ServerProcess  # noqa: E402
from support.dns_soak import account, against_truth, contradictions  # noqa: E402

FAULTS = FaultPlan(drop_rate=0.05, servfail_rate=0.05, truncate_rate=0.02, max_delay=0.2,
                   seed=20261102)


def worker(export: Path, port: int, bundle_path: Path, timeout: float, retries: int,
           concurrency: int, deadline: float) -> None:
    """Child process: one collection through docgen's own use case; prints its figures."""
    from docgen.app.bundles import bundle_with_sections
    from docgen.app.collect_dns import DnsRequest, prepare_dns, run_dns
    from docgen.bundle import save_bundle
    from docgen.dns.client import Nameserver, ResolverSettings
    request = DnsRequest(dkim_config=export, nameservers=(Nameserver("127.0.0.1", port),),
                         settings=ResolverSettings(timeout=timeout, retries=retries,
                                                   concurrency=concurrency, deadline=deadline))
    prepared = prepare_dns(request)
    started = time.monotonic()
    collection = run_dns(prepared)
    seconds = time.monotonic() - started
    bundle = bundle_with_sections(None, [collection.dkim, collection.mail_auth], "Soak")
    save_bundle(bundle_path, bundle)
    print(json.dumps({"seconds": seconds, "queries_sent": collection.queries_sent}), flush=True)


def collect(args, export: Path, server: ServerProcess, bundle_path: Path) -> dict:
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", str(export), str(server.port), str(bundle_path),
         "--timeout", str(args.timeout), "--retries", str(args.retries),
         "--concurrency", str(args.concurrency), "--deadline", str(args.deadline)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    if completed.returncode != 0:
        raise SystemExit(f"the collection failed ({completed.returncode}):\n{completed.stderr}")
    figures = json.loads(completed.stdout)
    figures["process_seconds"] = time.monotonic() - started
    figures["server"] = server.counters()
    figures["bundle"] = json.loads(bundle_path.read_bytes())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--retries", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--deadline", type=float, default=120.0)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        export, port, bundle_path = args.worker
        return worker(Path(export), int(port), Path(bundle_path), args.timeout, args.retries,
                      args.concurrency, args.deadline)

    with tempfile.TemporaryDirectory(prefix="docgen-dns-soak-") as folder:
        work = Path(folder)
        domains = domain_names(args.domains)
        print(f"generating {len(domains)} domains ...", flush=True)
        zones = write_zones(work / "zones", domains)
        export = write_dkim_export(work / "dkim.json", domains)
        with ServerProcess(zones, FAULTS) as server:
            print(f"faulty run: {FAULTS}", flush=True)
            faulty = collect(args, export, server, work / "faulty.bundle.json")
            server.set_plan(None)
            server.clear()
            print("clean run: faults off", flush=True)
            clean = collect(args, export, server, work / "clean.bundle.json")
        report(args, domains, faulty, clean)


def report(args, domains: list[str], faulty: dict, clean: dict) -> None:
    faulty_accounts = account(faulty["bundle"], domains)
    clean_accounts = account(clean["bundle"], domains)
    contradicted = contradictions(faulty["bundle"], clean["bundle"])
    untrue = against_truth(faulty["bundle"], EXPECTED_VERDICTS)
    lost = (len(faulty_accounts.missing_domains) + len(faulty_accounts.unexplained)
            + len(contradicted) + len(untrue))
    server = faulty["server"]
    print()
    print(f"domains: {len(domains)}; resolver: timeout {args.timeout} s, {args.retries} "
          f"retr{'y' if args.retries == 1 else 'ies'}, {args.concurrency} at once, deadline "
          f"{args.deadline:g} s")
    print(f"faulty run: {faulty['seconds']:.1f} s of lookups against a {args.deadline:g} s "
          f"deadline ({faulty['process_seconds']:.1f} s for the whole process): "
          f"{'within' if faulty['seconds'] <= args.deadline else 'PAST'} the deadline")
    print(f"  verified: {faulty_accounts.verified_domains} domains; could not verify "
          f"something of {len(domains) - faulty_accounts.verified_domains} domains "
          f"({faulty_accounts.entries_unverified} entries unverified)")
    for reason, count in sorted(faulty_accounts.unverified_by_reason.items()):
        print(f"    {reason:>14}: {count} domains")
    print(f"  queries sent: {faulty['queries_sent']}; the server saw {server['total']} "
          f"({server['udp']} UDP, {server['tcp']} TCP): dropped {server['dropped']}, "
          f"SERVFAIL {server['servfail']}, truncated {server['truncated']}")
    print(f"  lost-verified: {lost} (missing domains {len(faulty_accounts.missing_domains)}, "
          f"unexplained {len(faulty_accounts.unexplained)}, contradicted by the clean run "
          f"{len(contradicted)}, against the zones {len(untrue)})")
    for line in (contradicted + untrue)[:10]:
        print(f"    {line}")
    print(f"clean run: {clean['seconds']:.1f} s, {clean['queries_sent']} queries; verified "
          f"{clean_accounts.verified_domains} of {len(domains)} domains")
    if lost or clean_accounts.verified_domains != len(domains) \
            or faulty["seconds"] > args.deadline + 2:
        raise SystemExit("soak FAILED")
    print("soak passed")


if __name__ == "__main__":
    main()
