"""How two server sections are matched: servers by name, partner applications by their
ApplicationIdentifier, EWS virtual directories by identity."""

from __future__ import annotations

from docgen.diff.spec import AreaDiff, Collection

# the build's facts that follow from the build: the change reads "update CU14 -> CU15"
_DERIVED = ("admin_display_version", "update_build", "released", "support_ends", "later_update", "build_note")


def spec() -> AreaDiff:
    return AreaDiff(collections=(
        Collection(path="items", noun="Exchange server", label="name", quiet=_DERIVED),
        Collection(path="partner_applications", noun="partner application", label="name",
                   keys=(("application_identifier",),)),
        Collection(path="auth_servers", noun="auth server", label="name"),
        Collection(path="ews_virtual_directories", noun="EWS virtual directory", label="identity"),
        Collection(path="intra_organization_connectors", noun="intra-organization connector", label="name"),
        Collection(path="accepted_domains", noun="accepted domain", label="domain"),
        Collection(path="client_access_services", noun="client access service", label="name"),
    ))
