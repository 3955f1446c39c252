"""How two mobile access sections are matched: environments by name, device access rules by
characteristic and query string, device counts by their profile."""

from __future__ import annotations

from docgen.diff.spec import AreaDiff, Collection


def spec() -> AreaDiff:
    return AreaDiff(collections=(
        Collection(path="items", noun="Exchange environment", label="key", children=(
            Collection(path="rules", noun="device access rule", label="name", apart=True),
            Collection(path="mailbox_policies", noun="mobile device mailbox policy", label="name", apart=True),
            Collection(path="devices", noun="devices", label="key", apart=True),
        )),
    ))
