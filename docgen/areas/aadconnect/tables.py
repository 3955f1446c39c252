"""The Azure AD Connect section's tables for CSV and XLSX."""

from __future__ import annotations

from typing import Any

from docgen.render.tables import Table


def aadconnect_tables(section: dict) -> list[Table]:
    """Per sync server; tables the report shows once per connector or rule gather them here."""
    servers = section["view"]["servers"]

    def rows(build) -> list[list[Any]]:
        return [[server["server"], *row] for server in servers for row in build(server)]

    rules = [(group, rule) for server in servers for group in server["rule_groups"] for rule in group["rules"]]
    return [
        Table("aad-setup-choices", "Azure AD Connect setup choices",
              ("Sync server", "Option", "Configured value", "Can be changed after setup?", "Read from"),
              rows(lambda s: [[r["label"], r["value"], "yes" if r["changeable"] else "no (install time only)",
                               r["from"]] for r in s["setup_rows"]])),
        Table("aad-group-dns", "Azure AD Connect group filtering",
              ("Sync server", "AD connector", "Pilot group (Connector.GroupFilteringGroupDn)", "In effect"),
              rows(lambda s: [[c["name"], c["group_dn"], c["in_effect"]] for c in s["group_filtering"]["connectors"]])),
        Table("aad-connectors", "Azure AD Connect connectors",
              ("Sync server", "Name", "Type", "Forest or subtype", "Partitions selected", "Run profiles"),
              rows(lambda s: [[c["name"], c["type"], c["forest"] or c["subtype"],
                               sum(1 for p in c["partitions"] if p["selected"]), len(c["run_profiles"])]
                              for c in s["connectors"]])),
        Table("aad-run-profiles", "Azure AD Connect run profiles",
              ("Sync server", "Connector", "Run profile", "Steps"),
              rows(lambda s: [[c["name"], p["name"], "; ".join(p["steps_text"])]
                              for c in s["connectors"] for p in c["run_profiles"]])),
        Table("aad-rules", "Azure AD Connect synchronisation rules",
              ("Connector", "Direction", "Precedence", "Name", "Kind", "Objects", "Link", "State"),
              [[group["connector_name"], group["direction"], rule["precedence"], rule["name"],
                "default" if rule["is_default"] else "custom",
                f"{rule['source_object_type']} → {rule['target_object_type']}", rule["link_type"],
                "disabled" if rule["disabled"] else "enabled"] for group, rule in rules]),
        Table("aad-flows", "Azure AD Connect attribute flows",
              ("Rule", "Destination", "Type", "Source, expression or constant", "Merge", "Once"),
              [[rule["name"], flow["destination"], flow["type"], flow["source_text"], flow["merge_type"],
                flow["execute_once"]] for _, rule in rules for flow in rule["flow_rows"]]),
        Table("aad-global-settings", "Azure AD Connect global settings",
              ("Sync server", "Parameter", "Value"),
              rows(lambda s: [[g["name"], g["value"]] for g in s["global_settings"]])),
        Table("aad-scheduler", "Azure AD Connect scheduler",
              ("Sync server", "Get-ADSyncScheduler", "Value"),
              rows(lambda s: [[e["name"], e["value"]] for e in s["scheduler"]])),
    ]
