"""`docgen batch`: many project folders built at once, each in a process of its own.

Each folder is built as `docgen build` builds it, then (with a baseline name)
compared with its accepted baseline by the engine of `docgen diff`. Every folder
runs in a fresh process, at most `jobs` at a time, so a folder that fails, raises
or even kills its process (out of memory, a crash in a C library) is that folder's
failure only: the others go on, and its summary line says what happened.

Inside a folder's process the build runs with jobs=1: a long PDF is rendered in
parts one after another in that process, never by a second pool of processes
under this one (the folders are the parallel work; see docgen.render.parallel).

The result of each folder is one summary record (schema: runs.schema.json beside
this module, `docgen schema runs`); the overview page ranks them by what needs
attention (templates/batch.html.j2).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import time
import tomllib
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from docgen import __version__
from docgen.app.baseline import Baseline, baseline_paths, diff_stem, read_baseline
from docgen.app.build import build_project
from docgen.app.diff import write_diff
from docgen.app.schemas import runs_schema_text
from docgen.bundle import load_bundle
from docgen.checks import SEVERITIES, judgement_times, run_checks
from docgen.checks.acceptance import ACCEPTED, apply_acceptances, counts_as_open
from docgen.core.atomic import write_atomic
from docgen.core.dates import iso_utc
from docgen.core.errors import (
    EXIT_CHANGED,
    EXIT_ERROR,
    EXIT_OK,
    EXIT_PARTIAL,
    DocgenError,
    ImportFailed,
)
from docgen.project import Project, load_project
from docgen.project.settings import PROJECT_FILE
from docgen.render.documents import RenderRequest
from docgen.render.options import OFF
from docgen.render.parallel import default_jobs  # one per CPU this process may use

SUMMARY_SCHEMA_VERSION = 1
OVERVIEW_TEMPLATE = "batch.html.j2"

# A folder's status, in the order the overview lists them (what needs attention first),
# with the exit code each one gives. The batch exits with the code of its worst folder.
STATUSES: dict[str, int] = {
    "failed": EXIT_ERROR,        # nothing usable built, or the comparison could not be made
    "partial": EXIT_PARTIAL,     # built, but inputs or lookups failed, files were skipped, or
                                 # parts could not be compared with the baseline
    "no baseline": EXIT_PARTIAL, # built, but no baseline of that name was accepted yet
    "changed": EXIT_CHANGED,     # built, and it differs from the baseline
    "unchanged": EXIT_OK,        # built, and it is what the baseline holds
    "built": EXIT_OK,            # built; no baseline was asked for
}
# The worst first: a failure, then what could not be seen, then drift.
EXIT_ORDER = (EXIT_ERROR, EXIT_PARTIAL, EXIT_CHANGED, EXIT_OK)
# At most this many warnings per folder in the summary; `warning_count` has them all.
MAX_WARNINGS = 20
# How long a folder's process may take to end after it sent its result.
JOIN_SECONDS = 30


@dataclass(frozen=True)
class BatchRequest:
    folders: tuple[Path, ...]
    jobs: int | None = None                   # folders at once; None: one per CPU
    baseline: str | None = None               # compare with out/<baseline>.bundle.json
    formats: tuple[str, ...] | None = None    # instead of each docgen.toml's [output] formats


@dataclass(frozen=True)
class BatchOutcome:
    batch_id: str
    started_at: str
    seconds: float
    records: list[dict]                       # one summary record per folder, in the order given

    @property
    def exit_code(self) -> int:
        return batch_exit_code(self.records)


def batch_exit_code(records: Sequence[dict]) -> int:
    """The worst folder's exit code: 1 before 4 before 3 before 0."""
    codes = {record["exit_code"] for record in records}
    return next((code for code in EXIT_ORDER if code in codes), EXIT_OK)


def run_batch(request: BatchRequest, on_done: Callable[[dict], None] = lambda record: None) -> BatchOutcome:
    """Build every folder (each in its own process), call `on_done` with each record as its
    folder finishes, and return all records in the order the folders were given."""
    started, clock = datetime.now(UTC), time.monotonic()
    batch_id = str(uuid.uuid4())
    folders = list(dict.fromkeys(request.folders))           # the same folder once
    here = str(Path.cwd())
    tasks = [FolderTask(here, str(folder), request.baseline, request.formats) for folder in folders]

    def finished(index: int, result: dict, seconds: float) -> None:
        record = _summary_record(folders[index], result, seconds, batch_id, iso_utc(started))
        records[index] = record
        on_done(record)

    records: list[dict] = [{} for _ in folders]
    run_in_processes(build_folder_task, tasks, request.jobs or default_jobs(), finished)
    return BatchOutcome(batch_id, iso_utc(started), time.monotonic() - clock, records)


