"""Benchmark: a large environment's PDF, rendered whole in one process and in parts in parallel.

    python bench/pdf_bench.py [--rules 1000] [--ad-connectors 10] [--servers 200]
                              [--domains 1000] [--jobs 2] [--keep DIR]

Builds one bundle with all four sections (Azure AD Connect with --rules sync rules
on --ad-connectors AD connectors, --servers Exchange servers, DKIM and mail
authentication for --domains domains, looked up in-process from generated zone
files), then renders its report PDF twice, each in a fresh process:

  1. single: the whole document in one WeasyPrint run, as docgen did before;
  2. parallel: docgen's own path, the document in parts rendered by --jobs
     processes (each part in a fresh process) and merged.

It prints, side by side, the seconds, the peak memory of every process, the page
counts and whether every page's text is the same, the speed-up and whether the
goals are met (at least 1.7x faster; every process under 700 MB). It also
measures how much faster this machine runs two busy processes than one, since
no parallel speed-up can exceed that.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from multiprocessing import get_context
from pathlib import Path

from aadconnect_bench import generate_export
from render_bench import generated_bundle

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from docgen.app.bundles import bundle_with_sections  # noqa: E402
from docgen.app.collect_dns import DnsRequest, prepare_dns, run_dns  # noqa: E402
from docgen.areas.aadconnect.source import import_aadconnect  # noqa: E402
from docgen.areas.exchange_certificates.source import import_exchange_certs  # noqa: E402
from docgen.bundle import save_bundle  # noqa: E402
from docgen.core.dates import parse_iso  # noqa: E402
from docgen.core.resources import data_dir  # noqa: E402
from support.dns_corpus import COLLECTED_AT, domain_names, write_dkim_export, write_zones  # noqa: E402

GOAL_RATIO = 1.7
GOAL_MB = 700

JOB = r"""
import json, resource, sys, time
from pathlib import Path
import docgen.render.documents
from docgen.bundle import load_bundle
from docgen.render.documents import RenderRequest, render_documents
from docgen.render.options import DocumentOptions
from docgen.render.parallel import Report

bundle, out, mode, jobs = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
report = Report()
if mode == "single":
    docgen.render.documents.plan_document = lambda html: None          # the whole document, one run
else:
    in_parts = docgen.render.render_in_parts
    docgen.render.render_in_parts = lambda plan, **kw: in_parts(plan, report=report, **kw)
started = time.perf_counter()
request = RenderRequest(formats=("pdf",), stem="bench", options=DocumentOptions(author="bench"),
                        jobs=jobs)
out.write_bytes(render_documents(load_bundle(bundle), request)["bench.pdf"])
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss_kb": usage.ru_maxrss, "parts": report.parts,
                  "job_rss_kb": report.peak_rss_kb, "job_cpu": report.cpu_seconds}))
"""


def build_bundle(work: Path, rules: int, ad_connectors: int, servers: int, domains: int) -> Path:
    """All four sections, from generated exports read by docgen's own importers."""
    aadconnect = import_aadconnect(generate_export(work / "aadconnect", rules, ad_connectors))
    exchange = import_exchange_certs([data_dir("samples") / "exchange" / "contoso-exchange-certs.json"])
    names = domain_names(domains)
    zones = write_zones(work / "zones", names)
    request = DnsRequest(dkim_config=write_dkim_export(work / "dkim.json", names),
                         zone_files=tuple(zones), collected_at=parse_iso(COLLECTED_AT))
    dns = run_dns(prepare_dns(request))
    bundle = bundle_with_sections(None, [aadconnect, exchange, dns.dkim, dns.mail_auth], "Bench",
                                  run_id=str(uuid.UUID(int=1)))
    path = work / "four-sections.bundle.json"
    save_bundle(path, bundle)
    return generated_bundle(path, servers, work)   # the Exchange servers repeated


def render(bundle: Path, out: Path, mode: str, jobs: int) -> dict:
    completed = subprocess.run([sys.executable, "-c", JOB, str(bundle), str(out), mode, str(jobs)],
                               capture_output=True, text=True)
    if completed.returncode != 0:
        sys.exit(f"the {mode} render failed:\n{completed.stderr}")
    return json.loads(completed.stdout.splitlines()[-1])


def page_texts(path: Path) -> list[str]:
    from pypdf import PdfReader
    return [page.extract_text() for page in PdfReader(path).pages]


