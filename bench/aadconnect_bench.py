"""Benchmark: `docgen import aadconnect` against bare lxml parsing, and the HTML render.

Two shapes of Get-ADSyncServerConfiguration export, each at two sizes, so that
the cost of the extra rules can be told apart from the fixed costs:

  real       the real export in samples/aadconnect (62 rules), and the same export
             with each rule copied 15 more times (992 rules; each copy has a new id
             and name, the rest of its file byte for byte the real one);
  generated  the real files multiplied with 10 AD connectors: 62 and 1,000 rules,
             every tenth rule made custom (larger files than the real shape).

For each export, in one run and on the same files:

  1. bare lxml: etree.parse() of every file, nothing else (the baseline);
  2. docgen in-process: the `docgen import aadconnect <folder> -o bundle.json`
     command run through click in this process (read, hash, parse hardened,
     extract, build, validate and write the bundle), without interpreter start-up;
     with its parts timed apart;
  3. docgen CLI: the same command in a new process (`python -m docgen`), start-up
     included.

The goals (issue 19): the import of the 992-rule export within 2x of bare
parsing on the increment over the 62-rule export (start-up and fixed costs not
counted twice) and within 3x on the whole, both measured in-process. The CLI's
increment is printed too: start-up cancels out of it.

Then `docgen render --format html` of the large generated export (goal: under 5 s).

Runs are interleaved (every measurement once per round) and each reported number
is the median of --repeat rounds (wall, and CPU: the machine is shared, its noise comes in
bursts and stretches wall time far more than CPU time).

    python bench/aadconnect_bench.py [--repeat 7] [--copies 15] [--rules 1000]
                                     [--ad-connectors 10] [--render-repeat 3] [--keep DIR]

To time an older docgen with this same bench, put its tree first on PYTHONPATH:
`git archive <rev> | tar -x -C /tmp/old && PYTHONPATH=/tmp/old python bench/aadconnect_bench.py`.

With --baseline REV, each of the four exports is also imported by that revision's
docgen (`git archive` into a temporary folder, first on PYTHONPATH, a new process),
and its bundle must equal this tree's but for the run id and the tool version:
a faster import must not change what it writes. The bench exits with status 1 if not.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable

from click.testing import CliRunner
from lxml import etree
from render_bench import export_revision

import docgen
from docgen.areas.aadconnect.source import import_aadconnect
from docgen.bundle import dump_bundle, load_bundle, new_bundle, put_section
from docgen.bundle.schema import schema_errors
from docgen.cli import cli
from docgen.core.atomic import write_atomic
from docgen.core.dates import iso_utc

CORPUS = Path(__file__).resolve().parents[1] / "docgen" / "samples" / "aadconnect" / "contoso-2016"
AD_ID = "ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d"
AD_FILE = f"Connectors/Connector_{{{AD_ID}}}.xml"
# Every tenth generated rule is turned into a custom rule ahead of the defaults.
CUSTOM_EVERY = 10
SMALL_RULES = 62
GOAL_INCREMENT = 2.0
GOAL_WHOLE = 3.0


def generate_export(target: Path, rules: int, ad_connectors: int, corpus: Path = CORPUS) -> Path:
    """The corpus multiplied; every id new, every rule on one of the generated connectors."""
    if not (corpus / "GlobalSettings" / "MV.xml").is_file():
        sys.exit(f"the corpus is missing at {corpus}")
    folder = target / "export"
    (folder / "GlobalSettings").mkdir(parents=True)
    (folder / "Connectors").mkdir()
    (folder / "SynchronizationRules").mkdir()
    shutil.copyfile(corpus / "GlobalSettings" / "MV.xml", folder / "GlobalSettings" / "MV.xml")
    ad_ids = [_write_ad_connector(corpus / AD_FILE, folder, index) for index in range(ad_connectors)]
    for path in (corpus / "Connectors").glob("*.xml"):
        if path.name != Path(AD_FILE).name:
            shutil.copyfile(path, folder / "Connectors" / path.name)
    templates = sorted((corpus / "SynchronizationRules").glob("*.xml"))
    for index in range(rules):
        _write_rule(templates[index % len(templates)], folder, index, ad_ids)
    return folder


def _write_ad_connector(template: Path, folder: Path, index: int) -> str:
    root = etree.parse(str(template)).getroot()
    connector_id = str(uuid.UUID(int=index + 1, version=4))
    root.find("id").text = "{" + connector_id.upper() + "}"
    root.find("name").text = f"forest{index:02}.contoso.com"
    for partition in root.iterfind("ma-partition-data/partition"):
        partition.find("id").text = "{" + str(uuid.UUID(int=1000 + index, version=4)) + "}"
    (folder / "Connectors" / f"Connector_{{{connector_id}}}.xml").write_bytes(
        etree.tostring(root, encoding="utf-8"))
    return connector_id


def _write_rule(template: Path, folder: Path, index: int, ad_ids: list[str]) -> None:
    root = etree.parse(str(template)).getroot()
    rule_id = str(uuid.UUID(int=100_000 + index, version=4))
    root.find("id").text = "{" + rule_id + "}"
    root.find("name").text = f"{root.findtext('name')} #{index}"
    connector = root.find("connector")
    if connector.text.strip("{}").lower() == AD_ID:
        connector.text = "{" + ad_ids[index % len(ad_ids)] + "}"
    root.find("precedence").text = str(100 + index)
    if index % CUSTOM_EVERY == 0:
        root.find("immutable-tag").text = None
        root.find("precedence").text = str(1 + index // CUSTOM_EVERY)
    (folder / "SynchronizationRules" / f"SynchronizationRule_{{{rule_id}}}.xml").write_bytes(
        etree.tostring(root, encoding="utf-8"))


_FIRST_NAME = re.compile(rb"<name>(.*?)</name>", re.S)


def multiply_real_export(target: Path, copies: int, corpus: Path = CORPUS) -> Path:
    """The real export with each rule copied `copies` more times.

    A copy is its rule's file byte for byte, but for a new GUID (in its file name,
    <id> and <internal-id>) and " (copy N)" after its <name>: the same XML to parse,
    new identities to keep apart.
    """
    folder = target / "export"
    shutil.copytree(corpus, folder)
    number = 0
    for path in sorted((corpus / "SynchronizationRules").glob("*.xml")):
        data = path.read_bytes()
        old_id = path.stem.partition("_")[2].strip("{}").encode()
        if data.count(old_id) < 1 or not _FIRST_NAME.search(data):
            sys.exit(f"{path.name}: no id or name to replace")
        for copy in range(1, copies + 1):
            number += 1
            new_id = str(uuid.UUID(int=200_000 + number, version=4))
            text = data.replace(old_id, new_id.encode()).replace(old_id.upper(), new_id.upper().encode())
            text = _FIRST_NAME.sub(lambda match: b"<name>" + match.group(1) + b" (copy %d)</name>" % copy,
                                   text, count=1)
            (folder / "SynchronizationRules" / f"SynchronizationRule_{{{new_id}}}.xml").write_bytes(text)
    return folder


def bare_parse(folder: Path) -> int:
    count = 0
    for path in sorted(folder.rglob("*.xml")):
        etree.parse(str(path))
        count += 1
    return count


def interleaved(repeat: int, actions: dict[str, Callable[[], object]]) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of each action; every round runs each action once, in turn.

    CPU is this process's and its finished children's (the CLI's new process): a busy
    shared machine stretches wall time far more than CPU time.
    """
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in actions}
    for _ in range(repeat):
        for label, action in actions.items():
            started, cpu = time.perf_counter(), _cpu()
            action()
            times[label].append((time.perf_counter() - started, _cpu() - cpu))
    return {label: (statistics.median(wall for wall, _ in values),
                    statistics.median(cpu for _, cpu in values))
            for label, values in times.items()}


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _fresh(path: Path) -> Path:
    path.unlink(missing_ok=True)
    return path


