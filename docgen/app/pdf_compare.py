"""Two PDFs compared as a reader sees them: pages, their text and drawing, annotations,
metadata and the rest of the document, each difference said in words.

`docgen verify` renders the attached bundle again and compares it with the file in
hand. Bytes equal says everything; otherwise each part is compared on what it means,
not how it is written: objects are followed by reference (so renumbering does not
matter), streams by their decoded bytes (so recompression does not matter). A file
opened and saved again by another program compares equal; a painted-over number, a
removed page, an edited Author or an added stamp does not.

A signed file is the rendered one plus an incremental update holding the signature
(docgen.app.signing): with `signed`, the signature's own additions are set aside
(its form field and invisible widget, the producer and modification date it
stamps); its integrity is the signature check's business.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

SNIPPET = 60          # characters of differing text quoted
MAX_PAGES_SAID = 3    # pages described one by one; the rest are counted

# What a signature's incremental update changes besides the signature itself.
SIGNING_INFO = {"/Producer", "/ModDate"}
SIGNING_XMP = {"{http://ns.adobe.com/pdf/1.3/}Producer", "{http://ns.adobe.com/xap/1.0/}ModifyDate",
               "{http://ns.adobe.com/xap/1.0/}MetadataDate"}
SIGNING_CATALOG = {"/AcroForm", "/Perms", "/DSS", "/Extensions"}
# Compared apart (pages, metadata), or no part of what a reader sees.
CATALOG_APART = {"/Pages", "/Metadata"}
# What the catalog's entries are, for the words of a difference.
CATALOG_WORDS = {"/Names": "named destinations, attachments, scripts", "/Outlines": "bookmarks",
                 "/AF": "associated files", "/OpenAction": "an action run on opening",
                 "/AA": "actions", "/AcroForm": "form fields", "/OCProperties": "optional (hideable) content",
                 "/OutputIntents": "output intent", "/Lang": "language", "/ViewerPreferences": "viewer settings",
                 "/PageLabels": "page labels", "/StructTreeRoot": "structure tree", "/MarkInfo": "tagging"}


@dataclass(frozen=True)
class Check:
    """One of verify's checks (here: one aspect of two PDFs compared): its name, whether it
    passed (the two agree), and in words how."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Page:
    drawing: str          # hash of content streams, resources and page settings
    content: str
    resources: str
    boxes: str
    annotations: tuple[str, ...]
    annotation_words: tuple[str, ...]


class Unreadable(Exception):
    """The PDF cannot be opened at all."""


def compare_pdfs(rendered: bytes, actual: bytes, *, signed: bool = False) -> list[Check]:
    """How `actual` (the file in hand) compares with `rendered` (docgen's render), aspect by aspect."""
    import pikepdf

    with quiet_pdf_logs():
        try:
            expected_pdf = pikepdf.open(io.BytesIO(rendered))
            actual_pdf = pikepdf.open(io.BytesIO(actual))
        except pikepdf.PdfError as exc:
            raise Unreadable(str(exc)) from None
        with expected_pdf, actual_pdf:
            expected_pages = _pages(expected_pdf, signed=False)
            try:
                actual_pages = _pages(actual_pdf, signed=signed)
            except pikepdf.PdfError as exc:   # a page's objects qpdf cannot read
                raise Unreadable(str(exc)) from None
            texts = _Texts(rendered, actual)
            alignment = _align(expected_pages, actual_pages)
            aspects = [
                _count_aspect(expected_pages, actual_pages),
                *_page_aspects(expected_pages, actual_pages, texts, alignment),
                _annotation_aspect(expected_pages, actual_pages, alignment),
                _info_aspect(_info(expected_pdf), _info(actual_pdf), signed),
                _xmp_aspect(_xmp(expected_pdf), _xmp(actual_pdf), signed),
                _catalog_aspect(expected_pdf, actual_pdf, signed),
            ]
    return aspects