# -- one folder, in its own process ------------------------------------------------------


@dataclass(frozen=True)
class FolderTask:
    cwd: str                                  # the batch's working folder, which `folder` is relative to
    folder: str                               # as given: messages and paths then read as given
    baseline: str | None
    formats: tuple[str, ...] | None


def build_folder_task(task: FolderTask) -> dict:
    """In a folder's own process: the batch's working folder (a process forked from a
    server started earlier has that server's), then the build."""
    os.chdir(task.cwd)
    return build_folder(Path(task.folder), task.baseline, task.formats)


def build_folder(root: Path, baseline: str | None = None,
                 formats: tuple[str, ...] | None = None) -> dict:
    """Build one project folder (and compare it with its baseline): the folder's result.

    Never raises for the folder's own problems: they become its `error`. Paths in the
    result start with `root` as given.
    """
    result: dict[str, Any] = {
        "organization": _organization_hint(root), "findings": None, "changes": None,
        "baseline": None, "bundle": None, "documents": [], "diff_documents": [],
        "warnings": [], "error": None}
    outcome = {"partial": False, "missing_baseline": False}
    try:
        _build_and_compare(root, baseline, formats, result, outcome)
    except DocgenError as exc:
        result["error"] = _error_text(exc)
    except MemoryError:
        result["error"] = "out of memory (the folder's inputs are too large for this machine's memory)"
    except Exception as exc:   # a bug: this folder's failure, not the batch's
        result["error"] = f"internal error ({type(exc).__name__}: {exc})"
    result["status"] = _status(result, baseline, **outcome)
    return result


def _build_and_compare(root: Path, baseline: str | None, formats: tuple[str, ...] | None,
                       result: dict, outcome: dict) -> None:
    if not (root / PROJECT_FILE).is_file():
        raise DocgenError(f"not a docgen project folder (no {PROJECT_FILE}); create one with "
                          "'docgen init'", source=str(root))
    project = load_project(root)
    result["organization"] = project.organization
    if formats:
        project = replace(project, formats=formats)
    if baseline:
        baseline_paths(project, baseline)   # a name the build's files use fails before the build
    built = build_project(project, jobs=1)   # no pool of processes under this one
    result["bundle"] = _shown(built.bundle_path)
    result["documents"] = [_shown(path) for path in built.documents]
    result["warnings"] = [f"{name}: not an input docgen recognises; skipped" for name in built.skipped]
    result["warnings"] += [str(error) for source in built.results for error in source.errors]
    result["warnings"] += built.warnings
    outcome["partial"] = built.partial
    loaded = built.loaded or load_bundle(built.bundle_path)
    request = RenderRequest(formats=project.formats, stem=project.name, options=project.options)
    result["findings"] = _finding_counts(loaded.data, project, request.rules())
    if not baseline:
        return
    accepted = read_baseline(project, baseline)
    if accepted is None:
        outcome["missing_baseline"] = True
        result["warnings"].append(f"no baseline {baseline!r} accepted yet (out/{baseline}.bundle.json); "
                                  "run 'docgen baseline accept' in the folder")
        return
    result["baseline"] = _baseline_summary(accepted)
    compared = _compare(project, accepted, built.bundle_path, baseline)
    summary = compared.document["summary"]
    result["diff_documents"] = [_shown(path) for path in compared.written]
    result["changes"] = summary["changes"]
    findings = compared.document["findings"]
    result["findings"]["new"] = _by_severity(findings["new"])
    result["findings"]["resolved"] = _by_severity(findings["resolved"])
    if summary["not_comparable"] or summary["unknown"]:
        outcome["partial"] = True
        result["warnings"].append(
            f"not comparable with the baseline: {', '.join(summary['not_comparable']) or '-'}; "
            f"unknown objects: {summary['unknown']}")


def _compare(project: Project, accepted: Baseline, bundle_path: Path, name: str):
    """The diff documents beside the baseline: JSON always, and HTML and PDF if the folder
    writes those formats."""
    formats = ("json", *(name for name in ("html", "pdf") if name in project.formats))
    options = replace(project.options, title=f"Changes since the baseline: {project.organization}")
    request = RenderRequest(formats=formats, stem=diff_stem(name), options=options, jobs=1)
    return write_diff(accepted.bundle_path, bundle_path, project.out_dir, request)


