"""The published JSON Schema of the bundle, and validation that reports every error."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from docgen.dates import parse_iso

SCHEMA_FILE = "bundle.schema.json"


def schema_text() -> str:
    """The schema as published inside the package."""
    return resources.files("docgen.bundle").joinpath(SCHEMA_FILE).read_text("utf-8")


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    checker = FormatChecker(formats=())
    checker.checks("date-time", raises=ValueError)(_is_bundle_date)
    return Draft202012Validator(json.loads(schema_text()), format_checker=checker)


def _is_bundle_date(value: Any) -> bool:
    if not isinstance(value, str):
        return True  # the type keyword reports non-strings
    parse_iso(value)
    return True


def schema_errors(document: Any) -> list[str]:
    """Every schema error as 'key.path[3].name: message', in document order."""
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    # jsonschema reports each missing property separately while the message names
    # them all: keep one line per distinct message.
    return list(dict.fromkeys(f"{key_path(error.absolute_path) or '(top)'}: {_message(error)}"
                              for error in errors))


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
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return "missing " + ", ".join(repr(name) for name in missing)
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        return error.message.replace("were unexpected", "are not allowed").replace(
            "was unexpected", "is not allowed")
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
