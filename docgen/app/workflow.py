"""Use cases the CLI offers: put a source's section into a bundle file, render, demo."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from docgen.app.collect_dns import demo_dns_sections
from docgen.areas.aadconnect.source import import_aadconnect
from docgen.areas.exchange_certificates.source import import_exchange_certs
from docgen.bundle import LoadedBundle, load_bundle, new_bundle, parse_bundle, put_section, save_bundle
from docgen.bundle.result import SourceResult
from docgen.core.atomic import write_all_atomic
from docgen.core.dates import iso_utc
from docgen.core.errors import DocgenError
from docgen.core.resources import data_dir
from docgen.diff import diff_bundles
from docgen.render import RenderRequest, render_diff_documents, render_documents
from docgen.render.options import DocumentOptions

UNKNOWN_ORGANIZATION = "Unknown organization"
# Fixed namespace so the demo's run id depends only on the sample files.
DEMO_NAMESPACE = uuid.UUID("6f1f7c56-37c4-4a53-9a43-3f5d0c1d8a11")


class ImportFailed(DocgenError):
    """Nothing usable came out of the inputs; every error is listed."""

    def __init__(self, errors: list[DocgenError]):
        first = errors[0] if errors else DocgenError("nothing was imported")
        super().__init__(first.message, source=first.source, where=first.where)
        self.errors = errors


def bundle_with_section(bundle_path: Path | None, result: SourceResult,
                        organization: str | None, run_id: str | None = None) -> dict:
    """The bundle at `bundle_path` (or a new one) with `result` as its section.

    Raises ImportFailed when the source produced nothing but errors, so that a
    failed import never replaces good facts with an empty section.
    """
    return bundle_with_sections(bundle_path, [result], organization, run_id)


def bundle_with_sections(bundle_path: Path | None, results: list[SourceResult],
                         organization: str | None, run_id: str | None = None) -> dict:
    """The bundle at `bundle_path` (or a new one) with each result as its section.

    All or nothing: if any result is only errors, ImportFailed lists them and
    no section is replaced. The sections share one new run id.
    """
    failed = [error for result in results if result.status == "error" for error in result.errors]
    if failed:
        raise ImportFailed(failed)
    if bundle_path is not None and bundle_path.exists():
        bundle = load_bundle(bundle_path).data
        if organization:
            bundle["organization"] = organization
    else:
        name = organization or next((r.organization for r in results if r.organization),
                                    None) or UNKNOWN_ORGANIZATION
        bundle = new_bundle(name, iso_utc(results[0].collected_at))
    run_id = run_id or str(uuid.uuid4())
    for result in results:
        bundle = put_section(bundle, result, run_id=run_id)
    return bundle


def write_documents(loaded: LoadedBundle, out_dir: Path, request: RenderRequest,
                    warnings: list[str] | None = None) -> list[Path]:
    """Render everything first, then write each file atomically."""
    outputs = render_documents(loaded, request, warnings)
    files = {out_dir / name: data for name, data in outputs.items()}
    write_all_atomic(files)
    return list(files)


@dataclass(frozen=True)
class DiffResult:
    document: dict
    written: list[Path]


def write_diff(before_path: Path, after_path: Path, out_dir: Path, request: RenderRequest,
               changes_only: bool = False) -> DiffResult:
    """Load (and migrate) both bundles, compare, render, then write each file atomically."""
    before = load_bundle(before_path)
    after = load_bundle(after_path)
    document = diff_bundles(before, after, rules=request.rules())
    outputs = render_diff_documents(document, before, after, request, changes_only=changes_only)
    files = {out_dir / name: data for name, data in outputs.items()}
    write_all_atomic(files)
    return DiffResult(document, list(files))


@dataclass(frozen=True)
class DemoResult:
    bundle_path: Path
    documents: list[Path]


def run_demo(out_dir: Path, formats: tuple[str, ...]) -> DemoResult:
    """Contoso from samples/: bundle, then documents. Needs no network.

    DNS is answered in-process from the sample zone files, at the moment the
    sample DKIM export was taken, so the demo gives the same bundle every time.
    """
    samples = data_dir("samples")
    exchange = import_exchange_certs([samples / "exchange" / "contoso-exchange-certs.json"])
    aadconnect = import_aadconnect(samples / "aadconnect" / "contoso-aadconnect.json")
    results = [aadconnect, exchange, *demo_dns_sections(samples / "dns")]
    run_id = str(uuid.uuid5(DEMO_NAMESPACE, "".join(
        entry["sha256"] for result in results for entry in result.inputs)))
    bundle = bundle_with_sections(None, results, "Contoso", run_id=run_id)
    bundle_path = out_dir / "contoso.bundle.json"
    raw = save_bundle(bundle_path, bundle)
    loaded = parse_bundle(raw, str(bundle_path))
    request = RenderRequest(formats=formats, stem="contoso",
                            options=DocumentOptions(author="docgen demo"))
    return DemoResult(bundle_path, write_documents(loaded, out_dir, request))
