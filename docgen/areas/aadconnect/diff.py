"""How two Azure AD Connect sections are matched: servers, then their settings, connectors and rules."""

from __future__ import annotations

from docgen.diff.spec import Collection


def collections() -> tuple[Collection, ...]:
    return (
        Collection(path="items", noun="Sync server", label="server", children=(
            Collection(path="global_settings", noun="Global setting", apart=True),
            Collection(path="scheduler", noun="Scheduler setting", apart=True),
            Collection(path="connectors", noun="Connector", keys=(("key",), ("name",)), apart=True,
                       children=(
                           # by name (a domain's DN, a profile's name): readable in paths
                           Collection(path="partitions", noun="Partition", keys=(("name",), ("key",))),
                           Collection(path="run_profiles", noun="Run profile", keys=(("name",), ("key",))),
                       )),
            # a rule re-created with a new id but the same connector and name reads as modified
            Collection(path="sync_rules", noun="Sync rule", keys=(("key",), ("connector_name", "name")),
                       apart=True),
        )),
    )
