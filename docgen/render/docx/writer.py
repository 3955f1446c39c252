"""The Word document as docgen writes it: paragraphs, headings, tables, images and fields.

Built on python-docx's package and style handling; paragraphs and tables are made as
WordprocessingML elements directly (python-docx's cell-by-cell API is quadratic in a
table's size) and placed at the insertion point: the template's `{{docgen}}` marker
paragraph, or the end of its body. Every text goes through `clean`, so characters XML
cannot carry become the same visible escapes the HTML shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from docgen.render.docx.images import Png
from docgen.render.html import visible_text

if TYPE_CHECKING:
    from docx.document import Document

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
MARKER = "{{docgen}}"
DASH = "—"
EMU_PER_TWIP = 635
EMU_PER_PT = 12700

INK, MUTED, RULE = "1B1F23", "5A6470", "C9D1D9"
DEFAULT_ACCENT = "1F3A5F"
# The severity badges' colours (render/charts.py SEVERITY_COLOURS), text white on them.
SEVERITY_FILLS = {"critical": "8B1A1A", "high": "C2410C", "warning": "A16207", "info": "1D4ED8"}
STATE_FILLS = {"ok": "166534", "partial": "A16207", "error": "8B1A1A", "skipped": "5A6470"}

_BREAKS = re.compile(r"(\r\n|\n|\r|\t)")


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def clean(value: Any) -> str:
    """Any value as text Word can carry: None is a dash; controls become visible escapes."""
    if value is None or value == "" or value == []:
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(clean(item) for item in value) or DASH
    return str(visible_text(str(value)))


@dataclass(frozen=True)
class Span:
    """A run of text with its character formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    mono: bool = False
    color: str | None = None
    link: str | None = None     # an external URL (http, https, mailto)
    raw: bool = False           # already clean (no dash for empty text)
    fill: str | None = None     # a badge: white text on this colour
    strike: bool = False        # words a change took out (a diff)
    underline: bool = False     # words a change put in (a diff)


@dataclass(frozen=True)
class Cell:
    """A table cell: text or spans, optionally on a coloured fill (its text then white)."""

    content: Any
    fill: str | None = None
    bold: bool = False
    mono: bool = False
    bookmark: str | None = None   # a name `docgen verify` finds the cell's text by


# Styles docgen adds when the template has none of that name: (name, kind, based on)
CUSTOM_STYLES = {
    "docgen Table Text": "paragraph",
    "docgen Code": "paragraph",
    "docgen Muted": "paragraph",
    "docgen Code Char": "character",
}


