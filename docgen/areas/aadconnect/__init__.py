"""Azure AD Connect (Entra Connect Sync): setup choices, filtering, connectors, sync rules."""

from docgen.areas.area import Area, ImportCommand, Ref

_HERE = __name__

AREA = Area(
    name="aadconnect",
    title="Azure AD Connect",
    view=Ref(f"{_HERE}.view:aadconnect_view"),
    checks=Ref(f"{_HERE}.checks:check_aadconnect"),
    tables=Ref(f"{_HERE}.tables:aadconnect_tables"),
    diff=Ref(f"{_HERE}.diff:spec"),
    recognise=Ref(f"{_HERE}.detect:recognise"),
    recognise_folder=Ref(f"{_HERE}.detect:recognise_folder"),
    importer=Ref(f"{_HERE}.source:import_for_build"),
    import_command=ImportCommand(
        name="aadconnect",
        help="Azure AD Connect (Entra Connect Sync): setup choices, filters, connectors, sync rules.\n\n"
             "EXPORT is the folder `Get-ADSyncServerConfiguration -Path <dir>` wrote, or the\n"
             "JSON of collectors/Export-AADConnectConfig.ps1 (which names that folder beside it).",
        examples=("docgen import aadconnect .\\ServerConfiguration -o contoso.bundle.json",
                  "docgen import aadconnect aadconnect.json -o contoso.bundle.json"),
        organization_default="the first AD connector's forest",
        collected_at_default="the collector's CollectedAt, else the export-date in "
                             "GlobalSettings/MV.xml, else now",
        strict_help="Write nothing if any file or rule has an error.",
        many=False),
    volatile=(
        # when the export ran, and when the scheduler runs next
        "items[*].export_date",
        "items[*].collector.collected_at",
        "items[*].global_settings[microsoft.synchronize.nextstarttime].value",
        "items[*].scheduler[nextsynccyclestarttimeinutc].value",
    ),
    collector="Export-AADConnectConfig.ps1",
)
