"""Benchmark: how far import, load, render HTML and diff go with very large inputs.

    python bench/bounds_bench.py [--cases connector,rules,bundle] [--connector-mb 200]
                                 [--rules 50000] [--bundle-mb 100] [--memory-cap-gb 8] [--keep DIR]

Three cases, each generated from the real corpus and samples:

- connector: an Azure AD Connect export whose AD connector XML is --connector-mb
  large (its partition's OU filter holds millions of inclusions);
- rules: an export with --rules sync rules (the corpus's rules, multiplied);
- bundle: a --bundle-mb JSON bundle (Exchange servers, multiplied).

Every step runs `docgen ...` in a fresh process (its peak RSS is its own) with an
address-space cap of --memory-cap-gb, so nothing takes the machine down:
import (for the exports), validate (load: JSON, migration, schema), render
--format html, and diff of the bundle against a copy of itself. Prints a table
of exit code, seconds, peak RSS and docgen's last line. Limits that stop a step
(docgen/limits.py) show as exit 1 with their message; DOCGEN_MAX_*_MB in the
environment raise them, to measure what they prevent.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from aadconnect_bench import generate_export  # noqa: E402

STEP_TIMEOUT = 3600


def connector_export(work: Path, megabytes: int) -> Path:
    """The corpus with one AD connector whose first partition includes millions of OUs."""
    folder = generate_export(work / "connector", rules=62, ad_connectors=1)
    path, text = next((path, path.read_text("utf-8"))
                      for path in sorted((folder / "Connectors").glob("Connector_*.xml"))
                      if "</inclusions>" in path.read_text("utf-8"))
    head, marker, tail = text.partition("</inclusions>")
    entry = "<inclusion>OU=Unit{:08d},OU=Departments,OU=CORP,DC=contoso,DC=com</inclusion>"
    count = max(0, megabytes * 1024 * 1024 - len(text)) // len(entry.format(0))
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        for start in range(0, count, 10_000):
            out.write("".join(entry.format(n) for n in range(start, min(count, start + 10_000))))
        out.write(marker + tail)
    return folder


def rules_export(work: Path, rules: int) -> Path:
    return generate_export(work / "rules", rules=rules, ad_connectors=2)


def big_bundle(work: Path, megabytes: int) -> Path:
    """The Exchange sample's bundle with its servers multiplied to about `megabytes`."""
    from click.testing import CliRunner

    from docgen.bundle import dump_bundle, load_bundle
    from docgen.cli import cli
    sample = work / "sample.bundle.json"
    result = CliRunner().invoke(cli, ["import", "exchange-certs", str(
        REPO / "docgen" / "samples" / "exchange" / "contoso-exchange-certs.json"), "-o", str(sample)])
    assert result.exit_code == 0, result.output
    bundle = load_bundle(sample).data
    section = bundle["sections"]["exchange_certificates"]
    servers = section["items"]
    each = len(dump_bundle(bundle)) / len(servers)
    copies = int(megabytes * 1024 * 1024 / each / len(servers)) + 1
    items = []
    for number in range(copies):
        for server in servers:
            item = copy.deepcopy(server)
            item["name"] = f"{server['name']}-{number:06d}"
            item["key"] = item["name"].lower()
            items.append(item)
    section["items"] = items
    path = work / "big.bundle.json"
    path.write_bytes(dump_bundle(bundle))
    return path


