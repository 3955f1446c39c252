"""Time, pages per second and peak memory of rendering: the demo bundle and a 200-server bundle.

    python bench/render_bench.py [--servers 200] [--repeat 3] [--baseline REV] [--formats html,pdf]

Each measurement runs in its own process, so peak RSS is that job's alone. The
load-only row is the same process doing nothing but importing docgen and loading
the bundle, so the ratios show what HTML and PDF rendering themselves cost.

With --baseline REV (a git revision of this repository), the same bundles are also
rendered by that revision's docgen, exported with `git archive` into a temporary
folder and put first on PYTHONPATH: "before" is REV, "after" is the tree this
script is in. Runs alternate before/after; each number is the median of --repeat
runs (wall seconds, and CPU seconds of the job and its rendering processes, which
a busy shared machine disturbs less). Every PDF's page count and the text of each
of its pages (pypdf) must be the same before and after: the bench exits with
status 1 if they are not.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

JOB = r"""
import resource, sys, time
from pathlib import Path
import docgen.cli  # the command's import order (docgen.render alone is a circular import)
from docgen.bundle import load_bundle
from docgen.render.context import DocumentOptions
from docgen.render.parallel import Report
try:   # this layout
    import docgen.render.documents as renderer
    from docgen.app.outputs import write_documents
except ImportError:   # a --baseline revision from before the registry
    import docgen.render as renderer
    from docgen.workflow import write_documents
RenderRequest = renderer.RenderRequest
bundle, out, formats = Path(sys.argv[1]), Path(sys.argv[2]), tuple(sys.argv[3].split(","))
# a long PDF is rendered by worker processes: their peak memory is reported apart
report = Report()
in_parts = renderer.render_in_parts
renderer.render_in_parts = lambda plan, **kw: in_parts(plan, report=report, **kw)
start, cpu = time.perf_counter(), time.process_time()
loaded = load_bundle(bundle)
if formats != ("none",):
    write_documents(loaded, out, RenderRequest(formats=formats, stem="bench",
                                               options=DocumentOptions(author="bench")))
elapsed = time.perf_counter() - start
# each rendering process reports its own CPU time (they are the forkserver's children, not ours)
cpu = time.process_time() - cpu + sum(report.cpu_seconds)
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, max(report.peak_rss_kb, default=0),
      cpu, Path(docgen.__file__).parent)
"""


def measure(bundle: Path, out: Path, formats: str, tree: Path) -> tuple[float, float, float, float]:
    """Wall seconds, peak RSS (MB), largest worker's RSS (MB) and CPU seconds of one render job,
    run in a fresh process on the docgen in `tree`."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")]))}
    completed = subprocess.run([sys.executable, "-c", JOB, str(bundle), str(out), formats],
                               check=True, capture_output=True, text=True, env=env, cwd=out.parent)
    seconds, max_rss_kb, worker_rss_kb, cpu, where = completed.stdout.split()
    if Path(where).resolve() != (tree / "docgen").resolve():
        sys.exit(f"the job imported docgen from {where}, not from {tree}")
    return float(seconds), int(max_rss_kb) / 1024, int(worker_rss_kb) / 1024, float(cpu)


def demo_bundle(work: Path, tree: Path) -> Path:
    """The demo's bundle as the docgen in `tree` writes it (a newer docgen reads an older bundle)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")]))}
    subprocess.run([sys.executable, "-m", "docgen", "demo", "-o", str(work / "demo"), "--format", "html"],
                   check=True, capture_output=True, cwd=work, env=env)
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


def export_revision(revision: str, target: Path) -> Path:
    """The docgen of `revision`, as `git archive` gives it, in `target`."""
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def page_texts(path: Path) -> list[str]:
    from pypdf import PdfReader
    return [page.extract_text() for page in PdfReader(path).pages]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", help="git revision to compare with (before); default: none")
    parser.add_argument("--formats", default="html,pdf")
    args = parser.parse_args()
    formats = args.formats.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        trees = {"after": REPO}
        if args.baseline:
            trees = {"before": export_revision(args.baseline, work / "before"), "after": REPO}
        demo = demo_bundle(work, trees.get("before", REPO))   # both versions read the older one
        large = generated_bundle(demo, args.servers, work)
        bundles = {"demo (5 servers)": demo, f"generated ({args.servers} servers)": large}
        rows, texts, failed = [], {}, False
        for label, bundle in bundles.items():
            base = [measure(bundle, _out(work, "load"), "none", REPO) for _ in range(args.repeat)]
            base_s, base_mb = _median(base, 0), _median(base, 1)
            for fmt in formats:
                runs: dict[str, list] = {version: [] for version in trees}
                for _ in range(args.repeat):
                    for version, tree in trees.items():
                        out = _out(work, f"{label}-{fmt}-{version}")
                        runs[version].append(measure(bundle, out, fmt, tree))
                        if fmt == "pdf":
                            texts[(label, version)] = page_texts(out / "bench.pdf")
                for version in trees:
                    pages = len(texts[(label, version)]) if fmt == "pdf" else None
                    rows.append((label, fmt, version, _median(runs[version], 0), _median(runs[version], 3),
                                 pages, _median(runs[version], 1), _median(runs[version], 2), base_s, base_mb))
        print(f"median of {args.repeat} runs, each in a new process"
              + (f"; before = {args.baseline}, after = this tree" if args.baseline else ""))
        print(f"{'bundle':<26} {'format':<6} {'version':<7} {'seconds':>8} {'cpu s':>7} {'pages':>6} "
              f"{'pages/s':>8} {'peak MB':>8} {'worker MB':>9} {'load-only s':>11} {'MB ratio':>8}")
        for label, fmt, version, seconds, cpu, pages, mb, worker_mb, base_s, base_mb in rows:
            shown_pages = f"{pages:6d} {pages / seconds:8.2f}" if pages else f"{'':6} {'':8}"
            print(f"{label:<26} {fmt:<6} {version:<7} {seconds:8.2f} {cpu:7.2f} {shown_pages} {mb:8.0f} "
                  f"{worker_mb:9.0f} {base_s:11.2f} {mb / base_mb:8.1f}")
        print("(cpu s: the job's CPU and its rendering processes' (they report their own); worker MB: the largest process a "
              "parted PDF render started, 0 when rendered whole)")
        if args.baseline and "pdf" in formats:
            for label in bundles:
                before, after = texts[(label, "before")], texts[(label, "after")]
                timed = {version: next(r for r in rows if r[0] == label and r[1] == "pdf" and r[2] == version)
                         for version in trees}
                speed = timed["before"][3] / timed["after"][3]
                cpu_speed = timed["before"][4] / timed["after"][4]
                same = before == after
                failed |= not same
                differing = [number + 1 for number, (old, new) in enumerate(zip(before, after)) if old != new]
                print(f"{label} PDF: {speed:.2f}x faster (wall), {cpu_speed:.2f}x (CPU); goal 2x: "
                      f"{'met' if speed >= 2 else 'NOT met'}; pages {len(before)} -> {len(after)}; "
                      + ("text of every page identical" if same else
                         f"TEXT DIFFERS on pages {differing[:20]}"))
        print(f"peak RSS of this driver: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if failed:
        sys.exit(1)


def _out(work: Path, name: str) -> Path:
    path = work / "out" / name.replace(" ", "-").replace("(", "").replace(")", "")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _median(runs: list, index: int) -> float:
    return statistics.median(run[index] for run in runs)


if __name__ == "__main__":
    main()
