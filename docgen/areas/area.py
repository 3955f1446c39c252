"""What an area declares, once: the registry (docgen.areas) holds one Area per area.

The engines (build's input detection, checks, render, tables, diff, docgen.toml's
[sections]) iterate the registry and reach an area's code only through its Area. The
functions are named by reference ("module:function") and imported when first used, so
that listing the areas costs nothing and `docgen --help` imports no area's libraries.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Ref:
    """A function named by "module:attribute", imported on first use."""

    target: str

    def resolve(self) -> Any:
        module, _, attribute = self.target.partition(":")
        return getattr(importlib.import_module(module), attribute)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)


@dataclass(frozen=True)
class ExtraOutput:
    """A document format an area adds to `docgen render --format` (e.g. dkim-failures)."""

    format: str
    suffix: str          # the file is <stem>.<suffix>
    build: Ref           # (loaded bundle, finding records) -> bytes


@dataclass(frozen=True)
class ImportCommand:
    """`docgen import <name>`: the command line of an area's importer."""

    name: str
    help: str                          # the command's help: first line, then what the inputs are
    examples: tuple[str, ...]
    organization_default: str          # where the organisation's name comes from by default
    collected_at_default: str
    strict_help: str
    many: bool = True                  # FILES... (any mix) or one EXPORT
    # further text options: (name, help); a given value reaches the importer as a keyword
    # (--server -> server=...)
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Area:
    """One area docgen documents: a section of the bundle and a chapter of the report.

    Its place in docgen.areas.AREAS is its order in documents. Its bundle schema is the
    file `schema.json` in its folder (read by docgen.bundle without importing the area).
    """

    name: str                          # the bundle's section key and the notes' file name
    title: str
    # (section facts, judged-at time, that section's finding records) -> template view
    view: Ref
    # (section, rules, as_of) -> findings; cross checks: (usable sections, rules, as_of)
    checks: Ref | None = None
    cross_checks: tuple[Ref, ...] = ()
    tables: Ref | None = None          # (section context) -> [Table] for CSV and XLSX
    diff: Ref | None = None            # () -> docgen.diff.spec.AreaDiff
    # raw inputs it recognises by content: text of a file's head -> bool; a folder -> bool
    recognise: Ref | None = None
    recognise_folder: Ref | None = None
    # (the paths `docgen build` recognised for it, or `docgen import` was given; the
    # collection time or None) -> its SourceResult; None when another step reads them
    # (the DKIM export feeds the DNS collection)
    importer: Ref | None = None
    import_command: ImportCommand | None = None
    # (views of all shown sections by name) -> extra template charts by name
    charts: Ref | None = None
    outputs: tuple[ExtraOutput, ...] = ()
    # diff paths under this section that change although nothing changed (fnmatch)
    volatile: tuple[str, ...] = ()
    detail: int = 2                    # default detail level (0 off ... 3 everything)
    collector: str | None = None       # its script in docgen/collectors
    # docgen.toml settings its importer takes, as (table, key): `docgen build` passes each
    # as a keyword named after the key (declared in docgen.project.settings)
    project_settings: tuple[tuple[str, str], ...] = ()
    # (its SourceResult, a DNS LookupClient) -> the result with what DNS adds (Autodiscover
    # for Exchange); `docgen build` and the demo call it unless docgen.toml skips DNS
    dns_lookups: Ref | None = None
    template: str = field(default="")
    # the title where a column or a chart label names the section on every row; the title
    # when it is short already
    short_title: str = field(default="")

    def __post_init__(self) -> None:
        if not self.template:
            object.__setattr__(self, "template", f"sections/{self.name}.html.j2")
        if not self.short_title:
            object.__setattr__(self, "short_title", self.title)