class Writer:
    """Appends docgen's content at the template's insertion point."""

    def __init__(self, document: "Document", accent: str | None = None) -> None:
        from docx.oxml.parser import OxmlElement

        self.document = document
        self._element = OxmlElement
        self.accent = (accent or f"#{DEFAULT_ACCENT}").lstrip("#").upper()
        body = document.element.body
        self.marker = _find_marker(body)
        self._anchor = self.marker if self.marker is not None else body.sectPr
        self._body = body
        self.styles = _Styles(document, self.accent)
        self.headings: list[tuple[int, str]] = []
        self._shape_id = 1 + max((int(value) for value in body.xpath("//wp:docPr/@id")
                                  if str(value).isdigit()), default=0)
        self._numbering_ids: dict[str, str] = {}
        self._bookmark_id = 1000 + len(body.xpath("//w:bookmarkStart"))
        self.new_page = False     # the next paragraph or table starts a page
        section = document.sections[-1]
        width = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
        self.text_width = max(int(width), 2_000_000)   # EMU

    # -- placement ------------------------------------------------------------------

    def place(self, element) -> Any:
        if self._anchor is not None:
            self._anchor.addprevious(element)
        else:
            self._body.append(element)
        return element

    def finish(self) -> None:
        """Take the marker paragraph out (its section break, if it carries one, stays)."""
        if self.marker is None:
            return
        ppr = self.marker.find(w("pPr"))
        if ppr is not None and ppr.find(w("sectPr")) is not None:
            for child in list(self.marker):
                if child is not ppr:
                    self.marker.remove(child)
        else:
            self.marker.getparent().remove(self.marker)
        self.marker = None

    # -- elements ---------------------------------------------------------------------

    def el(self, tag: str, parent=None, **attributes: str):
        element = self._element(f"w:{tag}") if ":" not in tag else self._element(tag)
        for name, value in attributes.items():
            element.set(w(name), value)
        if parent is not None:
            parent.append(element)
        return element

    def paragraph(self, content: Any = "", style: str | None = None, *, keep_next: bool = False,
                  page_break: bool = False, align: str | None = None, spacing_after: int | None = None,
                  place: bool = True):
        if self.new_page and place:
            page_break, self.new_page = True, False
        p = self.el("p")
        ppr = self.el("pPr", p)
        if style:
            self.el("pStyle", ppr, val=self.styles.id(style))
        if keep_next:
            self.el("keepNext", ppr)
        if page_break:
            self.el("pageBreakBefore", ppr)
        if spacing_after is not None:
            self.el("spacing", ppr, after=str(spacing_after))
        if align:
            self.el("jc", ppr, val=align)
        if len(ppr) == 0:
            p.remove(ppr)
        self.add_runs(p, content)
        return self.place(p) if place else p

    def add_runs(self, p, content: Any, *, color: str | None = None, bold: bool = False,
                 mono: bool = False) -> None:
        if isinstance(content, list) and not any(isinstance(item, Span) for item in content):
            content = clean(content)   # a list value (names, roles): "a, b", not runs "ab"
        spans = content if isinstance(content, list) else [Span(clean(content) if content != "" else "",
                                                                raw=True)]
        for span in spans:
            if isinstance(span, str):
                span = Span(span)
            if span.link:
                rel = self.document.part.relate_to(span.link, _HYPERLINK, is_external=True)
                link = self.el("hyperlink", p)
                link.set(f"{{{R_NS}}}id", rel)
                self._run(link, span, color=span.color or "0563C1", underline=True, bold=bold)
            else:
                self._run(p, span, color=span.color or color, bold=bold or span.bold, mono=mono or span.mono)

    def _run(self, parent, span: Span, *, color: str | None = None, bold: bool = False,
             mono: bool = False, underline: bool = False) -> None:
        text = span.text if span.raw else clean(span.text) if span.text != "" else ""
        if text == "":
            return
        r = self.el("r", parent)
        rpr = self.el("rPr", r)
        if mono or span.mono:
            self.el("rStyle", rpr, val=self.styles.id("docgen Code Char"))
        if bold or span.bold:
            self.el("b", rpr)
        if span.italic:
            self.el("i", rpr)
        if span.strike:
            self.el("strike", rpr)
        if span.fill:
            self.el("color", rpr, val="FFFFFF")
        elif color:
            self.el("color", rpr, val=color)
        if underline or span.underline:
            self.el("u", rpr, val="single")
        if span.fill:
            self.el("shd", rpr, val="clear", color="auto", fill=span.fill)
        if len(rpr) == 0:
            r.remove(rpr)
        for part in _BREAKS.split(text):
            if part in ("\n", "\r", "\r\n"):
                self.el("br", r)
            elif part == "\t":
                self.el("tab", r)
            elif part:
                t = self.el("t", r)
                t.text = part
                if part[0] == " " or part[-1] == " ":
                    t.set(XML_SPACE, "preserve")

    def heading(self, text: Any, level: int, *, page_break: bool = False):
        level = max(1, min(level, 6))
        if isinstance(text, list):
            self.headings.append((level, "".join(clean(span.text) for span in text if not span.fill).strip()))
            return self.paragraph(text, f"Heading {level}", page_break=page_break, keep_next=True)
        shown = clean(text)
        self.headings.append((level, shown))
        return self.paragraph(shown, f"Heading {level}", page_break=page_break, keep_next=True)

    def muted(self, content: Any):
        return self.paragraph(content, "docgen Muted")

    def page_break(self):
        self.new_page = False
        p = self.el("p")
        r = self.el("r", p)
        self.el("br", r, type="page")
        return self.place(p)

    def facts(self, pairs: Iterable[tuple[str, Any]]):
        """A definition list, as the HTML's <dl class="facts">: a two-column table, no header."""
        rows = [[Cell(label, bold=True), value] for label, value in pairs]
        return self.table(("", ""), rows, header=False, weights=(1, 3))

    def table(self, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, header: bool = True,
              weights: Sequence[float] | None = None, formats: dict[int, Any] | None = None):
        """A table with a header row Word repeats on every page; widths from the content."""
        if self.new_page:
            self.page_break()
        count = len(columns)
        widths = self._widths(columns, rows, weights)
        tbl = self.el("tbl")
        tpr = self.el("tblPr", tbl)
        self.el("tblW", tpr, w=str(sum(widths)), type="dxa")
        borders = self.el("tblBorders", tpr)
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            self.el(side, borders, val="single", sz="4", space="0", color=RULE)
        self.el("tblLayout", tpr, type="fixed")
        margins = self.el("tblCellMar", tpr)
        for side in ("left", "right"):
            self.el(side, margins, w="70", type="dxa")
        self.el("tblLook", tpr, val="0420" if header else "0000", firstRow="1" if header else "0",
                lastRow="0", firstColumn="0", lastColumn="0", noHBand="1", noVBand="1")
        grid = self.el("tblGrid", tbl)
        for width in widths:
            self.el("gridCol", grid, w=str(width))
        text_style = self.styles.id("docgen Table Text")
        if header:
            tr = self.el("tr", tbl)
            trpr = self.el("trPr", tr)
            self.el("cantSplit", trpr)
            self.el("tblHeader", trpr)
            for index, column in enumerate(columns):
                self._cell(tr, widths[index], Cell(column, fill=self.accent, bold=True), text_style)
        formats = formats or {}
        for row in rows:
            tr = self.el("tr", tbl)
            trpr = self.el("trPr", tr)
            self.el("cantSplit", trpr)
            for index in range(count):
                value = row[index] if index < len(row) else None
                if index in formats and not isinstance(value, Cell):
                    value = formats[index](value)
                self._cell(tr, widths[index], value, text_style)
        self.place(tbl)
        # Word needs a paragraph between two tables, or it joins them
        return self.paragraph("", spacing_after=0)

    def _cell(self, tr, width: int, value: Any, text_style: str) -> None:
        tc = self.el("tc", tr)
        tcpr = self.el("tcPr", tc)
        self.el("tcW", tcpr, w=str(width), type="dxa")
        cell = value if isinstance(value, Cell) else Cell(value)
        if cell.fill:
            self.el("shd", tcpr, val="clear", color="auto", fill=cell.fill)
        p = self.el("p", tc)
        ppr = self.el("pPr", p)
        self.el("pStyle", ppr, val=text_style)
        content = cell.content
        ink = None if not cell.fill else ("FFFFFF" if _dark(cell.fill) else INK)
        if cell.bookmark:
            self._bookmark_id += 1
            self.el("bookmarkStart", p, id=str(self._bookmark_id), name=cell.bookmark)
        if isinstance(content, list):
            self.add_runs(p, content, color=ink, bold=cell.bold, mono=cell.mono)
        else:
            self.add_runs(p, [Span(clean(content), raw=True)], color=ink, bold=cell.bold, mono=cell.mono)
        if cell.bookmark:
            self.el("bookmarkEnd", p, id=str(self._bookmark_id))

    def _widths(self, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                weights: Sequence[float] | None) -> list[int]:
        total = self.text_width // EMU_PER_TWIP
        if weights is None:
            weights = [_weight(column, [row[index] if index < len(row) else None for row in rows])
                       for index, column in enumerate(columns)]
        scale = total / sum(weights)
        widths = _fitted([int(weight * scale) for weight in weights],
                         [_Words(column, [row[index] if index < len(row) else None for row in rows])
                          for index, column in enumerate(columns)])
        widths[-1] += total - sum(widths)
        return widths

    def image(self, png: Png, *, alt: str, max_width_pt: float | None = None):
        """A picture in its own paragraph, at its size (96 px per inch) or narrower."""
        from docx.oxml.shape import CT_Inline
        from docx.shared import Emu

        rel, _ = self.document.part.get_or_add_image(_stream(png.data))
        width_pt = png.width_pt * 2   # the PNG is at twice 96 DPI: its natural size is half
        height_pt = png.height_pt * 2
        limit = min(max_width_pt or 1e9, self.text_width / EMU_PER_PT)
        if width_pt > limit:
            height_pt *= limit / width_pt
            width_pt = limit
        self._shape_id += 1
        inline = CT_Inline.new_pic_inline(self._shape_id, rel, f"image{self._shape_id}.png",
                                          Emu(int(width_pt * EMU_PER_PT)), Emu(int(height_pt * EMU_PER_PT)))
        inline.docPr.set("descr", clean(alt))
        p = self.el("p")
        ppr = self.el("pPr", p)
        self.el("keepNext", ppr)
        r = self.el("r", p)
        drawing = self.el("drawing", r)
        drawing.append(inline)
        return self.place(p)

    def caption(self, text: str):
        return self.paragraph(text, "Caption")

    def field(self, p, instruction: str, placeholder: Any = "") -> None:
        """A complex field in paragraph `p` (PAGE, NUMPAGES, TOC ...), marked for updating."""
        begin = self.el("r", p)
        self.el("fldChar", begin, fldCharType="begin", dirty="true")
        instr = self.el("r", p)
        text = self.el("instrText", instr)
        text.text = f" {instruction} "
        text.set(XML_SPACE, "preserve")
        self.el("fldChar", self.el("r", p), fldCharType="separate")
        self.add_runs(p, placeholder)
        self.el("fldChar", self.el("r", p), fldCharType="end")

    def list_item(self, content: Any, *, ordered: bool, level: int, list_id: str):
        """One item of a bulleted or numbered list, in Word's list styles."""
        name = ("List Number" if ordered else "List Bullet") + ("" if level == 0 else f" {min(level + 1, 3)}")
        if not self.styles.has(name):
            prefix = "    " * level + ("• " if not ordered else "")
            return self.paragraph([Span(prefix), *content] if isinstance(content, list) else prefix + content)
        p = self.paragraph(content, name)
        if ordered:
            num = self._restart(name, list_id)
            if num is not None:
                ppr = p.find(w("pPr"))
                numpr = self.el("numPr", ppr)
                self.el("ilvl", numpr, val="0")
                self.el("numId", numpr, val=num)
        return p

    def _restart(self, style_name: str, list_id: str) -> str | None:
        """A numbering of its own for each numbered list, so that each starts at 1."""
        key = f"{style_name}/{list_id}"
        if key in self._numbering_ids:
            return self._numbering_ids[key]
        num = self.styles.restarted_numbering(style_name)
        if num is not None:
            self._numbering_ids[key] = num
        return num


