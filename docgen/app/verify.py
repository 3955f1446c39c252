"""`docgen verify`: prove what a report PDF (or DOCX, or diff PDF) was built from and
that its pages are the ones docgen renders from it.

Checks, each reported by name: a signature, if the PDF has one (pyHanko: intact,
covering the whole file, the signer and signing time); the bundle is attached; its
SHA-256 matches the one printed on the cover and the one in the document metadata; it
is a valid bundle; optionally it equals a bundle file the auditor holds. Then, unless
--fast, the attached bundle is rendered again with the recorded options
(docgen-render.json) and the two PDFs are compared page by page (docgen.app.pdf_compare):
page count, each page's text and drawing, annotations, metadata, the rest of the
document. A file re-saved by another program with nothing changed is told apart from
a changed one.

A diff PDF carries both bundles and the diff document: each is checked, the diff is
computed again from the two bundles, and its pages rendered again and compared.

A DOCX carries no attachment: the bundle file handed over beside it is required
(--bundle), and its SHA-256 must be the one on the cover and in the document's
custom properties.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docgen import __version__
from docgen.app.pdf_compare import Check, Unreadable, compare_pdfs, quiet_pdf_logs
from docgen.app.signing import SignatureReport, signature_reports
from docgen.bundle import parse_bundle
from docgen.core.atomic import write_all_atomic
from docgen.core.errors import BundleError, DocgenError, cannot_read
from docgen.render.documents import (
    BUNDLE_ATTACHMENT,
    DIFF_ATTACHMENTS,
    RENDER_ATTACHMENT,
    RenderRequest,
    render_documents,
)
from docgen.render.options import DocumentOptions

METADATA_KEY = "/docgenbundlesha256"  # WeasyPrint keeps letters and digits of <meta name>
_SHA256 = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")


@dataclass(frozen=True)
class Verification:
    """The checks made, and the last line to print when all passed ("" when one failed)."""

    checks: list[Check]
    verdict: str


DOCX_PROPERTY = "docgen-bundle-sha256"
DOCX_COVER_BOOKMARK = "docgen_bundle_sha256"


def verify_document(path: Path, bundle_path: Path | None = None, fast: bool = False,
                    trust: tuple[Path, ...] = ()) -> Verification:
    """A PDF or a DOCX (a zip package), by its first bytes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise DocgenError(cannot_read(exc), source=str(path)) from None
    if head.startswith(b"PK"):
        checks = verify_docx(path, bundle_path)
        return Verification(checks, "verified: the bundle file is the one the document names"
                            if all(check.ok for check in checks) else "")
    return verify_pdf(path, bundle_path, fast, trust)


def verify_docx(docx_path: Path, bundle_path: Path | None = None) -> list[Check]:
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
    return checks


def verify_pdf(pdf_path: Path, bundle_path: Path | None = None, fast: bool = False,
               trust: tuple[Path, ...] = ()) -> Verification:
    """Every check that could be made; a missing piece fails its check, later ones are skipped."""
    data = read_pdf_bytes(pdf_path)
    attachments, cover_text, metadata = _read_pdf(pdf_path, data)
    reports = signature_reports(data, list(trust))
    signed, checks = bool(reports), _signature_checks(reports, trust)
    if BUNDLE_ATTACHMENT in attachments:
        checks += _report_checks(data, attachments, cover_text, metadata, bundle_path, fast, signed)
    elif all(name in attachments for name in DIFF_ATTACHMENTS):
        checks += _diff_checks(data, attachments, cover_text, fast, signed)
    else:
        checks.append(Check("bundle attached", False, f"no attachment named {BUNDLE_ATTACHMENT} (nor "
                                                      f"{', '.join(DIFF_ATTACHMENTS)}, as a diff PDF "
                                                      "carries): not a docgen PDF, or its attachments "
                                                      "were removed"))
    verdict = _verdict(checks, fast, "the attached bundle" if BUNDLE_ATTACHMENT in attachments
                       else "the two attached bundles")
    if verdict and reports:
        verdict += "; signed by " + ", ".join(f"{report.signer}" for report in reports)
    return Verification(checks, verdict)


