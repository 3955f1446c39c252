"""Azure AD Connect (Entra Connect Sync): what was chosen at setup, and how it syncs.

Input is the folder `Get-ADSyncServerConfiguration -Path <dir>` writes:

    GlobalSettings/MV.xml                              metaverse schema, global settings
    Connectors/Connector_{GUID}.xml                    one per connector
    SynchronizationRules/SynchronizationRule_{GUID}.xml  one per rule
    PersistedState.xml, MigratedPolicy.json            (newer versions; recorded, not read)

or the JSON of collectors/Export-AADConnectConfig.ps1, which names such a folder
beside it and adds the live scheduler and auto-upgrade state.

The section has one item per sync server (key: the server name in lower case).
Inside it, lists are keyed for comparison: global settings by lower-case name,
connectors and sync rules by lower-case GUID without braces.

What stops the import: no MV.xml, an empty folder, an unreadable MV.xml or
connector file (without connectors, rules cannot be placed and the pilot group
DN is unknown). What is recorded and kept going: an unreadable sync rule file,
a rule whose connector is not in the export, a value that is not what it should be.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lxml import etree

from docgen.areas.aadconnect.blocks import SharedBlocks
from docgen.areas.aadconnect.collector import CollectorExport, parse_collector
from docgen.areas.aadconnect.config import (
    GROUP_FILTER_PARAMETER,
    Parsed,
    parse_connector,
    parse_global_settings,
    parse_sync_rule,
)
from docgen.bundle.result import SourceResult, combine_results
from docgen.core.dates import parse_iso, utc_now
from docgen.core.errors import DocgenError, InputError
from docgen.core.limits import IMPORT_TOTAL
from docgen.core.memory import collector_paused
from docgen.readers import powershell as ps
from docgen.readers.inputs import read_input
from docgen.readers.xml import XmlReader, guid_key

SECTION = "aadconnect"
MV_FILE = ("GlobalSettings", "MV.xml")
CONNECTOR_FOLDER = "Connectors"
RULE_FOLDER = "SynchronizationRules"
# Files newer exports hold beside the folders: kept as inputs (hashed), not interpreted.
RECORDED_SUFFIXES = (".xml", ".json")
CONFIGURATION_VERSION = "Microsoft.Synchronize.ServerConfigurationVersion"

# The wizard's choices: bundle name, global parameter, how to read its text.
SETUP_CHOICES = (
    ("source_anchor", "Microsoft.SynchronizationOption.AnchorAttribute", "text"),
    ("upn_attribute", "Microsoft.SynchronizationOption.UPNAttribute", "text"),
    ("join_criteria", "Microsoft.SynchronizationOption.JoinCriteria", "text"),
    ("group_filtering", "Microsoft.OptionalFeature.GroupFiltering", "flag"),
    ("staging_mode", "Microsoft.Synchronize.StagingMode", "flag"),
    ("password_hash_sync", "Microsoft.OptionalFeature.PasswordHashSync", "flag"),
    ("password_writeback", "Microsoft.OptionalFeature.PasswordWriteback", "flag"),
    ("export_deletion_threshold", "Microsoft.OptionalFeature.ExportDeletionThreshold", "flag"),
    ("export_deletion_threshold_value", "Microsoft.OptionalFeature.ExportDeletionThresholdValue",
     "number"),
    ("hybrid_exchange", "Microsoft.OptionalFeature.HybridExchange", "flag"),
    ("device_writeback", "Microsoft.OptionalFeature.DeviceWriteBack", "flag"),
    ("auto_upgrade", "Microsoft.OptionalFeature.AutoUpgradeState", "text"),
    ("sync_interval", "Microsoft.Synchronize.TimeInterval", "text"),
)
# Newer versions keep these in the scheduler: when the collector read it, it wins.
SCHEDULER_CHOICES = {
    "staging_mode": ("StagingModeEnabled", "flag"),
    "sync_interval": ("CurrentlyEffectiveSyncCycleInterval", "text"),
}


@dataclass
class _Import:
    """Everything read so far: facts, inputs, and the two kinds of error."""

    base: Path
    # every text read is stripped: the whitespace between elements need not be kept
    reader: XmlReader = field(default_factory=lambda: XmlReader(blank_text=False))
    blocks: SharedBlocks = field(default_factory=SharedBlocks)  # rule blocks met so far
    inputs: list[dict] = field(default_factory=list)
    errors: list[DocgenError] = field(default_factory=list)   # recorded; import goes on
    fatal: list[DocgenError] = field(default_factory=list)    # nothing is written

    def read_xml(self, path: Path, name: str | None = None) -> tuple[etree._Element, str, bytes]:
        """Parse one export file: its root, its name and its bytes. Its `inputs` record
        is kept even when it is not XML.

        `name` is its name_of(), when the caller knows it already.
        """
        data, record = read_input(path, SECTION, name=name or self.name_of(path))
        self.inputs.append(record)
        return self.reader.parse(data, record["name"]), record["name"], data

    def name_of(self, path: Path) -> str:
        return path.relative_to(self.base).as_posix()


def import_aadconnect(path: Path, collected_at: datetime | None = None) -> SourceResult:
    """Read an export folder, or the collector's JSON and the folder it names.

    `collected_at` wins when given; else the collector's CollectedAt, else the
    export-date MV.xml records, else now.
    """
    # A thousand rules are some 300,000 dicts, lists and strings, all kept.
    with collector_paused():
        return _import(Path(path), collected_at)


def _import(path: Path, collected_at: datetime | None) -> SourceResult:
    if path.is_dir():
        state, collector, folder = _Import(base=path), None, path
    elif path.is_file() and path.suffix.lower() == ".xml":
        raise InputError("is one file of an export; give the folder "
                         "Get-ADSyncServerConfiguration wrote (the one holding GlobalSettings)",
                         source=str(path))
    elif path.is_file():
        state = _Import(base=path.parent)
        collector = _read_collector(path, state)
        folder = path.parent / _beside(collector.folder, path.name)
    else:
        raise InputError("no such file or folder", source=str(path))
    mv_path = _locate_export(folder)
    _refuse_too_large(folder)
    server = _read_global_settings(mv_path, state)
    connectors = _read_connectors(_child(folder, CONNECTOR_FOLDER), state)
    rules = _read_rules(_child(folder, RULE_FOLDER), state)
    _record_other_files(folder, state)
    if collector is not None:
        _apply_collector(server, connectors, collector, state)
    if not state.fatal:  # with a connector unread, "unknown connector" would only be noise
        _resolve_connectors(rules, connectors, state)
    item = _server_item(server, connectors, rules, collector, state)
    moment = (collected_at or (collector.collected_at if collector else None)
              or (parse_iso(item["export_date"]) if item["export_date"] else None) or utc_now())
    organization = next((c["forest"] for c in item["connectors"] if c["forest"]), None)
    return SourceResult(section=SECTION, collected_at=moment,
                        items=[] if state.fatal else [item],
                        errors=state.fatal + state.errors,
                        inputs=sorted(state.inputs, key=lambda entry: entry["name"]),
                        organization=organization)


def _refuse_too_large(folder: Path) -> None:
    """All the export's files together within the import limit, before any is parsed."""
    total, pending = 0, [folder]
    while pending:  # os.scandir: a thousand files listed without a stat() each
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                elif entry.is_file():
                    total += entry.stat().st_size
    too_large = IMPORT_TOTAL.exceeded(total, "the export's files come to")
    if too_large:
        raise InputError(too_large, source=str(folder))


