"""Charts as deterministic SVG: same bundle, same bytes.

Built with ElementTree (which escapes every text and attribute) and drawn with
solid colours only, no transparency, text kept as text: safe for PDF/A-3b.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from markupsafe import Markup

from docgen.checks.model import SEVERITIES
from docgen.core.dates import parse_iso

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
INK, MUTED, RULE = "#1b1f23", "#5a6470", "#c9d1d9"
SEVERITY_COLOURS = {"critical": "#8b1a1a", "high": "#c2410c", "warning": "#a16207", "info": "#1d4ed8"}
EXPIRY_COLOURS = {"expired": "#8b1a1a", "30 days": "#c2410c", "60 days": "#a16207", "valid": "#166534"}
MAX_TIMELINE_ROWS = 40


def _svg(width: float, height: float, label: str) -> ET.Element:
    return ET.Element("svg", {"xmlns": SVG_NS, "width": _n(width), "height": _n(height),
                              "viewBox": f"0 0 {_n(width)} {_n(height)}", "role": "img",
                              "aria-label": label, "font-family": FONT, "font-size": "11"})


def _n(value: float) -> str:
    """Numbers with at most one decimal: stable text for stable bytes."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(parent: ET.Element, x: float, y: float, content: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": _n(x), "y": _n(y), "fill": INK, **attributes})
    element.text = content
    return element


def _rect(parent: ET.Element, x: float, y: float, width: float, height: float, fill: str) -> None:
    ET.SubElement(parent, "rect", {"x": _n(x), "y": _n(y), "width": _n(max(width, 0)),
                                   "height": _n(height), "fill": fill})


def _markup(root: ET.Element) -> Markup:
    return Markup(ET.tostring(root, encoding="unicode"))


def findings_chart(findings: list[dict], section_titles: dict[str, str]) -> Markup | None:
    """Open findings per section, stacked by severity."""
    if not findings:
        return None
    rows = [(title, [sum(1 for f in findings if f["section"] == name and f["severity"] == severity)
                     for severity in SEVERITIES])
            for name, title in section_titles.items()]
    rows = [row for row in rows if sum(row[1])]
    label_width, bar_width, row_height, top = 230, 380, 24, 26
    width = label_width + bar_width + 40
    height = top + row_height * len(rows) + 10
    root = _svg(width, height, "Open findings by section and severity")
    _legend(root, label_width, 12, [(severity, SEVERITY_COLOURS[severity]) for severity in SEVERITIES])
    largest = max(sum(counts) for _, counts in rows)
    for index, (title, counts) in enumerate(rows):
        y = top + index * row_height
        _text(root, label_width - 8, y + 15, _clip(title, 34), **{"text-anchor": "end"})
        x: float = label_width
        for severity, count in zip(SEVERITIES, counts):
            if not count:
                continue
            width_of = bar_width * count / largest
            _rect(root, x, y + 3, width_of, row_height - 8, SEVERITY_COLOURS[severity])
            if width_of >= 14:
                _text(root, x + width_of / 2, y + 15, str(count), fill="#ffffff",
                      **{"text-anchor": "middle", "font-weight": "bold"})
            x += width_of
        _text(root, x + 5, y + 15, str(sum(counts)), fill=MUTED)
    return _markup(root)


def _legend(root: ET.Element, x: float, y: float, entries: list[tuple[str, str]]) -> None:
    for label, colour in entries:
        _rect(root, x, y - 9, 10, 10, colour)
        _text(root, x + 14, y, label, fill=MUTED)
        x += 22 + 7 * len(label)


def expiry_timeline(servers: list[dict], as_of: datetime, *, warn_days: int = 60,
                    soon_days: int = 30) -> Markup | None:
    """Each server's default SMTP certificate as a bar from issue to expiry, with collection day."""
    dated = [server for server in servers if server["default_smtp_certificate"]["state"] == "present"]
    dated.sort(key=lambda server: (server["default_smtp_certificate"]["not_after"], server["key"]))
    rows: list[tuple[str, datetime | None, datetime]] = [(server["name"], parse_iso(server["default_smtp_certificate"]["not_before"]),
             parse_iso(server["default_smtp_certificate"]["not_after"])) for server in dated]
    return validity_timeline(rows, as_of, "Default SMTP certificate validity by server",
                             warn_days=warn_days, soon_days=soon_days)


