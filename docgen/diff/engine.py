"""Comparing two bundles object by object, by identity keys, never by position.

The result is plain data (dataclasses) that docgen/diff/document.py turns into
the published diff JSON and the templates into HTML and PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from docgen.areas import find_area
from docgen.diff.inline import around_change
from docgen.diff.spec import AreaDiff, Collection, Labels, SectionDiff
from docgen.diff.wording import EMPTY, field_label, is_empty, leaf_name, members, words_of

ADDED, REMOVED, MODIFIED, REPLACED, UNKNOWN = "added", "removed", "modified", "replaced", "unknown"
KINDS = (ADDED, REMOVED, MODIFIED, REPLACED, UNKNOWN)
# A section in one of these states was not (fully) collected: it cannot be compared.
NOT_COMPARABLE_STATUSES = ("error", "skipped")
_SECTION_META = ("status", "errors", "collected_at")
IDENTITY_FIELD = "key"
_KEYED = Collection(path="", noun="item", label=None)
# Longer texts are summarised around their first change, never cut before it.
_SHORT = 60
_ISO_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@dataclass(frozen=True)
class FieldChange:
    """One value that differs; `path` is relative to the object that holds it, `label` is
    that path as people read it; a `derived` value follows from another fact of the change
    (an inherited DMARC tag, an echo of a setting) and is not a change of its own."""

    path: str
    old: Any
    new: Any
    label: str = ""
    derived: bool = False


@dataclass
class Change:
    section: str
    kind: str
    noun: str
    key: str
    label: str
    path: str
    fields: list[FieldChange] = field(default_factory=list)
    # differences under facts a failed lookup left uncertain: not changes
    unknown: list[FieldChange] = field(default_factory=list)
    old: Any = None
    new: Any = None
    summary: str = ""


@dataclass
class Unchanged:
    noun: str
    key: str
    label: str


@dataclass
class SectionComparison:
    name: str
    title: str
    comparable: bool
    reason: str = ""
    changes: list[Change] = field(default_factory=list)
    unchanged: list[Unchanged] = field(default_factory=list)


@dataclass
class Comparison:
    sections: list[SectionComparison]
    volatile: list[FieldChange]
    top_level: list[FieldChange]

    @property
    def changes(self) -> list[Change]:
        return [change for section in self.sections for change in section.changes]

    @property
    def has_changes(self) -> bool:
        return bool(self.top_level) or any(
            change.kind != UNKNOWN for change in self.changes)


class VolatileMatcher:
    """fnmatch-like patterns where only '*' is special (brackets are literal)."""

    def __init__(self, patterns: Iterable[str]) -> None:
        parts = ["^" + re.escape(pattern).replace(r"\*", ".*") + "$" for pattern in patterns]
        self._regex = re.compile("|".join(parts)) if parts else None

    def __call__(self, path: str) -> bool:
        return bool(self._regex and self._regex.match(path))


def compare_bundles(before: dict, after: dict, volatile: VolatileMatcher,
                    section_order: list[str]) -> Comparison:
    """Compare every section present on either side, in `section_order` first."""
    recorder: list[FieldChange] = []
    top = _diff_values(_top_fields(before), _top_fields(after), "", volatile, recorder)
    names = list(dict.fromkeys([*section_order, *before["sections"], *after["sections"]]))
    sections = [
        _compare_section(name, before["sections"].get(name), after["sections"].get(name),
                         volatile, recorder)
        for name in names if name in before["sections"] or name in after["sections"]]
    return Comparison(sections=sections, volatile=recorder, top_level=top)


def _top_fields(bundle: dict) -> dict:
    return {name: value for name, value in bundle.items() if name not in ("sections", "schema_version")}


def section_diff(name: str) -> SectionDiff:
    """What the area declares for comparing its section; an unknown section by position-free items."""
    area = find_area(name)
    if area is None or area.diff is None:
        return SectionDiff(title=area.title if area else name,
                           collections=(Collection(path="items", noun="item", label=None),))
    declared: AreaDiff = area.diff()
    return SectionDiff(title=area.title, collections=declared.collections, labels=declared.labels,
                       change_findings=declared.change_findings)


def _compare_section(name: str, before: dict | None, after: dict | None,
                     volatile: VolatileMatcher, recorder: list[FieldChange]) -> SectionComparison:
    spec = section_diff(name)
    reason = _not_comparable_reason(before, after)
    result = SectionComparison(name=name, title=spec.title, comparable=not reason, reason=reason)
    if reason:
        return result
    assert before is not None and after is not None   # else there would be a reason
    prefix = f"sections.{name}"
    for meta in _SECTION_META:
        _diff_values(before.get(meta), after.get(meta), f"{prefix}.{meta}", volatile, recorder)
    covered = {collection.path for collection in spec.collections}
    context = _Context(name, volatile, recorder, spec.labels)
    for collection in spec.collections:
        _compare_collection(collection, before.get(collection.path), after.get(collection.path),
                            f"{prefix}.{collection.path}", context, result)
    rest_before = {k: v for k, v in before.items() if k not in covered and k not in _SECTION_META}
    rest_after = {k: v for k, v in after.items() if k not in covered and k not in _SECTION_META}
    fields = [_relative(change, prefix)
              for change in _diff_values(rest_before, rest_after, prefix, volatile, recorder)]
    if fields:
        settings = Collection(path="", noun="Section settings", label=None)
        result.changes.append(_finish(Change(section=name, kind=MODIFIED, noun="Section settings",
                                             key="", label=spec.title, path=prefix,
                                             fields=_worded(fields, settings, spec.labels,
                                                            rest_before, rest_after)),
                                      settings, spec.labels))
    return result


@dataclass(frozen=True)
class _Context:
    """What every comparison in one section needs besides the two values."""

    section: str
    volatile: VolatileMatcher
    recorder: list[FieldChange]
    labels: Labels


def _not_comparable_reason(before: dict | None, after: dict | None) -> str:
    for side, section in (("before", before), ("after", after)):
        if section is None:
            return f"not collected in the {side} bundle"
        if section["status"] in NOT_COMPARABLE_STATUSES:
            errors = "; ".join(error["message"] for error in section["errors"][:3])
            return f"collection {section['status']} in the {side} bundle" + (f": {errors}" if errors else "")
    return ""


def _elements(collection: Collection, value: Any) -> list[dict]:
    """The collection's elements; a map's entries become {"name": ..., "value": ...}."""
    if value is None:
        return []
    if collection.is_map:
        return [{"name": str(name), "value": item} for name, item in value.items()]
    return list(value)


def _identity(element: dict, key_fields: tuple[str, ...]) -> str | None:
    values = [element.get(name) for name in key_fields]
    if any(value is None or value == "" for value in values):
        return None
    return "/".join(str(value) for value in values)


def _keys(collection: Collection) -> tuple[tuple[str, ...], ...]:
    return (("name",),) if collection.is_map else collection.keys


def _match(collection: Collection, before: list[dict], after: list[dict]):
    """Pair elements by the first key, then by each fallback; return pairs, removed, added."""
    left, right = before, after
    pairs: list[tuple[str, dict, dict]] = []
    for key_fields in _keys(collection):
        index: dict[str, int] = {}
        for position, element in enumerate(right):
            identity = _identity(element, key_fields)
            if identity is not None:
                index.setdefault(identity, position)
        unmatched: list[dict] = []
        taken: set[int] = set()
        for element in left:
            identity = _identity(element, key_fields)
            matched = index.pop(identity, None) if identity is not None else None
            if matched is None:
                unmatched.append(element)
            else:
                taken.add(matched)
                pairs.append((_display_key(collection, element), element, right[matched]))
        left = unmatched
        right = [element for position, element in enumerate(right) if position not in taken]
    return (pairs, [(_display_key(collection, e), e) for e in left],
            [(_display_key(collection, e), e) for e in right])


def _display_key(collection: Collection, element: dict) -> str:
    for key_fields in _keys(collection):
        identity = _identity(element, key_fields)
        if identity is not None:
            return identity
    return "?"


def _label(collection: Collection, key: str, element: dict) -> str:
    if collection.is_map:
        return key
    if collection.label and element.get(collection.label) not in (None, ""):
        return str(element[collection.label])
    return key


def _compare_collection(collection: Collection, before: Any, after: Any, path: str,
                        context: _Context, result: SectionComparison, owner: str = "") -> None:
    pairs, removed, added = _match(collection, _elements(collection, before),
                                   _elements(collection, after))

    def label_of(key: str, element: dict) -> str:
        label = _label(collection, key, element)
        return f"{owner}: {label}" if collection.qualified and owner else label

    for kind, elements in ((REMOVED, removed), (ADDED, added)):
        for key, element in elements:
            plain = _plain(collection, element)
            gone = kind == REMOVED
            result.changes.append(_finish(Change(
                section=context.section, kind=kind, noun=collection.noun, key=key,
                label=label_of(key, element), path=f"{path}[{key}]",
                old=plain if gone else None, new=None if gone else plain,
                fields=_details(collection, plain, context.labels, removed=gone)),
                collection, context.labels))
    for key, old, new in pairs:
        label = label_of(key, new)
        if old == new:  # the common case, at C speed
            _record_unchanged(collection, key, label, new, result)
            continue
        element_path = f"{path}[{key}]"
        change = _compare_pair(collection, key, label, old, new, element_path, context)
        parts = SectionComparison(name=result.name, title=result.title, comparable=True)
        for child in collection.children:
            if child.apart:
                _compare_collection(child, old.get(child.path), new.get(child.path),
                                    f"{element_path}.{child.path}", context, parts, owner=label)
        change = _fold_derived(change, parts, element_path, collection, context.labels, old, new)
        if change is None:
            result.unchanged.append(Unchanged(noun=collection.noun, key=key, label=label))
        else:
            result.changes.append(change)
        result.changes.extend(parts.changes)
        result.unchanged.extend(parts.unchanged)


def _fold_derived(change: Change | None, parts: SectionComparison, element_path: str,
                  collection: Collection, labels: Labels, old: dict, new: dict) -> Change | None:
    """Changes of an element's own parts (its settings, its connectors) that hold only derived
    values follow from a change of the element itself: they join its entry, as derived fields,
    and are not entries of their own ("group filtering turned on" is one entry)."""
    if change is None or change.kind not in (MODIFIED, REPLACED):
        return change
    folded: list[FieldChange] = []
    for part in list(parts.changes):
        if part.kind == MODIFIED and part.fields and all(f.derived for f in part.fields):
            relative = part.path[len(element_path) + 1:]
            folded += [replace(f, path=f"{relative}.{f.path}", derived=True) for f in part.fields]
            parts.changes.remove(part)   # neither a change of its own nor "unchanged"
    if folded:
        change.fields = [*change.fields, *_worded(folded, collection, labels, old, new)]
        _finish(change, collection, labels)
    return change


def _details(collection: Collection, element: Any, labels: Labels, *, removed: bool) -> list[FieldChange]:
    """An added or removed element's main fields (declared, else all but its identity and source)."""
    if not isinstance(element, dict):
        return [FieldChange("value", element if removed else None, None if removed else element,
                            label="Value")]
    names = collection.details or [name for name in element
                                   if name not in (IDENTITY_FIELD, "id", "source", collection.label)]
    fields = [FieldChange(name, element.get(name) if removed else None,
                          None if removed else element.get(name))
              for name in names if not is_empty(element.get(name))]
    side = (element, None) if removed else (None, element)
    return _worded(fields, collection, labels, *side)


