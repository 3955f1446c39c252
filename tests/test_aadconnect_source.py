"""docgen.areas.aadconnect.source against the real export in samples/aadconnect/, and mutated copies of it."""

from __future__ import annotations

import codecs
import hashlib
import json

import pytest

from docgen.areas.aadconnect.source import import_aadconnect
from docgen.bundle import new_bundle, put_section
from docgen.bundle.schema import schema_errors
from docgen.core.errors import InputError
from support.aadconnect import (
    AAD_FILE,
    AAD_ID,
    AAD_USER_JOIN_ID,
    AD_FILE,
    AD_ID,
    COMPUTER_JOIN_ID,
    MV_FILE,
    SAMPLE_JSON,
    USER_COMMON_ID,
    USER_JOIN_ID,
    add_custom_rule,
    add_ou_exclusion,
    copy_corpus,
    corpus,
    rule_file,
    set_global_setting,
    set_group_filtering_dn,
    set_rule_fields,
)

PILOT_DN = "CN=AADC Pilot,OU=Groups,OU=CORP,DC=contoso,DC=com"


@pytest.fixture(scope="module")
def corpus_result():
    return import_aadconnect(corpus())


@pytest.fixture(scope="module")
def server(corpus_result):
    return corpus_result.items[0]


def _rule(server: dict, rule_id: str) -> dict:
    return next(rule for rule in server["sync_rules"] if rule["key"] == rule_id)


def _connector(server: dict, connector_id: str) -> dict:
    return next(c for c in server["connectors"] if c["key"] == connector_id)


def test_corpus_imports_cleanly_as_one_server(corpus_result, server):
    assert corpus_result.section == "aadconnect"
    assert corpus_result.status == "ok"
    assert corpus_result.errors == []
    assert corpus_result.organization == "contoso.com"
    assert corpus_result.collected_at.isoformat() == "2016-05-03T14:28:09+00:00"
    assert [item["key"] for item in corpus_result.items] == ["contoso-sync01"]
    assert server["server"] == "CONTOSO-SYNC01"
    assert server["export_date"] == "2016-05-03T14:28:09Z"
    assert server["configuration_version"] == "1.1.130.0"
    assert server["collector"] is None
    assert server["scheduler"] == []
    assert server["source"] == {"file": "GlobalSettings/MV.xml", "where": "saved-mv-configuration"}


def test_every_global_setting_is_kept_as_an_open_map(server):
    settings = server["global_settings"]
    assert len(settings) == 37
    assert [entry["key"] for entry in settings] == sorted(entry["key"] for entry in settings)
    by_name = {entry["name"]: entry["value"] for entry in settings}
    assert by_name["Microsoft.Synchronize.ServerConfigurationVersion"] == "1.1.130.0"
    assert by_name["Microsoft.OptionalFeature.DeviceWriteUp"] == "True"
    assert by_name["Microsoft.Synchronize.RunHistoryPurgeInterval"] == "7.00:00:00"
    assert by_name["Microsoft.GroupWriteBack.Forest"] == ""
    assert {"key": "microsoft.synchronize.timeinterval", "name": "Microsoft.Synchronize.TimeInterval",
            "value": "00:30:00"} in settings


def test_setup_choices_by_name(server):
    values = {name: choice["value"] for name, choice in server["setup_choices"].items()}
    assert values == {
        "source_anchor": "objectGUID",
        "upn_attribute": "userPrincipalName",
        "join_criteria": "ObjectSID",
        "group_filtering": False,
        "staging_mode": False,
        "password_hash_sync": False,
        "password_writeback": False,
        "export_deletion_threshold": True,
        "export_deletion_threshold_value": 500,
        "hybrid_exchange": True,
        "device_writeback": False,
        "auto_upgrade": "Suspended",
        "sync_interval": "00:30:00",
    }
    assert server["setup_choices"]["source_anchor"]["from"] == \
        "Microsoft.SynchronizationOption.AnchorAttribute"


