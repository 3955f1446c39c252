"""The published JSON Schema of the bundle, and validation that reports every error."""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from docgen.core.dates import parse_iso
from docgen.core.memory import collector_paused

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

BASE_FILE = "bundle.base.schema.json"
AREA_FILE = "schema.json"   # in each area's folder: its section's $defs


def bundle_schema() -> dict:
    """The bundle's JSON Schema: the common part and every area's section.

    The areas' fragments are read as package files, so the bundle imports no area's code.
    `docgen schema bundle` prints it.
    """
    schema = json.loads(resources.files("docgen.bundle").joinpath(BASE_FILE).read_text("utf-8"))
    sections = schema["properties"]["sections"]["properties"]
    for folder in sorted(resources.files("docgen.areas").iterdir(), key=lambda entry: entry.name):
        fragment = folder.joinpath(AREA_FILE)
        if not fragment.is_file():
            continue
        schema["$defs"].update(json.loads(fragment.read_text("utf-8"))["$defs"])
        sections[folder.name] = {"$ref": f"#/$defs/{folder.name}"}
    return schema


def schema_text() -> str:
    """The schema as JSON text, as published."""
    return json.dumps(bundle_schema(), indent=2, ensure_ascii=False) + "\n"


@lru_cache(maxsize=1)
def _validator() -> "Draft202012Validator":
    # jsonschema is only needed to list the errors of an invalid bundle
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())
    checker.checks("date-time", raises=ValueError)(_is_bundle_date)
    checker.checks("date", raises=ValueError)(_is_bundle_day)
    return Draft202012Validator(bundle_schema(), format_checker=checker)


@lru_cache(maxsize=1)
def _fast_validator() -> Any:
    """The fastest validator to be had; it has is_valid() and iter_errors(), as jsonschema's.

    jsonschema-rs (Rust) checks a 992-rule Azure AD Connect bundle in 7 ms where
    fastjsonschema took 47 ms and jsonschema some 0.6 s, and builds its validator in
    3 ms (fastjsonschema: 0.3 s of code generation in every process). Only its
    answer is used: jsonschema lists the errors of an invalid bundle, in the words
    docgen has always used. Without jsonschema-rs (a platform without its wheel)
    jsonschema answers alone. Both check the same formats with the same functions.
    """
    try:
        import jsonschema_rs
    except ImportError:
        return _validator()
    return jsonschema_rs.validator_for(bundle_schema(), validate_formats=True,
                                       formats={"date-time": _is_date_text, "date": _is_day_text})


def _is_date_text(value: str) -> bool:
    try:
        parse_iso(value)
    except ValueError:
        return False
    return True


def _is_day_text(value: str) -> bool:
    try:
        _is_bundle_day(value)
    except ValueError:
        return False
    return True


def _is_bundle_date(value: Any) -> bool:
    if not isinstance(value, str):
        return True  # the type keyword reports non-strings
    parse_iso(value)
    return True


def _is_bundle_day(value: Any) -> bool:
    """A calendar day written YYYY-MM-DD (date.fromisoformat alone also takes 20240131)."""
    if not isinstance(value, str):
        return True
    if len(value) != 10:
        raise ValueError(f"not a YYYY-MM-DD date: {value!r}")
    date.fromisoformat(value)
    return True


def schema_errors(document: Any) -> list[str]:
    """Every schema error of a bundle as 'key.path[3].name: message', in document order."""
    # no cycles made, but enough short-lived sets to set off full collections
    fast = _fast_validator()
    with collector_paused():
        try:
            if fast.is_valid(document):
                return []
        except (ValueError, TypeError, OverflowError):
            # jsonschema-rs takes JSON data only (a key that is not text); jsonschema names it
            fast = None
        errors = list(_validator().iter_errors(document))
    if not errors and fast is not None:  # the two disagree: report what the fast one saw
        first = next(iter(fast.iter_errors(document)))
        return [f"{key_path(first.instance_path) or '(top)'}: {first.message}"]
    return format_errors(errors)


def format_errors(errors: list[ValidationError]) -> list[str]:
    """jsonschema errors as 'key.path[3].name: message' lines, in document order.

    jsonschema reports each missing required key on its own; they are joined
    into one 'missing ...' line per object.
    """
    errors = sorted(errors, key=lambda e: list(map(str, e.absolute_path)))
    lines: list[str] = []
    missing: dict[str, list[str]] = {}
    for error in errors:
        path = key_path(error.absolute_path) or "(top)"
        if error.validator == "required":
            if path not in missing:
                missing[path] = []
                lines.append(path)  # placeholder, filled in below
            missing[path].append(_missing_name(error))
        else:
            lines.append(f"{path}: {_message(error)}")
    return [f"{line}: missing {', '.join(missing[line])}" if line in missing else line
            for line in lines]


def _missing_name(error: ValidationError) -> str:
    # jsonschema's text is "'name' is a required property"
    return error.message.removesuffix(" is a required property")


def key_path(parts) -> str:
    """['sections', 'x', 'items', 3, 'not_after'] -> 'sections.x.items[3].not_after'."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _message(error: ValidationError) -> str:
    """jsonschema's messages, made plainer where they are cryptic."""
    value = _short(error.instance)
    if error.validator == "format" and error.validator_value == "date-time":
        return f"not a date ({value})"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        extra = [name for name in error.instance if name not in known]
        return f"unknown key{'s' if len(extra) > 1 else ''} {', '.join(map(repr, extra))}"
    if error.validator == "enum":
        return f"{value} is not one of {', '.join(map(repr, error.validator_value))}"
    if error.validator == "const":
        return f"{value} should be {error.validator_value!r}"
    if error.validator == "type":
        return f"{value} is not of type {error.validator_value!r}"
    return error.message


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
