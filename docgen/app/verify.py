"""`docgen verify`: prove what a report PDF (or DOCX) was built from.

Checks, each reported by name: the bundle is attached; its SHA-256 matches the
one printed on the cover and the one in the document metadata; it is a valid
bundle; optionally it equals a bundle file the auditor holds; optionally
rendering it again with the recorded options gives the same bytes.

A DOCX carries no attachment: the bundle file handed over beside it is required
(--bundle), and its SHA-256 must be the one on the cover and in the document's
custom properties.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docgen import __version__
from docgen.bundle import parse_bundle
from docgen.core.errors import BundleError, DocgenError, cannot_read
from docgen.render.documents import BUNDLE_ATTACHMENT, RENDER_ATTACHMENT, RenderRequest, render_documents
from docgen.render.options import DocumentOptions

METADATA_KEY = "/docgenbundlesha256"  # WeasyPrint keeps letters and digits of <meta name>
_SHA256 = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


DOCX_PROPERTY = "docgen-bundle-sha256"
DOCX_COVER_BOOKMARK = "docgen_bundle_sha256"


def verify_document(path: Path, bundle_path: Path | None = None, rerender: bool = False) -> list[Check]:
    """A PDF or a DOCX (a zip package), by its first bytes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise DocgenError(cannot_read(exc), source=str(path)) from None
    if head.startswith(b"PK"):
        return verify_docx(path, bundle_path, rerender)
    return verify_pdf(path, bundle_path, rerender)


def verify_docx(docx_path: Path, bundle_path: Path | None = None, rerender: bool = False) -> list[Check]:
    """The bundle file given is the one whose SHA-256 the DOCX holds on its cover and in its
    custom properties, and it is a valid bundle."""
    from lxml import etree

    from docgen.render.docx.package import bookmark_text, custom_properties

    try:
        data = docx_path.read_bytes()
        properties = custom_properties(data)
        cover = bookmark_text(data, DOCX_COVER_BOOKMARK)
    except OSError as exc:
        raise DocgenError(cannot_read(exc), source=str(docx_path)) from None
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        raise DocgenError(f"not a readable DOCX ({exc})", source=str(docx_path)) from None

    stored = properties.get(DOCX_PROPERTY)
    if stored is None:
        return [Check("metadata hash", False, f"no {DOCX_PROPERTY} in the document's custom properties")]
    checks = [Check("metadata hash", True, f"the custom properties hold SHA-256 {stored}")]
    if cover is None:
        checks.append(Check("cover hash", False, f"the cover has no bookmark {DOCX_COVER_BOOKMARK} "
                                                 "around the bundle's SHA-256"))
    else:
        checks.append(_cover_check(cover, stored, source="the custom property"))
    if bundle_path is None:
        checks.append(Check("bundle file", False, "a Word document carries no bundle: give the bundle file "
                                                  "handed over beside it with --bundle"))
        return checks
    try:
        bundle_bytes = bundle_path.read_bytes()
    except OSError as exc:
        return checks + [Check("bundle file", False, f"cannot read {bundle_path} ({exc.strerror or exc})")]
    digest = hashlib.sha256(bundle_bytes).hexdigest()
    if digest != stored:
        return checks + [Check("bundle file", False, f"{bundle_path} has SHA-256 {digest}, the document "
                                                     f"names {stored}")]
    checks.append(Check("bundle file", True, f"{bundle_path} is the bundle the document names, "
                                             f"SHA-256 {digest}"))
    try:
        loaded = parse_bundle(bundle_bytes, str(bundle_path))
        checks.append(Check("bundle valid", True, f"schema version {loaded.data['schema_version']}, "
                                                  f"collected {loaded.data['collected_at']}"))
    except BundleError as exc:
        checks.append(Check("bundle valid", False, "; ".join([str(exc), *exc.problems[:5]])))
    if rerender:
        checks.append(Check("re-render", False, "a DOCX records no render options (it is meant to be "
                                                "edited): --rerender checks a PDF"))
    return checks


