"""Benchmark: `docgen collect dns` against checkdmarc's own sequential check_domains.

    python bench/dns_bench.py [--domains 1000] [--baseline-domains 100] [--latency 0.02]

Generates N fictional domains (each with DKIM CNAMEs and keys, DMARC, SPF with
two includes, MX) into a temporary folder, serves them from the loopback test
server (tests/support/dns_server.py) in its own process with `latency` seconds
added to every answer, and runs, one after the other against the same server:

- checkdmarc.check_domains over a subset (it is sequential; the per-domain
  figure is scaled), with nameservers pointing at the loopback server;
- `docgen collect dns` over every domain, as a user would run it.

Each runs in its own process, so its peak memory is its own. The table compares
seconds per domain, and docgen's time with the latency bound: the queries it
sent times the added latency, divided by its concurrency. Only loopback is used.
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


def run_child(args: list[str]) -> tuple[float, int, str]:
    """Run a child; (wall seconds, peak RSS in KiB, stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    stdout = process.stdout.read()
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0,):
        raise SystemExit(f"{args[:4]} failed ({os.waitstatus_to_exitcode(status)}):\n{stderr}")
    return seconds, usage.ru_maxrss, stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--baseline-domains", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--baseline-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_worker:
        port, listing = args.baseline_worker
        return baseline_worker(int(port), Path(listing).read_text().split(), args.timeout)

    with tempfile.TemporaryDirectory(prefix="docgen-dns-bench-") as folder:
        work = Path(folder)
        domains = domain_names(args.domains)
        print(f"generating {len(domains)} domains ...", flush=True)
        write_zones(work / "zones", domains)
        export = write_dkim_export(work / "dkim.json", domains)
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
        finally:
            server.close()
        report(args, len(subset), base_seconds, base_queries, base_rss, len(domains),
               docgen_wall, docgen_queries, docgen_rss, out.strip())


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


if __name__ == "__main__":
    main()