def _record_unchanged(collection: Collection, key: str, label: str, element: dict,
                      result: SectionComparison) -> None:
    """An unchanged element, and every element of its collections reported apart."""
    result.unchanged.append(Unchanged(noun=collection.noun, key=key, label=label))
    for child in collection.children:
        if child.apart:
            for item in _elements(child, element.get(child.path)):
                item_key = _display_key(child, item)
                item_label = _label(child, item_key, item)
                if child.qualified:
                    item_label = f"{label}: {item_label}"
                _record_unchanged(child, item_key, item_label, item, result)


def _plain(collection: Collection, element: dict) -> Any:
    return element["value"] if collection.is_map else element


def _compare_pair(collection: Collection, key: str, label: str, old: dict, new: dict, path: str,
                  context: _Context) -> Change | None:
    fields = _diff_object(collection, old, new, path, context.volatile, context.recorder)
    if not fields:
        return None
    fields = _worded(fields, collection, context.labels, _plain(collection, old),
                     _plain(collection, new))
    parts = _uncertain_parts(collection, old, new)
    unknown = [f for f in fields if any(_under(f.path, part) for part in parts)]
    certain = [f for f in fields if f not in unknown]
    change = Change(section=context.section, kind=MODIFIED if certain else UNKNOWN,
                    noun=collection.noun, key=key, label=label, path=path, fields=certain,
                    unknown=unknown)
    if certain and collection.replacement and _replaced(collection, old, new):
        change.kind = REPLACED
    return _finish(change, collection, context.labels)


