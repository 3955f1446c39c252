"""Findings on Azure AD Connect bundles: exact ids, severities and evidence."""

from __future__ import annotations

from docgen.areas.aadconnect.source import import_aadconnect
from docgen.bundle import new_bundle, put_section
from docgen.checks import run_checks
from docgen.checks.rules import default_rules, with_overrides
from support.aadconnect import (
    AD_ID,
    USER_COMMON_ID,
    add_custom_rule,
    copy_corpus,
    corpus,
    set_global_setting,
    set_group_filtering_dn,
    set_rule_fields,
)

CUSTOM_ID = "11111111-2222-3333-4444-555555555555"
VERSION_FINDING = ("aadconnect-version-unsupported:contoso-sync01", "warning",
                   "Azure AD Connect configuration version is older than 2.x",
                   "Server configuration version 1.1.130.0; the supported major version is 2.")


def _findings(folder, rules=None) -> list[tuple[str, str, str, str]]:
    result = import_aadconnect(folder)
    bundle = put_section(new_bundle("Contoso", "2016-05-03T14:28:09Z"), result)
    return [(f.id, f.severity, f.title, f.evidence) for f in run_checks(bundle, rules)]


def test_the_corpus_has_only_the_version_finding():
    assert _findings(corpus()) == [VERSION_FINDING]


def test_the_supported_major_version_is_data():
    rules = with_overrides(default_rules(), {"aadconnect-version-unsupported": {"supported_major": 1}},
                           "docgen.toml")
    assert _findings(corpus(), rules) == []


def test_a_current_version_is_not_flagged(tmp_path):
    folder = copy_corpus(tmp_path)
    set_global_setting(folder, "Microsoft.Synchronize.ServerConfigurationVersion", "2.4.18.0")
    assert _findings(folder) == []


def test_group_filtering_in_effect(tmp_path):
    folder = copy_corpus(tmp_path)
    set_global_setting(folder, "Microsoft.OptionalFeature.GroupFiltering", "True")
    set_group_filtering_dn(folder, "CN=AADC Pilot,OU=Groups,OU=CORP,DC=contoso,DC=com")
    assert _findings(folder) == [
        (f"aadconnect-group-filtering:{AD_ID}", "warning", "Group-based filtering is in effect",
         "Microsoft.OptionalFeature.GroupFiltering is True and connector contoso.com "
         "synchronises only members of CN=AADC Pilot,OU=Groups,OU=CORP,DC=contoso,DC=com."),
        VERSION_FINDING,
    ]


def test_group_filtering_without_a_group_is_not_flagged(tmp_path):
    folder = copy_corpus(tmp_path)
    set_global_setting(folder, "Microsoft.OptionalFeature.GroupFiltering", "True")
    assert _findings(folder) == [VERSION_FINDING]


def test_staging_mode_and_deletion_threshold(tmp_path):
    folder = copy_corpus(tmp_path)
    set_global_setting(folder, "Microsoft.Synchronize.StagingMode", "True")
    set_global_setting(folder, "Microsoft.OptionalFeature.ExportDeletionThreshold", "False")
    assert _findings(folder) == [
        ("aadconnect-deletion-threshold-off:contoso-sync01", "warning",
         "Accidental-deletion prevention (export deletion threshold) is off",
         "Microsoft.OptionalFeature.ExportDeletionThreshold is False."),
        VERSION_FINDING,
        ("aadconnect-staging-mode:contoso-sync01", "info",
         "Staging mode is on: this server does not export",
         "Microsoft.Synchronize.StagingMode is True."),
    ]


def test_a_custom_rule_ahead_of_default_rules(tmp_path):
    folder = copy_corpus(tmp_path)
    add_custom_rule(folder, USER_COMMON_ID, CUSTOM_ID, name="In from AD - User Common (Contoso)",
                    precedence="90")
    assert _findings(folder) == [
        VERSION_FINDING,
        (f"aadconnect-custom-rule-shadows-default:{CUSTOM_ID}", "info",
         "Custom sync rule takes precedence over a default rule",
         "Inbound rule on contoso.com at precedence 90 comes before 4 default rules flowing the "
         "same attributes: 'In from AD - User AccountEnabled' (precedence 102, 11 shared "
         "attributes), 'In from AD - User Common from Exchange' (precedence 104, 59 shared "
         "attributes), 'In from AD - User Common' (precedence 106, 68 shared attributes), "
         "'In from AD - User Exchange' (precedence 108, 15 shared attributes)."),
    ]


def test_a_custom_rule_after_the_default_ones_shadows_nothing(tmp_path):
    folder = copy_corpus(tmp_path)
    add_custom_rule(folder, USER_COMMON_ID, CUSTOM_ID, name="Late custom rule", precedence="200")
    assert _findings(folder) == [VERSION_FINDING]


def test_a_disabled_custom_rule(tmp_path):
    folder = copy_corpus(tmp_path)
    add_custom_rule(folder, USER_COMMON_ID, CUSTOM_ID, name="Old custom rule", precedence="90",
                    disabled="True")
    assert _findings(folder) == [
        VERSION_FINDING,
        (f"aadconnect-custom-rule-disabled:{CUSTOM_ID}", "info", "Custom sync rule is disabled",
         "Inbound rule on contoso.com at precedence 90 is disabled."),
    ]


def test_a_disabled_default_rule_is_not_a_finding(tmp_path):
    folder = copy_corpus(tmp_path)
    set_rule_fields(folder, USER_COMMON_ID, disabled="True")
    assert _findings(folder) == [VERSION_FINDING]