def _spin(_: int) -> float:
    started = time.perf_counter()
    total = 0
    for number in range(20_000_000):
        total += number
    return time.perf_counter() - started


def parallel_throughput(processes: int) -> float:
    """How many times the work of one busy process `processes` of them get done in the same time."""
    with get_context("spawn").Pool(processes) as pool:
        one = min(pool.map(_spin, [0]))
        many = max(pool.map(_spin, range(processes)))
    return processes * one / many


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--ad-connectors", type=int, default=10)
    parser.add_argument("--servers", type=int, default=200)
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="work here and keep the files (default: a temp dir)")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="pdf-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"building the environment: {args.rules} sync rules on {args.ad_connectors} AD "
              f"connectors, {args.servers} Exchange servers, {args.domains} domains ...", flush=True)
        bundle = build_bundle(work, args.rules, args.ad_connectors, args.servers, args.domains)
        print(f"bundle: {bundle.stat().st_size / 1e6:.1f} MB", flush=True)
        throughput = [parallel_throughput(args.jobs)]
        print("rendering the whole document in one process ...", flush=True)
        single = render(bundle, work / "single.pdf", "single", args.jobs)
        throughput.append(parallel_throughput(args.jobs))
        print(f"rendering in parts with {args.jobs} processes ...", flush=True)
        parallel = render(bundle, work / "parallel.pdf", "parallel", args.jobs)
        throughput.append(parallel_throughput(args.jobs))
        print("comparing the text of every page ...", flush=True)
        single_pages, parallel_pages = page_texts(work / "single.pdf"), page_texts(work / "parallel.pdf")
        report(args, throughput, single, parallel, single_pages, parallel_pages,
               (work / "single.pdf").stat().st_size, (work / "parallel.pdf").stat().st_size)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(args, throughput: list[float], single: dict, parallel: dict, single_pages: list[str],
           parallel_pages: list[str], single_size: int, parallel_size: int) -> None:
    workers = [kb / 1024 for kb in parallel["job_rss_kb"]]
    peak_single = single["rss_kb"] / 1024
    peak_parallel = max([parallel["rss_kb"] / 1024, *workers])
    same_text = single_pages == parallel_pages
    rows = [
        ("processes", "1", f"1 + {len(workers)} jobs ({args.jobs} at a time; {parallel['parts']} "
                           f"parts + front + overlays)"),
        ("seconds (wall)", f"{single['seconds']:.1f}", f"{parallel['seconds']:.1f}"),
        ("CPU seconds, all processes", f"{single['cpu']:.1f}",   # as the guest counts them
         f"{parallel['cpu'] + sum(parallel['job_cpu']):.1f}"),
        ("peak RSS per process (MB)", f"{peak_single:.0f}",
         f"{peak_parallel:.0f} (driver {parallel['rss_kb'] / 1024:.0f}, jobs {min(workers):.0f}"
         f"-{max(workers):.0f})"),
        ("pages", f"{len(single_pages)}", f"{len(parallel_pages)}"),
        ("PDF size (MB)", f"{single_size / 1e6:.1f}", f"{parallel_size / 1e6:.1f}"),
    ]
    print()
    print(f"{'':28} {'single process':>16}   {'in parts, parallel'}")
    for label, left, right in rows:
        print(f"{label:28} {left:>16}   {right}")
    ratio = single["seconds"] / parallel["seconds"]
    print()
    differing = sum(a != b for a, b in zip(single_pages, parallel_pages))
    print(f"text of every page identical: {'yes' if same_text else f'NO ({differing} pages differ)'}")
    print(f"speed-up: {ratio:.2f}x (goal: at least {GOAL_RATIO}x: "
          f"{'met' if ratio >= GOAL_RATIO else 'NOT met'})")
    print(f"this machine ({os.cpu_count()} CPUs) got {args.jobs} busy processes' work done at "
          f"{', '.join(f'{value:.2f}x' for value in throughput)} the pace of one's (before, between "
          f"and after the renders): running processes side by side gains no more than that")
    print(f"peak memory per process: {peak_parallel:.0f} MB (goal: under {GOAL_MB} MB: "
          f"{'met' if peak_parallel < GOAL_MB else 'NOT met'}); single process {peak_single:.0f} MB")


if __name__ == "__main__":
    main()
