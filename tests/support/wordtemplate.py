"""A Word template (.dotx) made in the test from python-docx's default document, rather than
a binary committed to the repository: a header text, a paragraph before and after the
`{{docgen}}` marker, Letter paper; the main part's content type is the template's."""

from __future__ import annotations

import io
import zipfile

DOCUMENT_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
TEMPLATE_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
HEADER_TEXT = "Contoso Consulting GmbH · internal template header"
BEFORE, AFTER = "Customer preface from the template", "Customer closing chapter from the template"


def make_dotx(*, marker: bool = True) -> bytes:
    from docx import Document
    from docx.shared import Inches

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.header.paragraphs[0].text = HEADER_TEXT
    document.add_paragraph(BEFORE)
    if marker:
        document.add_paragraph("{{docgen}}")
    document.add_paragraph(AFTER)
    buffer = io.BytesIO()
    document.save(buffer)
    return as_template(buffer.getvalue())


def as_template(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "[Content_Types].xml":
                assert DOCUMENT_TYPE in content
                content = content.replace(DOCUMENT_TYPE, TEMPLATE_TYPE)
            target.writestr(entry, content)
    return out.getvalue()
