"""Mobile mail access: Exchange ActiveSync's default, device access rules, mailbox policies,
devices counted, and what the iOS native mail client gets on premises and in the cloud."""

from docgen.areas.area import Area, ImportCommand, Ref

_HERE = __name__

AREA = Area(
    name="mobile_access",
    title="Mobile mail access (Exchange ActiveSync)",
    short_title="Mobile mail access",
    view=Ref(f"{_HERE}.view:mobile_access_view"),
    checks=Ref(f"{_HERE}.checks:check_mobile_access"),
    cross_checks=(Ref(f"{_HERE}.checks:check_native_ios_mail"),),
    tables=Ref(f"{_HERE}.tables:mobile_access_tables"),
    diff=Ref(f"{_HERE}.diff:spec"),
    recognise=Ref(f"{_HERE}.detect:recognise"),
    importer=Ref(f"{_HERE}.source:import_mobile_access"),
    import_command=ImportCommand(
        name="mobile-access",
        help="Exchange ActiveSync access: organisation default, device access rules, policies, devices.\n\n"
             "FILES are the JSON of collectors/Export-MobileAccess.ps1 (on premises or Exchange\n"
             "Online), or ConvertTo-Json output of Get-ActiveSyncOrganizationSettings,\n"
             "Get-ActiveSyncDeviceAccessRule, Get-MobileDeviceMailboxPolicy, Get-CASMailbox or\n"
             "Get-MobileDevice, in any mix.",
        examples=("docgen import mobile-access mobile-onprem.json mobile-exo.json -o contoso.bundle.json",),
        organization_default="from the collector's export",
        collected_at_default="from the export, else now",
        strict_help="Write nothing if any record or file has an error."),
    charts=Ref(f"{_HERE}.view:cloud_charts"),
    collector="Export-MobileAccess.ps1",
)
