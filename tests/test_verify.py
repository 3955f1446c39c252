"""`docgen verify`: each piece of evidence tampered with, and the failure named."""

from __future__ import annotations

import json
import shutil

import pikepdf
import pytest

from docgen.core.resources import data_dir


@pytest.fixture
def report(demo_pdf_dir, tmp_path):
    pdf = tmp_path / "contoso.pdf"
    shutil.copy(demo_pdf_dir / "contoso.pdf", pdf)
    return pdf


def lines(result) -> list[str]:
    return result.stdout.splitlines()


@pytest.mark.slow   # renders the report again
def test_an_untouched_report_verifies(run_cli, report, demo_dir):
    result = run_cli("verify", report, "--bundle", demo_dir / "contoso.bundle.json", "--rerender")
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in lines(result)] == [
        "ok   bundle attached", "ok   cover hash", "ok   metadata hash", "ok   bundle valid",
        "ok   bundle file", "ok   re-render", "verified"]


@pytest.mark.slow   # reads the demo's PDF
def test_edited_bundle_attachment(run_cli, report, demo_dir):
    bundle = json.loads((demo_dir / "contoso.bundle.json").read_text())
    bundle["sections"]["exchange_certificates"]["items"][3]["default_smtp_certificate"]["not_after"] = \
        "2030-01-01T00:00:00Z"  # "the expired certificate was fine"
    forged = (json.dumps(bundle, sort_keys=True, indent=2) + "\n").encode()
    with pikepdf.open(report, allow_overwriting_input=True) as pdf:
        pdf.attachments["bundle.json"] = pikepdf.AttachedFileSpec(pdf, forged, mime_type="application/json")
        pdf.save(report)
    result = run_cli("verify", report, "--bundle", demo_dir / "contoso.bundle.json")
    assert result.exit_code == 1
    failed = [line for line in lines(result) if line.startswith("FAIL")]
    assert [line.split(":")[0] for line in failed] == ["FAIL cover hash", "FAIL metadata hash", "FAIL bundle file"]
    assert result.stderr == f"error: {report}: verification failed: cover hash, metadata hash, bundle file\n"


@pytest.mark.slow   # renders the report again
def test_edited_metadata(run_cli, report):
    with pikepdf.open(report, allow_overwriting_input=True) as pdf:
        pdf.docinfo["/docgenbundlesha256"] = "0" * 64
        pdf.save(report)
    result = run_cli("verify", report, "--rerender")
    assert result.exit_code == 1
    failed = [line for line in lines(result) if line.startswith("FAIL")]
    assert failed[0] == f"FAIL metadata hash: the metadata holds {'0' * 64}, the attachment is " \
                        f"{lines(result)[0].split('SHA-256 ')[1]}"
    assert failed[1].startswith("FAIL re-render: rendering the attached bundle again gives different bytes")


@pytest.mark.slow   # renders the report again
def test_edited_cover_hash(run_cli, demo_dir, tmp_path, monkeypatch):
    """A cover printing another hash than the bundle it carries (made by editing the cover template)."""
    project = tmp_path / "p"
    assert run_cli("init", project, "--organization", "Contoso").exit_code == 0
    (project / "notes" / "intro.md").unlink()
    text = (data_dir("templates") / "partials" / "cover.html.j2").read_text()
    (project / "templates" / "partials").mkdir(parents=True)
    (project / "templates" / "partials" / "cover.html.j2").write_text(
        text.replace("{{ doc.bundle_sha256 }}", "a" * 64))
    monkeypatch.chdir(project)
    out = tmp_path / "out"
    assert run_cli("render", demo_dir / "contoso.bundle.json", "-o", out, "--format", "pdf").exit_code == 0
    result = run_cli("verify", out / "contoso.pdf")
    assert result.exit_code == 1
    assert [line for line in lines(result) if line.startswith("FAIL")] == [
        f"FAIL cover hash: the cover prints {'a' * 64}, the attachment is {lines(result)[0].split('SHA-256 ')[1]}"]


@pytest.mark.slow   # reads the demo's PDF
def test_a_pdf_without_a_bundle(run_cli, tmp_path, demo_pdf_dir):
    pdf = tmp_path / "plain.pdf"
    with pikepdf.open(demo_pdf_dir / "contoso.pdf") as source:
        del source.attachments["bundle.json"]
        source.save(pdf)
    result = run_cli("verify", pdf)
    assert result.exit_code == 1
    assert lines(result) == ["FAIL bundle attached: no attachment named bundle.json"]


def test_not_a_pdf(run_cli, tmp_path):
    fake = tmp_path / "x.pdf"
    fake.write_text("hello")
    result = run_cli("verify", fake)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {fake}: not a readable PDF")
    assert len(result.stderr.splitlines()) == 1
