"""Exchange servers' default SMTP (internal transport) certificates."""

from docgen.areas.area import Area, Ref

_HERE = __name__

AREA = Area(
    name="exchange_certificates",
    title="Exchange default SMTP certificates",
    view=Ref(f"{_HERE}.view:exchange_certs_view"),
    checks=Ref(f"{_HERE}.checks:check_exchange_certs"),
    tables=Ref(f"{_HERE}.tables:exchange_tables"),
    diff=Ref(f"{_HERE}.diff:collections"),
    recognise=Ref(f"{_HERE}.detect:recognise"),
    importer=Ref(f"{_HERE}.source:import_exchange_certs"),
    collector="Export-ExchangeCertificates.ps1",
)
