"""Benchmark: `docgen collect dns` against checkdmarc's own sequential check_domains.

    python bench/dns_bench.py [--domains 1000] [--baseline-domains 100] [--latency 0.02]
                              [--dead-timeout 1] [--dead-retries 1]

Generates N fictional domains (each with DKIM CNAMEs and keys, DMARC, SPF with
two includes, MX) into a temporary folder, serves them from the loopback test
server (tests/support/dns_server.py) in its own process with `latency` seconds
added to every answer, and runs, one after the other against the same server:

- checkdmarc.check_domains over a subset (it is sequential; the per-domain
  figure is scaled), with nameservers pointing at the loopback server;
- `docgen collect dns` over every domain, as a user would run it.

Each runs in its own process, so its peak memory is its own. The table compares
seconds per domain, and docgen's time with the latency bound: the queries it
sent times the added latency, divided by its concurrency.

Then one domain whose server never answers: `docgen collect dns` over the same
domains twice more with `--timeout/--retries` of the dead case, once as they are
and once with one more domain whose every name the server drops. The second
table puts the two times side by side: the dead domain should cost about one
timeout round (timeout x (retries + 1)), since its lookups that need no earlier
answer are asked at the same time, not one round per record. Only loopback is
used.
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
from support.dns_corpus import domain_names, write_dkim_export, write_zones  # noqa: E402
from support.dns_server import FaultPlan  # noqa: E402
from support.dns_server_process import ServerProcess  # noqa: E402

DEAD_DOMAIN = "never-answers.com"


def names_of(domain: str) -> list[str]:
    """Every name docgen asks about a generated domain (its server drops them all)."""
    return [domain, f"_dmarc.{domain}", f"_spf.{domain}", f"_mta-sts.{domain}",
            f"_smtp._tls.{domain}", f"default._bimi.{domain}",
            f"selector1._domainkey.{domain}", f"selector2._domainkey.{domain}"]


# -- the two contenders ------------------------------------------------------------

def baseline_worker(port: int, domains: list[str], timeout: float) -> None:
    """Child process: checkdmarc's check_domains, as its documentation shows it."""
    import checkdmarc
    import checkdmarc.utils
    import dns.nameserver
    checkdmarc.utils.DNS_CACHE.clear()
    started = time.perf_counter()
    # check_mx_tls=False: no SMTP; skip_tls is deprecated in 6.x (TLS testing is opt-in).
    checkdmarc.check_domains(domains, nameservers=[dns.nameserver.Do53Nameserver("127.0.0.1", port)],
                             timeout=timeout, check_mx_tls=False)
    print(json.dumps({"seconds": time.perf_counter() - started}), flush=True)


