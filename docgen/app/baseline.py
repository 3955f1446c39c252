"""`docgen baseline accept`: a project folder's current bundle becomes the approved one.

A baseline has a name (`baseline` unless given) and is two files in out/:

- `<name>.bundle.json`: the accepted bundle, byte for byte;
- `<name>.json`: the record an auditor reads: who accepted it, when, with which note,
  and the bundle's SHA-256, size, organisation, collection time and run id.

`docgen batch --baseline <name>` compares each new bundle with it, and refuses a
baseline whose bundle is no longer the one its record names.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from docgen import __version__
from docgen.bundle import load_bundle
from docgen.core.atomic import write_together
from docgen.core.dates import iso_utc
from docgen.core.errors import DocgenError
from docgen.project import Project
from docgen.project.settings import PROJECT_FILE, setting_name

DEFAULT_NAME = "baseline"
RECORD_VERSION = 1
# No dots: `<name>.json` can then never be a `<something>.bundle.json` of the build.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
NAME_RULE = "letters, digits, '_' and '-'"


@dataclass(frozen=True)
class Baseline:
    name: str
    bundle_path: Path
    record_path: Path
    record: dict


def check_name(name: str) -> str:
    """The name as given, or a DocgenError saying what a name may hold."""
    if not NAME_PATTERN.match(name):
        raise DocgenError(f"baseline name {name!r}: use {NAME_RULE}")
    return name


def baseline_paths(project: Project, name: str) -> tuple[Path, Path]:
    """out/<name>.bundle.json and out/<name>.json, refusing names the build's own files use."""
    check_name(name)
    if project.name in (name, f"{name}.diff"):
        raise DocgenError(f"the baseline cannot be called {name!r}: the build writes "
                          f"out/{project.name}.* ([output] name in {PROJECT_FILE}); choose another name",
                          source=str(project.root))
    return project.out_dir / f"{name}.bundle.json", project.out_dir / f"{name}.json"


def diff_stem(name: str) -> str:
    """The file name, without extension, of the diff documents against baseline `name`."""
    return f"{name}.diff"


def accept_baseline(project: Project, name: str = DEFAULT_NAME, by: str | None = None,
                    note: str | None = None, now: datetime | None = None) -> Baseline:
    """Copy the project's current bundle to the baseline and record who accepted it, and when."""
    bundle_path, record_path = baseline_paths(project, name)
    who = (by or project.baseline_by or "").strip()
    if not who:
        raise DocgenError(f"who approves this baseline? give --by, or set "
                          f"{setting_name('baseline', 'accepted_by')} in {PROJECT_FILE}",
                          source=str(project.root))
    if not project.bundle_path.is_file():
        raise DocgenError(f"no bundle to accept ({project.bundle_path.relative_to(project.root)} "
                          "is missing); run 'docgen build' first", source=str(project.root))
    loaded = load_bundle(project.bundle_path)
    data = loaded.data
    record = {
        "baseline_record_version": RECORD_VERSION,
        "name": name,
        "bundle": bundle_path.name,
        "sha256": loaded.sha256,
        "size": len(loaded.raw),
        "accepted_by": who,
        "accepted_at": iso_utc(now or datetime.now(UTC)),
        "note": (note or "").strip() or None,
        "accepted_from": project.bundle_path.name,
        "organization": data["organization"],
        "collected_at": data["collected_at"],
        "run_id": data["run_id"],
        "bundle_tool_version": data["tool_version"],
        "docgen_version": __version__,
    }
    text = json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    # both in out/, landing together: a record never names a bundle that is not there
    write_together(project.out_dir, {bundle_path.name: loaded.raw, record_path.name: text.encode("utf-8")})
    return Baseline(name, bundle_path, record_path, record)


def read_baseline(project: Project, name: str) -> Baseline | None:
    """The accepted baseline `name`, None if there is none; its bundle must be the one recorded."""
    bundle_path, record_path = baseline_paths(project, name)
    if not bundle_path.exists() and not record_path.exists():
        return None
    for path in (record_path, bundle_path):
        if not path.is_file():
            raise DocgenError(f"out/{path.name} is missing, so baseline {name!r} is incomplete; "
                              "accept it again with 'docgen baseline accept'", source=str(project.root))
    try:
        record = json.loads(record_path.read_text("utf-8"))
        expected = record["sha256"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise DocgenError(f"not a baseline record ({type(exc).__name__}: {exc}); accept the baseline "
                          "again with 'docgen baseline accept'", source=str(record_path)) from None
    digest = hashlib.sha256(bundle_path.read_bytes()).hexdigest()
    if digest != expected:
        raise DocgenError(f"is not the bundle accepted by {record.get('accepted_by')} at "
                          f"{record.get('accepted_at')}: its SHA-256 is {digest}, out/{record_path.name} "
                          f"records {expected}; accept a baseline again with 'docgen baseline accept'",
                          source=str(bundle_path))
    return Baseline(name, bundle_path, record_path, record)
