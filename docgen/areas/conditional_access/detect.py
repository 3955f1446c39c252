"""Which raw files hold Conditional Access policies or the tenant's sign-in settings."""

from __future__ import annotations

from docgen.readers.scubagear import looks_like_export
from docgen.readers.textfile import json_like

MARKS = (
    '"export-entraconfig"',                 # the collector
    "conditionalaccess/policies",           # a Graph page's @odata.context
    "conditionalaccess/namedlocations",
    "identitysecuritydefaultsenforcementpolicy",
    "policies/authorizationpolicy",
    '"grantcontrols"',                      # policies as Graph or the SDK writes them
)


def recognise(text: str) -> bool:
    """The collector's JSON, Graph objects of Conditional Access, or a ScubaGear export."""
    if not json_like(text):
        return False
    lowered = text.lower()
    if looks_like_export(text):
        return True   # CISA ScubaGear ProviderSettingsExport.json
    return any(mark in lowered for mark in MARKS)