def _status(result: dict, baseline: str | None, *, partial: bool, missing_baseline: bool) -> str:
    if result["error"]:
        return "failed"
    if partial:
        return "partial"
    if missing_baseline:
        return "no baseline"
    if baseline:
        return "changed" if result["changes"] else "unchanged"
    return "built"


def _finding_counts(bundle: dict, project: Project, rules: dict) -> dict:
    """Open and accepted findings by severity, as the report shows them (sections switched
    off in docgen.toml leave theirs out); new and resolved come from the comparison."""
    options = project.options
    records = [record for record in apply_acceptances(run_checks(bundle, rules),
                                                      list(options.accepted_risks),
                                                      judgement_times(bundle))
               if options.detail_of(record["section"]) > OFF]
    return {"open": _by_severity([record for record in records if counts_as_open(record)]),
            "accepted": _by_severity([record for record in records if record["status"] == ACCEPTED]),
            "new": None, "resolved": None}


def _by_severity(findings: list[dict]) -> dict[str, int]:
    counts = {severity: 0 for severity in SEVERITIES}
    for finding in findings:
        counts[finding["severity"]] += 1
    return counts


def _baseline_summary(accepted: Baseline) -> dict:
    record = accepted.record
    return {"name": accepted.name, "bundle": _shown(accepted.bundle_path),
            "sha256": record["sha256"], "accepted_by": record.get("accepted_by"),
            "accepted_at": record.get("accepted_at"), "note": record.get("note")}


