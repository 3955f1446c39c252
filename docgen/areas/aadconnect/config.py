"""Facts from the three kinds of file `Get-ADSyncServerConfiguration` writes.

Each function takes a parsed root element and the file's name (relative to the
export folder) and returns plain dicts for the bundle plus the problems it met.
A problem in one value (a precedence that is not a number) is reported and the
value left null; the rest of the file is kept.

GUIDs are stored in one form, lower case without braces: rule files spell
connector ids in lower case, `ma-data/id` in upper case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from lxml import etree

from docgen.areas.aadconnect.blocks import FileBlocks
from docgen.core.dates import iso_utc
from docgen.core.errors import InputError
from docgen.readers.xml import Fields, describe, guid_key, text, texts

GROUP_FILTER_PARAMETER = "Connector.GroupFilteringGroupDn"
AAD_CONNECTOR_NAMES = ("azure active directory", "microsoft entra")


@dataclass
class Parsed:
    """What one file yielded: its facts and the problems met on the way."""

    facts: dict
    problems: list[InputError] = field(default_factory=list)


def _expect_root(root: etree._Element, tag: str, what: str, source: str) -> None:
    if root.tag != tag:
        raise InputError(f"not {what}: the root element is <{root.tag}>, expected <{tag}>",
                         source=source, where=f"line {root.sourceline}")


def _flag(value: str | None, label: str, element: etree._Element | None, source: str,
          problems: list[InputError]) -> bool | None:
    """'1'/'0', 'True'/'False' as a boolean; anything else is a problem and None."""
    if value is None or value == "":
        return None
    lowered = value.lower()
    if lowered in ("1", "true"):
        return True
    if lowered in ("0", "false"):
        return False
    problems.append(InputError(f"<{label}> is not a boolean: {value!r}", source=source,
                               where=describe(element) if element is not None else ""))
    return None


def _flag_at(element: etree._Element, path: str, source: str,
             problems: list[InputError]) -> bool | None:
    return _flag(text(element, path), path.rsplit("/", 1)[-1], element.find(path), source,
                 problems)


def export_time(value: str | None, source: str, problems: list[InputError]) -> str | None:
    """'2016-05-03 14:28:09.784' (the sync engine writes UTC without a zone) -> ISO UTC."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        problems.append(InputError(f"not a date: {value!r}", source=source))
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return iso_utc(moment)


def named_value(name: str, value: str | None) -> dict:
    """One entry of an open name -> value map; `key` is the case-normalised name."""
    return {"key": name.lower(), "name": name, "value": value}


def parse_global_settings(root: etree._Element, source: str) -> Parsed:
    """GlobalSettings/MV.xml: the server, the export date, every global parameter."""
    _expect_root(root, "saved-mv-configuration", "a global settings file (GlobalSettings/MV.xml)",
                 source)
    problems: list[InputError] = []
    settings = {}
    for parameter in root.iterfind("mv-data/parameter-values/parameter"):
        name = parameter.get("name")
        if name:
            settings[name.lower()] = named_value(name, (parameter.text or "").strip())
    facts = {
        "server": (root.get("server") or "").strip() or None,
        "export_date": export_time(root.get("export-date"), source, problems),
        "global_settings": [settings[key] for key in sorted(settings)],
    }
    return Parsed(facts, problems)


def parse_connector(root: etree._Element, source: str) -> Parsed:
    """Connectors/Connector_{GUID}.xml: identity, parameters, partitions, run profiles."""
    _expect_root(root, "ma-data", "a connector file (<ma-data>)", source)
    problems: list[InputError] = []
    connector_id = guid_key(text(root, "id"))
    if not connector_id:
        raise InputError("the connector has no <id>", source=source, where="ma-data")
    category = text(root, "category") or ""
    subtype = text(root, "subtype") or text(root, "ma-listname") or None
    connectivity, global_parameters = _connector_parameters(root)
    partitions = [_partition(element, source, problems)
                  for element in root.iterfind("ma-partition-data/partition")]
    partition_names = {partition["key"]: partition["name"] for partition in partitions}
    is_ad = category.upper() == "AD"
    group_dn = next((entry["value"] for entry in global_parameters
                     if entry["name"] == GROUP_FILTER_PARAMETER), None)
    facts = {
        "key": connector_id,
        "id": connector_id,
        "name": text(root, "name") or connector_id,
        "type": category,
        "subtype": subtype,
        "kind": "ad" if is_ad else ("aad" if _is_aad(subtype) else "other"),
        "description": text(root, "description") or None,
        "creation_time": export_time(text(root, "creation-time"), source, problems),
        "forest": text(root, "private-configuration/adma-configuration/forest-name") or None,
        "password_hash_sync": _flag_at(root, "private-configuration/adma-configuration/"
                                       "password-hash-sync-config/enabled", source, problems),
        "group_filtering_group_dn": group_dn if is_ad else None,
        "connectivity": connectivity,
        "global_parameters": global_parameters,
        "partitions": sorted(partitions, key=lambda p: (p["name"].lower(), p["key"])),
        "run_profiles": sorted((_run_profile(element, partition_names)
                                for element in root.iterfind("ma-run-data/run-configuration")),
                               key=lambda r: (r["name"].lower(), r["key"])),
        "source": {"file": source, "where": "ma-data"},
    }
    return Parsed(facts, problems)


