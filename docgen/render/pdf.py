"""Archival PDF (PDF/A-3b) through WeasyPrint, imported only when a PDF is asked for."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from docgen.core.errors import MissingDependency, RenderError
from docgen.core.memory import collector_paused

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


# Long tokens (a 4 KB TXT record, a key, a DN, a domain name) must wrap inside the page,
# and only where a reader expects a name to wrap. Browsers would use CSS overflow-wrap:
# anywhere, but that cuts names that fit ("contoso.co m": it lets a column shrink to one
# letter), and WeasyPrint computes a cell's minimum width under it one character at a
# time (quadratic: a 4 KB token took 34 s). So every run of at least MIN_RUN characters
# in the PDF's HTML gets break opportunities (BREAK, a zero-width space: WeasyPrint
# overlooks a <wbr> inside a link when it sizes a column; the text layer leaves it out):
# after a dot, underscore, slash, backslash, comma, semicolon, colon or @ (not inside a
# number: 4,294,967,296 and 10.1.0.21 stay whole), after the hyphen of an address range,
# at a camel-case boundary inside a long name (Password|HashSync), and, where a piece
# between those and the hyphens (where lines break anyway) still reaches HARD_BREAK
# characters (a thumbprint, a key), every HARD_BREAK characters. print.css keeps
# overflow-wrap: break-word, which breaks nothing that fits.
BREAK = "\u200b"
MIN_RUN = 12
HARD_BREAK = 20
CAMEL_PIECE = 6        # a camel-case break only after this many characters of a piece
_SEPARATORS = frozenset("._/\\,;:@")
_PIECES = re.compile(r"(<[^>]*>)")
_RUN = re.compile(r"(?:[^\s<>&]|&#?\w+;){%d,}" % MIN_RUN)
_UNIT = re.compile(r"&#?\w+;|.", re.DOTALL)
_VERBATIM = re.compile(r"<(/?)(style|title|svg|script|textarea|h[1-6])\b", re.IGNORECASE)


def breakable(html: str) -> str:
    """`html` with BREAK in every long run of text (not in tags, CSS, titles, headings,
    which wrap as blocks and name the bookmarks, or SVG)."""
    pieces = _PIECES.split(html)
    verbatim = 0
    for index, piece in enumerate(pieces):
        if index % 2:  # a tag
            tag = _VERBATIM.match(piece)
            if tag:
                verbatim = max(0, verbatim + (-1 if tag.group(1) else 1))
        elif not verbatim and len(piece) >= MIN_RUN:
            pieces[index] = _RUN.sub(_with_breaks, piece)
    return "".join(pieces)


def _with_breaks(match: re.Match) -> str:
    units = _UNIT.findall(match.group())
    out, since = [units[0]], 1
    for position in range(1, len(units)):
        if _break_before(units, position, since):
            out.append(BREAK)
            since = 0
        elif units[position - 1] == "-" and not units[position].isdigit():
            since = 0  # a line may break after a hyphen (not before a number: -1)
        out.append(units[position])
        since += 1
    return "".join(out)


def _break_before(units: list[str], position: int, since: int) -> bool:
    """Whether a line may break before units[position], `since` units after the last break."""
    before, unit = units[position - 1], units[position]
    if _joins(unit) or before == "\u200d":
        # never between a character and what combines with it (accents, ZWJ, selectors)
        return False
    if before in _SEPARATORS:
        # after the last of a row of separators, not after a leading one (_dmarc), and not
        # inside a number (10.1.0.21, 4,294)
        in_number = position >= 2 and units[position - 2].isdigit() and unit.isdigit()
        return position >= 2 and unit not in _SEPARATORS and not in_number
    if since >= CAMEL_PIECE and before.isalpha() and before.islower() and unit.isupper():
        return True
    if before == "-" and unit.isdigit() and "." in units[position - since:position]:
        return True  # 0.0.0.0-|255.255.255.255 (a line breaks after no hyphen before a digit)
    if (before == "-" and unit.isdigit() and since >= CAMEL_PIECE
            and any(u.isalpha() for u in units[position - since:position])):
        return True  # a GUID's groups: a1f3c2d4-|0005-4b5c-|8d9e-... (a date stays whole)
    return since >= HARD_BREAK and unit not in _SEPARATORS


def _joins(unit: str) -> bool:
    return len(unit) == 1 and (unicodedata.category(unit) in ("Mn", "Me", "Mc", "Cf")
                               or 0xFE00 <= ord(unit) <= 0xFE0F or ord(unit) >= 0xE0100)


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
