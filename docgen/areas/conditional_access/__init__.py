"""Entra ID Conditional Access: policies in plain words, the coverage of the baseline
protections, security defaults, the authorization policy, password rules, named locations."""

from docgen.areas.area import Area, ImportCommand, Ref

_HERE = __name__

AREA = Area(
    name="conditional_access",
    title="Conditional Access",
    view=Ref(f"{_HERE}.view:conditional_access_view"),
    checks=Ref(f"{_HERE}.checks:check_conditional_access"),
    tables=Ref(f"{_HERE}.tables:conditional_access_tables"),
    diff=Ref(f"{_HERE}.diff:spec"),
    recognise=Ref(f"{_HERE}.detect:recognise"),
    importer=Ref(f"{_HERE}.source:import_conditional_access"),
    import_command=ImportCommand(
        name="conditional-access",
        help="Entra ID Conditional Access policies and the tenant's sign-in settings.\n\n"
             "FILES are the JSON of collectors/Export-EntraConfig.ps1, Graph responses saved as\n"
             "they are (conditionalAccess/policies, namedLocations, identitySecurityDefaults-\n"
             "EnforcementPolicy, authorizationPolicy, settings), Get-MgIdentityConditionalAccessPolicy\n"
             "| ConvertTo-Json output, or a CISA ScubaGear ProviderSettingsExport.json, in any mix.",
        examples=("docgen import conditional-access entra.json -o contoso.bundle.json",
                  "docgen import conditional-access ProviderSettingsExport.json -o contoso.bundle.json"),
        organization_default="from the export (the tenant's name)",
        collected_at_default="from the export, else now",
        strict_help="Write nothing if any policy or file has an error."),
    volatile=("forms",),
    collector="Export-EntraConfig.ps1",
)
