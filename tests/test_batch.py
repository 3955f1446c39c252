"""`docgen batch` over real project folders, `docgen baseline accept`, the run summary and
its schema, the overview page, exit codes, and the ready-made scheduling in examples/
(README: "Many customers at once").

Folders are made with `docgen init` and the package's sample exports; they write HTML
only, except the one slow test that reads the PDFs."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import html5lib
import jsonschema
import lxml.html
import pytest
import yaml

from conftest import EXCHANGE_SAMPLES, REPO, SAMPLES, interrupted_move, invoke
from docgen.app.batch import batch_exit_code, run_in_processes
from docgen.cli import cli

WORKFLOW = REPO / "examples" / "github-actions" / "docgen-nightly.yml"
CRON = REPO / "examples" / "cron" / "docgen-batch.cron"
CERTS = "contoso-exchange-certs.json"


def make_folder(parent: Path, name: str, *, organization: str | None = None, aadconnect: bool = False,
                formats: str = '["html"]', extra: str = "") -> Path:
    folder = parent / name
    result = invoke("init", folder, "--organization", organization or name.title())
    assert result.exit_code == 0, result.output
    shutil.copy(EXCHANGE_SAMPLES / CERTS, folder / "raw")
    if aadconnect:
        shutil.copy(SAMPLES / "aadconnect" / "contoso-aadconnect.json", folder / "raw")
        shutil.copytree(SAMPLES / "aadconnect" / "contoso-2016", folder / "raw" / "contoso-2016")
    toml = folder / "docgen.toml"
    text = re.sub(r"(?m)^formats = .*$", f"formats = {formats}", toml.read_text())
    toml.write_text(text + extra)
    return folder


def drop_server(folder: Path, name: str) -> None:
    """A change on the customer's side: one Exchange server is gone from the export."""
    path = folder / "raw" / CERTS
    export = json.loads(path.read_text("utf-8"))
    export["Servers"] = [server for server in export["Servers"] if server["Name"] != name]
    path.write_text(json.dumps(export, indent=2), "utf-8")


def summary_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def runs_validator() -> jsonschema.Draft202012Validator:
    result = invoke("schema", "runs")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def assert_valid(lines: list[dict]) -> None:
    validator = runs_validator()
    for line in lines:
        assert list(validator.iter_errors(line)) == [], line["folder"]


