"""Exchange receive connectors: bindings, remote ranges, authentication and relay rights."""

from docgen.areas.area import Area, ImportCommand, Ref

_HERE = __name__

AREA = Area(
    name="exchange_connectors",
    title="Exchange receive connectors",
    short_title="Receive connectors",
    view=Ref(f"{_HERE}.view:exchange_connectors_view"),
    checks=Ref(f"{_HERE}.checks:check_exchange_connectors"),
    tables=Ref(f"{_HERE}.tables:exchange_connector_tables"),
    diff=Ref(f"{_HERE}.diff:spec"),
    recognise=Ref(f"{_HERE}.detect:recognise"),
    importer=Ref(f"{_HERE}.source:import_exchange_connectors"),
    import_command=ImportCommand(
        name="exchange-connectors",
        help="Exchange receive connectors and their relay rights.\n\n"
             "FILES are the JSON of collectors/Export-ExchangeConfig.ps1, or Get-ReceiveConnector\n"
             "and `Get-ADPermission -Identity <connector>` output as ConvertTo-Json (PowerShell 5.1\n"
             "or 7) or Export-Clixml, in any mix.",
        examples=("docgen import exchange-connectors exchange-config.json -o contoso.bundle.json",
                  "docgen import exchange-connectors connectors.xml permissions.json "
                  "--load-balancer-addresses 10.1.0.10 -o contoso.bundle.json"),
        organization_default="from the export",
        collected_at_default="from the export, else now",
        strict_help="Write nothing if any connector has an error.",
        options=(("load-balancer-addresses",
                  "The load balancers' addresses, comma-separated (docgen.toml: [exchange] "
                  "load_balancer_addresses): a relay connector that trusts one is a finding."),)),
    project_settings=(("exchange", "load_balancer_addresses"),),
    collector="Export-ExchangeConfig.ps1",
)
