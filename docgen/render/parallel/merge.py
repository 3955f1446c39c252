"""One PDF/A-3b from the rendered parts: pages in order, margins stamped, links made global.

The front part is the base: its catalog keeps the XMP metadata (PDF/A-3b), the
output intent, the attachments with their relationships, and its document
information (with docgen's custom entry). The pages of the other parts follow
it. Every page then gets its overlay page (the page margins: running strings and
"Page X of Y") drawn over it as a form XObject, after its own content as in the
whole document. The named destinations, the links that lead into another part
and the outline are made for the whole document, as WeasyPrint makes them for one.
The file written is the same for the same parts: its /ID comes from its content.
"""

from __future__ import annotations

import io
import warnings as python_warnings
from contextlib import ExitStack
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, String

# WeasyPrint's PDF/A annotations are printable (/F 4); ours are too.
PRINT_FLAG = 4


@dataclass(frozen=True)
class Marks:
    """What points into the whole document, by page index (0-based)."""

    anchors: dict[str, tuple[int, float, float]]           # name -> page, x, y (first wins)
    links: list[tuple[int, str, tuple[float, float, float, float]]]   # page, anchor, Rect
    outline: list                                          # WeasyPrint's bookmark tree


def assemble(front: bytes, parts: list[bytes], overlays: list[tuple[bytes, int]],
             marks: Marks) -> bytes:
    """The whole document. `overlays` are (PDF, pages to skip at its start), in page order."""
    with ExitStack() as stack:
        pdf = stack.enter_context(pikepdf.open(io.BytesIO(front)))
        for data in parts:
            part = stack.enter_context(pikepdf.open(io.BytesIO(data)))
            with python_warnings.catch_warnings():
                # named destinations are not copied with the pages: they are made below
                python_warnings.simplefilter("ignore")
                pdf.pages.extend(part.pages)
        pages = [page.obj for page in pdf.pages]
        forms: list[pikepdf.Object] = []
        for data, skip in overlays:
            overlay = stack.enter_context(pikepdf.open(io.BytesIO(data)))
            made = Array([page.as_form_xobject() for page in list(overlay.pages)[skip:]])
            forms.extend(pdf.copy_foreign(overlay.make_indirect(made)))
        if len(forms) != len(pages):
            raise ValueError(f"{len(forms)} overlay pages for {len(pages)} pages")
        _stamp(pdf, pages, forms)
        _destinations(pdf, pages, marks.anchors)
        _links(pdf, pages, marks.links)
        _outline(pdf, pages, marks.outline)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True, fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()


def _stamp(pdf: pikepdf.Pdf, pages: list, forms: list) -> None:
    """Draw each page's overlay after its content, in the graphics state of a fresh page."""
    begin = pdf.make_stream(b"q\n")
    for number, (page, form) in enumerate(zip(pages, forms), start=1):
        name = f"/DocgenMargins{number}"
        resources = page.Resources
        if "/XObject" not in resources:
            resources.XObject = Dictionary()
        resources.XObject[name] = form
        contents = page.Contents
        own = list(contents) if isinstance(contents, Array) else [contents]
        page.Contents = Array([begin, *own, pdf.make_stream(f"Q\n{name} Do\n".encode())])


def _destinations(pdf: pikepdf.Pdf, pages: list, anchors: dict) -> None:
    """The name tree of every anchor, sorted as WeasyPrint sorts it."""
    names = Array()
    for name in sorted(anchors):
        index, x, y = anchors[name]
        names.append(String(name))
        names.append(Array([pages[index], Name.XYZ, x, y, 0]))
    if "/Names" not in pdf.Root:
        pdf.Root.Names = Dictionary()
    if len(names):
        pdf.Root.Names.Dests = Dictionary(Names=names)
    elif "/Dests" in pdf.Root.Names:
        del pdf.Root.Names.Dests


def _links(pdf: pikepdf.Pdf, pages: list, links: list) -> None:
    """Links to an anchor in another part, as WeasyPrint writes links (a named destination)."""
    for index, target, rect in links:
        annotation = pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=Array(rect), BS=Dictionary(W=0),
            Dest=String(target), F=PRINT_FLAG))
        page = pages[index]
        if "/Annots" not in page:
            page.Annots = Array()
        page.Annots.append(annotation)


def _outline(pdf: pikepdf.Pdf, pages: list, tree: list) -> None:
    """The outline of the whole document, with WeasyPrint's counts and open/closed states."""
    if "/Outlines" in pdf.Root:
        del pdf.Root.Outlines
    if not tree:
        return
    top = pdf.make_indirect(Dictionary())
    items, count = _outline_items(pdf, pages, tree, top)
    top.Count = count
    top.First = items[0]
    top.Last = items[-1]
    pdf.Root.Outlines = top


def _outline_items(pdf: pikepdf.Pdf, pages: list, tree: list, parent) -> tuple[list, int]:
    count = len(tree)
    items: list[pikepdf.Object] = []
    for title, (index, x, y), children, state in tree:
        item = pdf.make_indirect(Dictionary(Title=String(title),
                                            Dest=Array([pages[index], Name.XYZ, x, y, 0])))
        below, below_count = _outline_items(pdf, pages, children, item)
        item.Count = -below_count if state == "closed" else below_count
        if state != "closed":
            count += below_count
        if items:
            item.Prev = items[-1]
            items[-1].Next = item
        if below:
            item.First = below[0]
            item.Last = below[-1]
        item.Parent = parent
        items.append(item)
    return items, count
