"""SVG (the charts, an SVG logo) to PNG for Word, with resvg: no browser, no system library.

Rendered at a fixed 192 DPI (twice the 96 px per inch SVG's pixels mean) with the DejaVu
fonts docgen ships and no system fonts, so the same SVG gives the same PNG on every
machine. Nothing outside the SVG is read: references to other files or URLs are removed
before rendering (a chart has none; a customer's SVG logo might).
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass

from docgen.core.errors import RenderError
from docgen.core.resources import data_dir

DPI = 192
ZOOM = DPI / 96
FONT = "DejaVu Sans"
_XLINK = "{http://www.w3.org/1999/xlink}href"


@dataclass(frozen=True)
class Png:
    data: bytes
    width_px: int     # at DPI
    height_px: int

    @property
    def width_pt(self) -> float:
        return self.width_px * 72 / DPI

    @property
    def height_pt(self) -> float:
        return self.height_px * 72 / DPI


def svg_to_png(svg: str) -> Png:
    import resvg_py

    try:
        data = bytes(resvg_py.svg_to_bytes(
            svg_string=_self_contained(svg), zoom=ZOOM, skip_system_fonts=True,
            font_dirs=[str(data_dir("templates") / "assets" / "fonts")], font_family=FONT,
            sans_serif_family=FONT, monospace_family="DejaVu Sans Mono", serif_family=FONT,
            background="white"))
    except Exception as exc:  # resvg raises its own error type for an unreadable SVG
        raise RenderError(f"cannot draw an SVG image ({exc})") from None
    return png_of(data)


def png_of(data: bytes) -> Png:
    """A PNG with its size in pixels (from its IHDR chunk)."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) < 24:
        raise RenderError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return Png(data, width, height)


def image_of_data_uri(uri: str) -> Png:
    """The logo (a PNG or SVG data: URI, as the report context holds it) as a PNG."""
    header, _, payload = uri.partition(",")
    data = base64.b64decode(payload)
    if "svg" in header:
        return svg_to_png(data.decode("utf-8", "replace"))
    return png_of(data)


def _self_contained(svg: str) -> str:
    """The SVG without anything that would make the renderer read a file or a URL."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(svg.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise RenderError(f"not a readable SVG image ({exc.msg})") from None
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        for name in ("href", _XLINK):
            target = (element.get(name) or "").strip()
            if target and not target.startswith(("#", "data:")):
                del element.attrib[name]
        if element.tag.endswith("}style") or element.tag == "style":
            # CSS can name url(...) and @import: drop any that reach outside
            if element.text and ("url(" in element.text or "@import" in element.text):
                element.text = ""
    return etree.tostring(root, encoding="unicode")