def read_pdf_bytes(path: Path) -> bytes:
    """The file's bytes, if they can be a whole PDF: a header at the start, %%EOF at the end."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocgenError(cannot_read(exc), source=str(path)) from None
    if b"%PDF-" not in data[:1024]:
        raise DocgenError(f"not a PDF (it does not start with %PDF-, but {data[:8]!r})", source=str(path))
    if b"%%EOF" not in data[-1024:]:
        raise DocgenError(f"not a whole PDF: no %%EOF at its end, so it was cut short "
                          f"({len(data)} bytes)", source=str(path))
    return data


def _read_pdf(path: Path, data: bytes) -> tuple[dict[str, bytes], str, dict]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        with quiet_pdf_logs():
            reader = PdfReader(io.BytesIO(data))
            attachments = {name: contents[0] for name, contents in reader.attachments.items()}
            # With many distinct glyphs WeasyPrint writes its fonts with a CMap of their own,
            # which pypdf reads as UTF-16 code units: a NUL before every ASCII character.
            # A document never shows NUL (docgen prints it as \x00), so NULs are dropped.
            cover_text = (reader.pages[0].extract_text() if reader.pages else "").replace("\x00", "")
            metadata: dict = dict(reader.metadata or {})   # pypdf DocumentInformation is a dict
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise DocgenError(f"not a readable PDF ({type(exc).__name__}: {exc})", source=str(path)) from None
    return attachments, cover_text, metadata


def extract_attachments(pdf_path: Path, out_dir: Path) -> list[Path]:
    """Write every attachment of the PDF into `out_dir` under its own name (no folders)."""
    data = read_pdf_bytes(pdf_path)
    attachments = _read_pdf(pdf_path, data)[0]
    files = {}
    for name, contents in attachments.items():
        if Path(name).name != name or name in ("", ".", ".."):
            raise DocgenError(f"an attachment's name is a path ({name!r}): not extracted", source=str(pdf_path))
        files[out_dir / name] = contents
    write_all_atomic(files)
    return list(files)


def _signature_checks(reports: list[SignatureReport], trust: tuple[Path, ...]) -> list[Check]:
    if not reports:
        if trust:
            return [Check("signature", False, "the PDF is not signed, and --trust asks for a signature")]
        return [Check("signature", True, "none: the PDF is not signed (what proves it is the "
                                         "attachment and the pages below)")]
    checks = []
    for report in reports:
        checks.append(_signature_check(report))
        if report.trusted:
            checks.append(Check("signer trusted", True, "the certificate chains to a certificate given with --trust"))
        elif trust:
            checks.append(Check("signer trusted", False, "the certificate does not chain to a certificate "
                                                         "given with --trust"))
        else:
            checks.append(Check("signer trusted", True, "not checked: the name is what the certificate claims; "
                                                        "give --trust CERT (the signer's certificate or its "
                                                        "CA's) to confirm it"))
    return checks


def _signature_check(report: SignatureReport) -> Check:
    when = report.signed_at.isoformat() if report.signed_at else "no signing time"
    said = f"{report.field}: signed by {report.signer} at {when}"
    if report.problem:
        return Check("signature", False, f"{report.field}: {report.problem}")
    if not report.intact or not report.valid:
        return Check("signature", False, f"{said}; the signed bytes were changed after signing "
                                         "(or the signature is not the certificate's)")
    if not report.whole_file:
        return Check("signature", False, f"{said}; bytes were added to the file after signing "
                                         "(an incremental update: what was signed is not all it shows)")
    return Check("signature", True, f"{said}; intact, covers the whole file (PAdES)")


def _report_checks(data: bytes, attachments: dict[str, bytes], cover_text: str, metadata: dict,
                   bundle_path: Path | None, fast: bool, signed: bool) -> list[Check]:
    bundle_bytes = attachments[BUNDLE_ATTACHMENT]
    digest = hashlib.sha256(bundle_bytes).hexdigest()
    checks = [Check("bundle attached", True, f"{BUNDLE_ATTACHMENT}, {len(bundle_bytes)} bytes, "
                                             f"SHA-256 {digest}"),
              _cover_check(cover_text, digest), _metadata_check(metadata, digest)]
    try:
        loaded = parse_bundle(bundle_bytes, BUNDLE_ATTACHMENT)
        checks.append(Check("bundle valid", True, f"schema version {loaded.data['schema_version']}, "
                                                  f"collected {loaded.data['collected_at']}"))
    except BundleError as exc:
        return checks + [Check("bundle valid", False, "; ".join([str(exc), *exc.problems[:5]]))]
    if bundle_path is not None:
        checks.append(_bundle_file_check(bundle_path, digest))
    if fast:
        return checks
    record, problem = _render_record(attachments.get(RENDER_ATTACHMENT))
    if record is None:
        return checks + [problem]
    request = RenderRequest(formats=("pdf",), stem="verify", options=DocumentOptions.from_record(record["options"]))
    again = render_documents(loaded, request)["verify.pdf"]
    return checks + _page_checks(again, data, signed)


def _diff_checks(data: bytes, attachments: dict[str, bytes], cover_text: str, fast: bool,
                 signed: bool) -> list[Check]:
    """A diff PDF: both bundles (valid, their SHA-256 on the first page), the diff document
    (what comparing them gives), and its pages."""
    from docgen.diff import diff_bundles, dump_diff
    from docgen.render.documents import render_diff_documents

    checks: list[Check] = []
    names = _diff_names(attachments[DIFF_ATTACHMENTS[2]])
    loaded = []
    for attachment, label, name in zip(DIFF_ATTACHMENTS[:2], ("before", "after"), names):
        raw = attachments[attachment]
        digest = hashlib.sha256(raw).hexdigest()
        checks.append(Check(f"{label} bundle attached", True, f"{attachment} ({name}), {len(raw)} bytes, "
                                                             f"SHA-256 {digest}"))
        checks.append(_diff_hash_check(cover_text, digest, label))
        try:
            loaded.append(parse_bundle(raw, name))
            checks.append(Check(f"{label} bundle valid", True,
                                f"collected {loaded[-1].data['collected_at']}"))
        except BundleError as exc:
            checks.append(Check(f"{label} bundle valid", False, "; ".join([str(exc), *exc.problems[:5]])))
    if len(loaded) < 2:
        return checks
    record, problem = _render_record(attachments.get(RENDER_ATTACHMENT))
    if record is None:
        return checks + [problem]
    request = RenderRequest(formats=("pdf",), stem="verify", options=DocumentOptions.from_record(record["options"]))
    document = diff_bundles(loaded[0], loaded[1], rules=request.rules())
    raw_diff = dump_diff(document)
    if raw_diff == attachments[DIFF_ATTACHMENTS[2]]:
        checks.append(Check("diff attached", True, f"{DIFF_ATTACHMENTS[2]} is what comparing the two "
                                                   f"bundles gives ({document['summary']['changes']} "
                                                   "change(s))"))
    else:
        checks.append(Check("diff attached", False, f"{DIFF_ATTACHMENTS[2]} is not what comparing the two "
                                                    f"attached bundles gives: "
                                                    f"{_diff_difference(attachments[DIFF_ATTACHMENTS[2]], document)}"))
    if fast:
        return checks
    again = render_diff_documents(document, loaded[0], loaded[1], request,
                                  changes_only=bool(record.get("changes_only")))["verify.pdf"]
    return checks + _page_checks(again, data, signed)


def _diff_hash_check(text: str, digest: str, label: str) -> Check:
    """The first page's SHA-256 row: the before bundle's hash, then the after one's (wrapped
    over lines as the column allows)."""
    row = re.search(r"SHA-256\s+([0-9a-f\s]+)", text)
    printed = re.sub(r"\s+", "", row.group(1)) if row else ""
    shown = printed[:64] if label == "before" else printed[64:128]
    if shown == digest:
        return Check(f"{label} hash", True, f"the first page prints the {label} bundle's SHA-256")
    if not shown:
        return Check(f"{label} hash", False, f"the first page prints no SHA-256 for the {label} bundle")
    return Check(f"{label} hash", False, f"the first page prints {shown} as the {label} bundle's SHA-256, "
                                         f"the attachment is {digest}")


def _diff_difference(attached: bytes, computed: dict) -> str:
    """The first top-level entry of the diff document that differs, in words."""
    try:
        document = json.loads(attached)
    except ValueError:
        return "it is not JSON"
    if not isinstance(document, dict):
        return "it is not a diff document"
    for key in computed:
        if document.get(key) != computed[key]:
            said, found = json.dumps(computed[key])[:60], json.dumps(document.get(key))[:60]
            return f"its {key} is {found}, comparing gives {said}"
    return "it has entries a diff document does not: " + ", ".join(sorted(set(document) - set(computed)))


def _diff_names(raw_diff: bytes) -> tuple[str, str]:
    """The bundles' file names as the diff recorded them (the diff shows them), else the attachments'."""
    try:
        document = json.loads(raw_diff)
        return str(document["before"]["name"]), str(document["after"]["name"])
    except (ValueError, KeyError, TypeError):
        return DIFF_ATTACHMENTS[0], DIFF_ATTACHMENTS[1]


def _render_record(record_bytes: bytes | None) -> tuple[dict | None, Check]:
    """The recorded render options, or the check saying why the pages cannot be compared."""
    if record_bytes is None:
        return None, Check("pages", False, f"not compared: no {RENDER_ATTACHMENT}, so the options it was "
                                           "rendered with are unknown")
    try:
        record = json.loads(record_bytes)
        version = record["docgen_version"]
        DocumentOptions.from_record(record["options"])
    except (ValueError, KeyError, TypeError) as exc:
        return None, Check("pages", False, f"not compared: {RENDER_ATTACHMENT} is not a render record "
                                           f"({type(exc).__name__}: {exc})")
    if version != __version__:
        return None, Check("pages", False, f"cannot be compared with this version: rendered by docgen "
                                           f"{version}, this is docgen {__version__}, whose pages may "
                                           f"differ; install docgen {version} to compare them (--fast "
                                           "checks the attachment and hashes only)")
    return record, Check("pages", True, "")


def _page_checks(again: bytes, data: bytes, signed: bool) -> list[Check]:
    """The re-render and the file compared aspect by aspect, then how the bytes relate."""
    try:
        aspects = compare_pdfs(again, data, signed=signed)
    except Unreadable as exc:
        return [Check("pages", False, f"the file's pages cannot be read ({exc})")]
    checks = list(aspects)
    if data == again:
        checks.append(Check("file bytes", True, f"the file is the render, byte for byte ({len(data)} bytes)"))
    elif signed and data.startswith(again):
        checks.append(Check("file bytes", True, f"the file is the render, byte for byte ({len(again)} bytes), "
                                                "followed by its signature"))
    elif all(aspect.ok for aspect in aspects):
        checks.append(Check("file bytes", True, RESAVED))
    return checks


RESAVED = ("re-saved: the same pages, text and metadata in other bytes (the file was opened and saved "
           "again by another program, changing nothing a reader sees)")


def _verdict(checks: list[Check], fast: bool, source: str) -> str:
    if not all(check.ok for check in checks):
        return ""
    if fast:
        return ("attachment and hashes verified; the visible pages were NOT checked "
                "(--fast: run without it to compare them)")
    if any(check.detail == RESAVED for check in checks):
        return "verified: same pages and text as docgen renders them, file re-saved"
    return f"verified: the pages are what docgen renders from {source}"


def _cover_check(text: str, digest: str, source: str = "the attachment", name: str = "cover hash",
                 place: str = "the cover") -> Check:
    # The hash may be broken over lines on the page: allow white space between its digits.
    if re.search(r"\s*".join(digest), text):
        return Check(name, True, f"{place} prints {source}'s SHA-256")
    printed = _SHA256.findall(text)
    if printed:
        return Check(name, False, f"{place} prints {printed[0]}, {source} is {digest}")
    return Check(name, False, f"{place} does not print {source}'s SHA-256 {digest}")


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