@contextmanager
def quiet_logs(*names: str) -> Iterator[None]:
    """pypdf, pikepdf and pyHanko log what they repair or refuse in a damaged file, some with
    tracebacks; verify says it in its own words, once."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def quiet_pdf_logs():
    return quiet_logs("pypdf", "pikepdf", "pyhanko", "pyhanko_certvalidator")


# -- canonical forms ------------------------------------------------------------------


def _digest(value: Any) -> str:
    return hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()


class _Canon:
    """An object as a nested tuple: references followed once, pages by their number."""

    def __init__(self, pdf, streams: dict | None = None, pages: dict | None = None):
        self.pdf = pdf
        self.pages = pages if pages is not None else {page.obj.objgen: index + 1
                                                      for index, page in enumerate(pdf.pages)}
        self.seen: dict[tuple[int, int], int] = {}
        self.skip = frozenset({"/Parent", "/P"})
        # a font or image is shared by many pages: its digest is worked out once per file
        self.streams: dict[tuple[int, int], Any] = {} if streams is None else streams

    def __call__(self, obj: Any) -> Any:
        import pikepdf

        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            objgen = obj.objgen
            if objgen != (0, 0):
                if objgen in self.pages:
                    return ("page", self.pages[objgen])
                if objgen in self.seen:
                    return ("seen", self.seen[objgen])
                self.seen[objgen] = len(self.seen)
            if isinstance(obj, pikepdf.Stream):
                if objgen == (0, 0):
                    return self._stream(obj)
                if objgen not in self.streams:
                    # in a fresh context, so its form does not depend on where it was met first
                    fresh = _Canon(self.pdf, self.streams, self.pages)
                    fresh.seen[objgen] = 0
                    self.streams[objgen] = fresh._stream(obj)
                return self.streams[objgen]
            return ("dict", tuple(sorted((key, self(value)) for key, value in obj.items()
                                         if key not in self.skip)))
        if isinstance(obj, pikepdf.Array):
            return ("array", tuple(self(item) for item in obj))
        if isinstance(obj, pikepdf.String):
            return ("string", bytes(obj))
        if isinstance(obj, float) or type(obj).__name__ == "Decimal":
            return ("number", round(float(obj), 4))
        return ("value", str(obj))

    def _stream(self, stream) -> Any:
        # how it is encoded is no part of what it says
        keys = tuple(sorted((key, self(value)) for key, value in stream.items()
                            if key not in ("/Length", "/Filter", "/DecodeParms", *self.skip)))
        # one short digest, so a font met on every page is not written out again for each
        return ("stream", _digest((keys, hashlib.sha256(_stream_bytes(stream)).hexdigest())))


def _stream_bytes(stream) -> bytes:
    import pikepdf

    try:
        return stream.read_bytes()
    except pikepdf.PdfError:   # a filter qpdf cannot undo (images): the bytes as stored
        return stream.read_raw_bytes()


def _pages(pdf, *, signed: bool) -> list[Page]:
    canon = _Canon(pdf)
    return [_page(page, signed, lambda: _Canon(pdf, canon.streams, canon.pages)) for page in pdf.pages]


def _page(page, signed: bool, new_canon) -> Page:
    canon = new_canon()
    obj = page.obj
    content = _digest(_content_streams(obj))
    resources = _digest(canon(obj.get("/Resources")))
    boxes = _digest(sorted((key, canon(value)) for key, value in obj.items()
                           if key not in ("/Parent", "/Annots", "/Contents", "/Resources")))
    annotations = [annotation for annotation in obj.get("/Annots", [])
                   if not (signed and _is_signature_widget(annotation))]
    return Page(drawing=_digest((content, resources, boxes)), content=content, resources=resources,
                boxes=boxes, annotations=tuple(_digest(new_canon()(item)) for item in annotations),
                annotation_words=tuple(_annotation_words(item) for item in annotations))


def _content_streams(obj) -> bytes:
    import pikepdf

    contents = obj.get("/Contents")
    if contents is None:
        return b""
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    # what is not a stream draws nothing (a viewer skips it or refuses the page), but it
    # is not what docgen wrote: named, so the page differs rather than verify failing
    return b"\n".join(_stream_bytes(stream) if isinstance(stream, pikepdf.Stream)
                       else f"<not a stream: {type(stream).__name__}>".encode()
                       for stream in streams)


def _is_signature_widget(annotation) -> bool:
    """An invisible signature's widget, as docgen's signing adds: one that shows something
    (a visible "signed and approved" stamp) is compared like any other annotation."""
    field = annotation if "/FT" in annotation else annotation.get("/Parent", {})
    try:
        left, bottom, right, top = (float(value) for value in annotation.get("/Rect", []))
    except (TypeError, ValueError):
        return False
    return (str(annotation.get("/Subtype")) == "/Widget" and str(field.get("/FT")) == "/Sig"
            and (left == right or bottom == top))


def _annotation_words(annotation) -> str:
    kind = str(annotation.get("/Subtype", "/?"))[1:]
    said = annotation.get("/Contents") or annotation.get("/A", {}).get("/URI")
    return f"{kind} '{_short(str(said))}'" if said else kind


def _info(pdf) -> dict[str, str]:
    return {str(key): str(value) for key, value in pdf.docinfo.items()} if "/Info" in pdf.trailer else {}


def _xmp(pdf) -> dict[str, str]:
    if "/Metadata" not in pdf.Root:
        return {}
    try:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            return {str(key): ", ".join(map(str, value)) if isinstance(value, (list, set)) else str(value)
                    for key, value in meta.items()}
    except Exception as exc:   # noqa: BLE001 - any XML the parser refuses is "unreadable"
        return {"(unreadable XMP)": str(exc)}


# -- the aspects ----------------------------------------------------------------------


def _count_aspect(expected: list[Page], actual: list[Page]) -> Check:
    if len(expected) == len(actual):
        return Check("page count", True, f"{len(actual)} pages, as rendered")
    return Check("page count", False, f"the file has {len(actual)} pages, docgen renders {len(expected)}")


class _Texts:
    """Each page's text, extracted only for the pages that need words (it is slow)."""

    def __init__(self, rendered: bytes, actual: bytes):
        from pypdf import PdfReader

        self.readers = (PdfReader(io.BytesIO(rendered)), PdfReader(io.BytesIO(actual)))

    def text(self, which: int, index: int) -> str:
        # WeasyPrint's own CMaps read as UTF-16 code units: drop the NULs (see verify)
        try:
            return (self.readers[which].pages[index].extract_text() or "").replace("\x00", "")
        except Exception as exc:   # noqa: BLE001 - a damaged page: its words are not needed to fail it
            return f"(text unreadable: {type(exc).__name__})"