def test_group_filtering_off_with_empty_pilot_group(server):
    assert server["group_filtering"] == {
        "enabled": False, "in_effect": False,
        "connectors": [{"key": AD_ID, "name": "contoso.com", "group_dn": None, "in_effect": False}],
    }
    assert _connector(server, AD_ID)["group_filtering_group_dn"] == ""


def test_connectors_have_one_guid_form_and_their_partitions(server):
    assert [(c["key"], c["name"], c["type"], c["kind"]) for c in server["connectors"]] == [
        (AD_ID, "contoso.com", "AD", "ad"),
        (AAD_ID, "contoso.onmicrosoft.com - AAD", "Extensible2", "aad"),
    ]
    ad = _connector(server, AD_ID)
    assert ad["id"] == AD_ID  # ma-data/id is {AE4DB4CC-...} in the file
    assert ad["forest"] == "contoso.com"
    assert ad["password_hash_sync"] is False
    assert ad["creation_time"] == "2016-04-26T11:40:09Z"
    assert {"key": "forest-login-user", "name": "forest-login-user",
            "value": "MSOL_d1edb676ca03"} in ad["connectivity"]
    assert all(entry["name"] != "password" for entry in ad["connectivity"])
    assert ad["partitions"] == [{
        "key": "dc4c27db-d13d-460a-9a82-c48aba1ee815",
        "id": "dc4c27db-d13d-460a-9a82-c48aba1ee815",
        "name": "DC=contoso,DC=com",
        "display_name": "contoso.com",
        "selected": True,
        "object_classes": ["computer", "contact", "foreignSecurityPrincipal", "group",
                           "inetOrgPerson", "msDS-Device", "user", "container", "domainDNS",
                           "organizationalUnit"],
        "inclusions": ["OU=CORP,DC=contoso,DC=com"],
        "exclusions": ["DC=contoso,DC=com"],
    }]
    aad = _connector(server, AAD_ID)
    assert aad["subtype"] == "Windows Azure Active Directory (Microsoft)"
    assert aad["group_filtering_group_dn"] is None
    # <inclusions><inclusion/></inclusions>: an empty entry is not a container
    assert aad["partitions"][0]["inclusions"] == []


def test_run_profiles_per_connector(server):
    ad = _connector(server, AD_ID)
    assert [profile["name"] for profile in ad["run_profiles"]] == [
        "Delta Import", "Delta Synchronization", "Export", "Full Import", "Full Synchronization"]
    full_sync = next(p for p in ad["run_profiles"] if p["name"] == "Full Synchronization")
    assert full_sync == {
        "key": "1bcd31b3-6ebe-45ae-9a9d-0ef0fcaa10ef",
        "id": "1bcd31b3-6ebe-45ae-9a9d-0ef0fcaa10ef",
        "name": "Full Synchronization",
        "steps": [{"type": "apply-rules", "subtype": "reevaluate-flow-connectors",
                   "partition_id": "dc4c27db-d13d-460a-9a82-c48aba1ee815",
                   "partition_name": "DC=contoso,DC=com"}],
    }


def test_sync_rules_resolve_their_connector(server):
    rules = server["sync_rules"]
    assert len(rules) == 62
    assert all(rule["is_default"] and not rule["disabled"] for rule in rules)
    assert {rule["connector_name"] for rule in rules} == {"contoso.com",
                                                          "contoso.onmicrosoft.com - AAD"}
    assert [rule["precedence"] for rule in rules] == sorted(rule["precedence"] for rule in rules)
    join = _rule(server, USER_JOIN_ID)
    assert {name: join[name] for name in ("id", "name", "direction", "connector_id",
                                          "connector_name", "link_type", "precedence",
                                          "immutable_tag", "source_object_type",
                                          "target_object_type", "password_sync")} == {
        "id": USER_JOIN_ID, "name": "In from AD - User Join", "direction": "Inbound",
        "connector_id": AD_ID, "connector_name": "contoso.com", "link_type": "Provision",
        "precedence": 100, "immutable_tag": "Microsoft.InfromADUserJoin.003",
        "source_object_type": "user", "target_object_type": "person", "password_sync": False}
    assert join["scoping_filter"] == [[
        {"attribute": "isCriticalSystemObject", "operator": "NOTEQUAL", "value": "TRUE"},
        {"attribute": "adminDescription", "operator": "NOTSTARTSWITH", "value": "User_"}]]
    assert [group[0]["cs_attribute"] for group in join["join_rules"]] == [
        "objectSid", "msExchMasterAccountSid", "objectSid", "msRTCSIP-OriginatorSid", "objectSid"]
    assert join["source"]["file"] == rule_file(USER_JOIN_ID)


