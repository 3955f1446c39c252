"""Reading Microsoft Graph objects in the forms they reach us.

The same object comes three ways: as the REST API returns it (camelCase, ISO 8601 dates,
`@odata.*` annotations, a page `{"value": [...]}`), as the Graph PowerShell SDK writes it
through ConvertTo-Json (PascalCase, `/Date(ms)/` in Windows PowerShell 5.1, unknown
properties under `AdditionalProperties`), and inside other tools' exports (CISA
ScubaGear). `lower_keys` makes them one: every key in lower case, `AdditionalProperties`
folded into its object, `@odata.*` keys kept (lower case) for whoever needs the type.
"""

from __future__ import annotations

from typing import Any

from docgen.core.dates import iso_utc
from docgen.readers import powershell as ps


def lower_keys(value: Any) -> Any:
    """Every dict key in lower case, recursively; `AdditionalProperties` merged into its
    object (a key present in both keeps the object's own value)."""
    if isinstance(value, list):
        return [lower_keys(item) for item in value]
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, item in value.items():
        name = str(key).lower()
        if name == "additionalproperties" and isinstance(item, dict):
            extra = lower_keys(item)
            continue
        result[name] = lower_keys(item)
    for name, item in extra.items():
        result.setdefault(name, item)
    return result


def objects(document: Any) -> list[Any]:
    """The objects of a response: a page's `value`, an array, or one object."""
    if isinstance(document, dict) and isinstance(document.get("value"), list):
        return document["value"]
    return ps.as_list(document)


def texts(value: Any) -> list[str]:
    """A list of strings, sorted and without repeats (conditions are sets); None is empty."""
    return sorted({str(item) for item in ps.as_list(value) if item not in (None, "")})


def text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def date_text(value: Any, source: str, where: str) -> str | None:
    """A Graph or PowerShell date as ISO 8601 UTC text (InputError when unreadable)."""
    moment = ps.to_datetime(value, source, where)
    return None if moment is None else iso_utc(moment)


def path(obj: Any, *names: str) -> Any:
    """obj[a][b]... with None for any missing step (names in lower case)."""
    for name in names:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(name)
    return obj
