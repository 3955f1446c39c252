"""Run the atheris harnesses, each for a given time, and report executions and findings.

    python bench/fuzz/run_fuzz.py [--seconds 600] [--jobs 2] [TARGET ...]

Each target runs in its own process (libFuzzer's -max_total_time), with a seed
corpus copied from docgen/samples/ and tests/data/ (plus generated seeds for the
certificate and bundle targets). Crashing inputs land in bench/fuzz/findings/<target>/;
add each to tests/fuzz_regressions/ with a test once it is fixed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harnesses import REPO, TARGETS, seed_files  # noqa: E402

CHILD = r"""
import sys, atheris
sys.path.insert(0, {here!r})
with atheris.instrument_imports():
    import docgen  # noqa: F401 -- instrument docgen's own code for coverage
    import docgen.bundle, docgen.readers.powershell, docgen.readers.ldif, docgen.readers.certificates
    import docgen.areas.exchange_certificates.source, docgen.readers.xml, docgen.areas.aadconnect.config
    import docgen.areas.dkim.record, docgen.areas.dkim.source, docgen.readers.zones
from harnesses import TARGETS, checked
target = checked(TARGETS[{name!r}][0])
atheris.Setup(sys.argv, target)
atheris.Fuzz()
"""


def generated_seeds(name: str, folder: Path) -> None:
    """Seeds that are not files in the repository: a DER certificate, a demo bundle."""
    if name == "certificate":
        import base64
        import json
        document = json.loads((REPO / "docgen/samples/exchange/contoso-exchange-certs.json").read_text())
        for index, server in enumerate(document["Servers"]):
            if server["InternalTransportCertificate"]:
                (folder / f"cert-{index}.der").write_bytes(base64.b64decode(server["InternalTransportCertificate"]))
    if name == "dkim_record":
        import json
        document = json.loads((REPO / "docgen/samples/dns/contoso-dkim-collector.json").read_text())
        for index, config in enumerate(document["DkimSigningConfig"]):
            for key in ("Selector1PublicKey", "Selector2PublicKey"):
                if config.get(key):
                    (folder / f"record-{index}-{key}.txt").write_text(config[key])
    if name == "bundle":
        from docgen.app.demo import run_demo
        with tempfile.TemporaryDirectory() as tmp:
            demo = run_demo(Path(tmp), formats=())
            shutil.copyfile(demo.bundle_path, folder / "demo.bundle.json")


def run_target(name: str, seconds: int, work: Path) -> dict:
    corpus = work / name / "corpus"
    corpus.mkdir(parents=True)
    for index, path in enumerate(seed_files(TARGETS[name][1])):
        shutil.copyfile(path, corpus / f"seed-{index}{path.suffix}")
    generated_seeds(name, corpus)
    findings = HERE / "findings" / name
    findings.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-c", CHILD.format(here=str(HERE), name=name), str(corpus),
         f"-max_total_time={seconds}", f"-artifact_prefix={findings}/", "-rss_limit_mb=2048",
         "-timeout=20", "-print_final_stats=1"],
        capture_output=True, text=True, cwd=REPO)
    output = completed.stdout + completed.stderr
    executions = re.findall(r"stat::number_of_executed_units:\s*(\d+)", output)
    return {"target": name, "seconds": round(time.monotonic() - started), "exit": completed.returncode,
            "executions": int(executions[-1]) if executions else None,
            "findings": sorted(p.name for p in findings.iterdir()),
            "tail": output.strip().splitlines()[-12:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", default=sorted(TARGETS))
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda name: run_target(name, args.seconds, Path(tmp)), args.targets))
    print(f"{'target':<18}{'seconds':>8}{'executions':>12}{'exit':>6}  findings")
    for result in results:
        print(f"{result['target']:<18}{result['seconds']:>8}{result['executions'] or '?':>12}"
              f"{result['exit']:>6}  {', '.join(result['findings']) or 'none'}")
    for result in results:
        if result["exit"] != 0:
            print(f"\n--- {result['target']} ---\n" + "\n".join(result["tail"]))


if __name__ == "__main__":
    main()