def test_scoping_filter_keeps_or_groups_of_and_clauses(server):
    group_join = _rule(server, "039dcc3a-1513-4c08-b296-0973691e644a")  # Out to AAD - Group Join
    assert len(group_join["scoping_filter"]) > 1
    assert group_join["scoping_filter"][0][-1] == {"attribute": "cloudAnchor",
                                                   "operator": "ISNOTNULL", "value": ""}
    assert group_join["scoping_filter"][1][-1] == {"attribute": "memberCount",
                                                   "operator": "LESSTHAN", "value": "50000"}


def test_flows_direct_expression_constant_and_execute_once(server):
    computer = _rule(server, COMPUTER_JOIN_ID)
    by_destination = {flow["destination"]: flow for flow in computer["flows"]}
    assert by_destination["cloudCreated"] == {
        "destination": "cloudCreated", "type": "constant", "sources": [], "expression": None,
        "constant": "False", "merge_type": "Update", "execute_once": True}
    assert by_destination["registeredOwnerReference"]["type"] == "direct"
    assert by_destination["registeredOwnerReference"]["sources"] == ["mS-DS-CreatorSID"]
    assert by_destination["registeredOwnerReference"]["execute_once"] is True
    common = _rule(server, USER_COMMON_ID)
    domain = next(flow for flow in common["flows"] if flow["destination"] == "domainFQDN")
    assert domain == {"destination": "domainFQDN", "type": "expression", "sources": [],
                      "expression": "%Domain.FQDN%", "constant": None, "merge_type": "Update",
                      "execute_once": False}
    assert sum(len(rule["flows"]) for rule in server["sync_rules"]) == 1200


def test_flow_reads_the_first_of_each_child_and_skips_comments():
    """The one-walk flow reader: first child of each tag, comments and other tags ignored,
    empty source attributes dropped, a constant from <src>'s own text, execute-once in any case."""
    from lxml import etree

    from docgen.areas.aadconnect.config import _flow

    mapping = etree.fromstring(
        b'<mapping execute-once="TRUE"><!-- c --><dest> mail </dest><dest>second</dest>'
        b'<src> <!-- c --><attr> a </attr><attr>  </attr><other>x</other><attr>b</attr></src>'
        b'<src><attr>ignored</attr></src><valueMergeType/><expression>  </expression></mapping>')
    assert _flow(mapping) == {"destination": "mail", "type": "direct", "sources": ["a", "b"],
                              "expression": None, "constant": None, "merge_type": None,
                              "execute_once": True}
    constant = etree.fromstring(b'<mapping><src> False <attr/></src></mapping>')
    assert _flow(constant) == {"destination": "", "type": "constant", "sources": [],
                               "expression": None, "constant": "False", "merge_type": None,
                               "execute_once": False}
    bare = etree.fromstring(b'<mapping execute-once="false"><expression> [a] </expression>'
                            b'<valueMergeType>Update</valueMergeType></mapping>')
    assert _flow(bare) == {"destination": "", "type": "expression", "sources": [],
                           "expression": "[a]", "constant": None, "merge_type": "Update",
                           "execute_once": False}


