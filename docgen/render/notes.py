"""Consultant-written Markdown notes, rendered so that nothing in them runs.

Raw HTML is shown as text (the Markdown parser's HTML handling is switched
off), links keep only web, mail and in-document targets, and images become
their alt text: a note cannot make the document fetch anything.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

SAFE_LINK_PREFIXES = ("http://", "https://", "mailto:", "#")


class _NeutraliseLinks(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag == "img":
                    replacement = ET.Element("span", {"class": "image-placeholder"})
                    replacement.text = f"[image: {child.get('alt', '')}]"
                    replacement.tail = child.tail
                    parent.remove(child)
                    parent.insert(index, replacement)
                elif child.tag == "a" and not child.get("href", "").lower().startswith(SAFE_LINK_PREFIXES):
                    child.attrib.pop("href", None)


class _ShiftHeadings(Treeprocessor):
    """A note inside a section starts its headings one level down (h1 -> h2)."""

    def __init__(self, md: markdown.Markdown, offset: int) -> None:
        super().__init__(md)
        self.offset = offset

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            if len(element.tag) == 2 and element.tag[0] == "h" and element.tag[1].isdigit():
                element.tag = f"h{min(6, int(element.tag[1]) + self.offset)}"


class _SafeNotes(Extension):
    def __init__(self, heading_offset: int) -> None:
        super().__init__()
        self.heading_offset = heading_offset

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_NeutraliseLinks(md), "docgen_neutralise_links", 0)
        if self.heading_offset:
            md.treeprocessors.register(_ShiftHeadings(md, self.heading_offset), "docgen_headings", 0)


def render_note(text: str, heading_offset: int = 0) -> Markup:
    """Markdown (tables, fenced code) to HTML that is safe to place in the report."""
    converter = markdown.Markdown(extensions=["tables", "fenced_code", _SafeNotes(heading_offset)],
                                  output_format="html")
    return Markup(converter.convert(text))


def first_heading(html: str) -> str | None:
    """The text of the first heading of a rendered note (any level), or None: the contents
    list names a note as the note itself does."""
    parser = _FirstHeading()
    parser.feed(html)
    title = " ".join("".join(parser.text).split())
    return title or None


class _FirstHeading(HTMLParser):
    """Collects the text of the first <h1>..<h6> (the note's HTML is our own: well formed)."""

    HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.state = "before"          # before, inside, after the first heading

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.HEADINGS and self.state == "before":
            self.state = "inside"

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HEADINGS and self.state == "inside":
            self.state = "after"

    def handle_data(self, data: str) -> None:
        if self.state == "inside":
            self.text.append(data)
