"""Diff on the real Azure AD Connect export against mutated copies: the exact change lists."""

from __future__ import annotations

import pytest

from docgen.areas.aadconnect.source import import_aadconnect
from docgen.bundle import dump_bundle, new_bundle, parse_bundle, put_section
from docgen.diff import diff_bundles
from support.aadconnect import (
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
RUN = "00000000-0000-4000-8000-00000000000{}"


def bundle_of(folder, number: int):
    result = import_aadconnect(folder)
    data = put_section(new_bundle("Contoso", "2016-05-03T14:28:09Z"), result, run_id=RUN.format(number))
    return parse_bundle(dump_bundle(data), f"{number}.json")


@pytest.fixture(scope="module")
def before():
    return bundle_of(corpus(), 1)


@pytest.fixture
def copy(tmp_path):
    return copy_corpus(tmp_path)


def changes(before, after_folder) -> list[tuple[str, str]]:
    document = diff_bundles(before, bundle_of(after_folder, 2))
    return [(c["kind"], c["summary"]) for s in document["sections"] for c in s["changes"]]


def test_only_next_start_time_changed(before, copy):
    set_global_setting(copy, "Microsoft.Synchronize.NextStartTime", "Tue, 03 May 2016 15:09:16 GMT")
    document = diff_bundles(before, bundle_of(copy, 2))
    assert document["result"] == "no changes"
    assert [(v["path"], v["old"], v["new"]) for v in document["volatile"] if "nextstarttime" in v["path"]] == [
        ("sections.aadconnect.items[contoso-sync01].global_settings[microsoft.synchronize.nextstarttime].value",
         "Tue, 03 May 2016 14:39:16 GMT", "Tue, 03 May 2016 15:09:16 GMT")]


def test_group_filtering_turned_on_with_a_group(before, copy):
    set_global_setting(copy, "Microsoft.OptionalFeature.GroupFiltering", "True")
    set_group_filtering_dn(copy, PILOT_DN)
    assert changes(before, copy) == [
        ("modified", "Sync server 'CONTOSO-SYNC01' (group_filtering.connectors[ae4db4cc-b16b-4eb2-acf5-"
                     f"837ca84e4d7d].group_dn (none) -> {PILOT_DN}; group_filtering.connectors[ae4db4cc-b16b-"
                     "4eb2-acf5-837ca84e4d7d].in_effect false -> true; group_filtering.enabled false -> true; "
                     "group_filtering.in_effect false -> true; setup_choices.group_filtering.value false -> true)"),
        ("modified", "Global setting 'Microsoft.OptionalFeature.GroupFiltering' (value False -> True)"),
        ("modified", f"Connector 'contoso.com' (global_parameters[connector.groupfilteringgroupdn].value "
                     f'"" -> {PILOT_DN}; group_filtering_group_dn "" -> {PILOT_DN})'),
    ]


def test_an_ou_exclusion_added(before, copy):
    add_ou_exclusion(copy, "OU=Disabled,OU=CORP,DC=contoso,DC=com")
    assert changes(before, copy) == [
        ("modified", "Connector 'contoso.com' (partitions[DC=contoso,DC=com].exclusions [DC=contoso,DC=com] -> "
                     "[DC=contoso,DC=com, OU=Disabled,OU=CORP,DC=contoso,DC=com])"),
    ]


def test_a_rule_disabled_and_a_precedence_changed(before, copy):
    set_rule_fields(copy, USER_COMMON_ID, disabled="True")
    set_rule_fields(copy, USER_JOIN_ID, precedence="99")
    assert changes(before, copy) == [
        ("modified", "Sync rule 'In from AD - User Join' (precedence 100 -> 99)"),
        ("modified", "Sync rule 'In from AD - User Common' (disabled false -> true)"),
    ]


def test_a_rule_added_and_one_removed(before, copy):
    add_custom_rule(copy, USER_JOIN_ID, "11111111-2222-3333-4444-555555555555",
                    name="In from AD - User Join (custom)", precedence="50")
    (copy / rule_file(USER_COMMON_ID)).unlink()
    assert changes(before, copy) == [
        ("removed", "Sync rule 'In from AD - User Common' removed"),
        ("added", "Sync rule 'In from AD - User Join (custom)' added"),
    ]


def test_a_rule_recreated_with_a_new_id_reads_as_modified(before, copy):
    add_custom_rule(copy, USER_JOIN_ID, "22222222-2222-3333-4444-555555555555", precedence="98")
    (copy / rule_file(USER_JOIN_ID)).unlink()
    # matched by connector and rule name, since the id is new
    assert changes(before, copy) == [
        ("modified", "Sync rule 'In from AD - User Join' (id 0b088913-b613-4d9d-9563-9988b7719ed6 -> "
                     "22222222-2222-3333-4444-555555555555; immutable_tag Microsoft.InfromADUserJoin.003 -> "
                     "(none); is_default true -> false; precedence 100 -> 98)"),
    ]