def test_every_file_is_an_input_with_its_hash(corpus_result):
    names = [entry["name"] for entry in corpus_result.inputs]
    assert len(names) == 65
    assert names == sorted(names)
    assert {MV_FILE, AD_FILE, AAD_FILE, rule_file(USER_JOIN_ID)} <= set(names)
    mv = next(entry for entry in corpus_result.inputs if entry["name"] == MV_FILE)
    data = (corpus() / MV_FILE).read_bytes()
    assert mv == {"name": MV_FILE, "section": "aadconnect", "size": len(data),
                  "sha256": hashlib.sha256(data).hexdigest()}


def test_section_is_valid_against_the_schema(corpus_result):
    bundle = put_section(new_bundle("Contoso", "2016-05-03T14:28:09Z"), corpus_result)
    assert schema_errors(bundle) == []


def test_explicit_collection_time_wins(tmp_path):
    from datetime import datetime, timezone
    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert import_aadconnect(corpus(), moment).collected_at == moment


# --- mutated copies ---------------------------------------------------------------------------

def test_group_filtering_on_with_a_pilot_group(tmp_path):
    folder = copy_corpus(tmp_path)
    set_global_setting(folder, "Microsoft.OptionalFeature.GroupFiltering", "True")
    set_group_filtering_dn(folder, PILOT_DN)
    server = import_aadconnect(folder).items[0]
    assert server["setup_choices"]["group_filtering"] == {
        "value": True, "from": "Microsoft.OptionalFeature.GroupFiltering"}
    assert server["group_filtering"] == {
        "enabled": True, "in_effect": True,
        "connectors": [{"key": AD_ID, "name": "contoso.com", "group_dn": PILOT_DN,
                        "in_effect": True}],
    }
    assert _connector(server, AD_ID)["group_filtering_group_dn"] == PILOT_DN


def test_group_filtering_on_without_a_group_is_not_in_effect(tmp_path):
    folder = copy_corpus(tmp_path)
    set_global_setting(folder, "Microsoft.OptionalFeature.GroupFiltering", "True")
    server = import_aadconnect(folder).items[0]
    assert server["group_filtering"]["enabled"] is True
    assert server["group_filtering"]["in_effect"] is False


def test_a_pilot_group_with_the_feature_off_is_not_in_effect(tmp_path):
    folder = copy_corpus(tmp_path)
    set_group_filtering_dn(folder, PILOT_DN)
    server = import_aadconnect(folder).items[0]
    assert server["group_filtering"]["connectors"][0] == {
        "key": AD_ID, "name": "contoso.com", "group_dn": PILOT_DN, "in_effect": False}
    assert server["group_filtering"]["in_effect"] is False


def test_an_added_ou_exclusion(tmp_path):
    folder = copy_corpus(tmp_path)
    add_ou_exclusion(folder, "OU=Disabled Users,OU=CORP,DC=contoso,DC=com")
    partition = _connector(import_aadconnect(folder).items[0], AD_ID)["partitions"][0]
    assert partition["inclusions"] == ["OU=CORP,DC=contoso,DC=com"]
    assert partition["exclusions"] == ["DC=contoso,DC=com",
                                       "OU=Disabled Users,OU=CORP,DC=contoso,DC=com"]


def test_a_disabled_rule(tmp_path):
    folder = copy_corpus(tmp_path)
    set_rule_fields(folder, USER_COMMON_ID, disabled="True")
    server = import_aadconnect(folder).items[0]
    assert _rule(server, USER_COMMON_ID)["disabled"] is True
    assert sum(rule["disabled"] for rule in server["sync_rules"]) == 1


def test_a_changed_precedence(tmp_path):
    folder = copy_corpus(tmp_path)
    set_rule_fields(folder, AAD_USER_JOIN_ID, precedence="99")
    server = import_aadconnect(folder).items[0]
    assert _rule(server, AAD_USER_JOIN_ID)["precedence"] == 99
    assert server["sync_rules"][0]["key"] == AAD_USER_JOIN_ID  # ordered by precedence


def test_a_custom_rule_is_told_from_the_default_ones(tmp_path):
    folder = copy_corpus(tmp_path)
    add_custom_rule(folder, USER_COMMON_ID, "11111111-2222-3333-4444-555555555555",
                    name="In from AD - User Common (Contoso)", precedence="90")
    rule = _rule(import_aadconnect(folder).items[0], "11111111-2222-3333-4444-555555555555")
    assert (rule["is_default"], rule["immutable_tag"], rule["precedence"]) == (False, None, 90)


