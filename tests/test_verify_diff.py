"""`docgen verify` of a diff PDF: both attached bundles, the diff document computed again
from them, and the pages rendered again."""

from __future__ import annotations

import hashlib
import json

import pikepdf
import pytest

pytestmark = pytest.mark.slow   # renders a diff PDF (twice)


@pytest.fixture(scope="module")
def diff_pdf(tmp_path_factory, demo_dir):
    from conftest import invoke

    folder = tmp_path_factory.mktemp("diff")
    after = folder / "contoso-after.bundle.json"
    after.write_bytes((demo_dir / "contoso.bundle.json").read_bytes()
                      .replace(b'"EX01.corp.contoso.com"', b'"EX01.corp.contoso.net"'))
    result = invoke("diff", demo_dir / "contoso.bundle.json", after, "-o", folder / "out", "--format", "pdf",
                    "--changes-only")
    assert result.exit_code == 0, result.output
    return folder / "out" / "diff.pdf"


def test_a_diff_pdf_verifies(run_cli, diff_pdf):
    """Before: "FAIL bundle attached: no attachment named bundle.json"."""
    result = run_cli("verify", diff_pdf)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "ok   signature",
        "ok   before bundle attached", "ok   before hash", "ok   before bundle valid",
        "ok   after bundle attached", "ok   after hash", "ok   after bundle valid",
        "ok   diff attached", "ok   page count", "ok   page text", "ok   page drawing", "ok   annotations",
        "ok   metadata", "ok   XMP metadata", "ok   document structure", "ok   file bytes", "verified"]
    assert lines[1].startswith("ok   before bundle attached: before.bundle.json (contoso.bundle.json), ")
    assert lines[4].startswith("ok   after bundle attached: after.bundle.json (contoso-after.bundle.json), ")
    assert lines[7].startswith("ok   diff attached: diff.json is what comparing the two bundles gives (")
    assert lines[-2].startswith("ok   file bytes: the file is the render, byte for byte")
    assert lines[-1] == "verified: the pages are what docgen renders from the two attached bundles"


def test_a_doctored_diff_json_fails(run_cli, diff_pdf, tmp_path):
    """diff.json says "no changes": what the two bundles give says otherwise."""
    doctored = tmp_path / "diff.pdf"
    with pikepdf.open(diff_pdf) as pdf:
        document = json.loads(pdf.attachments["diff.json"].get_file().read_bytes())
        document["result"] = "no changes"
        pdf.attachments["diff.json"] = pikepdf.AttachedFileSpec(pdf, json.dumps(document).encode())
        pdf.save(doctored)
    result = run_cli("verify", doctored, "--fast")
    assert result.exit_code == 1
    assert [line for line in result.stdout.splitlines() if line.startswith("FAIL")] == [
        "FAIL diff attached: diff.json is not what comparing the two attached bundles gives: its result is "
        '"no changes", comparing gives "changed"']


def test_a_swapped_after_bundle_fails(run_cli, diff_pdf, tmp_path, demo_dir):
    """The after bundle replaced by the before one: the first page prints another hash."""
    doctored = tmp_path / "diff.pdf"
    with pikepdf.open(diff_pdf) as pdf:
        pdf.attachments["after.bundle.json"] = pikepdf.AttachedFileSpec(
            pdf, (demo_dir / "contoso.bundle.json").read_bytes())
        pdf.save(doctored)
    result = run_cli("verify", doctored, "--fast")
    assert result.exit_code == 1
    failed = [line.split(":")[0] for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert failed == ["FAIL after hash", "FAIL diff attached"]
    assert f"the attachment is {hashlib.sha256((demo_dir / 'contoso.bundle.json').read_bytes()).hexdigest()}" \
        in result.stdout
