"""Entra ID Identity Protection: risky users and risk detections, counted (never listed person
by person below detail level 3), and which Conditional Access policies answer the risk."""

from docgen.areas.area import Area, ImportCommand, Ref

_HERE = __name__

AREA = Area(
    name="identity_protection",
    title="Identity Protection",
    view=Ref(f"{_HERE}.view:identity_protection_view"),
    checks=Ref(f"{_HERE}.checks:check_identity_protection"),
    tables=Ref(f"{_HERE}.tables:identity_protection_tables"),
    diff=Ref(f"{_HERE}.diff:spec"),
    recognise=Ref(f"{_HERE}.detect:recognise"),
    importer=Ref(f"{_HERE}.source:import_identity_protection"),
    import_command=ImportCommand(
        name="identity-protection",
        help="Entra ID Identity Protection: risky users and risk detections, counted.\n\n"
             "FILES are the JSON of collectors/Export-EntraConfig.ps1, Graph responses saved as\n"
             "they are (identityProtection/riskyUsers, identityProtection/riskDetections), or\n"
             "Get-MgRiskyUser / Get-MgRiskDetection | ConvertTo-Json output, in any mix.",
        examples=("docgen import identity-protection entra.json -o contoso.bundle.json",),
        organization_default="from the collector's export",
        collected_at_default="from the export, else now",
        strict_help="Write nothing if any record or file has an error.",
        options=(("include-user-names", "yes: keep user principal names in the bundle (default: "
                                        "no; docgen.toml's [privacy] include_user_names)"),)),
    charts=Ref(f"{_HERE}.view:risk_policy_charts"),
    project_settings=(("privacy", "include_user_names"),),
    volatile=(
        # person-level records: the diff compares their counts (items), never the people
        "users",
        "detections",
    ),
    collector="Export-EntraConfig.ps1",
)
