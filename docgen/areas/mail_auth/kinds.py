"""The kinds of mail-authentication record per domain, in document order, with their titles.

Shared by the source (docgen.areas.mail_auth.source), the checks and the documents.
"""

from __future__ import annotations

KIND_TITLES: dict[str, str] = {
    "dmarc": "DMARC",
    "spf": "SPF",
    "mx": "MX",
    "mta_sts": "MTA-STS",
    "tls_rpt": "TLS-RPT",
    "bimi": "BIMI",
}
