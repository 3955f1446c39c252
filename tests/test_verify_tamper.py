"""`docgen verify` against a tampered demo PDF: every visible change fails, in words; a
re-save that changes nothing a reader sees is told apart.

Each tampering is done with pikepdf or pyHanko on a copy of the session's demo PDF, and
`docgen verify` renders the attached bundle again and compares (slow: one render each).
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil

import pikepdf
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from docgen.app.pdf_compare import compare_pdfs

pytestmark = pytest.mark.slow   # each renders the demo report again


@pytest.fixture
def report(demo_pdf_dir, tmp_path):
    pdf = tmp_path / "contoso.pdf"
    shutil.copy(demo_pdf_dir / "contoso.pdf", pdf)
    return pdf


def failed(result) -> dict[str, str]:
    """FAIL lines by check name."""
    return {line[5:].split(":", 1)[0]: line[5:].split(":", 1)[1].strip()
            for line in result.stdout.splitlines() if line.startswith("FAIL ")}


# -- the tamperings -------------------------------------------------------------------


def paint_over_critical_count(pdf: pikepdf.Pdf) -> None:
    """Page 3's '5 critical' painted over with a white box and a '0' (its own copy of resources,
    so only that page changes)."""
    page = pdf.pages[2]
    resources = pikepdf.Dictionary({key: value for key, value in page.Resources.items()})
    fonts = pikepdf.Dictionary({key: value for key, value in page.Resources.Font.items()})
    fonts["/Ftamper"] = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    resources["/Font"] = fonts
    page.Resources = pdf.make_indirect(resources)
    # the page's own drawing in q ... Q, so ours starts from the untransformed page (origin bottom left)
    page.contents_add(pikepdf.Stream(pdf, b"q"), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"Q q 1 g 44 708 22 26 re f 0 g BT /Ftamper 19 Tf 46 712 Td (0) Tj ET Q"))


def remove_a_page(pdf: pikepdf.Pdf) -> None:
    del pdf.pages[5]


def author_mallory(pdf: pikepdf.Pdf) -> None:
    pdf.docinfo["/Author"] = "Mallory"
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:creator"] = ["Mallory"]


def approved_stamp(pdf: pikepdf.Pdf) -> None:
    page = pdf.pages[0]
    stamp = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FreeText, Rect=[300, 700, 500, 740],
        Contents=pikepdf.String("APPROVED"), DA=pikepdf.String("/Helv 24 Tf 1 0 0 rg"), F=4))
    page.obj["/Annots"] = pdf.make_indirect(pikepdf.Array([*page.obj.get("/Annots", []), stamp]))


def swap_two_pages(pdf: pikepdf.Pdf) -> None:
    third, fourth = pdf.pages[3], pdf.pages[4]
    pdf.pages[3], pdf.pages[4] = pikepdf.Page(fourth.obj), pikepdf.Page(third.obj)


def open_action_javascript(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('approved')")))


TAMPERINGS = {
    "cover count painted over": (paint_over_critical_count, {
        "page text": "page 3: '0' is added",
        "page drawing": "page 3: its content stream and resources (fonts, images) differ"}),
    "page removed": (remove_a_page, {
        "page count": "the file has {fewer} pages, docgen renders {pages}",
        "page text": "page 6 of the render is missing ("}),
    "author changed": (author_mallory, {
        "metadata": "document information: Author 'docgen demo' rendered, 'Mallory' in the file",
        "XMP metadata": "creator 'docgen demo' rendered, 'Mallory' in the file"}),
    "APPROVED annotation": (approved_stamp, {"annotations": "page 1: added FreeText 'APPROVED'"}),
    # not in the list
    "pages swapped": (swap_two_pages, {"page text": "page 5 of the render is page 4 of the file (pages moved"}),
    "JavaScript run on opening": (open_action_javascript, {"document structure": "the catalog: /OpenAction (an action run on opening) is added"}),
}


@pytest.mark.parametrize("kind", TAMPERINGS)
def test_each_tampering_fails_and_says_what(run_cli, report, kind):
    tamper, expected = TAMPERINGS[kind]
    with pikepdf.open(report, allow_overwriting_input=True) as pdf:
        pages = len(pdf.pages)
        tamper(pdf)
        pdf.save(report)
    result = run_cli("verify", report)
    assert result.exit_code == 1, result.output
    said = failed(result)
    for name, words in expected.items():
        assert words.format(pages=pages, fewer=pages - 1) in said.get(name, ""), (name, said)
    assert "verified" not in result.stdout
    assert result.stderr.startswith(f"error: {report}: verification failed: ")


def test_the_painted_page_shows_the_tampering(report, tmp_path):
    """The tampering the test makes is the one the issue describes: the '5' is covered by a '0'."""
    from pypdf import PdfReader

    with pikepdf.open(report, allow_overwriting_input=True) as pdf:
        paint_over_critical_count(pdf)
        pdf.save(report)
    text = PdfReader(report).pages[2].extract_text()
    assert text.startswith("Summary of findings\n5\ncritical") and text.rstrip().endswith("0")


def test_an_incremental_update_fails(run_cli, report):
    """Appended after the file's end (pyHanko's incremental writer): page 1 gets a drawing on top."""
    data = report.read_bytes()
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stamp = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 rg 100 100 200 50 re f Q"))
    contents = page.raw_get("/Contents")   # one stream, or an array of them (a parted render)
    page["/Contents"] = generic.ArrayObject(
        [*(contents if isinstance(contents, generic.ArrayObject) else [contents]), stamp])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(data)   # the original bytes stay; the update follows
    report.write_bytes(out.getvalue())
    result = run_cli("verify", report)
    assert result.exit_code == 1
    said = failed(result)
    assert said["page drawing"] == "page 1: its content stream differ (same text, drawn differently)"


def test_a_page_whose_contents_hold_what_is_not_a_stream_fails_not_crashes(run_cli, report):
    """An array inside /Contents (invalid: a viewer skips it) is a difference, not an internal error."""
    with pikepdf.open(report, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0].obj
        contents = page.Contents
        page.Contents = pikepdf.Array([contents if isinstance(contents, pikepdf.Array)
                                       else pikepdf.Array([contents])])
        pdf.save(report)
    result = run_cli("verify", report)
    assert result.exit_code == 1
    assert "internal error" not in result.stderr
    assert failed(result)["page drawing"].startswith("page 1: its content stream differ")


def test_another_valid_bundle_with_its_hash_in_the_metadata(run_cli, report, demo_dir):
    """The attachment replaced by another valid bundle, and its SHA-256 written into the metadata:
    the cover and the pages give it away."""
    bundle = json.loads((demo_dir / "contoso.bundle.json").read_text())
    bundle["organization"] = "Contoso (approved)"
    forged = (json.dumps(bundle, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
    with pikepdf.open(report, allow_overwriting_input=True) as pdf:
        pdf.attachments["bundle.json"] = pikepdf.AttachedFileSpec(pdf, forged, mime_type="application/json")
        pdf.docinfo["/docgenbundlesha256"] = hashlib.sha256(forged).hexdigest()
        pdf.save(report)
    result = run_cli("verify", report)
    assert result.exit_code == 1
    said = failed(result)
    assert "ok   metadata hash" in result.stdout
    assert said["cover hash"].startswith("the cover prints ")
    # the render of the forged bundle names "Contoso (approved)" on every page; the file does not
    assert said["page text"].startswith("page 1: '(approved)' is missing after 'documentation: Contoso'; page 2: ")


def test_a_resave_is_told_apart(run_cli, report):
    with pikepdf.open(report, allow_overwriting_input=True) as pdf:
        pdf.save(report)   # no edits: pikepdf writes other bytes (object streams, IDs)
    result = run_cli("verify", report)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-2].startswith("ok   file bytes: re-saved: the same pages, text and metadata in other bytes")
    assert lines[-1] == "verified: same pages and text as docgen renders them, file re-saved"


def test_fast_says_the_pages_were_not_checked(run_cli, report):
    with pikepdf.open(report, allow_overwriting_input=True) as pdf:
        paint_over_critical_count(pdf)
        pdf.save(report)
    result = run_cli("verify", report, "--fast")
    assert result.exit_code == 0
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        "ok   signature", "ok   bundle attached", "ok   cover hash", "ok   metadata hash", "ok   bundle valid",
        "attachment and hashes verified; the visible pages were NOT checked (--fast"]


def test_another_docgen_version_says_the_pages_cannot_be_compared(run_cli, report):
    with pikepdf.open(report, allow_overwriting_input=True) as pdf:
        record = json.loads(pdf.attachments["docgen-render.json"].get_file().read_bytes())
        record["docgen_version"] = "0.0.9"
        pdf.attachments["docgen-render.json"] = pikepdf.AttachedFileSpec(pdf, json.dumps(record).encode())
        pdf.save(report)
    result = run_cli("verify", report)
    assert result.exit_code == 1
    assert failed(result)["pages"].startswith(
        "cannot be compared with this version: rendered by docgen 0.0.9, this is docgen ")


def compared_with_tampered(original: bytes, tamper) -> dict:
    """The checks of `original` against a copy `tamper` changed, by name."""
    with pikepdf.open(io.BytesIO(original)) as pdf:
        tamper(pdf)
        out = io.BytesIO()
        pdf.save(out)
    return {check.name: check for check in compare_pdfs(original, out.getvalue())}


def test_compare_names_only_the_differing_page(demo_pdf_dir, tmp_path):
    """The comparison itself, without a render: the demo against its painted copy."""
    original = (demo_pdf_dir / "contoso.pdf").read_bytes()
    aspects = compared_with_tampered(original, paint_over_critical_count)
    assert [name for name, aspect in aspects.items() if not aspect.ok] == ["page text", "page drawing"]
    pages = len(pikepdf.open(io.BytesIO(original)).pages)
    # the page's last words: its footer "Page 3 of N"
    assert aspects["page text"].detail == f"page 3: '0' is added after 'of {pages}'"
    assert aspects["annotations"].ok and aspects["metadata"].ok


def rotate_a_page(pdf: pikepdf.Pdf) -> None:
    pdf.pages[7].obj["/Rotate"] = 180


def retarget_a_link(pdf: pikepdf.Pdf) -> None:
    """The contents' first link sent to the last page."""
    link = next(annotation for page in pdf.pages for annotation in page.obj.get("/Annots", [])
                if "/Dest" in annotation or "/A" in annotation)
    link["/Dest"] = pikepdf.Array([pdf.pages[-1].obj, pikepdf.Name.Fit])
    if "/A" in link:
        del link["/A"]


def attach_another_file(pdf: pikepdf.Pdf) -> None:
    pdf.attachments["approval.txt"] = pikepdf.AttachedFileSpec(pdf, b"approved by the CAB")


MORE = {
    "page rotated": (rotate_a_page, "page drawing",
                     "page 8: its page settings (boxes, rotation) differ (same text, drawn differently)"),
    "link retargeted": (retarget_a_link, "annotations", "page 2: added Link; removed Link"),
    "file attached": (attach_another_file, "document structure",
                      "the catalog: /AF (associated files) differ; /Names (named destinations, attachments, "
                      "scripts) differ; attachments added: approval.txt"),
}


@pytest.mark.parametrize("kind", MORE)
def test_compare_catches_more_kinds(demo_pdf_dir, kind):
    """Further tamperings, compared with the demo PDF itself (the render of its bundle, byte for byte)."""
    tamper, name, words = MORE[kind]
    aspects = compared_with_tampered((demo_pdf_dir / "contoso.pdf").read_bytes(), tamper)
    assert not aspects[name].ok and aspects[name].detail == words, aspects[name]
