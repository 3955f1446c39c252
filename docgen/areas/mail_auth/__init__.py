"""Mail authentication records per domain: DMARC, SPF, MX, MTA-STS, TLS-RPT, BIMI."""

from docgen.areas.area import Area, Ref

_HERE = __name__

AREA = Area(
    name="mail_auth",
    title="Mail authentication (DMARC, SPF, MX, MTA-STS, TLS-RPT, BIMI)",
    short_title="Mail authentication",
    view=Ref(f"{_HERE}.view:mail_auth_view"),
    checks=Ref(f"{_HERE}.checks:check_mail_auth"),
    cross_checks=(Ref(f"{_HERE}.checks:check_dkim_without_dmarc"),),
    tables=Ref(f"{_HERE}.tables:mail_auth_tables"),
    diff=Ref(f"{_HERE}.diff:spec"),
    charts=Ref(f"{_HERE}.matrix:mail_matrix"),
    volatile=(
        # the further lookups an evaluation happened to make (SPF includes, report
        # authorisations): what they found is part of each domain's results
        "other_lookups",
        # the words for a verdict: checkdmarc's message and exception class ("The domain does
        # not exist." or "A DMARC record does not exist." for the same NXDOMAIN), a lookup's
        # error text (it names the nameserver and its port); what is compared is the outcome:
        # the state, the lookups' outcomes (rcodes) and the records
        "items[*].*.error",
        "items[*].*.error_class",
        # the DNS resolver settings and checkdmarc's version say how, not what
        "resolver",
        "checkdmarc_version",
    ),
)