def validity_timeline(rows: list[tuple[str, datetime | None, datetime]], as_of: datetime,
                      label: str, *, label_width: int = 120, warn_days: int = 60,
                      soon_days: int = 30) -> Markup | None:
    """Rows of (label, issued, expires), in the order given, as bars coloured by how soon they
    expire, with the collection day. A row whose issue date is unknown (None) is a short mark
    at its expiry."""
    if not rows:
        return None
    shown = rows[:MAX_TIMELINE_ROWS]
    starts = [start for _label, start, _end in shown if start is not None]
    ends = [end for _label, _start, end in shown]
    first = min([*starts, as_of - timedelta(days=365)])
    last = max(max(ends), as_of + timedelta(days=365))
    plot_width, row_height, top = 480, 18, 34
    height = top + row_height * len(shown) + 24 + (14 if len(rows) > len(shown) else 0)
    root = _svg(label_width + plot_width + 20, height, label)
    span = (last - first).total_seconds()

    def x_of(moment: datetime) -> float:
        return label_width + plot_width * (moment - first).total_seconds() / span

    _legend(root, label_width, 12, [(name, colour) for name, colour in EXPIRY_COLOURS.items()])
    bottom = top + row_height * len(shown)
    for year in range(first.year + 1, last.year + 1):
        x = x_of(datetime(year, 1, 1, tzinfo=as_of.tzinfo))
        ET.SubElement(root, "line", {"x1": _n(x), "y1": _n(top - 4), "x2": _n(x), "y2": _n(bottom),
                                     "stroke": RULE, "stroke-width": "1"})
        _text(root, x, bottom + 13, str(year), fill=MUTED, **{"text-anchor": "middle"})
    for index, (name, start, end) in enumerate(shown):
        y = top + index * row_height
        _text(root, label_width - 8, y + 12, name, **{"text-anchor": "end"})
        colour = EXPIRY_COLOURS[_expiry_band(end, as_of, warn_days, soon_days)]
        left = x_of(start) if start is not None else x_of(end) - 6
        _rect(root, left, y + 3, x_of(end) - left, row_height - 7, colour)
    collected = x_of(as_of)
    ET.SubElement(root, "line", {"x1": _n(collected), "y1": _n(top - 8), "x2": _n(collected),
                                 "y2": _n(bottom), "stroke": INK, "stroke-width": "1.5",
                                 "stroke-dasharray": "4 3"})
    _text(root, collected + 4, top - 6, "collected", fill=INK)
    if len(rows) > len(shown):
        _text(root, label_width, bottom + 28,
              f"The {len(shown)} certificates that expire first, of {len(rows)}.", fill=MUTED)
    return _markup(root)


def _expiry_band(end: datetime, as_of: datetime, warn_days: int, soon_days: int) -> str:
    days = (end - as_of).total_seconds() / 86400
    if days <= 0:
        return "expired"
    if days <= soon_days:
        return "30 days"
    if days <= warn_days:
        return "60 days"
    return "valid"


MATRIX_TONES = {"ok": "#166534", "warn": "#a16207", "problem": "#8b1a1a", "absent": "#aab2bb",
                "unverified": "#5a6470"}
MATRIX_ROWS_PER_CHART = 50  # one SVG cannot break across pages: long lists come in parts


def mail_auth_matrix(rows: list[tuple[str, dict[str, tuple[str, str]]]],
                     columns: list[str]) -> list[Markup]:
    """Domains by column (DKIM, SPF, DMARC policy, MTA-STS) as coloured cells with their text.

    `rows` are (domain, {column: (tone, text)}); tones are those of MATRIX_TONES.
    """
    charts = []
    for start in range(0, len(rows), MATRIX_ROWS_PER_CHART):
        charts.append(_matrix_part(rows[start:start + MATRIX_ROWS_PER_CHART], columns,
                                   legend=start == 0))
    return charts