def _is_aad(subtype: str | None) -> bool:
    return bool(subtype and any(name in subtype.lower() for name in AAD_CONNECTOR_NAMES))


def _connector_parameters(root: etree._Element) -> tuple[list[dict], list[dict]]:
    """Connectivity (never the encrypted ones) and global parameters, sorted by name.

    AD connectors keep them under adma-configuration, others under MAConfig.
    """
    connectivity: dict[str, dict] = {}
    global_parameters: dict[str, dict] = {}
    for parameter in root.iterfind("private-configuration/*/parameter-values/parameter"):
        name = parameter.get("name")
        if not name or parameter.get("encrypted") == "1" or "encrypted" in (parameter.get("type") or ""):
            continue
        value = (parameter.text or "").strip()
        if parameter.get("use") == "connectivity":
            connectivity[name.lower()] = named_value(name, value)
        elif parameter.get("use") == "global":
            global_parameters[name.lower()] = {**named_value(name, value),
                                               "intrinsic": parameter.get("intrinsic") == "1"}
    return ([connectivity[key] for key in sorted(connectivity)],
            [global_parameters[key] for key in sorted(global_parameters)])


def _partition(element: etree._Element, source: str, problems: list[InputError]) -> dict:
    partition_id = guid_key(text(element, "id")) or ""
    name = text(element, "name") or partition_id
    return {
        "key": partition_id or name.lower(),
        "id": partition_id,
        "name": name,
        "display_name": text(element, "display-name") or name,
        "selected": _flag_at(element, "selected", source, problems),
        "object_classes": texts(element, "filter/object-classes/object-class"),
        "inclusions": texts(element, "filter/containers/inclusions/inclusion"),
        "exclusions": texts(element, "filter/containers/exclusions/exclusion"),
    }


def _run_profile(element: etree._Element, partition_names: dict[str, str]) -> dict:
    profile_id = guid_key(text(element, "id")) or ""
    name = text(element, "name") or profile_id
    steps = []
    for step in element.iterfind("configuration/step"):
        step_type = step.find("step-type")
        partition_id = guid_key(text(step, "partition"))
        steps.append({
            "type": step_type.get("type") if step_type is not None else None,
            # <import-subtype>, <apply-rules-subtype>, ...: whichever the step type has
            "subtype": text(step_type, "*") or None,
            "partition_id": partition_id,
            "partition_name": partition_names.get(partition_id or ""),
        })
    return {"key": profile_id or name.lower(), "id": profile_id, "name": name, "steps": steps}


# A rule's lists, found by compiled XPath: one call in C where iterfind() runs Python
# generators per element (the same elements, in document order).
_SCOPE_GROUPS = etree.XPath("synchronizationCriteria/conditions")
_SCOPES = etree.XPath("scope")
_JOIN_GROUPS = etree.XPath("relationshipCriteria/conditions")
_CONDITIONS = etree.XPath("condition")
_MAPPINGS = etree.XPath("attribute-mappings/mapping")