@dataclass(frozen=True)
class _Alignment:
    """The render's pages matched to the file's, in order (0-based indexes)."""

    pairs: list[tuple[int, int]]       # the same page in both (maybe changed)
    missing: list[int]                 # render pages the file lacks
    added: list[int]                   # file pages the render lacks
    moved: list[tuple[int, int]]       # the same drawing at another place


def _align(expected: list[Page], actual: list[Page]) -> _Alignment:
    pairs: list[tuple[int, int]] = []
    missing: list[int] = []
    added: list[int] = []
    matcher = difflib.SequenceMatcher(None, [page.drawing for page in expected],
                                      [page.drawing for page in actual], autojunk=False)
    for op, e1, e2, a1, a2 in matcher.get_opcodes():
        paired = min(e2 - e1, a2 - a1) if op in ("equal", "replace") else 0
        pairs += [(e1 + offset, a1 + offset) for offset in range(paired)]
        missing += range(e1 + paired, e2)
        added += range(a1 + paired, a2)
    moved = []
    for index in list(missing):   # a page drawn the same elsewhere was moved, not lost
        twin = next((other for other in added if actual[other].drawing == expected[index].drawing), None)
        if twin is not None:
            moved.append((index, twin))
            missing.remove(index)
            added.remove(twin)
    return _Alignment(pairs, missing, added, moved)


