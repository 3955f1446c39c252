"""Exchange servers' certificates: the default SMTP (internal transport) one and every
certificate of each server's store, with the services it is bound to."""

from docgen.areas.area import Area, ImportCommand, Ref

_HERE = __name__

AREA = Area(
    name="exchange_certificates",
    title="Exchange certificates",
    view=Ref(f"{_HERE}.view:exchange_certs_view"),
    checks=Ref(f"{_HERE}.checks:check_exchange_certs"),
    tables=Ref(f"{_HERE}.tables:exchange_tables"),
    diff=Ref(f"{_HERE}.diff:spec"),
    recognise=Ref(f"{_HERE}.detect:recognise"),
    importer=Ref(f"{_HERE}.source:import_exchange_certs"),
    import_command=ImportCommand(
        name="exchange-certs",
        help="Exchange certificates: each server's default SMTP certificate\n"
             "(msExchServerInternalTLSCert) and every certificate of its store.\n\n"
             "FILES are the JSON of collectors/Export-ExchangeCertificates.ps1 or\n"
             "collectors/Export-ExchangeConfig.ps1,\n"
             "`Get-ADObject ... | ConvertTo-Json` output, `ldifde` LDIF files, or Export-Clixml\n"
             "of Get-ExchangeCertificate or of the certificate itself (an X509Certificate2), in any mix.",
        examples=("docgen import exchange-certs exchange-certs.json -o contoso.bundle.json",
                  "docgen import exchange-certs servers.ldf adobjects.json -o contoso.bundle.json",
                  "docgen import exchange-certs smtp-cert.xml --server EX01 -o contoso.bundle.json"),
        organization_default="from the export or its AD domain",
        collected_at_default="from the export, else now",
        strict_help="Write nothing if any record has an error.",
        options=(("server", "The server of a CLIXML certificate that names none (an "
                            "X509Certificate2; default: the file name, e.g. EX01.xml)."),)),
    collector="Export-ExchangeCertificates.ps1",
)