def test_a_rule_for_an_unknown_connector_is_kept_and_recorded(tmp_path):
    folder = copy_corpus(tmp_path)
    set_rule_fields(folder, USER_JOIN_ID, connector="{0000AAAA-0000-0000-0000-000000000001}")
    result = import_aadconnect(folder)
    rule = _rule(result.items[0], USER_JOIN_ID)
    assert (rule["connector_id"], rule["connector_name"]) == (
        "0000aaaa-0000-0000-0000-000000000001", None)
    assert result.status == "partial"
    assert [str(error) for error in result.errors] == [
        f"{rule_file(USER_JOIN_ID)}: <connector>: rule 'In from AD - User Join' refers to "
        "connector 0000aaaa-0000-0000-0000-000000000001, which is not in Connectors/; the rule "
        "is kept with its connector unknown"]


def test_a_precedence_that_is_not_a_number_is_recorded(tmp_path):
    folder = copy_corpus(tmp_path)
    set_rule_fields(folder, USER_JOIN_ID, precedence="first")
    result = import_aadconnect(folder)
    assert _rule(result.items[0], USER_JOIN_ID)["precedence"] is None
    assert [error.message for error in result.errors] == ["precedence is not a number: 'first'"]


def test_a_rule_file_that_is_not_xml_is_recorded_and_the_rest_kept(tmp_path):
    folder = copy_corpus(tmp_path)
    (folder / rule_file(USER_JOIN_ID)).write_bytes(b"not xml at all")
    result = import_aadconnect(folder)
    assert result.status == "partial"
    assert len(result.items[0]["sync_rules"]) == 61
    assert [str(error) for error in result.errors] == [
        f"{rule_file(USER_JOIN_ID)}: line 1: not well-formed XML (Start tag expected, '<' not found)"]
    assert rule_file(USER_JOIN_ID) in {entry["name"] for entry in result.inputs}


def test_a_connector_file_that_is_not_xml_stops_the_import(tmp_path):
    folder = copy_corpus(tmp_path)
    (folder / AD_FILE).write_bytes(b"\xef\xbb\xbfnot xml")
    result = import_aadconnect(folder)
    assert (result.status, result.items) == ("error", [])
    assert str(result.errors[0]) == (
        f"{AD_FILE}: line 1: not well-formed XML (Start tag expected, '<' not found)")


@pytest.mark.parametrize("case", ["missing", "empty"])
def test_not_an_export_folder(tmp_path, case):
    folder = tmp_path / "export"
    folder.mkdir()
    if case == "missing":
        (folder / "Connectors").mkdir()
    with pytest.raises(InputError) as raised:
        import_aadconnect(folder)
    expected = {"missing": "GlobalSettings/MV.xml is missing; not a Get-ADSyncServerConfiguration export",
                "empty": "the folder is empty; expected the folder written by "
                         "Get-ADSyncServerConfiguration -Path"}[case]
    assert (raised.value.message, raised.value.source) == (expected, str(folder))


def test_extra_files_of_newer_versions_are_recorded_not_read(tmp_path):
    folder = copy_corpus(tmp_path)
    (folder / "PersistedState.xml").write_bytes(b"<anything/>")
    (folder / "MigratedPolicy.json").write_bytes(b"{}")
    result = import_aadconnect(folder)
    assert result.status == "ok"
    assert {"MigratedPolicy.json", "PersistedState.xml"} <= {e["name"] for e in result.inputs}


# --- encodings --------------------------------------------------------------------------------

def _reencode(path, variant: str) -> None:
    text = path.read_bytes().decode("utf-8")
    if variant == "utf-8-bom":
        path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    elif variant == "utf-16-bom":
        path.write_bytes(text.encode("utf-16"))  # BOM, no declaration
    elif variant == "utf-16-declared":
        path.write_bytes(('<?xml version="1.0" encoding="utf-16"?>\n' + text).encode("utf-16"))


