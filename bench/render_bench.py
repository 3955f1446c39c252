"""Time and peak memory of rendering: the demo bundle, and a generated 200-server bundle.

    python bench/render_bench.py [--servers 200]

Each measurement runs in its own process, so peak RSS is that job's alone. The
baseline is the same process doing nothing but importing docgen and loading the
bundle, so the ratios show what HTML and PDF rendering themselves cost.
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

JOB = r"""
import resource, sys, time
from pathlib import Path
from docgen.bundle import load_bundle
from docgen.render.documents import RenderRequest
from docgen.render.context import DocumentOptions
from docgen.app.outputs import write_documents
import docgen.render.documents
from docgen.render.parallel import Report
bundle, out, formats = Path(sys.argv[1]), Path(sys.argv[2]), tuple(sys.argv[3].split(","))
# a long PDF is rendered by worker processes: their peak memory is reported apart
report = Report()
in_parts = docgen.render.documents.render_in_parts
docgen.render.documents.render_in_parts = lambda plan, **kw: in_parts(plan, report=report, **kw)
start = time.perf_counter()
loaded = load_bundle(bundle)
if formats != ("none",):
    write_documents(loaded, out, RenderRequest(formats=formats, stem="bench",
                                               options=DocumentOptions(author="bench")))
elapsed = time.perf_counter() - start
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, max(report.peak_rss_kb, default=0))
"""


def measure(bundle: Path, out: Path, formats: str) -> tuple[float, float, float]:
    """Seconds, peak RSS (MB) of one render job in a fresh process, and of its largest worker."""
    completed = subprocess.run([sys.executable, "-c", JOB, str(bundle), str(out), formats],
                               check=True, capture_output=True, text=True)
    seconds, max_rss_kb, worker_rss_kb = completed.stdout.split()
    return float(seconds), int(max_rss_kb) / 1024, int(worker_rss_kb) / 1024


def demo_bundle(work: Path) -> Path:
    subprocess.run([sys.executable, "-m", "docgen", "demo", "-o", str(work / "demo"), "--format", "html"],
                   check=True, capture_output=True)
    return work / "demo" / "contoso.bundle.json"


def generated_bundle(source: Path, servers: int, work: Path) -> Path:
    """The demo's servers repeated under new names: real certificate facts, many servers."""
    bundle = json.loads(source.read_text())
    section = bundle["sections"]["exchange_certificates"]
    templates = section["items"]
    items = []
    for number in range(servers):
        item = copy.deepcopy(templates[number % len(templates)])
        name = f"EX{number + 1:03d}"
        item.update(key=name.lower(), name=name, dn=f"CN={name},CN=Servers,DC=corp,DC=contoso,DC=com",
                    fqdn=f"{name}.corp.contoso.com")
        items.append(item)
    section["items"] = items
    path = work / f"servers-{servers}.bundle.json"
    path.write_text(json.dumps(bundle, sort_keys=True, indent=2) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        demo = demo_bundle(work)
        large = generated_bundle(demo, args.servers, work)
        rows = []
        for label, bundle in (("demo (5 servers)", demo), (f"generated ({args.servers} servers)", large)):
            base_s, base_mb, _ = measure(bundle, work / "out", "none")
            for formats in ("html", "pdf"):
                seconds, mb, worker_mb = measure(bundle, work / "out", formats)
                rows.append((label, formats, seconds, mb, worker_mb, base_s, base_mb))
        print(f"{'bundle':<26} {'format':<6} {'seconds':>8} {'peak MB':>8} {'worker MB':>9} "
              f"{'load-only s':>11} {'load-only MB':>12} {'MB ratio':>8}")
        for label, formats, seconds, mb, worker_mb, base_s, base_mb in rows:
            print(f"{label:<26} {formats:<6} {seconds:8.2f} {mb:8.0f} {worker_mb:9.0f} {base_s:11.2f} "
                  f"{base_mb:12.0f} {mb / base_mb:8.1f}")
        print("(worker MB: the largest process a parted PDF render started; 0 when rendered whole)")
        pages = _pdf_pages(work / "out" / "bench.pdf")
        print(f"\nlast PDF: {pages} pages; peak RSS of this driver: "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def _pdf_pages(path: Path) -> int:
    try:
        from pypdf import PdfReader
    except ImportError:
        return -1
    return len(PdfReader(path).pages)


if __name__ == "__main__":
    main()