@pytest.fixture
def customers(tmp_path, monkeypatch) -> Path:
    """The working folder of the batch, with the folders under customers/ (paths as given)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "customers").mkdir()
    return tmp_path / "customers"


# -- isolation, exit 1 ------------------------------------------------------------------------


def test_a_broken_folder_never_stops_the_others(customers):
    make_folder(customers, "contoso", aadconnect=True)
    make_folder(customers, "fabrikam")
    broken = make_folder(customers, "broken")
    (broken / "docgen.toml").write_text('[document]\norganisation = "Broken"\n[sections]\ndkim = 9\n')

    result = invoke("batch", "customers/contoso", "customers/broken", "customers/missing",
                    "customers/fabrikam", "--jobs", "2", "--summary", "runs.jsonl")

    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert sorted(line.split("]")[0] for line in lines[:4]) == ["[1/4", "[2/4", "[3/4", "[4/4"]
    assert re.fullmatch(r"4 folder\(s\) in \d+\.\d s: 2 built, 2 failed", lines[4]), lines[4]
    summary = summary_lines(Path("runs.jsonl"))
    assert_valid(summary)
    assert [line["folder"] for line in summary] == ["customers/contoso", "customers/broken",
                                                    "customers/missing", "customers/fabrikam"]
    assert [(line["status"], line["exit_code"]) for line in summary] == [
        ("built", 0), ("failed", 1), ("failed", 1), ("built", 0)]
    assert len({line["batch_id"] for line in summary}) == 1
    contoso, broken_line, missing, fabrikam = summary
    # every problem of the broken docgen.toml, as `docgen build` lists them
    assert broken_line["error"] == ("customers/broken/docgen.toml: 3 problem(s) in docgen.toml and the "
                                    "project folder; document: missing 'organization'; document: "
                                    "unknown key 'organisation'; sections.dkim: 9 is greater than the "
                                    "maximum of 3")
    assert broken_line["organization"] is None and broken_line["findings"] is None
    assert broken_line["documents"] == [] and broken_line["bundle"] is None
    assert missing["error"] == ("customers/missing: not a docgen project folder (no docgen.toml); "
                                "create one with 'docgen init'")
    assert f"customers/broken: failed ({broken_line['duration_seconds']:.1f} s): " \
           f"{broken_line['error']}" in result.stdout
    # the good folders are whole: bundle and report, where the summary says
    for line, name, sections in ((contoso, "contoso", {"aadconnect", "exchange_certificates"}),
                                 (fabrikam, "fabrikam", {"exchange_certificates"})):
        assert line["organization"] == name.title()
        assert line["bundle"] == f"customers/{name}/out/{name}.bundle.json"
        assert line["documents"] == [f"customers/{name}/out/{name}.html"]
        assert set(json.loads(Path(line["bundle"]).read_text())["sections"]) == sections
        assert line["error"] is None and line["changes"] is None and line["baseline"] is None
        assert line["findings"]["new"] is None and line["findings"]["resolved"] is None


def test_the_summary_counts_the_findings_the_report_shows(customers):
    accepted = ('\n[[accepted_risks]]\nfinding = "exchange-smtp-cert-weak-key:ex04"\nreason = "goes in May"\n'
                'accepted_by = "J. Smith"\nuntil = 2099-12-31\n')
    make_folder(customers, "contoso", extra=accepted)

    result = invoke("batch", "customers/contoso", "--summary", "runs.jsonl")

    assert result.exit_code == 0, result.output
    [line] = summary_lines(Path("runs.jsonl"))
    page = lxml.html.fromstring(Path(line["documents"][0]).read_bytes())
    shown = [badge.text_content() for badge in
             page.cssselect('table[data-table="findings"] tbody tr .badge')]
    assert line["findings"]["open"] == {severity: shown.count(severity)
                                        for severity in ("critical", "high", "warning", "info")}
    assert sum(line["findings"]["open"].values()) == 4
    assert line["findings"]["accepted"] == {"critical": 0, "high": 1, "warning": 0, "info": 0}


def test_a_folder_whose_process_dies_is_that_folders_failure():
    results: dict[int, dict] = {}
    from support.batch_targets import answer_or_die

    run_in_processes(answer_or_die, ["a", "exit", "b", "kill", "c"], 2,
                     lambda index, result, seconds: results.__setitem__(index, result))

    assert sorted(results) == [0, 1, 2, 3, 4]
    assert [results[index].get("task") for index in (0, 2, 4)] == ["a", "b", "c"]
    assert len({results[index]["pid"] for index in (0, 2, 4)}) == 3     # a process each
    assert results[1] == {"status": "failed", "error": "the process building this folder ended "
                          "without a result (exit code 7; out of memory?)"}
    assert results[3]["error"].startswith("the process building this folder ended without a result "
                                          "(killed by signal 9")


INTERRUPTED = """
import sys
from docgen.app.batch import run_in_processes
from support.batch_targets import answer_or_die
try:
    run_in_processes(answer_or_die, ["sleep:" + sys.argv[1]] * 3, 2, lambda *done: None)
