"""Azure AD Connect (Entra Connect Sync): setup choices, filtering, connectors, sync rules."""

from docgen.areas.area import Area, Ref

_HERE = __name__

AREA = Area(
    name="aadconnect",
    title="Azure AD Connect",
    view=Ref(f"{_HERE}.view:aadconnect_view"),
    checks=Ref(f"{_HERE}.checks:check_aadconnect"),
    tables=Ref(f"{_HERE}.tables:aadconnect_tables"),
    diff=Ref(f"{_HERE}.diff:collections"),
    recognise=Ref(f"{_HERE}.detect:recognise"),
    recognise_folder=Ref(f"{_HERE}.detect:recognise_folder"),
    importer=Ref(f"{_HERE}.source:import_for_build"),
    volatile=(
        # when the export ran, and when the scheduler runs next
        "items[*].export_date",
        "items[*].collector.collected_at",
        "items[*].global_settings[microsoft.synchronize.nextstarttime].value",
        "items[*].scheduler[nextsynccyclestarttimeinutc].value",
    ),
    collector="Export-AADConnectConfig.ps1",
)