def _worded(fields: list[FieldChange], collection: Collection, labels: Labels, old: Any,
            new: Any) -> list[FieldChange]:
    """Each field with its readable path, and marked derived where the area says so."""
    derived = _derived_parts(collection, old, new)
    return [replace(f, label=field_label(f.path, collection, labels, old, new),
                    derived=f.derived or _is_quiet(f.path, collection)
                    or any(_under(f.path, part) for part in derived))
            for f in fields]


def _derived_parts(collection: Collection, old: Any, new: Any) -> set[str]:
    """Parts derived on both sides: a tag that became explicit is a change of its own."""
    if collection.derived is None or not isinstance(old, dict) or not isinstance(new, dict):
        return set()
    return set(collection.derived(old)) & set(collection.derived(new))


def _uncertain_parts(collection: Collection, old: dict, new: dict) -> set[str]:
    if collection.uncertain_parts is None:
        return set()
    return {*collection.uncertain_parts(_plain(collection, old)),
            *collection.uncertain_parts(_plain(collection, new))}


def _under(path: str, part: str) -> bool:
    return path == part or path.startswith(part + ".") or path.startswith(part + "[")


def _diff_object(collection: Collection, old: dict, new: dict, path: str,
                 volatile: VolatileMatcher, recorder: list[FieldChange]) -> list[FieldChange]:
    if collection.is_map:
        return [_relative(change, path)
                for change in _diff_values(old["value"], new["value"], path, volatile, recorder)]
    fields: list[FieldChange] = []
    child_paths = {child.path: child for child in collection.children}
    for name in dict.fromkeys([*old, *new]):
        if name == IDENTITY_FIELD:
            continue  # the identity key is derived from the object's id: its change shows there
        sub_path = f"{path}.{name}"
        child = child_paths.get(name)
        if child is not None and child.apart:
            continue  # compared element by element, as changes of their own
        if child is None:
            fields.extend(_diff_values(old.get(name), new.get(name), sub_path, volatile, recorder))
        else:
            fields.extend(_diff_children(child, old.get(name), new.get(name), sub_path, volatile,
                                         recorder))
    return [_relative(change, path) for change in fields]


