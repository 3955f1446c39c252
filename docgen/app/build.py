"""`docgen build`: everything a project folder holds, to a bundle and its documents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.app.accepted import accepted_risk_warnings
from docgen.app.collect_dns import DnsRequest, SettingNames, area_lookups, prepare_dns, run_dns
from docgen.app.detect import detect_areas, is_scubagear_file
from docgen.app.outputs import signed
from docgen.app.progress import QUIET, Stages
from docgen.areas import AREAS
from docgen.areas.dkim.source import read_dkim_export
from docgen.bundle import LoadedBundle, bundle_bytes, new_bundle, parse_bundle, put_section
from docgen.bundle.result import SourceResult
from docgen.core.atomic import write_together
from docgen.core.dates import iso_utc
from docgen.core.errors import DocgenError
from docgen.dns.client import parse_nameserver, resolver_words
from docgen.dns.domains import normalize_domain
from docgen.project import Project
from docgen.project.settings import PROJECT_FILE, setting_name
from docgen.readers.inputs import skipped_record
from docgen.render.documents import RenderRequest, render_documents

IGNORED_RAW = {"README.md"}
NOT_RECOGNISED = "not an input docgen recognises"

# What the DNS collection's messages ask a `docgen build` user to change: docgen.toml's keys.
BUILD_DNS_NAMES = SettingNames(
    nameservers=f"{setting_name('dns', 'nameservers')} in {PROJECT_FILE}",
    nameservers_or_zone_files=(f"{setting_name('dns', 'nameservers')} or "
                               f"{setting_name('dns', 'zone_files')} in {PROJECT_FILE}"),
    domains=f"{setting_name('dns', 'domains')} in {PROJECT_FILE}, or a DKIM export in raw/",
    contradiction=DocgenError,   # a settings problem (exit 1), not command-line usage
)


@dataclass
class BuildResult:
    bundle_path: Path
    documents: list[Path]
    results: list[SourceResult]
    skipped: list[str] = field(default_factory=list)
    loaded: LoadedBundle | None = None    # the bundle as written, read back (documents come from it)
    warnings: list[str] = field(default_factory=list)   # accepted risks naming no finding

    @property
    def resolvers(self) -> list[str]:
        """Where the DNS answers came from (the dkim and mail_auth sections share one run)."""
        return list(dict.fromkeys(resolver_words(result.extra["resolver"])
                                  for result in self.results if "resolver" in result.extra))

    @property
    def partial(self) -> bool:
        return bool(self.skipped) or any(result.status != "ok" for result in self.results)


def classify_raw(raw_dir: Path) -> tuple[dict[str, list[Path]], list[str]]:
    """Raw inputs by area, and the names (raw/...) of entries docgen does not recognise.
    A folder no area recognises (raw/exchange/) is a folder of inputs: its entries are
    classified in turn, up to MAX_RAW_DEPTH folders down."""
    kinds: dict[str, list[Path]] = {}
    skipped: list[str] = []
    if raw_dir.is_dir():
        _classify_folder(raw_dir, raw_dir, kinds, skipped, depth=0)
    return kinds, skipped


MAX_RAW_DEPTH = 8   # raw/a/b/...: deep enough for any export layout, short of a link loop


def _visible(folder: Path):
    return (path for path in folder.iterdir()
            if path.name not in IGNORED_RAW and not path.name.startswith("."))


def _classify_folder(folder: Path, raw_dir: Path, kinds: dict[str, list[Path]], skipped: list[str],
                     depth: int) -> None:
    entries = sorted(_visible(folder))
    for area, paths in group_by_area(entries).items():
        kinds.setdefault(area, []).extend(paths)
    recognised = {path for paths in kinds.values() for path in paths}
    for path in entries:
        if path in recognised:
            continue
        if path.is_dir() and depth < MAX_RAW_DEPTH and any(_visible(path)):
            _classify_folder(path, raw_dir, kinds, skipped, depth + 1)
        else:
            skipped.append(f"raw/{path.relative_to(raw_dir).as_posix()}")


def group_by_area(paths: list[Path]) -> dict[str, list[Path]]:
    """The inputs each area recognises, by area name, in the order given (one input may feed
    several areas)."""
    kinds: dict[str, list[Path]] = {}
    for path in paths:
        for kind in detect_areas(path):
            kinds.setdefault(kind, []).append(path)
    return kinds


def import_raw(kinds: dict[str, list[Path]],
               settings: Mapping[tuple[str, str], Any] | None = None) -> list[SourceResult]:
    """One result per area that imports its own inputs, in the report's order. `settings`:
    docgen.toml's values by (table, key), for the areas that take some (Area.project_settings)."""
    settings = settings or {}
    return [area.importer(kinds[area.name], **{key: settings[(table, key)]
                                                 for table, key in area.project_settings
                                                 if (table, key) in settings})
            for area in AREAS if area.importer is not None and kinds.get(area.name)]


