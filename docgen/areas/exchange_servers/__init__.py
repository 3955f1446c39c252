"""Exchange servers: builds and their CUs, support, and Teams and hybrid readiness."""

from docgen.areas.area import Area, ImportCommand, Ref

_HERE = __name__

AREA = Area(
    name="exchange_servers",
    title="Exchange servers and hybrid readiness",
    short_title="Exchange servers",
    view=Ref(f"{_HERE}.view:exchange_servers_view"),
    checks=Ref(f"{_HERE}.checks:check_exchange_servers"),
    tables=Ref(f"{_HERE}.tables:exchange_server_tables"),
    diff=Ref(f"{_HERE}.diff:spec"),
    recognise=Ref(f"{_HERE}.detect:recognise"),
    importer=Ref(f"{_HERE}.source:import_exchange_servers"),
    import_command=ImportCommand(
        name="exchange-servers",
        help="Exchange servers, their builds and CUs, and OAuth and hybrid for Teams.\n\n"
             "FILES are the JSON of collectors/Export-ExchangeConfig.ps1, or the output of\n"
             "Get-ExchangeServer, Get-PartnerApplication, Get-AuthServer, Get-HybridConfiguration,\n"
             "Get-OrganizationConfig, Get-WebServicesVirtualDirectory, Get-ClientAccessService,\n"
             "Get-AcceptedDomain or Get-IntraOrganizationConnector as ConvertTo-Json (PowerShell 5.1\n"
             "or 7) or Export-Clixml, in any mix.",
        examples=("docgen import exchange-servers exchange-config.json -o contoso.bundle.json",
                  "docgen import exchange-servers GetExchangeServer.xml GetPartnerApplication.xml "
                  "-o contoso.bundle.json"),
        organization_default="from the export",
        collected_at_default="from the export, else now",
        strict_help="Write nothing if any server or object has an error."),
    collector="Export-ExchangeConfig.ps1",
    dns_lookups=Ref(f"{_HERE}.autodiscover:add_autodiscover"),
)
