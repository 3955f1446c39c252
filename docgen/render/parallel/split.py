"""Cutting a report's print HTML into parts that lay out exactly as in the whole document.

A part may begin only where the print CSS forces a page break anyway: before an
element of class `page-start` (every top-level section, and each group of entries
after the first in a long section). What comes before the first of them, the
cover and the table of contents, is the front part. Each part is a complete HTML
document: the same head, then the elements around its first page-start element
opened again (their start tags repeated as they are), its slice of the body, and
the end tags of what is still open. The cut is made on the source text, so the
parts hold the very markup of the whole document (inline SVG included).

The document is left whole (`plan_document` returns None) when it is small, or
when something would make a part lay out or number differently from the whole:
markup whose tags do not balance, a page-start element inside anything but a
plain block, or print CSS this module does not know how to carry over (see
`css_problem`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PAGE_START = "page-start"
# Documents lighter than this (some 20 pages) are rendered whole: below it, what parts
# cost besides their pages (the contents laid out twice, the page margins, the merge)
# outweighs what a second process saves. Consecutive cuts are grouped into parts of up
# to PART_WEIGHT (some 10 pages, a second each): small parts keep every process busy
# to the end, and as WeasyPrint's time per page grows with the document, the demo's
# eleven sections laid out one by one take 5.9 s where the whole document takes 6.5 s.
# The weight of a slice is its text length plus ELEMENT_WEIGHT per element, which
# WeasyPrint 70 lays out in about the same time (some 25 s per million on the demo;
# the DNS sections' long unbreakable records cost up to three times more).
SPLIT_WEIGHT = 80_000
PART_WEIGHT = 40_000
ELEMENT_WEIGHT = 18

# Elements that may hold a page-start element: plain blocks, repeated at the top of a part.
WRAPPERS = frozenset({"section", "div", "main", "article"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "param", "source", "track", "wbr"})
RAW_TEXT = frozenset({"style", "script"})
# The front part: the selectors of print.css that may set running strings, name pages
# or print target counters must all begin with one of these, and the elements they
# name must all come before the first page-start element.
FRONT_SELECTORS = (".cover", "nav.toc")
FRONT_CLASSES = (("header", "cover"), ("nav", "toc"))
FRONT_TAGS = frozenset(tag for tag, _ in FRONT_CLASSES)
TOC_NUMBER = "target-counter(attr(href), page)"
TOC_NUMBER_ATTRIBUTE = "data-docgen-page"
MARGIN_BOXES = ("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
                "right-top", "right-middle", "right-bottom", "bottom-right-corner", "bottom-right",
                "bottom-center", "bottom-left", "bottom-left-corner", "left-bottom", "left-middle",
                "left-top")
# Parts are printed without their page margins; an overlay prints those on every page.
PART_STYLE = ("@page { " + " ".join(f"@{box} {{ content: none !important; }}" for box in MARGIN_BOXES)
              + " }\n")
# The overlay: the front part hidden (it sets the running strings and names the cover's
# pages as in the whole document), then one empty page for every page after it.
OVERLAY_STYLE = ("html, body { background: none !important; }\n"
                 "body * { visibility: hidden !important; }\n"
                 "@page { background: none !important; }\n"
                 ".docgen-blank-page { break-before: page; }\n")

_TOKEN = re.compile(r"""
    <!--.*?-->
  | <!\[CDATA\[.*?\]\]>
  | <![^>]*>
  | <\?.*?>
  | </(?P<end>[A-Za-z][^\s/>]*)\s*>
  | <(?P<start>[A-Za-z][^\s/>]*)(?P<attrs>(?:[^>"']|"[^"]*"|'[^']*')*)>
""", re.S | re.X)
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")


class NotSplittable(Exception):
    """The document must be rendered whole; the message says why."""


@dataclass(frozen=True)
class Opened:
    """An element around a cut: its tag name and its start tag as written."""

    name: str
    start_tag: str


@dataclass(frozen=True)
class Cut:
    """A place a part may begin: a page-start element, and the elements around it."""

    offset: int
    around: tuple[Opened, ...]
    weight_before: int          # weight of the body from its start to here


@dataclass(frozen=True)
class Part:
    index: int                  # 1, 2, ...: the front part is 0
    html: str
    weight: int


@dataclass(frozen=True)
class Layout:
    """Where the document's pieces are in its source."""

    source: str
    head_end: int               # offset of </head>
    body_start: int             # offset just after <body ...>
    body_end: int               # offset of </body>
    cuts: tuple[Cut, ...]
    weight: int
    css: str
    links: tuple[tuple[int, str], ...]   # (offset just after "<a", href target) in the front


def plan_document(html: str, split_weight: int = SPLIT_WEIGHT,
                  part_weight: int = PART_WEIGHT) -> "Plan | None":
    """How to render `html` in parts, or None to render it whole."""
    try:
        layout = scan(html)
        problem = css_problem(layout.css)
        if problem:
            raise NotSplittable(problem)
    except NotSplittable:
        return None
    if layout.weight < split_weight or not layout.cuts:
        return None
    return Plan(layout, group(layout, part_weight))


def scan(html: str) -> Layout:
    """Find the head, the body and every cut; raise NotSplittable on what cannot be cut."""
    stack: list[Opened] = []
    cuts: list[Cut] = []
    links: list[tuple[int, str]] = []
    css: list[str] = []
    head_end = body_start = body_end = None
    weight = 0
    position = 0
    while True:
        match = _TOKEN.search(html, position)
        if match is None:
            break
        if body_start is not None and body_end is None:
            weight += match.start() - position
        position = match.end()
        name = (match.group("start") or match.group("end") or "").lower()
        if match.group("end") is not None:
            if not stack or stack[-1].name != name:
                raise NotSplittable(f"</{name}> at {match.start()} closes nothing open")
            stack.pop()
            if name == "head":
                head_end = match.start()
            elif name == "body":
                body_end = match.start()
            continue
        if match.group("start") is None:
            continue
        text = match.group("attrs")
        if body_start is not None and body_end is None:
            weight += ELEMENT_WEIGHT
            if PAGE_START in text or name in FRONT_TAGS or (name == "a" and not cuts):
                _look_at(name, _attributes(text), match.start(), stack, cuts, links,
                         weight - ELEMENT_WEIGHT)
        elif name == "link" and "stylesheet" in _attributes(text).get("rel", "").lower():
            raise NotSplittable("a linked stylesheet")
        if name in RAW_TEXT:
            close = re.compile(rf"</{name}\s*>", re.I).search(html, position)
            if close is None:
                raise NotSplittable(f"<{name}> is not closed")
            if name == "style":
                css.append(html[position:close.start()])
            position = close.end()
            continue
        if name == "body":
            body_start = match.end()
        if name not in VOID and not match.group("attrs").rstrip().endswith("/"):
            stack.append(Opened(name, match.group(0)))
    if (stack or head_end is None or body_start is None or body_end is None
            or not head_end < body_start):
        raise NotSplittable("no well-formed <head> and <body>")
    return Layout(html, head_end, body_start, body_end, tuple(cuts), weight, "\n".join(css),
                  tuple(links))


def _look_at(name: str, attrs: dict[str, str], offset: int, stack: list[Opened],
             cuts: list[Cut], links: list[tuple[int, str]], weight: int) -> None:
    """Note a cut or a contents link; refuse what would not survive the cut."""
    classes = attrs.get("class", "").split()
    if PAGE_START in classes:
        around = tuple(stack[2:])   # below <html> and <body>
        if any(opened.name not in WRAPPERS for opened in around):
            raise NotSplittable(f"a {PAGE_START} element inside "
                                f"<{'><'.join(opened.name for opened in around)}>")
        cuts.append(Cut(offset, around, weight))
    elif cuts and any(name == tag and cls in classes for tag, cls in FRONT_CLASSES):
        raise NotSplittable(f"<{name} class=...> after the first {PAGE_START} element")
    if name == "a" and not cuts and attrs.get("href", "").startswith("#"):
        links.append((offset + 2, attrs["href"][1:]))


def _attributes(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(text):
        value = next((group for group in match.groups()[1:] if group is not None), "")
        found.setdefault(match.group(1).lower(), value)
    return found


def group(layout: Layout, part_weight: int) -> tuple[tuple[int, int], ...]:
    """Consecutive cuts grouped into parts of at most `part_weight` (one cut may weigh more)."""
    bounds = [cut.weight_before for cut in layout.cuts] + [layout.weight]
    parts: list[tuple[int, int]] = []
    first = 0
    for index in range(1, len(layout.cuts) + 1):
        if bounds[index] - bounds[first] > part_weight and index - 1 > first:
            parts.append((first, index - 1))
            first = index - 1
    parts.append((first, len(layout.cuts)))
    return tuple(parts)


class Plan:
    """The parts of one document, as HTML documents of their own."""

    def __init__(self, layout: Layout, ranges: tuple[tuple[int, int], ...]):
        self.layout = layout
        self.ranges = ranges
        source = layout.source
        self._head = source[:layout.head_end]
        self._between = source[layout.head_end:layout.body_start]   # </head> ... <body ...>
        self._toc_style = _toc_style(layout.css)

    @property
    def weight(self) -> int:
        return self.layout.weight

    @property
    def toc_targets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(target for _, target in self.layout.links))

    def parts(self) -> list[Part]:
        """The body parts, in order."""
        cuts = self.layout.cuts
        result = []
        for index, (first, end) in enumerate(self.ranges, start=1):
            stop = cuts[end].offset if end < len(cuts) else self.layout.body_end
            closing = cuts[end].around if end < len(cuts) else ()
            body = ("".join(opened.start_tag for opened in cuts[first].around)
                    + self.layout.source[cuts[first].offset:stop]
                    + "".join(f"</{opened.name}>" for opened in reversed(closing)))
            weight = (cuts[end].weight_before if end < len(cuts) else self.weight) \
                - cuts[first].weight_before
            result.append(Part(index, self._document(PART_STYLE, body), weight))
        return result

    def front(self, pages: dict[str, int]) -> str:
        """The cover and contents, their links numbered with `pages` (anchor -> page)."""
        return self._document(PART_STYLE + self._toc_style, self._front_body(pages))

    def overlay(self, pages: dict[str, int], front_pages: int, first: int, count: int,
                total: int) -> str:
        """The front part, hidden, then `count` empty pages numbered from `first` of `total`.

        Only the page margin boxes show: running strings and named pages come from
        the hidden front exactly as in the whole document.
        """
        style = (OVERLAY_STYLE + self._toc_style
                 + f"@page :nth({front_pages + 1}) {{ counter-reset: page {first} }}\n")
        body = self._front_body(pages) + '<div class="docgen-blank-page"></div>' * count
        return self._document(style, body, total_pages=total)

    def _front_body(self, pages: dict[str, int]) -> str:
        source, start = self.layout.source, self.layout.body_start
        end = self.layout.cuts[0].offset
        pieces = []
        for offset, target in self.layout.links:
            pieces.append(source[start:offset])
            if target in pages:
                pieces.append(f' {TOC_NUMBER_ATTRIBUTE}="{pages[target]}"')
            start = offset
        pieces.append(source[start:end])
        return "".join(pieces) + "".join(f"</{o.name}>" for o in reversed(self.layout.cuts[0].around))

    def _document(self, style: str, body: str, total_pages: int | None = None) -> str:
        head = self._head
        if total_pages is not None:
            head = _PAGES_COUNTER.sub(f'"{total_pages}"', head)
        return f"{head}<style>\n{style}</style>\n{self._between}{body}</body></html>\n"


def _toc_style(css: str) -> str:
    """The rules that print TOC page numbers again, with the number from an attribute."""
    import tinycss2

    rules = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule" or TOC_NUMBER not in tinycss2.serialize(rule.content):
            continue
        content = tinycss2.serialize(rule.content).replace(TOC_NUMBER, f"attr({TOC_NUMBER_ATTRIBUTE})")
        rules.append(f"{tinycss2.serialize(rule.prelude).strip()} {{{content}}}\n")
    return "".join(rules)


# -- the print CSS a part can carry over -------------------------------------------

_PAGES_COUNTER = re.compile(r"\bcounter\(\s*pages\s*\)")
_PAGE_COUNTER = re.compile(r"\bcounters?\(\s*pages?\b")
_TARGET = re.compile(r"\btarget-(?:counter|counters|text)\(")
_STRUCTURAL = frozenset({"first-child", "last-child", "only-child", "nth-child", "nth-last-child",
                         "first-of-type", "last-of-type", "only-of-type", "nth-of-type",
                         "nth-last-of-type"})
# Elements never next to a page-start element, so their position among siblings is the same.
_INNER = frozenset({"tr", "td", "th", "li", "dt", "dd", "col", "colgroup", "thead", "tbody",
                    "tfoot", "option"})
_SIDE_BREAKS = re.compile(r"\b(?:left|right|recto|verso)\b")


def css_problem(css: str) -> str | None:
    """Why this print CSS would not give the same pages in parts, or None."""
    import tinycss2

    return _rules_problem(tinycss2.parse_stylesheet(css, skip_comments=True,
                                                    skip_whitespace=True))


def _rules_problem(rules) -> str | None:
    import tinycss2

    for rule in rules:
        if rule.type == "at-rule":
            keyword = rule.lower_at_keyword
            prelude = tinycss2.serialize(rule.prelude).strip()
            if keyword == "page":
                if ":" in prelude:
                    return f"@page {prelude}: pages are numbered and sided per part"
            elif keyword == "media":
                problem = _rules_problem(tinycss2.parse_rule_list(
                    rule.content or [], skip_comments=True, skip_whitespace=True))
                if problem:
                    return problem
            elif keyword != "font-face":
                return f"@{keyword} is not carried over to parts"
        elif rule.type == "qualified-rule":
            problem = _rule_problem(tinycss2.serialize(rule.prelude).strip(), rule)
            if problem:
                return problem
        elif rule.type == "error":
            return f"CSS that does not parse ({rule.message})"
    return None


def _rule_problem(selector: str, rule) -> str | None:
    import tinycss2

    front = all(part.strip().startswith(FRONT_SELECTORS) for part in selector.split(","))
    for declaration in tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                      skip_whitespace=True):
        if declaration.type != "declaration":
            continue
        name = declaration.lower_name
        value = tinycss2.serialize(declaration.value)
        where = f"{selector} {{ {name}: {value.strip()} }}"
        if name in ("string-set", "page") and not front:
            return f"{where}: only the front part may set running strings or name pages"
        if _TARGET.search(value) and not (front and value.count("target-") == value.count(TOC_NUMBER)):
            return f"{where}: only the contents may print target counters, as {TOC_NUMBER}"
        if _PAGE_COUNTER.search(value):
            return f"{where}: page counters are printed in page margins only"
        if name in ("counter-reset", "counter-increment", "counter-set"):
            return f"{where}: counters would restart in each part"
        if name in ("break-before", "break-after", "page-break-before", "page-break-after") \
                and _SIDE_BREAKS.search(value):
            return f"{where}: left and right pages depend on the part"
        if "running(" in value or "element(" in value or "footnote" in value:
            return f"{where}: running elements and footnotes are not carried over"
    return _selector_problem(selector)


def _selector_problem(selector: str) -> str | None:
    """Position among siblings changes at a cut, except for elements inside tables and lists."""
    import tinycss2

    compound: list = []
    compounds: list[tuple[list, str]] = []   # (tokens, combinator before the next)
    for token in tinycss2.parse_component_value_list(selector) + [None]:
        if token is None or token.type == "whitespace" or (
                token.type == "literal" and token.value in (">", "+", "~", ",")):
            combinator = token.value if token is not None and token.type == "literal" else " "
            if compound:
                compounds.append((compound, combinator))
                compound = []
            elif compounds and combinator != " ":
                compounds[-1] = (compounds[-1][0], combinator)
            continue
        compound.append(token)
    for index, (tokens, combinator) in enumerate(compounds):
        before = compounds[index - 1][1] if index else ","
        sibling = combinator in "+~" or before in "+~"
        structural = any(token.type in ("ident", "function") and _pseudo(tokens, token) in _STRUCTURAL
                         for token in tokens)
        element = tokens[0].lower_value if tokens[0].type == "ident" else "*"
        if (sibling or structural) and element not in _INNER:
            return f"{selector}: a cut changes which element comes first"
    return None


def _pseudo(tokens: list, token) -> str | None:
    """The pseudo-class name `token` carries if a colon precedes it."""
    index = tokens.index(token)
    if index and tokens[index - 1].type == "literal" and tokens[index - 1].value == ":":
        return token.lower_value if token.type == "ident" else token.lower_name
    return None
