"""Batch speed: N copies of the demo folder, one after another and with `docgen batch --jobs J`.

    python bench/batch_bench.py [--copies 20] [--jobs 2] [--no-jobs-1]

Each copy is a project folder made by `docgen init` holding the demo's sample exports
(Exchange certificates, Azure AD Connect with its server configuration folder, the DKIM
export) and answering DNS from the sample zone files ([dns] zone_files), so it builds what
`docgen demo` builds (bundle, HTML, PDF) with no network.

"One after another" is `docgen build` run in each folder in turn, as a script did before
`docgen batch`: the baseline, measured in the same run. Also measured: `docgen batch
--jobs 1`, the same per-folder processes one at a time, which shows what the parallelism
alone gives. Goal (issue 18): with --jobs 2, at most 0.6x one after another.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "docgen" / "samples"
GOAL = 0.6


def demo_folder(parent: Path, environment: dict[str, str]) -> Path:
    folder = parent / "template"
    subprocess.run([sys.executable, "-m", "docgen", "init", str(folder), "--organization", "Contoso"],
                   check=True, env=environment, capture_output=True)
    raw = folder / "raw"
    shutil.copy(SAMPLES / "exchange" / "contoso-exchange-certs.json", raw)
    shutil.copy(SAMPLES / "aadconnect" / "contoso-aadconnect.json", raw)
    shutil.copytree(SAMPLES / "aadconnect" / "contoso-2016", raw / "contoso-2016")
    shutil.copy(SAMPLES / "dns" / "contoso-dkim-collector.json", raw)
    shutil.copytree(SAMPLES / "dns" / "zones", folder / "zones")
    zones = sorted(f"zones/{path.name}" for path in (folder / "zones").glob("*.zone"))
    toml = folder / "docgen.toml"
    text = toml.read_text("utf-8").replace('# zone_files = ["planned/contoso.com.zone"]',
                                           f"zone_files = {json.dumps(zones)}")
    toml.write_text(text, "utf-8")
    return folder


def timed(label: str, commands: list[tuple[list[str], Path]], environment: dict[str, str],
          cpu_counted: bool = True) -> float:
    """Wall seconds of the commands one after another; each must succeed. The CPU time of a
    batch's folder processes is not counted (they are children of the fork server)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for command, cwd in commands:
        done = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{label}: {' '.join(command)} exited {done.returncode}\n{done.stdout}{done.stderr}")
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"  {label:<34} {seconds:7.1f} s wall" + (f", {cpu:7.1f} s CPU" if cpu_counted else ""),
          flush=True)
    return seconds


def contention() -> str:
    """How busy the machine is besides us: load average, and Linux's CPU pressure (the share
    of time some runnable task waited for a CPU, last 60 s). Wall times mean little when high."""
    words = [f"load average {os.getloadavg()[0]:.1f}"] if hasattr(os, "getloadavg") else []
    try:
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        words.append(f"CPU pressure {dict(part.split('=') for part in some.split()[1:])['avg60']}%")
    except (OSError, IndexError, KeyError):
        pass
    return ", ".join(words) or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-jobs-1", dest="jobs_1", action="store_false",
                        help="leave out `docgen batch --jobs 1`")
    args = parser.parse_args()
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    python = [sys.executable, "-m", "docgen"]
    with tempfile.TemporaryDirectory(prefix="docgen-batch-bench-") as temporary:
        root = Path(temporary)
        template = demo_folder(root, environment)
        folders = []
        for number in range(1, args.copies + 1):
            folder = root / "customers" / f"contoso-{number:02d}"
            shutil.copytree(template, folder)
            folders.append(folder)
        print(f"{args.copies} copies of the demo folder (bundle, HTML, PDF each); {os.cpu_count()} CPU(s); "
              f"before: {contention()}")
        timed("warm-up: one docgen build", [([*python, "build"], template)], environment)
        one_by_one = timed("docgen build in each, one by one", [([*python, "build"], folder)
                                                                  for folder in folders], environment)
        names = [str(folder.relative_to(root)) for folder in folders]
        if args.jobs_1:
            single = timed("docgen batch --jobs 1", [([*python, "batch", *names, "--jobs", "1"], root)],
                           environment, cpu_counted=False)
        parallel = timed(f"docgen batch --jobs {args.jobs}",
                         [([*python, "batch", *names, "--jobs", str(args.jobs)], root)], environment,
                         cpu_counted=False)
        ratio = parallel / one_by_one
        print(f"batch --jobs {args.jobs} / one by one: {ratio:.2f} (goal: at most {GOAL})"
              + (f"; batch --jobs {args.jobs} / batch --jobs 1: {parallel / single:.2f}" if args.jobs_1 else ""))
        print(f"after: {contention()}")
        print("ok" if ratio <= GOAL else "SLOWER THAN THE GOAL")


if __name__ == "__main__":
    main()