def _page_aspects(expected: list[Page], actual: list[Page], texts: _Texts,
                  alignment: _Alignment) -> list[Check]:
    """'page text' and 'page drawing': pages matched in order, so a removed, added or moved page
    is named as such rather than every page after it differing."""
    text_said: list[str] = []
    drawing_said: list[str] = []
    for rendered, found in alignment.pairs:
        if expected[rendered].drawing != actual[found].drawing:
            _changed_page(rendered, found, expected, actual, texts, text_said, drawing_said)
    text_said += [f"page {index + 1} of the render is missing ('{_short(texts.text(0, index))}')"
                  for index in alignment.missing]
    text_said += [f"page {index + 1} of the file is not docgen's ('{_short(texts.text(1, index))}')"
                  for index in alignment.added]
    text_said += [f"page {rendered + 1} of the render is page {found + 1} of the file (pages moved: "
                  f"'{_short(texts.text(1, found))}')" for rendered, found in alignment.moved]
    compared = f"{len(actual)} page(s)"
    text = (Check("page text", False, _listed(text_said)) if text_said
            else Check("page text", True, f"every page shows the rendered text ({compared})"))
    if drawing_said:
        drawing = Check("page drawing", False, _listed(drawing_said))
    elif alignment.missing or alignment.added or alignment.moved:
        drawing = Check("page drawing", False, "pages are missing, added or moved (see page text)")
    else:
        drawing = Check("page drawing", True, f"every page draws what the render draws: content, "
                                               f"fonts, images, page settings ({compared})")
    return [text, drawing]


def _changed_page(rendered_index: int, actual_index: int, expected: list[Page], actual: list[Page],
                  texts: _Texts, text_said: list[str], drawing_said: list[str]) -> None:
    wanted, found = expected[rendered_index], actual[actual_index]
    where = (f"page {actual_index + 1}" if rendered_index == actual_index
             else f"page {actual_index + 1} (page {rendered_index + 1} of the render)")
    words = _text_difference(texts.text(0, rendered_index), texts.text(1, actual_index))
    if words:
        text_said.append(f"{where}: {words}")
    parts = [name for name, a, b in (("content stream", wanted.content, found.content),
                                     ("resources (fonts, images)", wanted.resources, found.resources),
                                     ("page settings (boxes, rotation)", wanted.boxes, found.boxes))
             if a != b]
    drawing_said.append(f"{where}: its {' and '.join(parts)} differ" + ("" if words else
                                                                          " (same text, drawn differently)"))


def _text_difference(rendered: str, actual: str) -> str:
    """The first difference of two pages' words: "'5 critical' rendered, '0' in the file"."""
    old, new = rendered.split(), actual.split()
    for op, o1, o2, n1, n2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        before = " ".join(old[max(0, o1 - 2):o1])
        context = f" after '{_short(before)}'" if before else ""
        if op == "delete":
            return f"'{_short(' '.join(old[o1:o2]))}' is missing{context}"
        if op == "insert":
            return f"'{_short(' '.join(new[n1:n2]))}' is added{context}"
        return (f"'{_short(' '.join(new[n1:n2]))}' where docgen renders "
                f"'{_short(' '.join(old[o1:o2]))}'{context}")
    return ""


def _annotation_aspect(expected: list[Page], actual: list[Page], alignment: _Alignment) -> Check:
    """Each page's annotations against its counterpart's (links, and anything added: a stamp, a note)."""
    said = []
    for rendered, found in sorted(alignment.pairs + alignment.moved, key=lambda pair: pair[1]):
        wanted, got = expected[rendered], actual[found]
        if wanted.annotations == got.annotations:
            continue
        added = [words for key, words in zip(got.annotations, got.annotation_words)
                 if key not in wanted.annotations]
        removed = [words for key, words in zip(wanted.annotations, wanted.annotation_words)
                   if key not in got.annotations]
        parts = ([f"added {', '.join(added)}"] if added else []) + \
                ([f"removed {', '.join(removed)}"] if removed else [])
        said.append(f"page {found + 1}: {'; '.join(parts) or 'annotations in another order'}")
    count = sum(len(page.annotations) for page in actual)
    if said:
        return Check("annotations", False, _listed(said))
    return Check("annotations", True, f"{count} annotation(s) (links), as rendered")


