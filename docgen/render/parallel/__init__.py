"""A report's PDF rendered in parts, in parallel processes, and merged into one.

WeasyPrint lays a document out in one process, and its time and memory grow
faster than the page count. A report of some twenty pages or more is therefore
cut (split.py) where the print CSS starts a page anyway, so each part lays out
exactly as in the whole document; the parts are rendered by worker processes and
merged (merge.py):

1. every body part, and the front part (cover and contents) once to count its pages;
2. the front part again, its contents now numbered with the pages each section
   starts on in the whole document, with the attachments and metadata, and the
   outline of the whole document (WeasyPrint's tree-making, over every part's
   pages); and the overlays, which print the page margins of every page ("Page X
   of Y", running titles) from the same @page rules, numbered for the whole document;
3. the merge: pages in order, each overlay drawn over its page, named
   destinations, links between parts and the outline.

The parts print no page margins; the overlays print nothing else. Whether a
document is cut, and where, depends on the document only: never on the number of
processes. So the same bundle and options give the same bytes with any `jobs`,
on any machine; jobs=1 renders the parts one after another in this process.
A document that is not cut is rendered whole by render_pdf, as before; the two
ways give the same pages and text, not the same bytes. This process imports no
WeasyPrint for a parted render: the processes' server has it (see start_early).
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from docgen.core.errors import RenderError
from docgen.render.parallel import worker
from docgen.render.parallel.split import Plan, plan_document
from docgen.render.parallel.worker import Job, Result
from docgen.render.pdf import PdfAttachment

__all__ = ["Plan", "Report", "default_jobs", "plan_document", "render_in_parts", "start_early"]

# Imported by the rendering processes' server: WeasyPrint, or nothing without Pango.
# Named, not imported: this process need not import WeasyPrint for a parted render.
PRELOAD = "docgen.render.parallel.preload"
# Overlay pages per overlay document; a fixed number, so the bytes do not depend on `jobs`.
OVERLAY_PAGES = 200
# The contents' numbers may change the front part's page count; it settles at once in practice.
FRONT_ATTEMPTS = 3


@dataclass
class Report:
    """How a parted render went: for benchmarks and curious callers."""

    parts: int = 0
    pages: int = 0
    jobs: int = 0
    # per job; the peak memory is that of the process the job ran in (with jobs > 1)
    peak_rss_kb: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)


def default_jobs() -> int:
    """One rendering process per CPU this process may use."""
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def start_early(jobs: int | None) -> bool:
    """Start the server the rendering processes are forked from, before the HTML is made;
    True if one was started (or runs already).

    It imports WeasyPrint (some half a second) on another CPU while this process
    makes the HTML, instead of after. A document then rendered whole leaves it idle;
    it ends with this process.
    """
    if max(1, jobs or default_jobs()) == 1 or not _forkserver_available():
        return False
    _context()
    from multiprocessing import forkserver
    forkserver.ensure_running()
    return True


def render_in_parts(plan: Plan, *, base_dir: Path, allowed_roots: list[Path],
                    attachments: list[PdfAttachment], moment: datetime,
                    warnings: list[str] | None = None, jobs: int | None = None,
                    report: Report | None = None) -> bytes:
    """The PDF of the planned document, rendered by `jobs` processes (default: one per CPU)."""
    report = report if report is not None else Report()
    parts = plan.parts()

    def job(html: str, files: list[PdfAttachment] | tuple = (), locate: bool = True,
            outline_after: tuple[worker.PageInfo, ...] | None = None) -> Job:
        return Job(html, base_dir, tuple(allowed_roots), moment, tuple(files), locate, outline_after)

    count = max(1, jobs or default_jobs())
    report.jobs, report.parts = count, len(parts)
    with _runner(count, report) as run:
        probe, *bodies = run([job(plan.front({})), *(job(part.html) for part in parts)])
        body_pages = tuple(page for body in bodies for page in body.pages)
        front_pages, front = probe.page_count, probe
        for _ in range(FRONT_ATTEMPTS):
            anchors, _ = _anchors_and_links(front, bodies)
            numbers = {target: anchors[target][0] + 1
                       for target in plan.toc_targets if target in anchors}
            total = front_pages + sum(body.page_count for body in bodies)
            chunks = _chunks(front_pages, total)
            front, *overlays = run([job(plan.front(numbers), attachments, outline_after=body_pages)] + [
                job(plan.overlay(numbers, front_pages, first + 1, pages, total), locate=False)
                for first, pages in chunks])
            if front.page_count == front_pages:
                break
            front_pages = front.page_count
        else:
            raise RenderError("the contents of the PDF changed its page count at every attempt")
    from docgen.render.parallel.merge import Marks, assemble  # pikepdf only when parts are merged

    anchors, links = _anchors_and_links(front, bodies)
    marks = Marks(anchors, links, front.outline)
    if warnings is not None:
        warnings.extend(_messages([front, *bodies], marks))
    report.pages = total
    skips = [0] + [front_pages] * (len(overlays) - 1)
    return assemble(front.pdf, [body.pdf for body in bodies],
                    [(overlay.pdf, skip) for overlay, skip in zip(overlays, skips)], marks)


def _chunks(front_pages: int, total: int) -> list[tuple[int, int]]:
    """Overlay documents: (first page index, pages), the front's pages in the first one."""
    rest = total - front_pages
    count = max(1, math.ceil(rest / OVERLAY_PAGES))
    size = math.ceil(rest / count) if rest else 0
    chunks = [(front_pages + start, min(size, rest - start)) for start in range(0, rest, size or 1)]
    return chunks or [(front_pages, 0)]