def _matrix_part(rows: list, columns: list[str], legend: bool) -> Markup:
    label_width, cell_width = 190, 105
    cells = {(domain, column): _cell_lines(values.get(column, ("absent", "—"))[1])
             for domain, values in rows for column in columns}
    # a row is as tall as its values need: every value is shown whole
    row_height = MATRIX_ROW_HEIGHTS[max((len(lines) for lines in cells.values()), default=1)]
    top = 44 if legend else 20
    root = _svg(label_width + cell_width * len(columns) + 10, top + row_height * len(rows) + 4,
                "Mail authentication by domain")
    if legend:
        _legend(root, label_width, 12, [(tone, colour) for tone, colour in MATRIX_TONES.items()])
    for index, column in enumerate(columns):
        _text(root, label_width + cell_width * index + cell_width / 2, top - 6, column,
              **{"text-anchor": "middle", "font-weight": "bold"})
    for row_index, (domain, values) in enumerate(rows):
        y = top + row_index * row_height
        _text(root, label_width - 8, y + row_height / 2 + 4, domain, **{"text-anchor": "end"})
        for index, column in enumerate(columns):
            tone, text = values.get(column, ("absent", "—"))
            x = label_width + cell_width * index
            _rect(root, x + 1, y + 1, cell_width - 2, row_height - 2, MATRIX_TONES[tone])
            _cell_text(root, x + cell_width / 2, y, row_height, cells[(domain, column)], text)
    return _markup(root)


MATRIX_TEXT_WIDTH = 99  # of a cell's 103, inside its margins
MATRIX_LINES = 3        # lines a cell shows; the whole value is also its tooltip
MATRIX_ROW_HEIGHTS = {1: 18, 2: 28, 3: 36}
MATRIX_FULL_SIZE, MATRIX_SMALL_SIZE, MATRIX_SPACING = 10, 8.5, 9.5
# DejaVu Sans advance widths in em, roughly: enough to tell whether a line fits a cell
_NARROW, _WIDE = frozenset("iljft.,:;()[]|!' r"), frozenset("mwMW=@%")


def _text_width(text: str, size: float) -> float:
    return size * sum(0.34 if char in _NARROW else 0.86 if char in _WIDE
                      else 0.72 if char.isupper() else 0.64 for char in text)


def _cell_lines(text: str) -> list[str]:
    """A cell's value as the lines it is drawn in: one at full size when it fits, else up to
    MATRIX_LINES at the smaller size (what is left after those is only in the tooltip: no
    value of docgen's needs more)."""
    if _text_width(text, MATRIX_FULL_SIZE) <= MATRIX_TEXT_WIDTH:
        return [text]
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(f"{lines[-1]} {word}", MATRIX_SMALL_SIZE) <= MATRIX_TEXT_WIDTH:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > MATRIX_LINES:
        lines = lines[:MATRIX_LINES - 1] + [_clip(" ".join(lines[MATRIX_LINES - 1:]), 18)]
    return lines or [text]


def _cell_text(root: ET.Element, x: float, y: float, height: float, lines: list[str],
               whole: str) -> None:
    full = lines == [whole] and _text_width(whole, MATRIX_FULL_SIZE) <= MATRIX_TEXT_WIDTH
    size = MATRIX_FULL_SIZE if full else MATRIX_SMALL_SIZE
    first = y + height / 2 + size * 0.35 - MATRIX_SPACING * (len(lines) - 1) / 2
    for number, line in enumerate(lines):
        element = _text(root, x, first + number * MATRIX_SPACING, line, fill="#ffffff",
                        **{"text-anchor": "middle", "font-size": _n(size)})
        if " ".join(lines) != whole:
            ET.SubElement(element, "title").text = whole   # the whole value, as a tooltip


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
