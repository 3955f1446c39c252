"""The published JSON Schema of the bundle, and validation that reports every error."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import fastjsonschema

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
    return Draft202012Validator(bundle_schema(), format_checker=checker)


@lru_cache(maxsize=1)
def _fast_validator():
    """A compiled validator: about 13x faster than jsonschema on a 10,000-object bundle.

    It stops at the first error, so jsonschema still produces the full list when
    a bundle is invalid. fastjsonschema knows drafts up to 7; the schema uses
    nothing newer (its $defs are reached by plain JSON pointers).
    """
    schema = bundle_schema()
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return fastjsonschema.compile(_inline_item_refs(schema, schema["$defs"]),
                                  formats={"date-time": _is_date_text})


def _inline_item_refs(node: Any, definitions: dict, items: bool = False) -> Any:
    """The schema with each array's item `$ref` replaced by its definition, where that
    definition holds no reference itself (aad_flow, input, error, ...).

    fastjsonschema validates a reference by calling a function whose name argument
    it formats with `**locals()`, once per array item: with a thousand rules of
    twenty flows that was half the validation time. Inlined, the generated code
    checks the same things without the call. Only such leaves are inlined: every
    reference inlined tripled the generated code (0.2 s more to compile it in each
    process, 60 MB more memory). As fastjsonschema does with a reference (draft 7),
    keywords beside an inlined `$ref` are left out.
    """
    if isinstance(node, dict):
        reference = node.get("$ref")
        if items and isinstance(reference, str) and reference.startswith("#/$defs/"):
            definition = definitions[reference.removeprefix("#/$defs/")]
            if not _has_ref(definition):
                return definition
        return {key: _inline_item_refs(value, definitions, key == "items")
                for key, value in node.items()}
    if isinstance(node, list):
        return [_inline_item_refs(value, definitions) for value in node]
    return node


def _has_ref(node: Any) -> bool:
    if isinstance(node, dict):
        return "$ref" in node or any(_has_ref(value) for value in node.values())
    if isinstance(node, list):
        return any(_has_ref(value) for value in node)
    return False


def _is_date_text(value: str) -> bool:
    try:
        parse_iso(value)
    except ValueError:
        return False
    return True


def _is_bundle_date(value: Any) -> bool:
    if not isinstance(value, str):
        return True  # the type keyword reports non-strings
    parse_iso(value)
    return True


def schema_errors(document: Any) -> list[str]:
    """Every schema error of a bundle as 'key.path[3].name: message', in document order."""
    try:
        # no cycles made, but enough short-lived sets to set off full collections
        with collector_paused():
            _fast_validator()(document)
        return []
    except fastjsonschema.JsonSchemaValueException as exc:
        # its path starts with "data"; its message repeats the path before "must"
        first = f"{key_path(_indices(exc.path[1:])) or '(top)'}: {exc.message.split(' ', 1)[-1]}"
    errors = list(_validator().iter_errors(document))
    if not errors:  # the two validators disagree: report what the fast one saw
        return [first]
    return format_errors(errors)


def _indices(parts: list[str]) -> list:
    """fastjsonschema gives list positions as text; key_path wants them as numbers."""
    return [int(part) if part.isdigit() else part for part in parts]


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