def _info_aspect(expected: dict[str, str], actual: dict[str, str], signed: bool) -> Check:
    ignored = SIGNING_INFO if signed else set()
    said = _mapping_difference(expected, actual, ignored, lambda key: key.lstrip("/"))
    if said:
        return Check("metadata", False, f"document information: {_listed(said)}")
    return Check("metadata", True, f"document information as rendered ({len(actual)} entries"
                                    + (", besides the signature's producer and date)" if signed else ")"))


def _xmp_aspect(expected: dict[str, str], actual: dict[str, str], signed: bool) -> Check:
    ignored = SIGNING_XMP if signed else set()
    said = _mapping_difference(expected, actual, ignored, lambda key: key.rsplit("}", 1)[-1])
    if said:
        return Check("XMP metadata", False, _listed(said))
    return Check("XMP metadata", True, f"as rendered, PDF/A part "
                                        f"{actual.get('{http://www.aiim.org/pdfa/ns/id/}part', '?')}"
                                        f"{actual.get('{http://www.aiim.org/pdfa/ns/id/}conformance', '')}")


def _mapping_difference(expected: dict[str, str], actual: dict[str, str], ignored: set[str],
                        name) -> list[str]:
    said = []
    for key in sorted(set(expected) | set(actual)):
        if key in ignored or expected.get(key) == actual.get(key):
            continue
        if key not in actual:
            said.append(f"{name(key)} '{_short(expected[key])}' is missing")
        elif key not in expected:
            said.append(f"{name(key)} '{_short(actual[key])}' is added")
        else:
            said.append(f"{name(key)} '{_short(expected[key])}' rendered, '{_short(actual[key])}' "
                        f"in the file")
    return said


def _catalog_aspect(expected_pdf, actual_pdf, signed: bool) -> Check:
    """Outlines, attachments, named destinations, output intent, and anything added
    (an /OpenAction, JavaScript, a form)."""
    apart = CATALOG_APART | (SIGNING_CATALOG if signed else set())
    said = []
    wanted, found = _Canon(expected_pdf), _Canon(actual_pdf)
    for key in sorted(set(expected_pdf.Root.keys()) | set(actual_pdf.Root.keys())):
        if key in apart:
            continue
        named = f"{key} ({CATALOG_WORDS[key]})" if key in CATALOG_WORDS else key
        if key not in actual_pdf.Root:
            said.append(f"{named} is missing")
        elif key not in expected_pdf.Root:
            said.append(f"{named} is added")
        else:
            # each key in a context of its own: a difference in one does not shift the next
            wanted, found = (_Canon(expected_pdf, wanted.streams, wanted.pages),
                             _Canon(actual_pdf, found.streams, found.pages))
            if wanted(expected_pdf.Root[key]) != found(actual_pdf.Root[key]):
                said.append(f"{named} differ")
    rendered_files, found_files = set(expected_pdf.attachments), set(actual_pdf.attachments)
    if found_files - rendered_files:
        said.append(f"attachments added: {', '.join(sorted(found_files - rendered_files))}")
    if rendered_files - found_files:
        said.append(f"attachments missing: {', '.join(sorted(rendered_files - found_files))}")
    if signed and "/AcroForm" in actual_pdf.Root:
        others = [str(item.get("/T", "?")) for item in actual_pdf.Root.AcroForm.get("/Fields", [])
                  if str(item.get("/FT")) != "/Sig"]
        if others:
            said.append(f"form fields besides signatures: {', '.join(others)}")
    if said:
        return Check("document structure", False, f"the catalog: {_listed(said)}")
    return Check("document structure", True, "bookmarks, attachments, link targets and output intent "
                                              "as rendered, nothing added (no actions, forms or scripts)")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[:SNIPPET - 3] + "..."


def _listed(items: list[str]) -> str:
    shown = "; ".join(items[:MAX_PAGES_SAID])
    return shown + (f"; and {len(items) - MAX_PAGES_SAID} more" if len(items) > MAX_PAGES_SAID else "")