def _organization_hint(root: Path) -> str | None:
    """[document] organization, read loosely, for a folder whose docgen.toml has other problems."""
    try:
        settings = tomllib.loads((root / PROJECT_FILE).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    document = settings.get("document")
    name = document.get("organization") if isinstance(document, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else None


def _error_text(exc: DocgenError) -> str:
    """One line, as the CLI would print it, with the listed problems after it."""
    errors = exc.errors if isinstance(exc, ImportFailed) else [exc]
    problems = list(getattr(exc, "problems", []))
    return "; ".join([str(error) for error in errors] + problems)


def _shown(path: Path) -> str:
    return Path(path).as_posix()


# -- the processes ---------------------------------------------------------------------------


def run_in_processes(target: Callable[[Any], dict], tasks: Sequence[Any], jobs: int,
                     finished: Callable[[int, dict, float], None]) -> None:
    """target(task) for every task, each in a fresh process, at most `jobs` at once.

    `finished(index, result, seconds)` is called here as each one ends. A process that
    ends without a result (killed, crashed, out of memory) gives a failed result; it
    never stops the others. Interrupted, every process still running is stopped.
    """
    context = _context()
    waiting = deque(enumerate(tasks))
    running: dict[Connection, tuple[int, Any, float]] = {}
    try:
        while waiting or running:
            while waiting and len(running) < max(1, jobs):
                index, task = waiting.popleft()
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(target, task, sender), daemon=True,
                                          name=f"docgen-batch-{index}")
                process.start()
                sender.close()   # the child holds the only sending end: its end is our EOF
                running[receiver] = (index, process, time.monotonic())
            for ready in wait(list(running)):
                receiver = cast(Connection, ready)
                index, process, start = running.pop(receiver)
                result = _receive(receiver, process)
                finished(index, result, time.monotonic() - start)
    finally:
        for receiver, (_, process, _) in running.items():
            process.terminate()
            process.join()
            receiver.close()


def _child(target: Callable[[Any], dict], task: Any, sender: Connection) -> None:
    # Ctrl-C reaches every process of the terminal's group: the batch stops its folders'
    # processes itself (terminate), so none prints a traceback of its own; stopped, a
    # process unwinds (SystemExit), so a file being written leaves no temporary behind.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    try:
        result = target(task)
        with contextlib.suppress(OSError):     # the batch has gone: nobody to tell
            sender.send(result)
    finally:
        sender.close()


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _receive(receiver: Connection, process) -> dict:
    try:
        result = receiver.recv()
    except (EOFError, OSError):
        result = None
    finally:
        receiver.close()
    process.join(JOIN_SECONDS)
    if process.exitcode is None:   # sent its result but does not end: stop it
        process.terminate()
        process.join()
    if isinstance(result, dict):
        return result
    code = process.exitcode
    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return {"error": f"the process building this folder ended without a result ({how}; out of "
                     "memory?)", "status": "failed"}


def _context():
    """Processes forked from a server that has imported docgen and WeasyPrint once, where
    there is one (Linux, macOS); elsewhere each starts anew (spawn)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, "weasyprint"])
        return context
    return multiprocessing.get_context("spawn")


# -- the summary ---------------------------------------------------------------------------


def _summary_record(folder: Path, result: dict, seconds: float, batch_id: str, started_at: str) -> dict:
    """The published summary line of one folder."""
    status = result.get("status", "failed")
    organization = result["organization"] if "organization" in result else _organization_hint(folder)
    warnings = list(result.get("warnings", []))
    return {
        "summary_schema_version": SUMMARY_SCHEMA_VERSION,
        "batch_id": batch_id,
        "started_at": started_at,
        "tool_version": __version__,
        "folder": folder.as_posix(),
        "organization": organization,
        "status": status,
        "exit_code": STATUSES[status],
        "duration_seconds": round(seconds, 3),
        "findings": result.get("findings"),
        "changes": result.get("changes"),
        "baseline": result.get("baseline"),
        "bundle": result.get("bundle"),
        "documents": list(result.get("documents", [])),
        "diff_documents": list(result.get("diff_documents", [])),
        "warnings": warnings[:MAX_WARNINGS],
        "warning_count": len(warnings),
        "error": result.get("error"),
    }


def validate_summary(records: Sequence[dict]) -> None:
    """Our own lines must match the published schema; a mismatch is a docgen bug."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(json.loads(runs_schema_text()))
    for record in records:
        error = next(iter(validator.iter_errors(record)), None)
        if error is not None:
            where = "/".join(str(part) for part in error.absolute_path) or "(top)"
            raise DocgenError(f"internal error: a summary line does not match its schema: "
                              f"{where}: {error.message}")


def append_summary(path: Path, records: Sequence[dict]) -> None:
    """Append one JSON line per folder: the file keeps every run (`batch_id` tells them apart)."""
    validate_summary(records)
    text = "".join(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n" for record in records)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("a", encoding="utf-8") as file:   # one write: the run's lines stay together
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
    except OSError as exc:
        raise DocgenError(f"cannot write ({exc.strerror or exc})", source=str(path)) from None


# -- the overview -----------------------------------------------------------------------------


def attention_order(records: Sequence[dict]) -> list[dict]:
    """Failed first, then partial, no baseline, changed; within each, the most new findings,
    then the most open critical and high ones, then the most changes; then by folder."""
    def key(record: dict):
        findings = record["findings"] or {}
        new = sum((findings.get("new") or {}).values())
        opened = findings.get("open") or {}
        severe = opened.get("critical", 0) + opened.get("high", 0)
        return (list(STATUSES).index(record["status"]), -new, -severe, -(record["changes"] or 0),
                record["folder"])
    return sorted(records, key=key)


def write_overview(path: Path, outcome: BatchOutcome, request: BatchRequest) -> Path:
    """The one-page HTML overview of every folder, those needing attention first."""
    from docgen.core.resources import data_dir
    from docgen.render.html import make_environment, render_template

    here = path.absolute().parent

    def link(shown: str) -> str:
        return quote(Path(os.path.relpath(Path(shown).absolute(), here)).as_posix())

    rows = []
    for record in attention_order(outcome.records):
        files = [*record["documents"], *record["diff_documents"]]
        rows.append({**record, "links": [{"href": link(name), "label": _link_label(name, record)}
                                         for name in files
                                         if name.endswith((".html", ".pdf"))]})
    tally = {status: sum(1 for record in outcome.records if record["status"] == status)
             for status in STATUSES}
    context = {
        "rows": rows,
        "tally": {status: count for status, count in tally.items() if count},
        "severities": SEVERITIES,
        "started_at": outcome.started_at,
        "seconds": outcome.seconds,
        "exit_code": outcome.exit_code,
        "baseline": request.baseline,
        "tool_version": __version__,
        "batch_id": outcome.batch_id,
    }
    html = render_template(make_environment(data_dir("templates")), OVERVIEW_TEMPLATE, context)
    write_atomic(path, html.encode("utf-8"))
    return path


def _link_label(name: str, record: dict) -> str:
    kind = name.rsplit(".", 1)[-1].upper()
    return f"changes {kind}" if name in record["diff_documents"] else f"report {kind}"