@pytest.mark.parametrize("variant", ["utf-8-bom", "utf-16-bom", "utf-16-declared"])
def test_utf16_and_bom_files_give_identical_facts(tmp_path, server, variant):
    folder = copy_corpus(tmp_path)
    for name in (MV_FILE, AD_FILE, rule_file(USER_JOIN_ID), rule_file(COMPUTER_JOIN_ID)):
        _reencode(folder / name, variant)
    result = import_aadconnect(folder)
    assert result.errors == []
    assert result.items == [server]


# --- the collector's JSON ---------------------------------------------------------------------

def _sample(tmp_path) -> tuple:
    """The pinned example and its export, side by side in a writable folder."""
    copy_corpus(tmp_path)
    document = json.loads(SAMPLE_JSON.read_text("utf-8"))
    return tmp_path / "aadconnect.json", document


def test_the_collector_example_adds_scheduler_and_auto_upgrade(server):
    result = import_aadconnect(SAMPLE_JSON)
    assert result.status == "ok"
    assert result.collected_at.isoformat() == "2016-05-03T14:28:09+00:00"
    item = result.items[0]
    assert item["collector"] == {"name": "Export-AADConnectConfig", "version": "1.0",
                                 "collected_at": "2016-05-03T14:28:09Z",
                                 "computer_name": "CONTOSO-SYNC01"}
    assert item["setup_choices"]["staging_mode"] == {
        "value": False, "from": "Get-ADSyncScheduler: StagingModeEnabled"}
    assert item["setup_choices"]["sync_interval"] == {
        "value": "00:30:00", "from": "Get-ADSyncScheduler: CurrentlyEffectiveSyncCycleInterval"}
    assert item["setup_choices"]["auto_upgrade"] == {"value": "Suspended",
                                                     "from": "Get-ADSyncAutoUpgrade"}
    assert {"key": "synccycleenabled", "name": "SyncCycleEnabled", "value": "True"} in item["scheduler"]
    assert {"key": "customizedsynccycleinterval", "name": "CustomizedSyncCycleInterval",
            "value": None} in item["scheduler"]
    # Everything the folder says is the same as when it is imported on its own; files are
    # named relative to the JSON now.
    same = ("global_settings", "connectors", "sync_rules", "group_filtering", "export_date")
    relative = json.loads(json.dumps({key: item[key] for key in same}).replace(
        '"file": "contoso-2016/', '"file": "'))
    assert relative == {key: server[key] for key in same}
    assert item["connectors"][0]["source"]["file"] == f"contoso-2016/{AD_FILE}"
    names = {entry["name"] for entry in result.inputs}
    assert "contoso-aadconnect.json" in names and f"contoso-2016/{MV_FILE}" in names


def _as_powershell_51(document: dict) -> bytes:
    """What Windows PowerShell 5.1 defaults make of the same facts."""
    document = json.loads(json.dumps(document))
    document["CollectedAt"] = "/Date(1462285689000)/"
    document["GlobalSettingsParameters"] = {"value": document["GlobalSettingsParameters"],
                                            "Count": len(document["GlobalSettingsParameters"])}
    scheduler = document["Scheduler"]
    for name in ("AllowedSyncCycleInterval", "CurrentlyEffectiveSyncCycleInterval"):
        scheduler[name] = {"Ticks": 18000000000, "Days": 0, "Hours": 0, "Minutes": 30,
                           "TotalMinutes": 30.0}
    scheduler["PurgeRunHistoryInterval"] = {"Ticks": 6048000000000, "Days": 7}
    for name in ("MaintenanceEnabled", "SchedulerSuspended", "StagingModeEnabled",
                 "SyncCycleEnabled"):
        scheduler[name] = "True" if scheduler[name] else "False"
    scheduler["NextSyncCycleStartTimeInUTC"] = {"value": "/Date(1462286356000)/",
                                                "DateTime": "Tuesday, May 3, 2016 2:39:16 PM"}
    document["Connectors"] = document["Connectors"][0]  # one object, not an array of one
    return codecs.BOM_UTF16_LE + json.dumps(document, indent=4).encode("utf-16-le")


