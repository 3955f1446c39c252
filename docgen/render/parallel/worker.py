"""What a rendering process does with one part: lay it out, note where things are, write it.

Runs in a worker process (or in the caller's, with jobs=1); everything it takes
and returns is plain data that pickles.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import cast

from docgen.core.errors import DocgenError
from docgen.render.pdf import PdfAttachment, lay_out, pdf_session, write_pdf

# WeasyPrint's message for a link whose anchor is not in the part; it may be in another.
MISSING_ANCHOR = "No anchor #%s for internal URI reference"
SCALE = 0.75   # PDF points per CSS pixel


@dataclass(frozen=True)
class PageInfo:
    height: float                                          # CSS pixels
    anchors: tuple[tuple[str, float, float], ...] = ()     # name, x, y in PDF points
    # internal links whose anchor is not in this part: target, Rect in PDF points
    links: tuple[tuple[str, tuple[float, float, float, float]], ...] = ()
    bookmarks: tuple = ()                                  # as WeasyPrint's Page.bookmarks


@dataclass(frozen=True)
class Job:
    html: str
    base_dir: Path
    allowed_roots: tuple[Path, ...]
    moment: datetime
    attachments: tuple[PdfAttachment, ...] = ()
    locate: bool = True          # report anchors, links and bookmarks of every page
    # The pages of the parts after this one: given, the outline of the whole document is
    # made here, by WeasyPrint, which the main process then need not import.
    outline_after: tuple[PageInfo, ...] | None = None


@dataclass(frozen=True)
class Result:
    pdf: bytes = b""
    pages: tuple[PageInfo, ...] = ()
    page_count: int = 0
    # WeasyPrint's warnings: (text, anchor) where anchor names a link target not in the part
    messages: tuple[tuple[str, str | None], ...] = ()
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_kb: int = 0
    error: str | None = None
    outline: list = field(default_factory=list)   # WeasyPrint's bookmark tree, if asked for


class _Messages(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, str | None]] = []

    def emit(self, record: logging.LogRecord) -> None:
        missing = None
        if record.msg == MISSING_ANCHOR and record.args:
            # WeasyPrint logs this one with a single argument, the anchor's name
            missing = cast("tuple[str]", record.args)[0]
        self.records.append((record.getMessage(), missing))


def render(job: Job) -> Result:
    """Lay out and write one part; a failure comes back as text, not as an exception."""
    started, cpu_started = time.perf_counter(), time.process_time()
    messages = _Messages()
    try:
        with pdf_session(job.moment, messages):
            document = lay_out(job.html, base_dir=job.base_dir, allowed_roots=list(job.allowed_roots))
            pages = _page_infos(document.pages) if job.locate else ()
            outline = ([] if job.outline_after is None
                       else outline_of([*pages, *job.outline_after]))
            data = write_pdf(document, list(job.attachments), job.moment)
            count = len(document.pages)
            del document
    except DocgenError as exc:
        return Result(error=str(exc))
    except (ValueError, OSError) as exc:
        return Result(error=f"PDF rendering failed: {exc}")
    return Result(pdf=data, pages=pages, page_count=count, messages=tuple(messages.records),
                  seconds=time.perf_counter() - started, cpu_seconds=time.process_time() - cpu_started,
                  peak_rss_kb=peak_rss_kb(), outline=outline)


def outline_of(pages: list[PageInfo]) -> list:
    """WeasyPrint's bookmark tree of these pages, in order, as it makes one for a document."""
    from weasyprint import Document

    return Document.make_bookmark_tree(SimpleNamespace(pages=pages), SCALE, transform_pages=True)


def peak_rss_kb() -> int:
    """This process's peak resident memory in KiB, or 0 where the platform does not say (Windows)."""
    try:
        import resource  # Unix only: imported here so that docgen starts on Windows
    except ImportError:
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _page_infos(pages) -> tuple[PageInfo, ...]:
    """Per page: its anchors, the links WeasyPrint could not resolve in this part, its bookmarks."""
    local = {name for page in pages for name in page.anchors}
    return tuple(_page_info(page, local) for page in pages)


def _page_info(page, local: set[str]) -> PageInfo:
    height = page.height

    def point(x: float, y: float) -> tuple[float, float]:
        # WeasyPrint's page matrix: x scaled, y flipped from the top of the page
        return x * SCALE, (height - y) * SCALE

    anchors = tuple((name, *point(x1, y1)) for name, (x1, y1, _, _) in page.anchors.items())
    links = tuple((target, (*point(*rect[:2]), *point(*rect[2:])))
                  for kind, target, rect, _ in page.links
                  if kind == "internal" and target not in local)
    return PageInfo(height, anchors, links, tuple(page.bookmarks))
