"""Diff paths and values as people read them.

`group_filtering.connectors[ae4db4cc-...].group_dn` reads "Group filtering, connector
contoso.com: pilot group DN": each keyed element by its display name (declared in the area's
diff spec), each field by the area's label, else by its name humanised.
"""

from __future__ import annotations

import re
from typing import Any

from docgen.diff.spec import Collection, Labels, Words

# Splits a path at the dots outside brackets: "a[x.y].b" -> "a[x.y]", "b".
_SEGMENTS = re.compile(r"\.(?![^\[]*\])")
_KEYED_SEGMENT = re.compile(r"^(?P<name>[^\[]+)\[(?P<key>.*)\]$")
# Abbreviations written in capitals when a field name is humanised.
_ABBREVIATIONS = frozenset({
    "aad", "ad", "bimi", "cu", "dkim", "dmarc", "dn", "dns", "ews", "fqdn", "guid", "id", "ip", "mfa",
    "mta", "mx", "ou", "rpt", "sid", "smtp", "spf", "sts", "tls", "ttl", "upn", "url"})
EMPTY = "(empty)"
IDENTITY_FIELD = "key"


def is_empty(value: Any) -> bool:
    """None, "", [] and {}: one "(empty)" everywhere, and equal to one another."""
    return value is None or value == "" or value == [] or value == {}


def split_path(path: str) -> list[str]:
    return _SEGMENTS.split(path) if path else []


def humanise(name: str) -> str:
    """'group_filtering_group_dn' -> 'group filtering group DN'."""
    words = [word.upper() if word.lower() in _ABBREVIATIONS else word
             for word in re.split(r"[_\-]+", name) if word]
    return " ".join(words) or name


def words_of(labels: Labels, name: str) -> Words:
    label = labels.get(name)
    if isinstance(label, Words):
        return label
    return Words(label=humanise(name) if label is None else label)


def field_label(path: str, collection: Collection, labels: Labels, old: Any, new: Any) -> str:
    """The readable path of a field, relative to its element (`old`, `new`: the element)."""
    parts = _parts(path, collection, labels, old, new)
    if not parts:
        segments = split_path(path)
        parts = [humanise(_segment_name(segments[-1]))] if segments else []
    text = ", ".join(parts[:-1]) + ": " + parts[-1] if len(parts) > 1 else "".join(parts)
    return text[:1].upper() + text[1:]


def leaf_name(path: str) -> str:
    """The field name a path ends in: 'partitions[DC=x].exclusions' -> 'exclusions'."""
    segments = split_path(path)
    return _segment_name(segments[-1]) if segments else path


def _segment_name(segment: str) -> str:
    match = _KEYED_SEGMENT.match(segment)
    return match.group("name") if match else segment


def _parts(path: str, collection: Collection, labels: Labels, old: Any, new: Any) -> list[str]:
    parts: list[str] = []
    sides = [old, new]
    current = collection
    plain: list[str] = []   # the dict keys walked since the last keyed element
    for segment in split_path(path):
        match = _KEYED_SEGMENT.match(segment)
        if match is None:
            sides = [side.get(segment) if isinstance(side, dict) else None for side in sides]
            plain.append(segment)
            label = words_of(labels, segment).label
            if label:
                parts.append(label)
            continue
        name, key = match.group("name"), match.group("key")
        child = _child(current, ".".join([*plain, name]))
        elements = [_element(side.get(name) if isinstance(side, dict) else None, child, key)
                    for side in sides]
        noun = child.noun if child is not None else _singular(words_of(labels, name).label)
        parts.append(f"{noun} {_display(child, key, elements)}".strip())
        sides, current, plain = elements, child or Collection(path=name, noun=noun), []
    return parts


def _child(collection: Collection, path: str) -> Collection | None:
    for child in (*collection.children, *collection.named):
        if child.path == path:
            return child
    return None


def _element(value: Any, child: Collection | None, key: str) -> Any:
    """The element of a keyed list (or map) whose identity is `key`."""
    if isinstance(value, dict):
        return value.get(key)
    if not isinstance(value, list):
        return None
    keys = child.keys if child is not None else ((IDENTITY_FIELD,),)
    for element in value:
        if not isinstance(element, dict):
            continue
        for key_fields in keys:
            values = [element.get(name) for name in key_fields]
            if all(v not in (None, "") for v in values) and "/".join(map(str, values)) == key:
                return element
    return None


def _display(child: Collection | None, key: str, elements: list[Any]) -> str:
    label = child.label if child is not None else "name"
    for element in reversed(elements):   # the newer name first
        if isinstance(element, dict) and label and element.get(label) not in (None, ""):
            return str(element[label])
    return key


def _singular(label: str) -> str:
    return label[:-1] if label.endswith("s") and not label.endswith("ss") else label


def members(old: Any, new: Any) -> tuple[list, list] | None:
    """Added and removed members when both sides are lists of simple values (or empty)."""
    if not all(is_empty(side) or _simple_list(side) for side in (old, new)):
        return None
    if is_empty(old) and is_empty(new):
        return None
    before, after = list(old or []), list(new or [])
    if len(before) == 1 and len(after) == 1:
        return None  # one value for another ("v=DMARC1; p=none" -> "v=DMARC1; p=quarantine")
    return ([m for m in after if m not in before], [m for m in before if m not in after])


def _simple_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        item is None or isinstance(item, (str, int, float, bool)) for item in value)
