"""The shape of what each area declares so that two bundles can be compared: identity keys.

An area (its diff.py, named in the registry) names its keyed collections (lists, or name -> value maps), how their
elements are identified (a primary key, then fallbacks), what to call them in a
sentence, and where a changed identity means "replaced" rather than "modified".
Everything else in a section is compared field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Union


@dataclass(frozen=True)
class Words:
    """How a field reads: its label, and the verbs for members added to or removed from a
    list of simple values ("OU=Sales,DC=contoso,DC=com excluded")."""

    label: str
    added: str = "added"
    removed: str = "removed"


# An area's field labels, by field name (a path's segment): the text, or Words; "" leaves the
# segment out of the readable path ("value" in "setup_choices.staging_mode.value").
Labels = Mapping[str, Union[str, Words]]


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
    # The parts of an element (relative paths) whose values follow from other facts of the
    # same element (a DMARC tag inherited from p): kept in the diff JSON, marked derived,
    # never listed as a change of their own. A part is derived when derived on both sides.
    derived: Callable[[dict], list[str]] | None = None
    # The main fields of an added or removed element, shown as its details; () for every
    # field that is not its identity or its source.
    details: tuple[str, ...] = ()
    # Keyed lists deeper inside an element, compared as its fields (path with dots from the
    # element: "group_filtering.connectors"): what their elements are called in a sentence.
    named: tuple["Collection", ...] = ()


@dataclass(frozen=True)
class AreaDiff:
    """What an area's diff.py declares: its collections, the labels of its fields, and the
    findings only a comparison can see ((before section, after section, rules) -> findings)."""

    collections: tuple[Collection, ...]
    labels: Labels = field(default_factory=dict)
    change_findings: Callable[[dict, dict, dict], list] | None = None


@dataclass(frozen=True)
class SectionDiff:
    title: str
    collections: tuple[Collection, ...] = field(default_factory=tuple)
    labels: Labels = field(default_factory=dict)
    change_findings: Callable[[dict, dict, dict], list] | None = None