def _read_collector(path: Path, state: _Import) -> CollectorExport:
    data, record = read_input(path, SECTION, name=path.name)
    state.inputs.append(record)
    collector = parse_collector(ps.load_json(data, record["name"]), record["name"])
    state.errors.extend(collector.errors)
    return collector


def import_for_build(paths: list[Path], collected_at: datetime | None = None) -> SourceResult:
    """What `docgen build` recognised as Azure AD Connect exports, as one section with an item
    per sync server (active and staging). A collector JSON reads the export folder beside it:
    that folder is not read twice."""
    files = [path for path in paths if path.is_file()]
    named = {folder_named_by(path) for path in files}
    exports = files + [path for path in paths if path.is_dir() and path.resolve() not in named]
    return combine_results([import_aadconnect(path, collected_at) for path in exports])


def folder_named_by(path: Path) -> Path | None:
    """The export folder a collector JSON names (resolved), or None when it names none.

    Lets `docgen build` read that folder once, through the JSON, not twice.
    """
    try:
        document = ps.load_json(Path(path).read_bytes(), path.name)
        return (path.parent / _beside(str(document["ServerConfigurationFolder"]), path.name)).resolve()
    except (OSError, DocgenError, KeyError, TypeError):
        return None


def _beside(folder: str, source: str) -> Path:
    """The collector's folder, which must sit beside its JSON.

    A JSON naming an absolute path or '..' could pull some other export on the
    consultant's disk (another customer's) into this bundle.
    """
    relative = Path(folder.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise InputError(f"ServerConfigurationFolder must name a folder beside the JSON, not "
                         f"{folder!r}", source=source, where="ServerConfigurationFolder")
    return relative


def _child(folder: Path, name: str) -> Path:
    """`folder/name`, matching the name's case loosely (exports are written on Windows)."""
    exact = folder / name
    if exact.exists() or not folder.is_dir():
        return exact
    return next((entry for entry in folder.iterdir() if entry.name.lower() == name.lower()), exact)


def _locate_export(folder: Path) -> Path:
    """MV.xml of an export folder, or the one-line reason this is not one."""
    if not folder.is_dir():
        raise InputError("the Get-ADSyncServerConfiguration export folder is missing",
                         source=str(folder))
    if not any(folder.iterdir()):
        raise InputError("the folder is empty; expected the folder written by "
                         "Get-ADSyncServerConfiguration -Path", source=str(folder))
    mv_path = _child(_child(folder, MV_FILE[0]), MV_FILE[1])
    if not mv_path.is_file():
        raise InputError("GlobalSettings/MV.xml is missing; not a Get-ADSyncServerConfiguration "
                         "export", source=str(folder))
    return mv_path


def _read_global_settings(mv_path: Path, state: _Import) -> dict:
    try:
        root, name, _ = state.read_xml(mv_path)
        parsed = parse_global_settings(root, name)
    except InputError as exc:
        state.fatal.append(exc)
        return {"server": None, "export_date": None, "global_settings": [], "file": ""}
    state.errors.extend(parsed.problems)
    return {**parsed.facts, "file": name}


def _xml_files(folder: Path) -> list[Path]:
    """The folder's .xml files, by name (case ignored); os.scandir needs no stat() per file."""
    if not folder.is_dir():
        return []
    with os.scandir(folder) as entries:
        names = [entry.name for entry in entries if _is_xml_name(entry.name) and entry.is_file()]
    return [folder / name for name in sorted(names, key=str.lower)]


def _is_xml_name(name: str) -> bool:
    """Path(name).suffix.lower() == ".xml", without making a Path."""
    dot = name.rfind(".")
    return 0 < dot < len(name) - 1 and name[dot:].lower() == ".xml"


def _read_connectors(folder: Path, state: _Import) -> dict[str, dict]:
    connectors: dict[str, dict] = {}
    for path in _xml_files(folder):
        parsed = _parse_file(path, state, lambda root, name, _: parse_connector(root, name),
                             fatal=True)
        if parsed is not None:
            _keep_first(connectors, parsed.facts, state)
    return connectors


def _read_rules(folder: Path, state: _Import) -> dict[str, dict]:
    rules: dict[str, dict] = {}
    files = _xml_files(folder)
    prefix = state.name_of(folder) + "/" if files else ""
    for path in files:
        # The file name carries the rule's GUID: a fallback identity if <id> is missing.
        fallback = guid_key(path.stem.partition("_")[2]) if "_" in path.stem else None
        parsed = _parse_file(path, state, lambda root, name, data: parse_sync_rule(
            root, name, fallback, state.blocks.of_file(data)), fatal=False, name=prefix + path.name)
        if parsed is not None:
            _keep_first(rules, parsed.facts, state)
    return rules


def _parse_file(path: Path, state: _Import, parse, *, fatal: bool,
                name: str | None = None) -> Parsed | None:
    try:
        root, name, data = state.read_xml(path, name)
        parsed = parse(root, name, data)
    except InputError as exc:
        (state.fatal if fatal else state.errors).append(exc)
        return None
    state.errors.extend(parsed.problems)
    return parsed


def _keep_first(found: dict[str, dict], facts: dict, state: _Import) -> None:
    """Two files with one identity: keep the first, say so."""
    existing = found.get(facts["key"])
    if existing is None:
        found[facts["key"]] = facts
        return
    state.errors.append(InputError(
        f"{facts['name']!r} has the same id as {existing['source']['file']}; kept that one",
        source=facts["source"]["file"]))


def _record_other_files(folder: Path, state: _Import) -> None:
    for entry in sorted(folder.iterdir(), key=lambda p: p.name.lower()):
        if entry.is_file() and entry.suffix.lower() in RECORDED_SUFFIXES:
            try:
                _, record = read_input(entry, SECTION, name=state.name_of(entry))
            except InputError as exc:
                state.errors.append(exc)
                continue
            state.inputs.append(record)


def _apply_collector(server: dict, connectors: dict[str, dict], collector: CollectorExport,
                     state: _Import) -> None:
    """The cmdlets' view wins over the XML's where both say something: it is the live one."""
    server["global_settings"] = _merge_named(server["global_settings"], collector.global_settings)
    by_name = {connector["name"].lower(): connector for connector in connectors.values()}
    for key, entry in collector.connectors.items():
        connector = connectors.get(key) or by_name.get(entry["name"].lower())
        if connector is None:
            state.errors.append(InputError(
                f"connector {entry['name'] or key} is in the collector's JSON but not in the "
                f"export folder", source=state.name_of(state.base / collector.folder)))
            continue
        merged = _merge_named(connector["global_parameters"], entry["global_parameters"])
        connector["global_parameters"] = merged
        if connector["kind"] == "ad":
            connector["group_filtering_group_dn"] = next(
                (p["value"] for p in merged if p["name"] == GROUP_FILTER_PARAMETER), None)


def _merge_named(base: list[dict], updates: list[dict]) -> list[dict]:
    merged = {entry["key"]: dict(entry) for entry in base}
    for entry in updates:
        merged[entry["key"]] = {**merged.get(entry["key"], {}), **entry}
    return [merged[key] for key in sorted(merged)]


def _resolve_connectors(rules: dict[str, dict], connectors: dict[str, dict],
                        state: _Import) -> None:
    """Name each rule's connector; an unknown one is recorded and the rule kept."""
    for rule in rules.values():
        connector = connectors.get(rule["connector_id"] or "")
        if connector is not None:
            rule["connector_name"] = connector["name"]
            continue
        state.errors.append(InputError(
            f"rule {rule['name']!r} refers to connector {rule['connector_id']}, which is not in "
            f"{CONNECTOR_FOLDER}/; the rule is kept with its connector unknown",
            source=rule["source"]["file"], where="<connector>"))


def _server_item(server: dict, connectors: dict[str, dict], rules: dict[str, dict],
                 collector: CollectorExport | None, state: _Import) -> dict:
    settings = {entry["name"]: entry["value"] for entry in server["global_settings"]}
    scheduler = {entry["name"]: entry["value"] for entry in (collector.scheduler if collector else [])}
    choices = _setup_choices(settings, scheduler, collector, server["file"], state)
    connector_list = sorted(connectors.values(), key=lambda c: (c["name"].lower(), c["key"]))
    name = server["server"] or (collector.computer_name if collector else None) or "unknown"
    return {
        "key": name.lower(),
        "server": name,
        "export_date": server["export_date"],
        "configuration_version": settings.get(CONFIGURATION_VERSION) or None,
        "collector": collector.facts() if collector else None,
        "setup_choices": choices,
        "group_filtering": _group_filtering(choices["group_filtering"]["value"], connector_list),
        "global_settings": server["global_settings"],
        "scheduler": collector.scheduler if collector else [],
        "connectors": connector_list,
        "sync_rules": sorted(rules.values(), key=lambda r: (
            r["precedence"] if r["precedence"] is not None else 1 << 31, r["key"])),
        "source": {"file": server["file"], "where": "saved-mv-configuration"},
    }


def _setup_choices(settings: dict[str, str | None], scheduler: dict[str, str | None],
                   collector: CollectorExport | None, mv_file: str, state: _Import) -> dict:
    choices = {}
    for choice, parameter, kind in SETUP_CHOICES:
        value, origin, source = settings.get(parameter), parameter, mv_file
        scheduled = SCHEDULER_CHOICES.get(choice)
        if scheduled and scheduler.get(scheduled[0]) not in (None, ""):
            value, origin = scheduler[scheduled[0]], f"Get-ADSyncScheduler: {scheduled[0]}"
            source = "collector JSON"
        if choice == "auto_upgrade" and collector and collector.auto_upgrade:
            value, origin, source = collector.auto_upgrade, "Get-ADSyncAutoUpgrade", "collector JSON"
        choices[choice] = {"value": _typed(value, kind, origin, source, state),
                           "from": origin if value is not None else None}
    return choices


def _typed(value: str | None, kind: str, origin: str, source: str,
           state: _Import) -> str | bool | int | None:
    if value is None or (value == "" and kind != "text"):
        return None
    try:
        if kind == "flag":
            return ps.to_bool(value, source, origin)
        if kind == "number":
            return int(value)
    except (InputError, ValueError):
        state.errors.append(InputError(f"{origin} is not a {'boolean' if kind == 'flag' else 'number'}: "
                                       f"{value!r}", source=source, where=origin))
        return None
    return value


def _group_filtering(enabled: bool | None, connectors: list[dict]) -> dict:
    """On only when the feature is on and an AD connector names a pilot group."""
    entries = [{"key": c["key"], "name": c["name"], "group_dn": c["group_filtering_group_dn"] or None,
                "in_effect": bool(enabled and c["group_filtering_group_dn"])}
               for c in connectors if c["kind"] == "ad"]
    return {"enabled": enabled, "in_effect": any(entry["in_effect"] for entry in entries),
            "connectors": entries}