def run_child(args: list[str], exit_codes: tuple[int, ...] = (0,)) -> tuple[float, int, str]:
    """Run a child; (wall seconds, peak RSS in KiB, stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    stdout = process.stdout.read()
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in exit_codes:
        raise SystemExit(f"{args[:4]} failed ({os.waitstatus_to_exitcode(status)}):\n{stderr}")
    return seconds, usage.ru_maxrss, stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--baseline-domains", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--dead-timeout", type=float, default=1.0,
                        help="--timeout of the runs with and without the dead domain")
    parser.add_argument("--dead-retries", type=int, default=1,
                        help="--retries of the runs with and without the dead domain")
    parser.add_argument("--baseline-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_worker:
        port, listing = args.baseline_worker
        return baseline_worker(int(port), Path(listing).read_text().split(), args.timeout)

    with tempfile.TemporaryDirectory(prefix="docgen-dns-bench-") as folder:
        work = Path(folder)
        domains = domain_names(args.domains)
        print(f"generating {len(domains)} domains ...", flush=True)
        write_zones(work / "zones", domains + [DEAD_DOMAIN])
        export = write_dkim_export(work / "dkim.json", domains)
        dead_export = write_dkim_export(work / "dkim-dead.json", domains + [DEAD_DOMAIN])
        subset = domains[:args.baseline_domains]
        (work / "subset.txt").write_text("\n".join(subset) + "\n")
        server = ServerProcess(sorted((work / "zones").glob("*.zone")),
                               FaultPlan(base_delay=args.latency))
        try:
            print(f"serving on 127.0.0.1:{server.port} with {args.latency * 1000:g} ms per answer",
                  flush=True)
            server.clear()
            base_wall, base_rss, out = run_child(
                [sys.executable, __file__, "--baseline-worker", str(server.port),
                 str(work / "subset.txt"), "--timeout", str(args.timeout)])
            base_seconds = json.loads(out)["seconds"]
            base_queries = server.counters()["total"]
            server.clear()
            docgen_wall, docgen_rss, out = run_child(
                [sys.executable, "-m", "docgen", "collect", "dns", "--dkim-config", str(export),
                 "--nameserver", f"127.0.0.1:{server.port}", "--timeout", str(args.timeout),
                 "--concurrency", str(args.concurrency), "-o", str(work / "bench.bundle.json")])
            docgen_queries = server.counters()["total"]
            server.drop(names_of(DEAD_DOMAIN))
            dead_args = ["--timeout", str(args.dead_timeout), "--retries", str(args.dead_retries)]
            alive_wall, _, alive_out = run_child(
                [sys.executable, "-m", "docgen", "collect", "dns", "--dkim-config", str(export),
                 "--nameserver", f"127.0.0.1:{server.port}", *dead_args,
                 "--concurrency", str(args.concurrency), "-o", str(work / "alive.bundle.json")])
            dead_wall, _, dead_out = run_child(
                [sys.executable, "-m", "docgen", "collect", "dns", "--dkim-config", str(dead_export),
                 "--nameserver", f"127.0.0.1:{server.port}", *dead_args,
                 "--concurrency", str(args.concurrency), "-o", str(work / "dead.bundle.json")],
                exit_codes=(0, 4))  # 4: a section is partial (the dead domain's)
        finally:
            server.close()
        report(args, len(subset), base_seconds, base_queries, base_rss, len(domains),
               docgen_wall, docgen_queries, docgen_rss, out.strip())
        report_dead(args, len(domains), alive_wall, dead_wall, dead_out.strip(),
                    unverified_lookups(work / "dead.bundle.json", DEAD_DOMAIN))


def report(args, base_n, base_seconds, base_queries, base_rss, n, seconds, queries, rss, line):
    base_per, per = base_seconds / base_n, seconds / n
    bound = queries * args.latency / args.concurrency
    rows = [
        ("domains", f"{base_n} (of {n})", f"{n}"),
        ("seconds", f"{base_seconds:.1f}", f"{seconds:.1f} (whole process)"),
        ("seconds per domain", f"{base_per:.4f}", f"{per:.4f}"),
        ("queries", f"{base_queries}", f"{queries}"),
        ("queries per domain", f"{base_queries / base_n:.1f}", f"{queries / n:.1f}"),
        ("peak RSS (MiB)", f"{base_rss / 1024:.0f}", f"{rss / 1024:.0f}"),
    ]
    print()
    print(f"{'':22} {'checkdmarc check_domains':>26} {'docgen collect dns':>26}")
    for label, left, right in rows:
        print(f"{label:22} {left:>26} {right:>26}")
    print()
    print(f"speed-up per domain: {base_per / per:.1f}x (goal: at least 20x)")
    print(f"latency bound: {queries} queries x {args.latency * 1000:g} ms / {args.concurrency} = "
          f"{bound:.1f} s; docgen took {seconds / bound:.2f}x the bound (goal: within 2x)")
    print(f"docgen said: {line}")


def unverified_lookups(bundle_path: Path, domain: str) -> dict[str, int]:
    """How the dead domain's own lookups ended, outcome -> count (all should time out)."""
    bundle = json.loads(bundle_path.read_text())
    lookups = [lookup for section in ("dkim", "mail_auth") for item in
               bundle["sections"][section]["items"] if item["key"] == domain
               for lookup in _lookups_of(section, item)]
    outcomes: dict[str, int] = {}
    for lookup in lookups:
        if lookup["name"] == domain or lookup["name"].endswith("." + domain):
            outcomes[lookup["outcome"]] = outcomes.get(lookup["outcome"], 0) + 1
    return outcomes


def _lookups_of(section: str, item: dict) -> list[dict]:
    if section == "dkim":
        return [facts["cname_lookup"] for facts in item["selectors"]]
    return [entry["lookup"] for name, entry in item.items() if isinstance(entry, dict)]


def report_dead(args, n, alive, dead, line, outcomes):
    one_round = args.dead_timeout * (args.dead_retries + 1)
    extra = dead - alive
    print()
    print(f"one domain whose server never answers (--timeout {args.dead_timeout:g} "
          f"--retries {args.dead_retries}: one timeout round = {one_round:g} s)")
    print(f"{'':22} {'every domain answers':>26} {'one never answers':>26}")
    print(f"{'domains':22} {n:>26} {n + 1:>26}")
    print(f"{'seconds':22} {alive:>26.1f} {dead:>26.1f}")
    print()
    print(f"the dead domain cost {extra:.1f} s = {extra / one_round:.2f} timeout rounds "
          f"({dead / alive:.2f}x the time; goal: about one round, not one per record)")
    print(f"its own lookups ended: {', '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))}")
    print(f"docgen said: {line}")


if __name__ == "__main__":
    main()