def run_cli(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    if result.exit_code != 0:
        sys.exit(f"docgen {' '.join(args)} failed ({result.exit_code}): {result.output}")


def run_process(*args: str) -> None:
    completed = subprocess.run([sys.executable, "-m", "docgen", *args], capture_output=True, text=True)
    if completed.returncode != 0:
        sys.exit(f"python -m docgen {' '.join(args)} failed ({completed.returncode}): "
                 f"{completed.stderr}")


def export_actions(label: str, folder: Path, work: Path) -> dict[str, Callable[[], object]]:
    """What is timed for one export, interleaved: bare parsing, the command in-process, the CLI."""
    bundle = work / f"{label}.bundle.json"
    run_cli("import", "aadconnect", str(folder), "-o", str(_fresh(bundle)))
    rules = load_bundle(bundle).data["sections"]["aadconnect"]["items"][0]["sync_rules"]
    if len({rule["name"] for rule in rules}) != len(rules):
        sys.exit(f"{label}: two rules share a name")
    # a new bundle each time: importing into an existing one would time loading it too
    return {
        f"{label}/bare": lambda: bare_parse(folder),
        f"{label}/docgen": lambda: run_cli("import", "aadconnect", str(folder), "-o", str(_fresh(bundle))),
        f"{label}/cli": lambda: run_process("import", "aadconnect", str(folder), "-o", str(_fresh(bundle))),
    }


def part_times(label: str, folder: Path, work: Path, repeat: int) -> dict[str, tuple[float, float]]:
    """The command's parts, timed apart after the interleaved rounds (each holds its bundle)."""
    result = import_aadconnect(folder)
    full = put_section(new_bundle("Bench", iso_utc(result.collected_at)), result)
    del result
    return interleaved(repeat, {
        f"{label}/import": lambda: import_aadconnect(folder),
        f"{label}/validate": lambda: schema_errors(full),
        f"{label}/write": lambda: write_atomic(work / f"{label}.copy.json", dump_bundle(full)),
    })


def describe(folder: Path) -> str:
    files = list(folder.rglob("*.xml"))
    rules = len(list(folder.glob("SynchronizationRules/*.xml")))
    connectors = len(list(folder.glob("Connectors/*.xml")))
    return (f"{rules} rules, {connectors} connectors: {len(files)} XML files, "
            f"{sum(path.stat().st_size for path in files) / 1e6:.1f} MB")


def report(shape: str, small: Path, large: Path, t: dict[str, tuple[float, float]]) -> list[float]:
    """Print one shape's table; return the in-process ratios (increment, whole), wall then CPU."""
    print(f"\n{shape}: small = {describe(small)}; large = {describe(large)}")
    print(f"{'median seconds':42} {'wall:':>5} {'small':>6} {'large':>6} {'incr.':>6}   {'cpu:':>4} "
          f"{'small':>6} {'large':>6} {'incr.':>6}")

    def row(label: str, key: str) -> list[float]:
        (a, ca), (b, cb) = t[f"{shape}-small/{key}"], t[f"{shape}-large/{key}"]
        print(f"{label:42} {'':5} {a:6.3f} {b:6.3f} {b - a:6.3f}   {'':4} {ca:6.3f} {cb:6.3f} {cb - ca:6.3f}")
        return [a, b, b - a, ca, cb, cb - ca]

    def ratio(label: str, numerator: list[float], denominator: list[float]) -> list[float]:
        r = [n / d for n, d in zip(numerator, denominator)]
        print(f"{label:42} {'':5} {r[0]:6.2f} {r[1]:6.2f} {r[2]:6.2f}   {'':4} {r[3]:6.2f} {r[4]:6.2f} {r[5]:6.2f}")
        return r

    bare = row("bare lxml: etree.parse every file", "bare")
    docgen_row = row("docgen import, in-process (click, whole)", "docgen")
    row("  of which: read, hash, parse, extract", "import")
    row("  of which: validate bundle (schema)", "validate")
    row("  of which: serialise + write bundle", "write")
    cli_row = row("docgen import, CLI (new process)", "cli")
    ratios = ratio("docgen in-process x bare parse", docgen_row, bare)
    ratio("docgen CLI x bare parse", cli_row, bare)
    return [ratios[2], ratios[1], ratios[5], ratios[4]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--copies", type=int, default=15, help="more copies of each real rule")
    parser.add_argument("--rules", type=int, default=1000, help="rules of the large generated export")
    parser.add_argument("--ad-connectors", type=int, default=10)
    parser.add_argument("--render-repeat", type=int, default=3, help="0: no render")
    parser.add_argument("--keep", type=Path, help="generate here and keep it (default: a temp dir)")
    parser.add_argument("--baseline", help="git revision whose bundles must equal this tree's")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="aadconnect-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        exports = {
            "real-small": CORPUS,
            "real-large": multiply_real_export(work / "real-large", args.copies),
            "generated-small": generate_export(work / "generated-small", SMALL_RULES, args.ad_connectors),
            "generated-large": generate_export(work / "generated-large", args.rules, args.ad_connectors),
        }
        actions: dict[str, Callable[[], object]] = {}
        for label, folder in exports.items():
            actions.update(export_actions(label, folder, work))
        print(f"docgen {docgen.__version__} from {Path(docgen.__file__).parent}; "
              f"median of {args.repeat} interleaved rounds")
        t = interleaved(args.repeat, actions)
        for label, folder in exports.items():
            t.update(part_times(label, folder, work, args.repeat))
        goals = {shape: report(shape, exports[f"{shape}-small"], exports[f"{shape}-large"], t)
                 for shape in ("real", "generated")}
        for shape, (increment, whole, cpu_increment, cpu_whole) in goals.items():
            print(f"goal ({shape}, in-process, wall): increment within {GOAL_INCREMENT:g}x of bare "
                  f"parsing: {increment:.2f}x ({'met' if increment <= GOAL_INCREMENT else 'NOT met'}); "
                  f"whole within {GOAL_WHOLE:g}x: {whole:.2f}x "
                  f"({'met' if whole <= GOAL_WHOLE else 'NOT met'}); by CPU time: {cpu_increment:.2f}x "
                  f"and {cpu_whole:.2f}x")
        same = _compare_with(args.baseline, exports, work) if args.baseline else True
        if args.render_repeat:
            _render(work, args.render_repeat)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if not same:
        sys.exit(1)


VOLATILE = ("run_id", "tool_version")   # what differs between any two runs or versions


def _compare_with(revision: str, exports: dict[str, Path], work: Path) -> bool:
    """Each export's bundle as `revision` writes it against this tree's; True when all equal."""
    tree = export_revision(revision, work / "baseline")
    env = {**os.environ, "PYTHONPATH": str(tree)}
    same = True
    print(f"\nbundles against {revision}'s (all but {', '.join(VOLATILE)}):")
    for label, folder in exports.items():
        old, new = work / f"{label}.baseline.json", work / f"{label}.bundle.json"
        run_cli("import", "aadconnect", str(folder), "-o", str(_fresh(new)))
        completed = subprocess.run([sys.executable, "-m", "docgen", "import", "aadconnect", str(folder),
                                    "-o", str(_fresh(old))], capture_output=True, text=True, env=env)
        if completed.returncode != 0:
            sys.exit(f"{revision}: docgen import aadconnect {folder} failed: {completed.stderr}")
        before, after = _comparable(old), _comparable(new)
        equal = before == after
        same &= equal
        rules = len(after["sections"]["aadconnect"]["items"][0]["sync_rules"])
        print(f"  {label}: {rules} rules, {new.stat().st_size / 1e6:.1f} MB: "
              + ("identical" if equal else "DIFFERENT"))
    return same


def _comparable(path: Path) -> dict:
    document = json.loads(path.read_bytes())
    for key in VOLATILE:
        document.pop(key, None)
    return document


def _render(work: Path, repeat: int) -> None:
    bundle, out = work / "generated-large.bundle.json", work / "out"
    t = interleaved(repeat, {
        "render": lambda: run_cli("render", str(bundle), "-o", str(out), "--format", "html"),
        "load": lambda: load_bundle(bundle),
    })
    render, load = t["render"][0], t["load"][0]
    print(f"\ndocgen render --format html of the large generated export (bundle "
          f"{bundle.stat().st_size / 1e6:.1f} MB, HTML {(out / 'generated-large.html').stat().st_size / 1e6:.1f}"
          f" MB), median of {repeat}: {render:.2f} s, of which load + validate "
          f"{load:.2f} s; goal under 5 s: {'met' if render < 5 else 'NOT met'}")


if __name__ == "__main__":
    main()