def parse_sync_rule(root: etree._Element, source: str, fallback_id: str | None,
                    blocks: FileBlocks | None = None) -> Parsed:
    """SynchronizationRules/SynchronizationRule_{GUID}.xml: one rule, whole.

    `blocks`, when given, reuses the facts of the blocks another file ended in byte
    for byte (blocks.py); without it every block is read from its elements.
    """
    _expect_root(root, "synchronizationRule", "a sync rule file (<synchronizationRule>)", source)
    problems: list[InputError] = []
    fields = Fields(root)

    def read_blocks() -> tuple[list, list, list]:
        return _rule_blocks(root, source, problems)

    scoping_filter, join_rules, flows = (read_blocks() if blocks is None
                                         else blocks.facts(read_blocks, problems))
    rule_id = guid_key(fields.text("id")) or fallback_id
    name = fields.text("name") or rule_id or source
    connector_id = guid_key(fields.text("connector"))
    immutable_tag = fields.text("immutable-tag") or None
    facts = {
        "key": rule_id or f"{connector_id}/{name.lower()}",
        "id": rule_id,
        "name": name,
        "description": fields.text("description") or None,
        "connector_id": connector_id,
        "connector_name": None,  # resolved once every connector is read
        "direction": fields.text("direction") or None,
        "source_object_type": fields.text("sourceObjectType") or None,
        "target_object_type": fields.text("targetObjectType") or None,
        "link_type": fields.text("linkType") or None,
        "precedence": _precedence(fields, source, problems),
        "immutable_tag": immutable_tag,
        # Microsoft's own rules carry an immutable tag such as 'Microsoft.InfromADUserJoin.003'.
        "is_default": bool(immutable_tag and immutable_tag.startswith("Microsoft.")),
        "disabled": bool(_flag(fields.text("disabled"), "disabled", fields.get("disabled"),
                               source, problems)),
        "password_sync": _flag(fields.text("EnablePasswordSync"), "EnablePasswordSync",
                               fields.get("EnablePasswordSync"), source, problems),
        "scoping_filter": scoping_filter,
        "join_rules": join_rules,
        "flows": flows,
        "source": {"file": source, "where": "synchronizationRule"},
    }
    return Parsed(facts, problems)


def _rule_blocks(root: etree._Element, source: str,
                 problems: list[InputError]) -> tuple[list, list, list]:
    """The scoping filter, join rules and flows: what blocks.py may reuse between files."""
    return (_scoping_filter(root), _join_rules(root, source, problems),
            [_flow(mapping) for mapping in _MAPPINGS(root)])


def _scoping_filter(root: etree._Element) -> list[list[dict]]:
    return [[_scope_clause(Fields(scope)) for scope in _SCOPES(group)] for group in _SCOPE_GROUPS(root)]


def _join_rules(root: etree._Element, source: str, problems: list[InputError]) -> list[list[dict]]:
    return [[_join_clause(Fields(condition), source, problems) for condition in _CONDITIONS(group)]
            for group in _JOIN_GROUPS(root)]


def _precedence(fields: Fields, source: str, problems: list[InputError]) -> int | None:
    value = fields.text("precedence")
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        problems.append(InputError(f"precedence is not a number: {value!r}", source=source,
                                   where=describe(fields.get("precedence"))))
        return None


def _scope_clause(fields: Fields) -> dict:
    return {"attribute": fields.text("csAttribute") or "",
            "operator": fields.text("csOperator") or "",
            "value": fields.text("csValue") or ""}


def _join_clause(fields: Fields, source: str, problems: list[InputError]) -> dict:
    return {"cs_attribute": fields.text("csAttribute") or "",
            "mv_attribute": fields.text("ilmAttribute") or "",
            "case_sensitive": bool(_flag(fields.text("caseSensitive"), "caseSensitive",
                                         fields.get("caseSensitive"), source, problems))}


def _flow(mapping: etree._Element) -> dict:
    """An attribute flow: direct (source attributes), expression, or constant.

    A constant is written as text inside <src> with no <attr> children. Of each
    child, the first one counts. With a thousand rules of twenty flows this runs
    twenty thousand times, so it walks the children once and makes no helper
    objects: most of its time is lxml making an element object per child.
    """
    dest = src = expression = merge = None
    for child in mapping:
        tag = child.tag
        if tag == "dest":
            if dest is None:
                dest = child
        elif tag == "src":
            if src is None:
                src = child
        elif tag == "expression":
            if expression is None:
                expression = child
        elif tag == "valueMergeType":
            if merge is None:
                merge = child
    sources = []
    if src is not None:
        for attr in src:
            if attr.tag == "attr":
                value = (attr.text or "").strip()
                if value:
                    sources.append(value)
    expression_text = (expression.text or "").strip() or None if expression is not None else None
    constant = None
    if expression_text:
        kind = "expression"
    elif sources:
        kind = "direct"
    else:
        kind = "constant"
        constant = (src.text or "").strip() if src is not None else ""
    once = mapping.get("execute-once")
    return {
        "destination": "" if dest is None else (dest.text or "").strip(),
        "type": kind,
        "sources": sources,
        "expression": expression_text,
        "constant": constant,
        "merge_type": None if merge is None else ((merge.text or "").strip() or None),
        "execute_once": once is not None and once.lower() == "true",
    }
