"""`docgen render`: a bundle file to documents, with the project's options where there is one."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from docgen.app.accepted import accepted_risk_warnings
from docgen.app.outputs import write_documents
from docgen.bundle import LoadedBundle, load_bundle
from docgen.core.errors import DocgenError, cannot_read
from docgen.project import Project, find_project, load_project
from docgen.project.settings import PROJECT_FILE
from docgen.render.documents import RenderRequest
from docgen.render.options import DocumentOptions


@dataclass(frozen=True)
class RenderOutcome:
    written: list[Path]
    warnings: list[str]


def find_render_project(ignore: bool, start: Path | None = None) -> Project | None:
    """The project of the docgen.toml at or above `start` (the current folder), if any."""
    root = None if ignore else find_project(start or Path.cwd())
    return load_project(root) if root else None


def project_options(ignore: bool, start: Path | None = None) -> DocumentOptions:
    """The options of the docgen.toml at or above `start` (the current folder), or defaults."""
    project = find_render_project(ignore, start)
    return project.options if project else DocumentOptions()


def with_flags(options: DocumentOptions, **flags) -> DocumentOptions:
    """Options with the command line's flags on top (a flag left out is None)."""
    changes = {name: value for name, value in flags.items() if value is not None}
    if "author" in changes:
        changes["authors"] = ()
    return replace(options, **changes)


def organization_warning(project: Project | None, loaded: LoadedBundle) -> str | None:
    """A project folder's settings applied to a bundle of another organisation: say so."""
    if project is None or project.options.other_organization(loaded.data["organization"]) is None:
        return None
    return (f"{project.root / PROJECT_FILE} is for {project.organization!r} but the bundle is "
            f"of {loaded.data['organization']!r}: that project's title, notes and accepted risks "
            "are applied to another organisation's bundle (--no-project leaves them out)")


def render_bundle_file(bundle_path: Path, out_dir: Path, request: RenderRequest, *,
                       project: Project | None = None, strict: bool = False,
                       signer: Any = None) -> RenderOutcome:
    """Documents from a bundle file; `project` is the folder whose options `request` carries;
    `signer` (a pyHanko signer) signs the PDF."""
    loaded = load_bundle(bundle_path)
    warnings = [warning for warning in [organization_warning(project, loaded)] if warning]
    warnings += accepted_risk_warnings(loaded, request, strict=strict)
    return RenderOutcome(write_documents(loaded, out_dir, request, signer=signer), warnings)


def recorded_options(path: Path) -> DocumentOptions:
    """The options a PDF recorded (its docgen-render.json attachment, extracted), to render it again."""
    try:
        record = json.loads(path.read_bytes())
        return DocumentOptions.from_record(record["options"])
    except OSError as exc:
        raise DocgenError(cannot_read(exc), source=str(path)) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DocgenError(f"not a docgen-render.json render record ({type(exc).__name__}: {exc})",
                          source=str(path)) from None


def recorded_version(path: Path) -> str | None:
    """The docgen version a render record names (None: it names none)."""
    try:
        version = json.loads(path.read_bytes()).get("docgen_version")
    except (OSError, ValueError, AttributeError):
        return None
    return str(version) if version is not None else None