def _diff_children(child: Collection, old: Any, new: Any, path: str, volatile: VolatileMatcher,
                   recorder: list[FieldChange]) -> list[FieldChange]:
    """A nested keyed collection: added and removed elements, and changed fields of pairs."""
    if volatile(path):
        if old != new:
            recorder.append(FieldChange(path, old, new))
        return []
    pairs, removed, added = _match(child, _elements(child, old), _elements(child, new))
    fields = [FieldChange(f"{path}[{key}]", _plain(child, element), None) for key, element in removed]
    fields += [FieldChange(f"{path}[{key}]", None, _plain(child, element)) for key, element in added]
    for key, left, right in pairs:
        if left != right:
            element_path = f"{path}[{key}]"
            fields += [FieldChange(f"{element_path}.{c.path}", c.old, c.new)
                       for c in _diff_object(child, left, right, element_path, volatile, recorder)]
    return fields


def _diff_values(old: Any, new: Any, path: str, volatile: VolatileMatcher,
                 recorder: list[FieldChange]) -> list[FieldChange]:
    """Leaf-level differences under `path` (absolute), volatile ones recorded apart.
    Empty values (None, "", [], {}) are one value: never a change from one to another."""
    if old == new or (is_empty(old) and is_empty(new)):
        return []
    if path and volatile(path):
        recorder.append(FieldChange(path, old, new))
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[FieldChange] = []
        for name in dict.fromkeys([*old, *new]):
            sub_path = f"{path}.{name}" if path else str(name)
            changes.extend(_diff_values(old.get(name), new.get(name), sub_path, volatile, recorder))
        return changes
    if _keyed_list(old) and _keyed_list(new):
        # Lists of objects that carry an identity key are matched by it, like collections.
        return _diff_children(_KEYED, old, new, path, volatile, recorder)
    return [FieldChange(path, old, new)]


def _keyed_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(item, dict) and item.get(IDENTITY_FIELD) not in (None, "") for item in value)


def _relative(change: FieldChange, prefix: str) -> FieldChange:
    if change.path.startswith(prefix + "."):
        return replace(change, path=change.path[len(prefix) + 1:])
    return change


def _replaced(collection: Collection, old: dict, new: dict) -> bool:
    rule = collection.replacement
    assert rule is not None
    before = ((old.get(rule.field) or {}) if rule.field else old).get(rule.identity)
    after = ((new.get(rule.field) or {}) if rule.field else new).get(rule.identity)
    return before is not None and after is not None and before != after


def _finish(change: Change, collection: Collection | None = None, labels: Labels | None = None) -> Change:
    change.summary = describe(change, collection, labels or {})
    return change