class _Styles:
    """Style ids by name, adding the ones docgen needs that the template lacks."""

    def __init__(self, document: "Document", accent: str) -> None:
        self.document = document
        self.accent = accent
        self._ids: dict[str, str] = {}
        # Word names its built-in styles in lower case ("toc 1"), python-docx some in title case
        self._names = {(style.name or "").lower(): style for style in document.styles}

    def has(self, name: str) -> bool:
        return name.lower() in self._names

    def id(self, name: str) -> str:
        if name not in self._ids:
            style = self._names.get(name.lower()) or self._add(name)
            self._ids[name] = style.style_id
        return self._ids[name]

    def _add(self, name: str):
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import Pt, RGBColor

        kind = WD_STYLE_TYPE.CHARACTER if CUSTOM_STYLES.get(name) == "character" else WD_STYLE_TYPE.PARAGRAPH
        style = self.document.styles.add_style(name, kind)
        self._names[name.lower()] = style
        if kind == WD_STYLE_TYPE.PARAGRAPH and "normal" in self._names:
            style.base_style = self._names["normal"]
        if name.startswith("Heading "):
            level = int(name.split()[1])
            style.font.bold = True
            style.font.size = Pt({1: 16, 2: 13, 3: 11.5}.get(level, 10.5))
            style.font.color.rgb = RGBColor.from_string(self.accent)
            style.paragraph_format.keep_with_next = True
            style.paragraph_format.space_before = Pt(12 if level <= 2 else 8)
            ppr = style.element.get_or_add_pPr()
            outline = ppr.makeelement(w("outlineLvl"), {w("val"): str(level - 1)})
            ppr.append(outline)
            style.quick_style = True
        elif name == "docgen Table Text":
            style.font.size = Pt(8.5)
            style.paragraph_format.space_before = Pt(1)
            style.paragraph_format.space_after = Pt(1)
            style.paragraph_format.line_spacing = 1.0
        elif name == "docgen Code":
            style.font.name = "Consolas"
            style.font.size = Pt(8.5)
            style.paragraph_format.space_after = Pt(6)
            style.paragraph_format.line_spacing = 1.0
            ppr = style.element.get_or_add_pPr()
            ppr.append(ppr.makeelement(w("shd"), {w("val"): "clear", w("color"): "auto",
                                                   w("fill"): "F3F4F6"}))
        elif name == "docgen Code Char":
            style.font.name = "Consolas"
        elif name == "docgen Muted":
            style.font.size = Pt(9)
            style.font.color.rgb = RGBColor.from_string(MUTED)
        elif name == "TOC 1":
            style.element.name_val = "toc 1"   # Word's built-in name, which its TOC uses
            style.paragraph_format.space_after = Pt(3)
        elif name == "Caption":
            style.font.size = Pt(9)
            style.font.italic = True
            style.font.color.rgb = RGBColor.from_string(MUTED)
        elif name == "Title":
            style.font.size = Pt(26)
            style.font.color.rgb = RGBColor.from_string(self.accent)
        elif name == "Subtitle":
            style.font.size = Pt(15)
            style.font.color.rgb = RGBColor.from_string(MUTED)
        return style

    def restarted_numbering(self, style_name: str) -> str | None:
        """A new w:num on the style's abstract numbering, starting again at 1."""
        style = self._names.get(style_name.lower())
        if style is None:
            return None
        ids = style.element.xpath("./w:pPr/w:numPr/w:numId/@w:val")
        if not ids:
            return None
        try:
            numbering = self.document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return None
        abstract = numbering.xpath(f"./w:num[@w:numId='{ids[0]}']/w:abstractNumId/@w:val")
        if not abstract:
            return None
        num = numbering.add_num(int(abstract[0]))
        override = num.add_lvlOverride(ilvl=0)
        override.add_startOverride(1)
        return str(num.numId)


