"""Golden outputs: the demo's bundle, documents and tables, a diff and an AAD Connect import
give the bytes a person reviewed once (tests/data/golden/outputs.json).

A change of layout or code that should change no output (a restructuring) is proven by
this test. An intended change regenerates the file on purpose:

    DOCGEN_REGENERATE_GOLDEN=1 pytest tests/test_golden.py

PDF bytes also depend on WeasyPrint and pydyf: where their versions differ from the ones
recorded, the PDF is compared by page count and the text of every page instead.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import REPO, SAMPLES, invoke

GOLDEN = REPO / "tests" / "data" / "golden" / "outputs.json"
REGENERATE = os.environ.get("DOCGEN_REGENERATE_GOLDEN") == "1"
PDF_LIBRARIES = ("weasyprint", "pydyf")


def sha256(path: Path) -> str:
    data = path.read_bytes()
    if path.name == "aad.bundle.json":
        # an import gets a new random run id each time; everything else must stay
        bundle = json.loads(data)
        bundle["run_id"] = "(random)"
        data = json.dumps(bundle, sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()


def page_texts(path: Path) -> list[str]:
    return [hashlib.sha256(page.extract_text().encode()).hexdigest()
            for page in PdfReader(path).pages]


def _changed_bundle(source: Path, target: Path) -> Path:
    """The demo bundle with one server renamed, one domain gone and one global setting changed."""
    bundle = json.loads(source.read_text("utf-8"))
    sections = bundle["sections"]
    sections["mail_auth"]["items"] = sections["mail_auth"]["items"][1:]
    server = sections["exchange_certificates"]["items"][0]
    server["fqdn"] = "renamed." + server["fqdn"]
    settings = sections["aadconnect"]["items"][0]["global_settings"]
    settings[0]["value"] = "changed"
    target.write_text(json.dumps(bundle, sort_keys=True, indent=2) + "\n", "utf-8")
    return target


@pytest.fixture(scope="module")
def outputs(demo_pdf_dir, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("golden")
    bundle = demo_pdf_dir / "contoso.bundle.json"
    result = invoke("render", bundle, "-o", out / "tables", "--format",
                            "csv,xlsx,dkim-failures", "--no-project")
    assert result.exit_code == 0, result.output
    changed = _changed_bundle(bundle, out / "changed.bundle.json")
    result = invoke("diff", bundle, changed, "-o", out / "diff", "--format", "html,json,pdf")
    assert result.exit_code == 0, result.output
    result = invoke("import", "aadconnect", SAMPLES / "aadconnect" / "contoso-2016",
                            "-o", out / "aad.bundle.json", "--collected-at", "2026-11-02T10:00:00Z")
    assert result.exit_code == 0, result.output
    files = {f"demo/{path.name}": path for path in demo_pdf_dir.iterdir()}
    files.update({f"tables/{path.name}": path for path in (out / "tables").iterdir()})
    files.update({f"diff/{path.name}": path for path in (out / "diff").iterdir()})
    files["import/aad.bundle.json"] = out / "aad.bundle.json"
    return files


def _record(outputs: dict[str, Path]) -> dict:
    return {"pdf_libraries": {name: metadata.version(name) for name in PDF_LIBRARIES},
            "sha256": {name: sha256(path) for name, path in sorted(outputs.items())},
            "pdf_page_text_sha256": {name: page_texts(path) for name, path in sorted(outputs.items())
                                     if name.endswith(".pdf")}}


@pytest.mark.slow   # renders the demo's PDF and a diff PDF
def test_outputs_are_the_reviewed_ones(outputs):
    now = _record(outputs)
    if REGENERATE:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(now, indent=2, sort_keys=True) + "\n", "utf-8")
    assert GOLDEN.is_file(), f"{GOLDEN} is missing: a missing golden file never passes"
    golden = json.loads(GOLDEN.read_text("utf-8"))
    assert sorted(now["sha256"]) == sorted(golden["sha256"]), "a different set of files was written"
    same_libraries = now["pdf_libraries"] == golden["pdf_libraries"]
    for name, digest in golden["sha256"].items():
        if name.endswith(".pdf") and not same_libraries:
            assert now["pdf_page_text_sha256"][name] == golden["pdf_page_text_sha256"][name], name
        else:
            assert now["sha256"][name] == digest, f"{name} differs from the reviewed output"
