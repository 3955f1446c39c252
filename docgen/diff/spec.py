"""What each section declares so that two bundles can be compared: identity keys.

A section names its keyed collections (lists, or name -> value maps), how their
elements are identified (a primary key, then fallbacks), what to call them in a
sentence, and where a changed identity means "replaced" rather than "modified".
Everything else in a section is compared field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Replacement:
    """A sub-object whose identity changing means the thing was replaced (renewed)."""

    field: str          # e.g. "default_smtp_certificate"
    identity: str       # e.g. "thumbprint_sha1"
    noun: str           # e.g. "default SMTP certificate"
    verb: str = "replaced"
    identity_label: str = "identity"
    # other fields shown old -> new, with the word a reader knows them by
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Collection:
    """A keyed collection inside a section, or inside an element of another collection.

    `keys` are tried in order: elements matched by the first key are paired, the
    rest are tried with the next (so a re-created sync rule with a new id but the
    same connector and name still reads as modified). Each key is a tuple of field
    names; for maps (`is_map`) the map's own key is the identity.
    """

    path: str
    noun: str
    keys: tuple[tuple[str, ...], ...] = (("key",),)
    label: str | None = "name"
    is_map: bool = False
    children: tuple["Collection", ...] = ()
    replacement: Replacement | None = None
    # The parts of an element whose facts are uncertain (a lookup timed out or
    # failed), as paths relative to it ("selectors[selector1]", "spf"): a
    # difference under such a part is "unknown", never a change.
    uncertain_parts: Callable[[dict], list[str]] | None = None
    # Paths (relative, '*' wildcards) that echo other facts: kept in the diff JSON,
    # left out of the one-sentence summary (the raw record beside its parsed tags).
    quiet: tuple[str, ...] = ()
    # A nested collection whose elements are changes of their own ("Sync rule 'X'
    # modified") rather than fields of the element holding them.
    apart: bool = False


@dataclass(frozen=True)
class SectionDiff:
    title: str
    collections: tuple[Collection, ...] = field(default_factory=tuple)


def _unverified_selectors(item: dict) -> list[str]:
    return [f"selectors[{facts['selector']}]" for facts in item.get("selectors") or []
            if "unverified" in (facts.get("cname_state"), facts.get("key_state"))]


MAIL_AUTH_KINDS = ("dmarc", "spf", "mx", "mta_sts", "tls_rpt", "bimi")


def _unverified_records(item: dict) -> list[str]:
    return [kind for kind in MAIL_AUTH_KINDS if (item.get(kind) or {}).get("state") == "unverified"]


SECTION_DIFFS: dict[str, SectionDiff] = {
    "aadconnect": SectionDiff(
        title="Azure AD Connect",
        collections=(
            Collection(path="items", noun="Sync server", label="server", children=(
                Collection(path="global_settings", noun="Global setting", apart=True),
                Collection(path="scheduler", noun="Scheduler setting", apart=True),
                Collection(path="connectors", noun="Connector", keys=(("key",), ("name",)), apart=True,
                           children=(
                               # by name (a domain's DN, a profile's name): readable in paths
                               Collection(path="partitions", noun="Partition", keys=(("name",), ("key",))),
                               Collection(path="run_profiles", noun="Run profile", keys=(("name",), ("key",))),
                           )),
                # a rule re-created with a new id but the same connector and name reads as modified
                Collection(path="sync_rules", noun="Sync rule", keys=(("key",), ("connector_name", "name")),
                           apart=True),
            )),
        ),
    ),
    "dkim": SectionDiff(
        title="DKIM signing",
        collections=(
            Collection(path="items", noun="DKIM domain", label="domain",
                       children=(Collection(path="selectors", noun="Selector", keys=(("selector",),),
                                            label="selector"),),
                       uncertain_parts=_unverified_selectors,
                       quiet=("selectors[*].key_lookup.records",
                              "selectors[*].cname_lookup.records", "selectors[*].configured_key_record")),
        ),
    ),
    "mail_auth": SectionDiff(
        title="Mail authentication (DMARC, SPF, MX, MTA-STS, TLS-RPT, BIMI)",
        collections=(
            Collection(path="items", noun="Domain", label="domain", uncertain_parts=_unverified_records,
                       # the raw record is shown; the lookup's copy, checkdmarc's echo of it and its
                       # warnings are in the JSON only
                       quiet=("*.lookup.records", "*.result.record", "*.warnings", "*.result.warnings",
                              "*.result.tags.*.explicit", "*.result.location")),
        ),
    ),
    "exchange_certificates": SectionDiff(
        title="Exchange default SMTP certificates",
        collections=(
            Collection(path="items", noun="Exchange server", label="name",
                       replacement=Replacement(field="default_smtp_certificate",
                                               identity="thumbprint_sha1",
                                               noun="default SMTP certificate",
                                               verb="renewed/replaced",
                                               identity_label="thumbprint",
                                               details=(("not_after", "expires"),))),
        ),
    ),
}
