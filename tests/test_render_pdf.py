"""The archival PDF, opened and read back: text, bookmarks, TOC, attachment, XMP, reproducibility."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

SERVERS = ["EX01", "EX02", "EX03", "EX04", "EX05"]

pytestmark = pytest.mark.slow   # reads the demo's PDF (demo_pdf_dir renders it)


@pytest.fixture(scope="module")
def reader(demo_pdf_dir) -> PdfReader:
    return PdfReader(demo_pdf_dir / "contoso.pdf")


@pytest.fixture(scope="module")
def pages(reader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def test_every_server_is_in_the_text(pages):
    text = "\n".join(pages)
    for name in SERVERS:
        assert name in text


def test_page_x_of_y_footer(pages):
    total = len(pages)
    assert total >= 5
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text


def test_toc_page_numbers_match_where_the_headings_are(reader, pages):
    contents = pages[1]
    assert "Contents" in contents
    bookmarks = {item.title: reader.get_destination_page_number(item) + 1
                 for item in reader.outline if not isinstance(item, list)}
    for title in ("Summary of findings", "Exchange certificates", "Inputs and provenance"):
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", contents, re.MULTILINE)
        assert match, title
        assert int(match.group(1)) == bookmarks[title]
        assert title in pages[bookmarks[title] - 1]


def test_bookmarks_follow_the_headings(reader):
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[:9] == ["Contents", "Summary of findings", "Azure AD Connect", "Conditional Access",
                          "Identity Protection", "Exchange certificates",
                          "Exchange receive connectors", "Exchange servers and hybrid readiness",
                          "Mobile mail access (Exchange ActiveSync)"]
    assert "Inputs and provenance" in titles


def test_bundle_is_attached_byte_for_byte(reader, demo_dir):
    assert sorted(reader.attachments) == ["bundle.json", "docgen-render.json"]
    (content,) = reader.attachments["bundle.json"]
    assert content == (demo_dir / "contoso.bundle.json").read_bytes()
    relationships = {spec.get_object()["/F"]: spec.get_object()["/AFRelationship"]
                     for spec in reader.trailer["/Root"]["/AF"]}
    assert relationships == {"bundle.json": "/Source", "docgen-render.json": "/Supplement"}
    (record,) = reader.attachments["docgen-render.json"]
    assert json.loads(record)["options"]["author"] == "docgen demo"


def test_pdfa_3b_and_metadata(reader, demo_dir):
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in raw and 'pdfaid:conformance="B"' in raw
    info = reader.metadata
    assert info.title == "As-built documentation: Contoso"
    assert info.author == "docgen demo"
    assert info["/CreationDate"] == "D:20261102100000Z"
    sha = hashlib.sha256((demo_dir / "contoso.bundle.json").read_bytes()).hexdigest()
    assert info["/docgenbundlesha256"] == sha


@pytest.mark.slow   # renders the demo's PDF again
def test_rendering_again_gives_the_same_bytes(run_cli, demo_dir, demo_pdf_dir, tmp_path):
    result = run_cli("render", demo_dir / "contoso.bundle.json", "-o", tmp_path, "--format", "pdf",
                     "--author", "docgen demo")
    assert result.exit_code == 0
    assert (tmp_path / "contoso.pdf").read_bytes() == (demo_pdf_dir / "contoso.pdf").read_bytes()


def test_missing_pango_is_one_line_and_html_still_works(demo_dir, tmp_path):
    # A library folder whose libpango is unusable, as on a machine without Pango.
    libs = tmp_path / "libs"
    libs.mkdir()
    for name in ("libpango-1.0.so.0", "libpango-1.0.so", "libpango-1.0-0.so"):
        (libs / name).write_bytes(b"")
    env = {**os.environ, "LD_LIBRARY_PATH": str(libs)}
    docgen = [sys.executable, "-m", "docgen"]
    bundle = str(demo_dir / "contoso.bundle.json")
    failed = subprocess.run([*docgen, "render", bundle, "-o", str(tmp_path / "pdf")], env=env,
                            capture_output=True, text=True)
    assert failed.returncode == 1
    assert len(failed.stderr.splitlines()) == 1
    assert failed.stderr.startswith("error: PDF output needs the Pango library, which is not installed: "
                                    "on Debian or Ubuntu run 'apt-get install libpango-1.0-0 libpangoft2-1.0-0'")
    assert not (tmp_path / "pdf").exists()
    html = subprocess.run([*docgen, "render", bundle, "-o", str(tmp_path / "html"), "--format", "html"],
                          env=env, capture_output=True, text=True)
    assert html.returncode == 0, html.stderr
    assert (tmp_path / "html" / "contoso.html").exists()
