"""`docgen demo`: the fictional Contoso from the package's samples, with no network."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from docgen.app.build import group_by_area, import_raw
from docgen.app.bundles import bundle_with_sections
from docgen.app.collect_dns import area_lookups, demo_dns_request, demo_dns_sections
from docgen.app.progress import QUIET, Stages
from docgen.bundle import bundle_bytes, parse_bundle
from docgen.core.atomic import write_together
from docgen.core.resources import data_dir
from docgen.render.documents import RenderRequest, render_documents
from docgen.render.options import DocumentOptions

# The sample exports the demo reads besides the DNS zones (docgen/samples/).
DEMO_INPUTS = ("aadconnect/contoso-aadconnect.json", "exchange/contoso-exchange-certs.json",
               "exchange/contoso-exchange-config.json", "entra/contoso-entra.json",
               "mobile/contoso-mobile-onprem.json", "mobile/contoso-mobile-exo.json")
# What the demo's docgen.toml would say (Area.project_settings): Contoso's load balancer.
DEMO_SETTINGS = {("exchange", "load_balancer_addresses"): ("10.1.0.10",)}
# Fixed namespace so the demo's run id depends only on the sample files.
DEMO_NAMESPACE = uuid.UUID("6f1f7c56-37c4-4a53-9a43-3f5d0c1d8a11")


@dataclass(frozen=True)
class DemoResult:
    bundle_path: Path
    documents: list[Path]


def run_demo(out_dir: Path, formats: tuple[str, ...], progress: Stages = QUIET) -> DemoResult:
    """Contoso from samples/: bundle, then documents. Needs no network.

    DNS is answered in-process from the sample zone files, at the moment the
    sample DKIM export was taken, so the demo gives the same bundle every time.
    """
    samples = data_dir("samples")
    # recognised by content, as `docgen build` recognises raw/: the demo is a build
    inputs = [samples / name for name in DEMO_INPUTS]
    dns = demo_dns_request(samples / "dns")
    progress.announce(f"importing {len(inputs)} sample exports")
    imported = import_raw(group_by_area(inputs), DEMO_SETTINGS)
    progress.announce("looking up DNS in the sample zones")
    results = [*area_lookups(imported, dns), *demo_dns_sections(dns)]
    run_id = str(uuid.uuid5(DEMO_NAMESPACE, "".join(
        entry["sha256"] for result in results for entry in result.inputs)))
    bundle = bundle_with_sections(None, results, "Contoso", run_id=run_id)
    bundle_path = out_dir / "contoso.bundle.json"
    raw = bundle_bytes(bundle_path, bundle)
    request = RenderRequest(formats=formats, stem="contoso",
                            options=DocumentOptions(author="docgen demo"))
    progress.announce(f"rendering {', '.join(formats)}")
    # the bundle and its documents land together, as in `docgen build`
    outputs = {bundle_path.name: raw,
               **render_documents(parse_bundle(raw, str(bundle_path)), request)}
    progress.announce(f"writing {bundle_path.name} and its documents")
    return DemoResult(bundle_path, write_together(out_dir, outputs)[1:])
