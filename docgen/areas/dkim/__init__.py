"""DKIM signing: does the selector Exchange Online signs with resolve to a usable key?"""

from docgen.areas.area import Area, ExtraOutput, Ref

_HERE = __name__

AREA = Area(
    name="dkim",
    title="DKIM signing",
    view=Ref(f"{_HERE}.view:dkim_view"),
    checks=Ref(f"{_HERE}.checks:check_dkim"),
    tables=Ref(f"{_HERE}.tables:dkim_tables"),
    diff=Ref(f"{_HERE}.diff:spec"),
    # the export is read by the DNS collection (docgen collect dns, docgen build's [dns])
    recognise=Ref(f"{_HERE}.detect:recognise"),
    # one "domain, selector CNAME" line per failing active DKIM selector
    outputs=(ExtraOutput("dkim-failures", "dkim-failures.txt",
                         Ref(f"{_HERE}.view:dkim_failures_output")),),
    volatile=(
        # when Exchange last checked the configuration, and the sentence explaining the
        # active selector, which names the collection time (the selector itself is compared)
        "items[*].config.last_checked",
        "items[*].active_selector_reason",
        # the DNS resolver settings say how, not what
        "resolver",
    ),
    collector="Export-DkimSigningConfig.ps1",
)
