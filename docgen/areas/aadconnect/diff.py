"""How two Azure AD Connect sections are matched: servers, then their settings, connectors and
rules; what their fields are called; which facts only echo others.

Turning group filtering on changes one global setting and one connector parameter; the server
item restates both (setup_choices, group_filtering). The restatement under group_filtering is
what people read; the rest is marked derived, so the change is one entry.
"""

from __future__ import annotations

from docgen.areas.aadconnect.checks import edited_default_rules
from docgen.areas.aadconnect.source import SETUP_CHOICES
from docgen.diff.spec import AreaDiff, Collection, Labels, Words

# the global settings the server item restates as its setup choices
_SETUP_SETTINGS = frozenset(parameter.lower() for _, parameter, _ in SETUP_CHOICES)

LABELS: Labels = {
    "value": "",
    "group_dn": "pilot group DN",
    "in_effect": "in effect",
    "exclusions": Words("excluded OUs", added="excluded", removed="no longer excluded"),
    "inclusions": Words("included OUs", added="included", removed="no longer included"),
    "object_classes": Words("object types", added="synchronised", removed="no longer synchronised"),
    "flows": "attribute flows",
    "sources": "source attributes",
    "connector_name": "connector",
    "is_default": "Microsoft default rule",
    "password_sync": "password hash sync",
    "staging_mode": "staging mode",
}

# an added or removed rule reads with these
_RULE_DETAILS = ("connector_name", "direction", "source_object_type", "target_object_type",
                 "link_type", "precedence", "disabled", "immutable_tag", "scoping_filter",
                 "join_rules", "flows")


def spec() -> AreaDiff:
    return AreaDiff(collections=(
        Collection(path="items", noun="Sync server", label="server", children=(
            Collection(path="global_settings", noun="Global setting", apart=True,
                       derived=_restated_setting),
            Collection(path="scheduler", noun="Scheduler setting", apart=True),
            Collection(path="connectors", noun="Connector", keys=(("key",), ("name",)), apart=True,
                       children=(
                           # by name (a domain's DN, a profile's name): readable in paths
                           Collection(path="partitions", noun="Partition", keys=(("name",), ("key",))),
                           Collection(path="run_profiles", noun="Run profile", keys=(("name",), ("key",))),
                       ),
                       # restated under the server's group_filtering
                       quiet=("group_filtering_group_dn",
                              "global_parameters[connector.groupfilteringgroupdn].*")),
            # a rule re-created with a new id but the same connector and name reads as modified
            Collection(path="sync_rules", noun="Sync rule", keys=(("key",), ("connector_name", "name")),
                       apart=True, details=_RULE_DETAILS, children=(
                           # one flow per target attribute: a changed expression is one field
                           Collection(path="flows", noun="attribute flow", keys=(("destination",),),
                                      label="destination"),
                       )),
        ), named=(Collection(path="group_filtering.connectors", noun="connector", label="name"),),
            # group_filtering says it all: on, which group, in effect or not
            quiet=("setup_choices.group_filtering.*", "setup_choices.*.from",
                   "group_filtering.in_effect", "group_filtering.connectors[*].in_effect")),
    ), labels=LABELS, change_findings=edited_default_rules)


def _restated_setting(setting: dict) -> list[str]:
    return ["value"] if setting.get("key") in _SETUP_SETTINGS else []