def verify_pdf(pdf_path: Path, bundle_path: Path | None = None, rerender: bool = False) -> list[Check]:
    """Every check that could be made; a missing piece fails its check, later ones are skipped."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        data = pdf_path.read_bytes()
        reader = PdfReader(pdf_path)
        attachments = {name: contents[0] for name, contents in reader.attachments.items()}
        # With many distinct glyphs WeasyPrint writes its fonts with a CMap of their own,
        # which pypdf reads as UTF-16 code units: a NUL before every ASCII character.
        # A document never shows NUL (docgen prints it as \x00), so NULs are dropped.
        cover_text = (reader.pages[0].extract_text() if reader.pages else "").replace("\x00", "")
        metadata: dict = reader.metadata or {}   # pypdf DocumentInformation is a dict
    except OSError as exc:
        raise DocgenError(cannot_read(exc), source=str(pdf_path)) from None
    except (PdfReadError, ValueError, KeyError) as exc:
        raise DocgenError(f"not a readable PDF ({exc})", source=str(pdf_path)) from None

    checks: list[Check] = []
    bundle_bytes = attachments.get(BUNDLE_ATTACHMENT)
    if bundle_bytes is None:
        return [Check("bundle attached", False, f"no attachment named {BUNDLE_ATTACHMENT}")]
    digest = hashlib.sha256(bundle_bytes).hexdigest()
    checks.append(Check("bundle attached", True, f"{BUNDLE_ATTACHMENT}, {len(bundle_bytes)} bytes, "
                                                 f"SHA-256 {digest}"))
    checks.append(_cover_check(cover_text, digest))
    checks.append(_metadata_check(metadata, digest))
    try:
        loaded = parse_bundle(bundle_bytes, BUNDLE_ATTACHMENT)
        checks.append(Check("bundle valid", True, f"schema version {loaded.data['schema_version']}, "
                                                  f"collected {loaded.data['collected_at']}"))
    except BundleError as exc:
        return checks + [Check("bundle valid", False, "; ".join([str(exc), *exc.problems[:5]]))]
    if bundle_path is not None:
        checks.append(_bundle_file_check(bundle_path, digest))
    if rerender:
        checks.append(_rerender_check(data, loaded, attachments.get(RENDER_ATTACHMENT)))
    return checks


def _cover_check(text: str, digest: str, source: str = "the attachment") -> Check:
    # The hash may be broken over lines on the page: allow white space between its digits.
    if re.search(r"\s*".join(digest), text):
        return Check("cover hash", True, f"the cover prints {source}'s SHA-256")
    printed = _SHA256.findall(text)
    if printed:
        return Check("cover hash", False, f"the cover prints {printed[0]}, {source} is {digest}")
    return Check("cover hash", False, f"the cover does not print {source}'s SHA-256 {digest}")


def _metadata_check(metadata, digest: str) -> Check:
    stored = metadata.get(METADATA_KEY)
    if stored is None:
        return Check("metadata hash", False, f"no {METADATA_KEY[1:]} in the document information")
    if str(stored) != digest:
        return Check("metadata hash", False, f"the metadata holds {stored}, the attachment is {digest}")
    return Check("metadata hash", True, "the document information holds the attachment's SHA-256")


def _bundle_file_check(path: Path, digest: str) -> Check:
    try:
        other = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return Check("bundle file", False, f"cannot read {path} ({exc.strerror or exc})")
    if other != digest:
        return Check("bundle file", False, f"{path} has SHA-256 {other}, the attachment {digest}")
    return Check("bundle file", True, f"{path} is the attached bundle, byte for byte")


def _rerender_check(original: bytes, loaded, record_bytes: bytes | None) -> Check:
    if record_bytes is None:
        return Check("re-render", False, f"no {RENDER_ATTACHMENT}: the options it was rendered with are unknown")
    record = json.loads(record_bytes)
    if record.get("docgen_version") != __version__:
        return Check("re-render", False, f"rendered by docgen {record.get('docgen_version')}, this is "
                                         f"docgen {__version__}: install that version to compare bytes")
    options = DocumentOptions.from_record(record["options"])
    outputs = render_documents(loaded, RenderRequest(formats=("pdf",), stem="verify", options=options))
    again = outputs["verify.pdf"]
    if again != original:
        return Check("re-render", False, f"rendering the attached bundle again gives different bytes "
                                         f"({len(again)} vs {len(original)})")
    return Check("re-render", True, f"rendering it again gives the same {len(again)} bytes")
