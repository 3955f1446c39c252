"""Loading and saving bundles: canonical bytes, atomic writes, full validation."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import orjson

from docgen.bundle.migrations import CURRENT_VERSION, migrate
from docgen.bundle.schema import schema_errors
from docgen.core import jsontext
from docgen.core.atomic import write_atomic
from docgen.core.errors import BundleError, cannot_read
from docgen.core.limits import BUNDLE

CANONICAL_JSON = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


@dataclass(frozen=True)
class LoadedBundle:
    """A validated bundle, the exact bytes it was read from, and their SHA-256."""

    data: dict
    raw: bytes
    sha256: str
    source: str


def dump_bundle(bundle: dict) -> bytes:
    """The canonical bytes: sorted keys, UTF-8, two-space indent, final newline.

    orjson writes exactly what json.dumps(sort_keys=True, ensure_ascii=False,
    indent=2) writes, about ten times faster (json's indenting writer is pure Python).
    """
    return orjson.dumps(bundle, option=CANONICAL_JSON)


def bundle_bytes(path: Path, bundle: dict) -> bytes:
    """Validate, then the bytes `save_bundle` would write to `path` (written elsewhere, or
    later with other outputs)."""
    problems = schema_errors(bundle)
    if problems:
        # Our own bug if it happens: refuse to write a bundle we could not read back.
        raise BundleError(f"refusing to write an invalid bundle: {problems[0]}",
                          source=str(path), problems=problems)
    raw = dump_bundle(bundle)
    too_large = BUNDLE.exceeded(len(raw), "would be")
    if too_large:  # never write a bundle docgen would refuse to read
        raise BundleError(too_large, source=str(path))
    return raw


def save_bundle(path: Path, bundle: dict) -> bytes:
    """Validate, then write atomically; returns the bytes written."""
    raw = bundle_bytes(path, bundle)
    write_atomic(path, raw)
    return raw


def load_bundle(path: Path) -> LoadedBundle:
    """Read, migrate and validate a bundle file."""
    try:
        with Path(path).open("rb") as file:
            too_large = BUNDLE.exceeded(os.fstat(file.fileno()).st_size)
            if too_large:
                raise BundleError(too_large, source=str(path))
            raw = file.read()
    except OSError as exc:
        raise BundleError(cannot_read(exc), source=str(path)) from None
    return parse_bundle(raw, str(path))


def parse_bundle(raw: bytes, source: str) -> LoadedBundle:
    """Bundle bytes to a validated, current-version bundle; every problem reported."""
    too_large = BUNDLE.exceeded(len(raw))
    if too_large:
        raise BundleError(too_large, source=source)
    document = _parse_json(raw, source)
    document = _bring_to_current(document, source)
    problems = schema_errors(document)
    if problems:
        count = len(problems)
        raise BundleError(f"not a valid bundle ({count} error{'s' if count > 1 else ''})",
                          source=source, problems=problems)
    return LoadedBundle(data=document, raw=raw, sha256=hashlib.sha256(raw).hexdigest(),
                        source=source)


def _parse_json(raw: bytes, source: str) -> dict:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BundleError("not UTF-8 text", source=source, where=f"byte {exc.start}") from None
    try:
        document = jsontext.loads(text)
    except json.JSONDecodeError as exc:
        raise BundleError(f"not valid JSON ({exc.msg})", source=source,
                          where=f"line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise BundleError("JSON nested too deeply", source=source) from None
    if not isinstance(document, dict):
        raise BundleError("not a bundle (the top level is not an object)", source=source)
    return document


def _bring_to_current(document: dict, source: str) -> dict:
    version = document.get("schema_version")
    if version is None:
        raise BundleError("not a bundle (no schema_version)", source=source)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BundleError(f"schema_version {version!r} is not a version number", source=source)
    if version > CURRENT_VERSION:
        raise BundleError(
            f"schema_version {version} is newer than this docgen understands "
            f"(up to {CURRENT_VERSION}); upgrade docgen to read it", source=source)
    return migrate(document)