except KeyboardInterrupt:
    sys.exit(130)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ctrl_c_stops_every_folders_process(tmp_path):
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}
    driver = subprocess.Popen([sys.executable, "-c", INTERRUPTED, str(tmp_path)], env=environment,
                              start_new_session=True, stderr=subprocess.PIPE, text=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("*.pid"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    pids = [int(path.stem) for path in tmp_path.glob("*.pid")]
    assert len(pids) == 2                       # two at once (--jobs 2), the third waiting
    os.killpg(driver.pid, signal.SIGINT)        # as a terminal's Ctrl-C: the whole group
    _, stderr = driver.communicate(timeout=60)

    assert driver.returncode == 130
    assert "Traceback" not in stderr
    assert len(list(tmp_path.glob("*.pid"))) == 2       # the third never started

    def running(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] != "Z"
        except FileNotFoundError:
            return False
    assert [pid for pid in pids if running(pid)] == []


# -- baselines ---------------------------------------------------------------------------------


def test_baseline_accept_records_who_when_and_the_bundles_hash(customers, monkeypatch):
    folder = make_folder(customers, "contoso")
    monkeypatch.chdir(folder)
    assert invoke("build").exit_code == 0

    refused = invoke("baseline", "accept")
    assert refused.exit_code == 1
    assert refused.stderr == (f"error: {folder.resolve()}: who approves this baseline? give --by, or set "
                              "[baseline] accepted_by in docgen.toml\n")
    assert not (folder / "out" / "baseline.json").exists()

    before = datetime.now(UTC).replace(microsecond=0)
    result = invoke("baseline", "accept", "--by", "J. Smith", "--note", "CAB 2041 approved")
    assert result.exit_code == 0, result.output
    record = json.loads((folder / "out" / "baseline.json").read_text())
    bundle = (folder / "out" / "contoso.bundle.json").read_bytes()
    assert (folder / "out" / "baseline.bundle.json").read_bytes() == bundle
    assert record["sha256"] == hashlib.sha256(bundle).hexdigest()
    assert record["size"] == len(bundle)
    assert (record["accepted_by"], record["note"], record["name"], record["bundle"]) == (
        "J. Smith", "CAB 2041 approved", "baseline", "baseline.bundle.json")
    accepted_at = datetime.fromisoformat(record["accepted_at"].replace("Z", "+00:00"))
    assert before <= accepted_at <= datetime.now(UTC) + timedelta(seconds=1)
    facts = json.loads(bundle)
    assert (record["organization"], record["collected_at"], record["run_id"]) == (
        facts["organization"], facts["collected_at"], facts["run_id"])
    assert result.stdout.splitlines()[-1] == (
        f"baseline 'baseline': contoso.bundle.json (collected {facts['collected_at']}, SHA-256 "
        f"{record['sha256']}), accepted by J. Smith at {record['accepted_at']}")

    # who, from docgen.toml; and a second baseline beside the first
    toml = folder / "docgen.toml"
    toml.write_text(toml.read_text().replace('# accepted_by = "J. Smith, Contoso IT"',
                                             'accepted_by = "Contoso IT"'))
    assert invoke("baseline", "accept", "--name", "after-cab").exit_code == 0
    other = json.loads((folder / "out" / "after-cab.json").read_text())
    assert (other["accepted_by"], other["note"]) == ("Contoso IT", None)
    assert json.loads((folder / "out" / "baseline.json").read_text()) == record

    bad = invoke("baseline", "accept", "--by", "me", "--name", "../x")
    assert bad.exit_code == 2 and "a baseline's name holds letters, digits, '_' and '-'" in bad.stderr
    clash = invoke("baseline", "accept", "--by", "me", "--name", "contoso")
    assert clash.exit_code == 1 and "the build writes out/contoso.*" in clash.stderr


def test_an_interrupted_baseline_accept_keeps_the_old_bundle_and_record(customers, monkeypatch):
    folder = make_folder(customers, "contoso")
    monkeypatch.chdir(folder)
    assert invoke("build").exit_code == 0
    assert invoke("baseline", "accept", "--by", "J. Smith").exit_code == 0
    old = {name: (folder / "out" / name).read_bytes() for name in ("baseline.bundle.json", "baseline.json")}
    (folder / "raw" / "handover.txt").write_text("changes the bundle")
    assert invoke("build").exit_code == 4
    with interrupted_move(monkeypatch, 2) as moves:
        assert invoke("baseline", "accept", "--by", "J. Smith").exit_code == 130
    assert moves[0] == "baseline.bundle.json"    # moved, then put back with its record
    assert {name: (folder / "out" / name).read_bytes() for name in old} == old


def test_a_changed_raw_file_against_the_baseline_exits_3(customers, tmp_path):
    for name in ("contoso", "fabrikam"):
        make_folder(customers, name)
    assert invoke("batch", "customers/contoso", "customers/fabrikam").exit_code == 0
    for name in ("contoso", "fabrikam"):
        assert invoke("baseline", "accept", "--project", f"customers/{name}", "--by", "J. Smith").exit_code == 0
    drop_server(customers / "contoso", "EX05")

    result = invoke("batch", "customers/contoso", "customers/fabrikam", "--baseline", "baseline",
                    "--summary", "runs.jsonl")

    assert result.exit_code == 3, result.output
    contoso, fabrikam = summary = summary_lines(Path("runs.jsonl"))
    assert_valid(summary)
    assert (contoso["status"], contoso["exit_code"], contoso["changes"]) == ("changed", 3, 1)
    assert (fabrikam["status"], fabrikam["exit_code"], fabrikam["changes"]) == ("unchanged", 0, 0)
    # EX05 had no certificate: that finding is resolved, nothing is new
    assert contoso["findings"]["resolved"] == {"critical": 0, "high": 1, "warning": 0, "info": 0}
    assert contoso["findings"]["new"] == {"critical": 0, "high": 0, "warning": 0, "info": 0}
    assert contoso["baseline"]["accepted_by"] == "J. Smith"
    assert contoso["baseline"]["sha256"] == hashlib.sha256(
        Path("customers/contoso/out/baseline.bundle.json").read_bytes()).hexdigest()
    assert contoso["diff_documents"] == ["customers/contoso/out/baseline.diff.json",
                                         "customers/contoso/out/baseline.diff.html"]
    written = json.loads(Path(contoso["diff_documents"][0]).read_text())
    assert written["summary"]["changes"] == 1
    [change] = [change for section in written["sections"] for change in section["changes"]]
    assert (change["kind"], change["key"]) == ("removed", "ex05")
    page = lxml.html.fromstring(Path(contoso["diff_documents"][1]).read_bytes())
    assert page.findtext(".//title").startswith("Changes since the baseline: Contoso")
    # the engine of `docgen diff`: the same document, byte for byte
    out = tmp_path / "by-hand"
    by_hand = invoke("diff", "customers/contoso/out/baseline.bundle.json",
                     "customers/contoso/out/contoso.bundle.json", "-o", out, "--format", "json")
    assert by_hand.exit_code == 0
    assert (out / "diff.json").read_bytes() == Path(contoso["diff_documents"][0]).read_bytes()
    assert "customers/contoso: changed, 1 change(s) against the baseline, 1 resolved finding(s)" \
        in result.stdout


def test_partial_and_no_baseline_exit_4_and_a_tampered_baseline_fails(customers):
    for name in ("contoso", "fabrikam", "northwind", "tailspin"):
        make_folder(customers, name)
    assert invoke("batch", *(f"customers/{n}" for n in ("contoso", "northwind", "tailspin"))).exit_code == 0
    for name in ("contoso", "northwind", "tailspin"):
        assert invoke("baseline", "accept", "--project", f"customers/{name}", "--by", "me").exit_code == 0
    (customers / "northwind" / "raw" / "notes.txt").write_text("not an export")
    drop_server(customers / "tailspin", "EX01")

    # partial (northwind), no baseline (fabrikam), changed (tailspin): 4 wins over 3
    result = invoke("batch", "customers/contoso", "customers/fabrikam", "customers/northwind",
                    "customers/tailspin", "--baseline", "baseline", "--summary", "runs.jsonl",
                    "--summary-html", "reports/overview.html")
    assert result.exit_code == 4, result.output
    summary = {line["folder"].split("/")[1]: line for line in summary_lines(Path("runs.jsonl"))}
    assert_valid(list(summary.values()))
    assert {name: (line["status"], line["exit_code"]) for name, line in summary.items()} == {
        "contoso": ("unchanged", 0), "fabrikam": ("no baseline", 4), "northwind": ("partial", 4),
        "tailspin": ("changed", 3)}
    assert summary["northwind"]["warnings"] == ["raw/notes.txt: not an input docgen recognises; skipped"]
    # compared all the same: the file handed over is the one change
    assert summary["northwind"]["changes"] == 1
    [change] = json.loads(Path("customers/northwind/out/baseline.diff.json").read_text())["top_level"]
    assert (change["path"], change["new"][0]["name"]) == ("skipped_inputs", "raw/notes.txt")
    assert summary["fabrikam"]["warnings"] == [
        "no baseline 'baseline' accepted yet (out/baseline.bundle.json); run 'docgen baseline accept' "
        "in the folder"]
    assert summary["fabrikam"]["documents"] == ["customers/fabrikam/out/fabrikam.html"]
    assert summary["fabrikam"]["diff_documents"] == [] and summary["fabrikam"]["changes"] is None

    # the overview: what needs attention first, every link to a file that is there
    page = Path("reports/overview.html").read_text("utf-8")
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    tree = lxml.html.fromstring(page)
    rows = tree.cssselect("tbody tr")
    assert [row.cssselect(".status")[0].text_content() for row in rows] == [
        "partial", "no baseline", "changed", "unchanged"]
    assert [row.cssselect(".folder")[0].text_content() for row in rows] == [
        "customers/northwind", "customers/fabrikam", "customers/tailspin", "customers/contoso"]
    links = [link.get("href") for link in tree.cssselect("a")]
    assert "../customers/tailspin/out/baseline.diff.html" in links
    assert all((Path("reports") / href).is_file() for href in links)

    # a baseline edited after it was accepted fails the folder; its documents are still built
    baseline = customers / "contoso" / "out" / "baseline.bundle.json"
    baseline.write_bytes(baseline.read_bytes() + b"\n")
    result = invoke("batch", "customers/contoso", "customers/tailspin", "--baseline", "baseline",
                    "--summary", "runs.jsonl")
    assert result.exit_code == 1
    second = summary_lines(Path("runs.jsonl"))
    assert len(second) == 6 and len({line["batch_id"] for line in second}) == 2   # appended
    contoso = second[4]
    assert contoso["status"] == "failed"
    assert contoso["error"].startswith("customers/contoso/out/baseline.bundle.json: is not the bundle "
                                       "accepted by me at ")
    assert "SHA-256" in contoso["error"] and "docgen baseline accept" in contoso["error"]
    assert contoso["documents"] == ["customers/contoso/out/contoso.html"]


def test_the_overview_escapes_what_the_folders_hold(customers):
    make_folder(customers, "acme", organization='ACME <img src=x onerror=alert(1)> & "Sons"')
    broken = make_folder(customers, "broken<b>")
    (broken / "raw" / CERTS).write_text("{ not json")

    result = invoke("batch", "customers/acme", "customers/broken<b>", "--summary-html", "o.html")

    assert result.exit_code == 1
    page = Path("o.html").read_text("utf-8")
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    tree = lxml.html.fromstring(page)
    assert tree.cssselect("img") == [] and tree.cssselect("b") == []
    assert [row.cssselect(".org")[0].text_content() for row in tree.cssselect("tbody tr")] == [
        "Broken<B>", 'ACME <img src=x onerror=alert(1)> & "Sons"']
    assert tree.cssselect("tbody tr .problem.error")[0].text_content() == (
        "customers/broken<b>: nothing to document: raw/ holds no input docgen recognises "
        f"(skipped: raw/{CERTS})")


def test_exit_codes_the_worst_folder_wins():
    def codes(*values: int) -> int:
        return batch_exit_code([{"exit_code": value} for value in values])

    assert codes() == 0 and codes(0, 0) == 0
    assert codes(0, 3) == 3 and codes(3, 4, 0) == 4 and codes(4, 1, 3) == 1


def test_the_runs_schema_is_published():
    schema = json.loads(invoke("schema", "runs").stdout)
    assert schema["$id"] == "urn:docgen:runs:1"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["required"]) == set(schema["properties"])


@pytest.mark.slow   # renders reports and diffs as PDFs
def test_batch_with_pdfs_and_the_diff_pdf(customers):
    import pypdf

    folder = make_folder(customers, "contoso", formats='["html", "pdf"]')
    assert invoke("batch", "customers/contoso").exit_code == 0
    assert invoke("baseline", "accept", "--project", folder, "--by", "me").exit_code == 0
    drop_server(folder, "EX04")

    result = invoke("batch", "customers/contoso", "--baseline", "baseline", "--summary", "runs.jsonl")

    assert result.exit_code == 3, result.output
    [line] = summary_lines(Path("runs.jsonl"))
    assert line["documents"] == ["customers/contoso/out/contoso.html", "customers/contoso/out/contoso.pdf"]
    assert line["diff_documents"] == [f"customers/contoso/out/baseline.diff.{kind}"
                                      for kind in ("json", "html", "pdf")]
    reader = pypdf.PdfReader(line["diff_documents"][2])
    assert set(reader.attachments) == {"before.bundle.json", "after.bundle.json", "diff.json",
                                       "docgen-render.json"}
    assert reader.attachments["before.bundle.json"][0] == (folder / "out" / "baseline.bundle.json").read_bytes()


# -- the scheduling examples ------------------------------------------------------------------


def docgen_commands(script: str) -> list[list[str]]:
    """Every `docgen ...` command line of a shell script, as words (up to the first operator)."""
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        for index, word in enumerate(words):
            if word == "docgen" or word.endswith("/bin/docgen"):
                rest = words[index + 1:]
                end = next((i for i, w in enumerate(rest) if w in ("&&", "||", ";", "|", ">>", ">")),
                           len(rest))
                commands.append(["docgen", *rest[:end]])
    return commands


def assert_command_exists(words: list[str]) -> None:
    """The subcommands are listed by `docgen --help` and each option by the command's --help."""
    command: click.Command = cli
    path = []
    for word in words[1:]:
        if isinstance(command, click.Group) and word in command.commands:
            listed = invoke(*path, "--help").stdout
            assert re.search(rf"(?m)^  {re.escape(word)}\b", listed), f"{word} not in docgen {path} --help"
            command = command.commands[word]
            path.append(word)
        elif not word.startswith("-"):
            continue
    help_text = invoke(*path, "--help").stdout
    options = {opt for param in command.params for opt in param.opts}
    for word in words[1:]:
        if word.startswith("--"):
            name = word.split("=", 1)[0]
            assert name in options and name in help_text, f"docgen {' '.join(path)} has no {name}"


def workflow() -> dict:
    document = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    assert isinstance(document, dict)
    return document


def steps_by_id(document: dict) -> dict[str, dict]:
    return {step.get("id", step.get("name", "")): step
            for job in document["jobs"].values() for step in job["steps"]}


def test_the_workflow_is_a_nightly_matrix_that_uploads_the_documents():
    document = workflow()
    triggers = document.get("on", document.get(True))     # YAML 1.1 reads a bare `on` as true
    [schedule] = triggers["schedule"]
    minute, hour, *every = schedule["cron"].split()
    assert 0 <= int(minute) <= 59 and 0 <= int(hour) <= 23 and every == ["*", "*", "*"]
    assert "workflow_dispatch" in triggers
    build = document["jobs"]["build"]
    assert build["strategy"]["fail-fast"] is False
    assert build["strategy"]["matrix"]["customer"] == "${{ fromJSON(needs.folders.outputs.customers) }}"
    uploads = [step for step in build["steps"] if str(step.get("uses", "")).startswith("actions/upload-artifact@")]
    assert len(uploads) == 1 and uploads[0]["if"] == "always()"
    assert "customers/${{ matrix.customer }}/out/" in uploads[0]["with"]["path"]
    commands = [words for job in document["jobs"].values() for step in job["steps"]
                for words in docgen_commands(step.get("run", ""))]
    assert [words[:2] for words in commands] == [["docgen", "batch"]]
    for words in commands:
        assert_command_exists(words)
    for job in document["jobs"].values():
        for step in job["steps"]:
            # values reach the shell through env:, never pasted into the script
            assert "${{" not in step.get("run", ""), step


def test_a_command_that_does_not_exist_is_caught():
    with pytest.raises(AssertionError):
        assert_command_exists(["docgen", "batch", "--no-such-option"])
    with pytest.raises(AssertionError):
        assert_command_exists(["docgen", "bach", "customers/x", "--baseline", "b"])


def shell_environment(tmp_path: Path) -> dict[str, str]:
    """`docgen` on PATH: this checkout's, run by this Python."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "docgen"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m docgen "$@"\n')
    shim.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


def run_step(step: dict, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env={**env, **step.get("env", {})},
                          capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(shutil.which("jq") is None or shutil.which("bash") is None, reason="needs jq and bash")
def test_the_workflows_shell_steps_run_on_real_folders(customers, tmp_path):
    repo = customers.parent
    for name in ("alpha", "beta"):
        make_folder(customers, name)
    (customers / "empty").mkdir()
    (customers / "README.md").write_text("customers")
    assert invoke("batch", "customers/alpha").exit_code == 0
    assert invoke("baseline", "accept", "--project", "customers/alpha", "--by", "CI").exit_code == 0
    env = shell_environment(tmp_path)
    steps = steps_by_id(workflow())

    output = tmp_path / "github_output"
    listed = run_step(steps["list"], repo, {**env, "GITHUB_OUTPUT": str(output)})
    assert listed.returncode == 0, listed.stderr
    assert output.read_text() == 'customers=["alpha","beta"]\n'

    artifacts = tmp_path / "artifacts"
    codes = {}
    for customer in ("alpha", "beta"):
        step = {**steps["batch"], "env": {"CUSTOMER": customer}}
        done = run_step(step, repo, env)
        codes[customer] = done.returncode
        (artifacts / f"docgen-{customer}").mkdir(parents=True)
        shutil.move(repo / "runs.jsonl", artifacts / f"docgen-{customer}" / "runs.jsonl")
    assert codes == {"alpha": 0, "beta": 4}     # beta has no accepted baseline yet

    table = tmp_path / "step_summary"
    joined = run_step(steps["One summary file and one table"], tmp_path,
                      {**env, "GITHUB_STEP_SUMMARY": str(table)})
    assert joined.returncode == 0, joined.stderr
    assert table.read_text().splitlines()[2:] == [
        "| Alpha | unchanged | 0 | 5 | 0 |  |",
        "| Beta | no baseline | - | 5 | - |  |"]
    assert len(summary_lines(tmp_path / "runs.jsonl")) == 2


def cron_line() -> str:
    [line] = [line for line in CRON.read_text("utf-8").splitlines() if line and not line.startswith("#")]
    return line


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_the_cron_line_runs(customers, tmp_path):
    line = cron_line()
    minute, hour, day, month, weekday, command = line.split(maxsplit=5)
    assert 0 <= int(minute) <= 59 and 0 <= int(hour) <= 23 and (day, month, weekday) == ("*", "*", "*")
    assert "%" not in command          # cron would cut the line there
    [words] = docgen_commands(command)
    assert_command_exists(words)
    root = customers.parent
    make_folder(customers, "contoso")
    assert invoke("batch", "customers/contoso").exit_code == 0
    assert invoke("baseline", "accept", "--project", "customers/contoso", "--by", "cron").exit_code == 0
    env = shell_environment(tmp_path)

    here = command.replace("/srv/docgen/.venv/bin/docgen", "docgen").replace("/srv/docgen", str(root))
    done = subprocess.run(["sh", "-c", here], env=env, capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, (root / "batch.log").read_text()
    [record] = summary_lines(root / "runs.jsonl")
    assert (record["folder"], record["status"]) == ("customers/contoso", "unchanged")
    assert "[1/1] customers/contoso: unchanged" in (root / "batch.log").read_text()
    assert (root / "overview.html").is_file()


def test_the_readme_shows_the_cron_line_and_the_exit_codes():
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme[readme.index("\n## Many customers at once\n"):]
    section = section[:section.index("\n## ", 1)]
    assert f"  {cron_line()}\n" in section
    assert "examples/github-actions/docgen-nightly.yml" in section
    codes = readme[readme.index("\n## Exit codes\n"):]
    for code in ("1", "3", "4"):
        assert re.search(rf"(?m)^\| {code} \|.*`docgen batch", codes), code
