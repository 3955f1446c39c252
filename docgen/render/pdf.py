"""Archival PDF (PDF/A-3b) through WeasyPrint, imported only when a PDF is asked for."""

from __future__ import annotations

import contextlib
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from docgen.core.errors import MissingDependency, RenderError
from docgen.core.memory import collector_paused
from docgen.render.breaks import breakable

log = logging.getLogger(__name__)
PDF_VARIANT = "pdf/a-3b"

PANGO_HELP = ("PDF output needs the Pango library, which is not installed: on Debian or Ubuntu "
              "run 'apt-get install libpango-1.0-0 libpangoft2-1.0-0' (other systems: see "
              "WeasyPrint's installation guide); --format html works without it")


@dataclass(frozen=True)
class PdfAttachment:
    name: str
    data: bytes
    description: str
    relationship: str = "Source"


def load_weasyprint():
    """Import WeasyPrint, turning a missing system library into one clear line."""
    try:
        import weasyprint
    except OSError as exc:  # cffi could not dlopen Pango, GObject or fontconfig
        raise MissingDependency(f"{PANGO_HELP} ({str(exc).splitlines()[0]})") from None
    return weasyprint


def render_pdf(html: str, *, base_dir: Path, allowed_roots: list[Path],
               attachments: list[PdfAttachment], moment: datetime,
               warnings: list[str] | None = None) -> bytes:
    """Same HTML, same attachments, same moment: same bytes.

    WeasyPrint's own warnings (CSS it ignored, a refused fetch) are appended to
    `warnings` when given, instead of being printed.
    """
    with pdf_session(moment, warnings if warnings is not None else []):
        try:
            document = lay_out(html, base_dir=base_dir, allowed_roots=allowed_roots)
            return write_pdf(document, attachments, moment)
        except (ValueError, OSError) as exc:
            raise RenderError(f"PDF rendering failed: {exc}") from None


def lay_out(html: str, *, base_dir: Path, allowed_roots: list[Path], **options):
    """The laid-out pages (a weasyprint Document), fetching only from `allowed_roots`.

    `options` are WeasyPrint's rendering options (default: the PDF/A variant).
    """
    weasyprint = load_weasyprint()
    options.setdefault("pdf_variant", PDF_VARIANT)
    return weasyprint.HTML(string=breakable(labelled_badges(html)), base_url=base_dir.as_uri() + "/",
                           url_fetcher=local_fetcher(allowed_roots)).render(**options)


def write_pdf(document, attachments: list[PdfAttachment], moment: datetime) -> bytes:
    """The PDF/A-3b of laid-out pages, with the attachments and the custom metadata."""
    weasyprint = load_weasyprint()
    files = [weasyprint.Attachment(string=item.data, name=item.name,
                                   description=item.description, created=moment,
                                   modified=moment, relationship=item.relationship)
             for item in attachments]
    return document.write_pdf(pdf_variant=PDF_VARIANT, attachments=files, custom_metadata=True)


@contextlib.contextmanager
def pdf_session(moment: datetime, messages: list[str] | logging.Handler):
    """Fixed dates for font subsets, and WeasyPrint's warnings collected, while rendering.

    `messages` is a list for the warnings' text, or a handler of one's own.

    Python's cyclic collector is paused meanwhile: WeasyPrint keeps every box, style
    and text layout of the document until it is written (some 460,000 objects for
    the 34-page demo), and the collector's full passes over that growing heap were
    about an eighth of the render. The document is one web of cycles once dropped;
    the first collection after the session frees it, as one would have before.
    """
    handler = messages if isinstance(messages, logging.Handler) else _ListHandler(messages)
    with _source_date_epoch(moment), _captured_log(handler), collector_paused():
        yield


# A badge's word (a severity, "custom") drawn from an attribute rather than held as text:
# a bookmark is named by its heading's text (bookmark-label: content(text)), which leaves
# out what ::before draws, so "Sync server EX01 [warning]" is bookmarked "Sync server EX01".
_BADGE = re.compile(r'<span class="badge( [^"<>]*)?">([^<>]*)</span>')


def labelled_badges(html: str) -> str:
    """`html` with each badge's text in its data-label (print.css draws it)."""
    return _BADGE.sub(lambda match: f'<span class="badge{match.group(1) or ""}" '
                                    f'data-label="{match.group(2).strip()}"></span>', html)


def local_fetcher(allowed_roots: list[Path]):
    """A URL fetcher for data: URLs and files under our own folders, nothing else.

    Every URL asked for is logged (logger ``docgen.render.pdf``, DEBUG); a refused
    one becomes a WeasyPrint warning that names it.
    """
    weasyprint = load_weasyprint()
    roots = [root.resolve() for root in allowed_roots]
    fetcher: Any = weasyprint.urls.URLFetcher   # a module imported lazily: mypy sees no class

    class LocalOnlyFetcher(fetcher):
        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            allowed = parsed.scheme == "data" or (
                parsed.scheme == "file" and not parsed.netloc
                and any(Path(unquote(parsed.path)).resolve().is_relative_to(root)
                        for root in roots))
            log.debug("fetch %s: %s", "allowed" if allowed else "refused", url[:200])
            if allowed:
                return super().fetch(url, headers)
            raise ValueError(f"docgen fetches only its own files; refused {url[:80]}")

    return LocalOnlyFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


@contextlib.contextmanager
def _source_date_epoch(moment: datetime):
    """Font subsetting stamps dates; SOURCE_DATE_EPOCH makes them the bundle's."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


class _ListHandler(logging.Handler):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _captured_log(handler: logging.Handler):
    """Collect WeasyPrint's warnings for the caller rather than printing them."""
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