_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def _stream(data: bytes):
    import io

    return io.BytesIO(data)


def _find_marker(body):
    for p in body.iterchildren(w("p")):
        if "".join(node.text or "" for node in p.iter(w("t"))).strip() == MARKER:
            return p
    return None


def _weight(column: str, values: list[Any]) -> float:
    """How wide a column should be: its header's longest word, or most of its values (the
    90th percentile of their lengths), long ones counting less than their length."""
    lengths = sorted(len(_plain(value)) for value in values[:500])
    typical = lengths[int(len(lengths) * 0.9)] if lengths else 0
    # a bold header word and the cell's margins: "unknown" was cut "unknow|n" at + 1
    header = max((len(word) for word in column.split()), default=3) + 2
    length = max(typical, header, 4)
    return length if length <= 14 else 14 + (length - 14) ** 0.75


# Word breaks a line at spaces and after hyphens; a longer run is cut where the cell ends
# ("authenticat|ion"). A column is given room for its longest such word of at most WORD_CAP
# characters (a domain name or a thumbprint is longer than any column: it is cut anyway);
# where the page cannot give every column that much, the cap is lowered until it can.
WORD_CAP = 14
MIN_WORD_CAP = 4
_WORDS = re.compile(r"[^\s-]*-?")
CHAR_TWIPS = 95         # an average DejaVu Sans character at the table's 8.5 pt, as Word sets it
BOLD_CHAR_TWIPS = 135   # the same in bold (the header row), with room for wide capitals
CELL_MARGINS = 2 * 70   # tblCellMar left and right