def measure(label: str, args: list[str], cwd: Path, cap_gb: float) -> dict:
    # ru_maxrss of RUSAGE_CHILDREN is the largest of all children so far: run each step
    # through a tiny wrapper process so the figure is the step's own.
    wrapper = [sys.executable, "-c", WRAPPER, str(cap_gb), str(STEP_TIMEOUT), *args]
    started = time.perf_counter()
    completed = subprocess.run(wrapper, cwd=cwd, capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    seconds = time.perf_counter() - started
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    report.update(label=label, wall=seconds)
    return report


WRAPPER = r"""
import json, os, resource, subprocess, sys, time
cap, timeout, args = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
def limit():
    size = int(cap * 1024 ** 3)
    resource.setrlimit(resource.RLIMIT_AS, (size, size))
started = time.perf_counter()
process = subprocess.Popen([sys.executable, "-m", "docgen", *args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, preexec_fn=limit)
try:
    out, err = process.communicate(timeout=timeout)
except subprocess.TimeoutExpired:
    process.kill()
    out, err = process.communicate()
    err += "\nstopped after the benchmark's timeout"
seconds = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
lines = [line for line in (out + err).splitlines() if line.strip()]
print(json.dumps({"exit": process.returncode, "seconds": seconds, "peak_mb": rss,
                  "last": lines[-1][:120] if lines else ""}))
"""


def steps_for(case: str, source: Path, work: Path) -> list[tuple[str, list[str]]]:
    bundle = work / f"{case}.bundle.json"
    copy_of = work / f"{case}.copy.bundle.json"
    steps = []
    if source.is_dir():
        steps.append(("import", ["import", "aadconnect", str(source), "-o", str(bundle)]))
    else:
        shutil.copyfile(source, bundle)
    steps += [("load (validate)", ["validate", str(bundle)]),
              ("render html", ["render", str(bundle), "-o", str(work / f"{case}-out"),
                               "--format", "html", "--no-project"]),
              ("diff (json, html)", ["diff", str(bundle), str(copy_of), "-o",
                                     str(work / f"{case}-diff"), "--format", "json,html"])]
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="connector,rules,bundle")
    parser.add_argument("--connector-mb", type=int, default=200)
    parser.add_argument("--rules", type=int, default=50_000)
    parser.add_argument("--bundle-mb", type=int, default=100)
    parser.add_argument("--memory-cap-gb", type=float, default=8.0)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="docgen-bounds-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for case in args.cases.split(","):
            print(f"generating {case} ...", flush=True)
            if case == "connector":
                source = connector_export(work, args.connector_mb)
                size = sum(p.stat().st_size for p in source.rglob("*.xml"))
                what = f"AAD export, one connector XML of {args.connector_mb} MB"
            elif case == "rules":
                source = rules_export(work, args.rules)
                size = sum(p.stat().st_size for p in source.rglob("*.xml"))
                what = f"AAD export with {args.rules:,} sync rules"
            else:
                source = big_bundle(work, args.bundle_mb)
                size = source.stat().st_size
                what = f"JSON bundle of {args.bundle_mb} MB"
            print(f"{case}: {what} ({size / 2 ** 20:.0f} MB on disk)", flush=True)
            for label, step in steps_for(case, source, work):
                bundle = work / f"{case}.bundle.json"
                if label.startswith("diff") and bundle.exists():
                    shutil.copyfile(bundle, work / f"{case}.copy.bundle.json")
                if label != "import" and not bundle.exists():
                    rows.append({"case": case, "label": label, "exit": None, "seconds": 0,
                                 "peak_mb": 0, "last": "(no bundle: the import stopped)"})
                    continue
                row = measure(label, step, work, args.memory_cap_gb)
                row["case"] = case
                if label != "import" and bundle.exists():
                    row["bundle_mb"] = bundle.stat().st_size / 2 ** 20
                rows.append(row)
                print(f"  {label:18} exit {row['exit']}  {row['seconds']:7.1f} s  "
                      f"{row['peak_mb']:7.0f} MB  {row['last']}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"{'case':10} {'step':18} {'exit':>4} {'seconds':>8} {'peak MB':>8}  last line")
    for row in rows:
        exit_code = "-" if row["exit"] is None else row["exit"]
        print(f"{row['case']:10} {row['label']:18} {exit_code:>4} {row['seconds']:8.1f} "
              f"{row['peak_mb']:8.0f}  {row['last']}")


if __name__ == "__main__":
    main()