def test_powershell_51_output_gives_the_same_facts(tmp_path):
    path, document = _sample(tmp_path)
    document["ServerConfigurationFolder"] = "contoso-2016"
    path.write_bytes(json.dumps(document).encode("utf-8"))
    expected = import_aadconnect(path)
    path.write_bytes(_as_powershell_51(document))
    result = import_aadconnect(path)
    assert result.errors == []
    assert result.collected_at == expected.collected_at
    assert result.items == expected.items


def test_collector_json_wins_for_the_pilot_group_and_reports_its_failures(tmp_path):
    path, document = _sample(tmp_path)
    ad = document["Connectors"][0]
    next(p for p in ad["GlobalParameters"]
         if p["Name"] == "Connector.GroupFilteringGroupDn")["Value"] = PILOT_DN
    document["GlobalSettingsParameters"].append({"Name": "Microsoft.OptionalFeature.GroupFiltering",
                                                 "Value": "True"})
    document["Scheduler"]["StagingModeEnabled"] = True
    document["AutoUpgrade"] = None
    document["Errors"] = [{"Command": "Get-ADSyncAutoUpgrade", "Message": "Access is denied."}]
    path.write_text(json.dumps(document), "utf-8")
    result = import_aadconnect(path)
    item = result.items[0]
    assert item["group_filtering"]["connectors"][0]["group_dn"] == PILOT_DN
    assert item["group_filtering"]["in_effect"] is True
    assert item["setup_choices"]["staging_mode"]["value"] is True
    assert item["setup_choices"]["auto_upgrade"] == {
        "value": "Suspended", "from": "Microsoft.OptionalFeature.AutoUpgradeState"}
    assert result.status == "partial"
    assert [str(error) for error in result.errors] == [
        "aadconnect.json: Get-ADSyncAutoUpgrade: the collector reported: Access is denied."]


def test_collector_json_naming_a_missing_folder(tmp_path):
    path = tmp_path / "aadconnect.json"
    path.write_text(json.dumps({"Collector": "Export-AADConnectConfig",
                                "ServerConfigurationFolder": "ServerConfiguration"}), "utf-8")
    with pytest.raises(InputError) as raised:
        import_aadconnect(path)
    assert str(raised.value) == (f"{tmp_path / 'ServerConfiguration'}: the "
                                 "Get-ADSyncServerConfiguration export folder is missing")


def test_json_that_is_not_the_collectors(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"Servers": []}', "utf-8")
    with pytest.raises(InputError) as raised:
        import_aadconnect(path)
    assert str(raised.value) == (
        "other.json: not the JSON of collectors/Export-AADConnectConfig.ps1 (no "
        "ServerConfigurationFolder); give the export folder itself, or the collector's JSON")


@pytest.mark.parametrize("folder", ["/etc", "../elsewhere", "sub/../../elsewhere", "C:\\export\\..\\..\\x"])
def test_collector_json_may_only_name_a_folder_beside_it(tmp_path, folder):
    path = tmp_path / "aadconnect.json"
    path.write_text(json.dumps({"Collector": "Export-AADConnectConfig",
                                "ServerConfigurationFolder": folder}), "utf-8")
    with pytest.raises(InputError) as raised:
        import_aadconnect(path)
    assert str(raised.value) == (f"aadconnect.json: ServerConfigurationFolder: "
                                 f"ServerConfigurationFolder must name a folder beside the JSON, "
                                 f"not {folder!r}")


def test_a_single_xml_file_is_not_an_export():
    with pytest.raises(InputError) as raised:
        import_aadconnect(corpus() / MV_FILE)
    assert raised.value.message == ("is one file of an export; give the folder "
                                    "Get-ADSyncServerConfiguration wrote (the one holding "
                                    "GlobalSettings)")
