"""`docgen render`: a bundle file to documents, with the project's options where there is one."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from docgen.app.outputs import write_documents
from docgen.bundle import load_bundle
from docgen.core.errors import DocgenError, cannot_read
from docgen.project import find_project, load_project
from docgen.render.documents import RenderRequest
from docgen.render.options import DocumentOptions


def project_options(ignore: bool, start: Path | None = None) -> DocumentOptions:
    """The options of the docgen.toml at or above `start` (the current folder), or defaults."""
    root = None if ignore else find_project(start or Path.cwd())
    return load_project(root).options if root else DocumentOptions()


def with_flags(options: DocumentOptions, **flags) -> DocumentOptions:
    """Options with the command line's flags on top (a flag left out is None)."""
    changes = {name: value for name, value in flags.items() if value is not None}
    if "author" in changes:
        changes["authors"] = ()
    return replace(options, **changes)


def render_bundle_file(bundle_path: Path, out_dir: Path, request: RenderRequest,
                       signer: Any = None) -> list[Path]:
    return write_documents(load_bundle(bundle_path), out_dir, request, signer=signer)


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