def describe(change: Change, collection: Collection | None = None, labels: Labels | None = None) -> str:
    """The change in a sentence a change board reads: fields by their labels, derived ones
    left out, added and removed members of lists in words, added objects with their details."""
    subject = f"{change.noun} '{change.label}'"
    if change.kind == REMOVED:
        return f"{subject} removed"   # as it was: its fields, in the documents
    if change.kind == ADDED:
        # the sentence names its first simple facts; documents show every field, whole
        named = [f for f in change.fields if isinstance(f.new, (str, int, float))][:4]
        details = "; ".join(f"{f.label}: {show(f.new)}" for f in named)
        rest = len(change.fields) - len(named)
        more = f"; and {rest} more field{'s' if rest != 1 else ''}" if rest and details else ""
        return f"{subject} added" + (f" ({details}{more})" if details else "")
    if change.kind == REPLACED and collection and collection.replacement:
        return f"{subject}: {_describe_replacement(change, collection.replacement)}"
    if change.kind == UNKNOWN:
        parts = sorted({_first_part(f.path) for f in change.unknown})
        return f"{subject}: {', '.join(parts)} could not be compared (a lookup failed on one side)"
    shown = shown_fields(change.fields)
    details = "; ".join(describe_field(c, labels or {}) for c in shown[:6])
    more = f"; and {len(shown) - 6} more" if len(shown) > 6 else ""
    tail = ""
    if change.unknown:
        parts = sorted({_first_part(f.path) for f in change.unknown})
        tail = f"; {', '.join(parts)} could not be compared"
    return f"{subject} ({details}{more}{tail})"


def shown_fields(fields: list[FieldChange]) -> list[FieldChange]:
    """The fields people read: derived ones left out, unless nothing else changed."""
    return [f for f in fields if not f.derived] or fields


def _first_part(path: str) -> str:
    """'selectors[selector1].key_lookup.outcome' -> 'selectors[selector1]'."""
    head = re.split(r"\.(?![^\[]*\])", path, maxsplit=1)[0]
    return head


def _is_quiet(path: str, collection: Collection) -> bool:
    return any(re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), path) for pattern in collection.quiet)


def _describe_replacement(change: Change, rule) -> str:
    by_path = {c.path: c for c in change.fields}
    parts = []
    for name, word in ((rule.identity, rule.identity_label), *rule.details):
        field_change = by_path.get(f"{rule.field}.{name}" if rule.field else name)
        if field_change is not None:
            parts.append(f"{word} {show(field_change.old)} -> {show(field_change.new)}")
    return f"{rule.noun} {rule.verb} ({'; '.join(parts)})"


def describe_field(change: FieldChange, labels: Labels | None = None) -> str:
    """One field in words: 'OU=Sales,DC=contoso,DC=com excluded', 'Precedence 159 -> 90'."""
    label = change.label or change.path
    listed = members(change.old, change.new)
    if listed is not None and (listed[0] or listed[1]):
        words = words_of(labels or {}, leaf_name(change.path))
        custom = (words.added, words.removed) != ("added", "removed")
        # "Partition DC=contoso,DC=com: OU=Sales,... excluded"; "Roles: Edge added"
        lead = label.rsplit(": ", 1)[0] if custom and ": " in label else ("" if custom else label)
        said = [f"{show(m)} {words.added}" for m in listed[0]]
        said += [f"{show(m)} {words.removed}" for m in listed[1]]
        return f"{lead}: {', '.join(said)}" if lead else ", ".join(said)
    if change.old is None and isinstance(change.new, (dict, list)):
        return f"{label} added"
    if change.new is None and isinstance(change.old, (dict, list)):
        return f"{label} removed"
    if isinstance(change.old, str) and isinstance(change.new, str) and (
            len(change.old) > _SHORT or len(change.new) > _SHORT):
        before, after = around_change(change.old, change.new)
        return f"{label} {before} -> {after}"
    return f"{label} {show(change.old)} -> {show(change.new)}"


def show(value: Any, limit: int | None = 60) -> str:
    """A value as a short phrase: numbers and text plain, lists bracketed, long ones cut
    (never in documents, which show the whole value: `limit=None`)."""
    if is_empty(value):
        text = EMPTY
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str) and _ISO_MOMENT.match(value):
        text = value[:10] if value.endswith("T00:00:00Z") else f"{value[:10]} {value[11:16]} UTC"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, list):
        text = "[" + ", ".join(show(item, limit) for item in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}: {show(v, limit)}" for k, v in value.items()) + "}"
    else:
        text = str(value)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"