def _anchors_and_links(front: Result, bodies: list[Result]) -> tuple[
        dict[str, tuple[int, float, float]], list[tuple[int, str, tuple[float, float, float, float]]]]:
    """Anchors (the first of each name) and the links between parts, over all pages."""
    pages = [*front.pages, *(page for body in bodies for page in body.pages)]
    anchors: dict[str, tuple[int, float, float]] = {}
    for index, page in enumerate(pages):
        for name, x, y in page.anchors:
            anchors.setdefault(name, (index, x, y))
    links = [(index, target, rect) for index, page in enumerate(pages)
             for target, rect in page.links if target in anchors]
    return anchors, links


def _messages(results: list[Result], marks) -> list[str]:
    """WeasyPrint's warnings, once each, less those about links resolved in another part."""
    seen: dict[str, None] = {}
    for result in results:
        for text, missing in result.messages:
            if missing is None or missing not in marks.anchors:
                seen.setdefault(text, None)
    return list(seen)


@contextmanager
def _runner(jobs: int, report: Report) -> Iterator[Callable[[list[Job]], list[Result]]]:
    """A function rendering a batch of jobs, in this process or in a pool of `jobs` processes.

    The pool's processes are forked from one that imported WeasyPrint, and each
    renders part after part: parts are small (split.PART_WEIGHT), so a process's
    memory is about its largest part's, and the fonts and caches one part warmed
    serve the next (a fresh process per part cost some 0.15 s each). The heaviest
    jobs start first, so that the processes finish together.
    """
    def finish(results: list[Result]) -> list[Result]:
        failed = next((result.error for result in results if result.error), None)
        if failed:
            raise RenderError(failed)
        report.peak_rss_kb += [result.peak_rss_kb for result in results]
        report.seconds += [result.seconds for result in results]
        report.cpu_seconds += [result.cpu_seconds for result in results]
        return results

    if jobs == 1:
        yield lambda batch: finish([worker.render(job) for job in batch])
        return
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_context(),
                             max_tasks_per_child=None) as pool:
        def run(batch: list[Job]) -> list[Result]:
            order = sorted(range(len(batch)), key=lambda index: -len(batch[index].html))
            futures = {index: pool.submit(worker.render, batch[index]) for index in order}
            try:
                return finish([futures[index].result() for index in range(len(batch))])
            except BrokenProcessPool:
                raise RenderError("a PDF rendering process ended unexpectedly (out of memory?); "
                                  "try again with fewer processes (--jobs)") from None
        try:
            yield run
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _forkserver_available() -> bool:
    return "forkserver" in multiprocessing.get_all_start_methods()


def _context():
    """Fresh processes forked from a server that has imported WeasyPrint, where there is one."""
    if _forkserver_available():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([PRELOAD, worker.__name__])
        return context
    return multiprocessing.get_context("spawn")
