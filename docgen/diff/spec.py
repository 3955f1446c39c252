"""The shape of what each area declares so that two bundles can be compared: identity keys.

An area (its diff.py, named in the registry) names its keyed collections (lists, or name -> value maps), how their
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

    field: str          # e.g. "default_smtp_certificate"; "" for the element itself
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
    # An element's label prefixed with its owner's ("EX01: CN=mail.contoso.com"), for elements
    # reported apart whose own label repeats across owners.
    qualified: bool = False


@dataclass(frozen=True)
class SectionDiff:
    title: str
    collections: tuple[Collection, ...] = field(default_factory=tuple)
