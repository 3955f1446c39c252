"""A consultant's Markdown note in Word styles: headings, lists, tables, code, quotes.

The note is rendered by render/notes.py first, exactly as for the HTML (raw HTML shown as
text, links only to web, mail and in-document targets, images as their alt text); that
HTML is then walked into Word paragraphs. Nothing in a note can make the document fetch
anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import count

from docgen.render.docx.writer import Span, Writer

_VOID = {"br", "hr", "img", "input", "col", "meta", "link", "wbr"}
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "pre", "table", "blockquote", "hr", "div"}
_LISTS = count(1)


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list["Node | str"] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def write_note(writer: Writer, html: str, *, first_heading: int = 1) -> None:
    """The rendered note's blocks, in order; its <h1> is `first_heading` (already shifted)."""
    _blocks(writer, parse_html(html), level=0)


def _blocks(writer: Writer, node: Node, level: int) -> None:
    loose: list[Span] = []
    for child in node.children:
        if isinstance(child, Node) and child.tag in _BLOCKS:
            if _has_text(loose):
                writer.paragraph(loose)
            loose = []
            _block(writer, child, level)
        else:
            loose.extend(_spans(child))
    if _has_text(loose):
        writer.paragraph(loose)


def _block(writer: Writer, node: Node, level: int) -> None:
    tag = node.tag
    if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
        writer.heading(_text(node), int(tag[1]))
    elif tag == "p":
        writer.paragraph(_inline(node))
    elif tag in ("ul", "ol"):
        _list(writer, node, ordered=tag == "ol", level=level, list_id=str(next(_LISTS)))
    elif tag == "pre":
        writer.paragraph([Span(_text(node).rstrip("\n"))], "docgen Code")
    elif tag == "table":
        _table(writer, node)
    elif tag == "blockquote":
        style = "Quote" if writer.styles.has("Quote") else None
        for child in node.children:
            if isinstance(child, Node) and child.tag == "p":
                writer.paragraph(_inline(child), style)
            elif isinstance(child, Node):
                _block(writer, child, level)
    elif tag == "hr":
        writer.paragraph("")
    else:
        _blocks(writer, node, level)


def _list(writer: Writer, node: Node, *, ordered: bool, level: int, list_id: str) -> None:
    for item in node.children:
        if not isinstance(item, Node) or item.tag != "li":
            continue
        spans: list[Span] = []
        nested: list[Node] = []
        for child in item.children:
            if isinstance(child, Node) and child.tag in ("ul", "ol"):
                nested.append(child)
            elif isinstance(child, Node) and child.tag == "p":
                spans.extend(_inline(child))
            else:
                spans.extend(_spans(child))
        writer.list_item(_trimmed(spans), ordered=ordered, level=level, list_id=list_id)
        for sub in nested:
            _list(writer, sub, ordered=sub.tag == "ol", level=level + 1, list_id=str(next(_LISTS)))


def _table(writer: Writer, node: Node) -> None:
    rows: list[list[list[Span]]] = []
    header: list[str] = []
    for row in node_iter(node, "tr"):
        cells = [child for child in row.children if isinstance(child, Node) and child.tag in ("th", "td")]
        if not header and all(cell.tag == "th" for cell in cells):
            header = [_text(cell).strip() for cell in cells]
        else:
            rows.append([_inline(cell) for cell in cells])
    width = max([len(header), *(len(row) for row in rows)], default=0)
    if not width:
        return
    header += [""] * (width - len(header))
    writer.table(header, [row + [[]] * (width - len(row)) for row in rows])


def node_iter(node: Node, tag: str):
    for child in node.children:
        if isinstance(child, Node):
            if child.tag == tag:
                yield child
            else:
                yield from node_iter(child, tag)


def _inline(node: Node) -> list[Span]:
    return _trimmed([span for child in node.children for span in _spans(child)])


def _spans(node: "Node | str", *, bold: bool = False, italic: bool = False, mono: bool = False,
           link: str | None = None) -> list[Span]:
    if isinstance(node, str):
        return [Span(node, bold=bold, italic=italic, mono=mono, link=link)] if node else []
    tag = node.tag
    if tag == "br":
        return [Span("\n", bold=bold)]
    bold = bold or tag in ("strong", "b", "th")
    italic = italic or tag in ("em", "i")
    mono = mono or tag == "code"
    if tag == "a":
        target = node.attrs.get("href", "")
        link = target if target.lower().startswith(("http://", "https://", "mailto:")) else None
    return [span for child in node.children
            for span in _spans(child, bold=bold, italic=italic, mono=mono, link=link)]


def _text(node: "Node | str") -> str:
    if isinstance(node, str):
        return node
    if node.tag == "br":
        return "\n"
    return "".join(_text(child) for child in node.children)


def _trimmed(spans: list[Span]) -> list[Span]:
    """Markdown's line breaks inside a paragraph are spaces, as a browser shows them."""
    out = [Span(span.text.replace("\n", " ") if span.text != "\n" else "\n", span.bold, span.italic,
                span.mono, span.color, span.link) for span in spans]
    while out and not out[0].text.strip():
        out.pop(0)
    while out and not out[-1].text.strip():
        out.pop()
    if out:
        first, last = out[0], out[-1]
        out[0] = Span(first.text.lstrip(), first.bold, first.italic, first.mono, first.color, first.link)
        last = out[-1]
        out[-1] = Span(last.text.rstrip(), last.bold, last.italic, last.mono, last.color, last.link)
    return out


def _has_text(spans: list[Span]) -> bool:
    return any(span.text.strip() for span in spans)