def collect_project_dns(project: Project, kinds: dict[str, list[Path]],
                        progress: Stages = QUIET) -> list[SourceResult]:
    """DKIM and mail authentication for the DKIM export's domains and docgen.toml's [dns]."""
    settings = project.dns
    exports = dkim_exports(kinds.get("dkim", []))   # the DKIM export names the domains to look up
    if settings.skip or (not exports and not settings.domains):
        return []
    if len(exports) > 1:
        raise DocgenError(f"raw/ holds {len(exports)} DKIM exports ({', '.join(p.name for p in exports)}); "
                          "keep one", source=str(project.raw_dir))
    request = DnsRequest(
        dkim_config=exports[0] if exports else None,
        domains=tuple(_domain(name) for name in settings.domains),
        nameservers=tuple(_nameserver(text) for text in settings.nameservers),
        zone_files=settings.zone_files,
        settings=settings.resolver,
        names=BUILD_DNS_NAMES)
    prepared = prepare_dns(request)
    progress.announce(f"looking up DNS for {len(prepared.domains)} domain(s)")
    collection = run_dns(prepared, progress.count("DNS domains", len(prepared.domains)))
    return [result for result in (collection.dkim, collection.mail_auth) if result]


def dkim_exports(paths: list[Path]) -> list[Path]:
    """The DKIM exports to use: the dedicated ones (collector, Get-DkimSigningConfig), else
    ScubaGear exports that hold DKIM configurations or accepted domains (a ScubaGear run
    without Exchange Online holds neither; it still feeds Conditional Access)."""
    scuba = [path for path in paths if is_scubagear_file(path)]
    dedicated = [path for path in paths if path not in scuba]
    if dedicated:
        return dedicated
    return [path for path in scuba if _holds_domains(path)]


def _holds_domains(path: Path) -> bool:
    try:
        return bool(read_dkim_export(path).domains)
    except DocgenError:
        return True    # unreadable: let the DNS collection say why, naming the file


def project_lookups(project: Project, results: list[SourceResult],
                    progress: Stages = QUIET) -> list[SourceResult]:
    """What the imported areas look up in DNS (Autodiscover), unless docgen.toml skips DNS."""
    settings = project.dns
    looking = [area.short_title for area in AREAS if area.dns_lookups is not None
               and any(result.section == area.name for result in results)]
    if settings.skip or not looking:
        return results
    progress.announce(f"looking up DNS for {', '.join(looking)}")
    return area_lookups(results, DnsRequest(
        nameservers=tuple(_nameserver(text) for text in settings.nameservers),
        zone_files=settings.zone_files, settings=settings.resolver, names=BUILD_DNS_NAMES))


def _domain(name: str) -> str:
    try:
        return normalize_domain(name)
    except ValueError as exc:
        raise DocgenError(f"dns.domains: {name!r}: {exc}", source=PROJECT_FILE) from None


def _nameserver(text: str):
    try:
        return parse_nameserver(text)
    except ValueError as exc:
        raise DocgenError(f"dns.nameservers: {exc}", source=PROJECT_FILE) from None


def build_project(project: Project, jobs: int | None = None, *, strict: bool = False,
                  progress: Stages = QUIET, signer: Any = None) -> BuildResult:
    """Import raw/, then write the bundle and every document together (or nothing).

    A source that failed completely is still written, as a section with status
    `error` and its errors, so the report says what could not be read. Everything is
    made in memory first and lands in out/ at once: an interrupted build leaves the
    previous bundle and documents as they were, never a new bundle beside old documents.
    `strict`: an accepted risk in docgen.toml that names no finding is an error.
    `signer` (a pyHanko signer, docgen.app.signing) signs the PDF.
    """
    kinds, skipped = classify_raw(project.raw_dir)
    files = {path for paths in kinds.values() for path in paths}   # one file may feed several
    progress.announce(f"importing raw/ ({len(files)} input(s) for {len(kinds)} section(s))")
    results = (project_lookups(project, import_raw(kinds, project.settings), progress)
               + collect_project_dns(project, kinds, progress))
    if not results:
        raise DocgenError("nothing to document: raw/ holds no input docgen recognises"
                          + (f" (skipped: {', '.join(skipped)})" if skipped else ""),
                          source=str(project.root))
    bundle = new_bundle(project.organization, iso_utc(max(r.collected_at for r in results)))
    for result in results:
        bundle = put_section(bundle, result)
    bundle["skipped_inputs"] = [skipped_record(project.root / name, name, NOT_RECOGNISED)
                                for name in skipped]
    raw = bundle_bytes(project.bundle_path, bundle)
    loaded = parse_bundle(raw, str(project.bundle_path))  # documents come from these bytes
    request = RenderRequest(formats=project.formats, stem=project.name, options=project.options,
                            jobs=jobs)
    warnings = accepted_risk_warnings(loaded, request, strict=strict)
    progress.announce(f"rendering {', '.join(project.formats)}")
    outputs = {project.bundle_path.name: raw, **signed(render_documents(loaded, request), signer)}
    progress.announce(f"writing {project.bundle_path.name} and its documents")
    written = write_together(project.out_dir, outputs)
    return BuildResult(project.bundle_path, written[1:], results, skipped, loaded, warnings)
