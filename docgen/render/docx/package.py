"""The .docx package: the branding template opened, the document's properties, fixed bytes.

A Word template (.dotx) differs from a document only in its main part's content type,
which python-docx refuses: the content type is rewritten in memory (the file is not
changed). The same bundle and template give the same bytes: the core properties come
from the collection time, and the zip is written anew with every entry dated then, in a
fixed order.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from docgen.core.errors import RenderError
from docgen.render.docx.writer import W_NS, clean
from docgen.render.options import DocxTemplate

if TYPE_CHECKING:
    from docx.document import Document

TEMPLATE_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
DOCUMENT_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_TYPES = (b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
               b"application/vnd.ms-word.document.macroEnabled.main+xml")
CUSTOM_PART = "/docProps/custom.xml"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
# The format id Office gives every user-defined property.
CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
MAX_TEMPLATE_BYTES = 20 * 1024 * 1024


def open_document(template: DocxTemplate | None) -> "Document":
    """python-docx's document on the template (as a document, never a template), or its default."""
    from docx import Document

    if template is None:
        return Document()
    try:
        return Document(io.BytesIO(as_document(template.data)))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise RenderError(f"not a Word document or template ({exc})", source=template.name) from None


def as_document(data: bytes) -> bytes:
    """The package with a template's main content type rewritten to a document's; else as is."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        types = source.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError):
        raise RenderError("not a Word document or template (no Office Open XML package)") from None
    if any(kind in types for kind in MACRO_TYPES):
        raise RenderError("a macro-enabled template (.dotm/.docm) is not used: save it as .dotx or .docx")
    if TEMPLATE_TYPE not in types:
        return data
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "[Content_Types].xml":
                content = content.replace(TEMPLATE_TYPE, DOCUMENT_TYPE)
            target.writestr(entry, content)
    return out.getvalue()


def set_properties(document: "Document", *, title: str, author: str, subject: str, moment: datetime,
                   custom: dict[str, str], keywords: str = "") -> None:
    """Core properties fixed by the bundle (not by the clock), and docgen's custom properties."""
    core = document.core_properties
    core.title = clean(title)
    core.author = clean(author) if author else ""
    core.subject = clean(subject)
    core.keywords = keywords
    core.comments = "Written by docgen from a bundle; the bundle's SHA-256 is in the custom properties."
    core.category = "As-built documentation"
    core.last_modified_by = "docgen"
    core.revision = 1
    naive = moment.replace(tzinfo=None)
    core.created = naive
    core.modified = naive
    core.last_printed = naive
    _set_custom(document, custom)


def update_fields_on_open(document: "Document") -> None:
    """settings.xml's w:updateFields: Word fills the contents (and page numbers) when opened."""
    settings = document.settings.element
    tag = f"{{{W_NS}}}updateFields"
    for old in settings.findall(tag):
        settings.remove(old)
    flag = settings.makeelement(tag, {f"{{{W_NS}}}val": "true"})
    # CT_Settings is a sequence: updateFields comes before these (validators check the order)
    for child in settings:
        if isinstance(child.tag, str) and child.tag.rpartition("}")[2] in _AFTER_UPDATE_FIELDS:
            child.addprevious(flag)
            return
    settings.append(flag)


_AFTER_UPDATE_FIELDS = {
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
    "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType",
    "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"}


def _set_custom(document: "Document", custom: dict[str, str]) -> None:
    """docProps/custom.xml: docgen's properties, beside the template's own (ours replace ours)."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    package = document.part.package
    part = next((candidate for candidate in package.iter_parts() if candidate.partname == CUSTOM_PART), None)
    existing: list[tuple[str, str]] = []
    if part is not None:
        existing = [(name, body) for name, body in _custom_entries(part.blob) if name not in custom]
    entries = existing + [(name, f"<vt:lpwstr>{escape(clean(value))}</vt:lpwstr>")
                          for name, value in custom.items()]
    xml = (f"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
           f'<Properties xmlns="{CUSTOM_NS}" xmlns:vt="{VT_NS}">'
           + "".join(f'<property fmtid="{CUSTOM_FMTID}" pid="{index + 2}" name={quoteattr(name)}>{body}'
                     "</property>" for index, (name, body) in enumerate(entries))
           + "</Properties>").encode("utf-8")
    if part is None:
        part = Part(PackURI(CUSTOM_PART), CUSTOM_TYPE, xml, package)
        package.relate_to(part, CUSTOM_REL)
    else:
        part._blob = xml


_PROPERTY = re.compile(rb'<(?:\w+:)?property\b[^>]*\bname="([^"]*)"[^>]*>(.*?)</(?:\w+:)?property>', re.S)


def _custom_entries(blob: bytes) -> list[tuple[str, str]]:
    """The template's custom properties: name and value element, kept as they are."""
    entries = []
    for match in _PROPERTY.finditer(blob):
        body = match.group(2).decode("utf-8")
        body = re.sub(r"<(/?)\w+:", r"<\1vt:", body)   # whatever prefix it used, ours is vt
        entries.append((match.group(1).decode("utf-8"), body))
    return entries


def custom_properties(data: bytes) -> dict[str, str]:
    """A DOCX's custom properties (text values), read back: for `docgen verify` and tests."""
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            blob = archive.read("docProps/custom.xml")
    except KeyError:
        return {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(blob, parser)
    found = {}
    for prop in root.iterfind(f"{{{CUSTOM_NS}}}property"):
        value = next(iter(prop), None)
        found[prop.get("name", "")] = "" if value is None else (value.text or "")
    return found


def fixed_bytes(document: "Document", moment: datetime) -> bytes:
    """The package saved, then written again: entries dated `moment`, in a fixed order."""
    buffer = io.BytesIO()
    document.save(buffer)
    stamp = max(moment.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        first = [name for name in ("[Content_Types].xml", "_rels/.rels") if name in names]
        for name in first + sorted(name for name in names if name not in first):
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 0
            target.writestr(entry, source.read(name))
    return out.getvalue()


def bookmark_text(data: bytes, name: str) -> str | None:
    """The text inside a bookmark of the document's body (the cover's hash), or None."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        blob = archive.read("word/document.xml")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    root = etree.fromstring(blob, parser)
    start = root.find(f".//{{{W_NS}}}bookmarkStart[@{{{W_NS}}}name='{name}']")
    if start is None:
        return None
    mark = start.get(f"{{{W_NS}}}id")
    end_tag, text_tag = f"{{{W_NS}}}bookmarkEnd", f"{{{W_NS}}}t"
    texts = []
    for element in start.itersiblings():
        if element.tag == end_tag and element.get(f"{{{W_NS}}}id") == mark:
            break
        texts += [node.text or "" for node in element.iter(text_tag, end_tag)
                  if node.tag == text_tag]
    return "".join(texts)