class _Words:
    """The lengths of a column's words: its values' and its (bold) header's."""

    def __init__(self, column: str, values: list[Any]) -> None:
        self.values = sorted({len(word) for value in values[:500] for word in _WORDS.findall(_plain(value))})
        self.header = sorted({len(word) for word in _WORDS.findall(column)})

    def need(self, cap: int) -> int:
        """The width the longest word of at most `cap` characters needs."""
        def longest(lengths: list[int]) -> int:
            return max((length for length in lengths if length <= cap), default=0)

        return max(longest(self.values) * CHAR_TWIPS, longest(self.header) * BOLD_CHAR_TWIPS) + CELL_MARGINS


def _fitted(widths: list[int], words: list[_Words]) -> list[int]:
    """`widths` with each column widened to what its longest word needs, the room taken
    from the columns wider than they need, in proportion to what they can spare."""
    for cap in range(WORD_CAP, MIN_WORD_CAP - 1, -1):
        needs = [column.need(cap) for column in words]
        short = sum(max(0, need - width) for width, need in zip(widths, needs))
        spare = [max(0, width - need) for width, need in zip(widths, needs)]
        if not short:
            return widths
        if sum(spare) >= short:
            share = short / sum(spare)
            return [need if width < need else width - int(room * share)
                    for width, need, room in zip(widths, needs, spare)]
    return widths   # not even short words fit: the weights decide


def _dark(colour: str) -> bool:
    """Whether white text reads on this fill (else the ink colour does)."""
    red, green, blue = (int(colour[index:index + 2], 16) for index in (0, 2, 4))
    return 0.299 * red + 0.587 * green + 0.114 * blue < 160


def _plain(value: Any) -> str:
    if isinstance(value, Cell):
        value = value.content
    if isinstance(value, list) and not any(isinstance(item, Span) for item in value):
        return clean(value)
    if isinstance(value, list):
        return "".join(span.text if isinstance(span, Span) else str(span) for span in value)
    return "" if value is None else str(value)
