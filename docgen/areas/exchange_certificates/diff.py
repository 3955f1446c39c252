"""How two Exchange sections are matched: servers by name; a new default certificate is a renewal.
Each server's certificates by thumbprint, then by subject: the same subject under a new
thumbprint on the same server is a renewal too."""

from __future__ import annotations

from docgen.diff.spec import AreaDiff, Collection, Replacement


def spec() -> AreaDiff:
    return AreaDiff(collections=(
        Collection(path="items", noun="Exchange server", label="name",
                   replacement=Replacement(field="default_smtp_certificate",
                                           identity="thumbprint_sha1",
                                           noun="default SMTP certificate",
                                           verb="renewed/replaced",
                                           identity_label="thumbprint",
                                           details=(("not_after", "expires"),)),
                   children=(
                       Collection(path="store_certificates", noun="Exchange certificate",
                                  keys=(("thumbprint",), ("subject",)), label="subject",
                                  apart=True, qualified=True,
                                  replacement=Replacement(field="", identity="thumbprint",
                                                          noun="certificate",
                                                          verb="renewed/replaced",
                                                          identity_label="thumbprint",
                                                          details=(("not_after", "expires"),))),
                   )),
    ))
