"""Hardened XML reading for customer exports, and small element helpers.

Customer XML may be hostile. Every document goes through two lxml passes:

1. a prolog pass that feeds the first few kilobytes to a parser whose target
   stops at the DOCTYPE (refused) or at the root element (fine). It needs no
   more than the prolog, so it costs microseconds even on a 2 MB file, and it
   sees the DOCTYPE before libxml2 looks at any entity declaration;
2. the real parse with entity expansion, DTD loading and network off, from
   bytes so that BOMs and UTF-16 encoding declarations are honoured.

Refusing every DOCTYPE matters because libxml2 still expands internal entities
inside attribute values when `resolve_entities=False`; a
`Get-ADSyncServerConfiguration` export never has one.
"""

from __future__ import annotations

import re

from lxml import etree

from docgen.core.errors import InputError

_PROLOG_CHUNK = 4096
# lxml appends ", line N, column M" to its messages; the line goes in `where`.
_POSITION_SUFFIX = re.compile(r",? line \d+, column \d+$")


class _Stop(Exception):
    """Raised by the prolog target to end the prolog pass early."""

    def __init__(self, found_doctype: bool):
        super().__init__()
        self.found_doctype = found_doctype


class _PrologTarget:
    """A parser target that only wants to know what comes first: a DOCTYPE or the root."""

    def doctype(self, name, public_id, system_url):
        raise _Stop(found_doctype=True)

    def start(self, tag, attrib, nsmap=None):
        raise _Stop(found_doctype=False)

    def end(self, tag):
        pass

    def data(self, data):
        pass

    def comment(self, text):
        pass

    def pi(self, target, data=None):
        pass

    def close(self):
        return None


def _hardened_parser(**extra) -> etree.XMLParser:
    # collect_ids: no table of xml:id values, which nothing here looks up
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, collect_ids=False, **extra)


class XmlReader:
    """Parses customer documents one after another, reusing its two lxml parsers.

    lxml inspects a parser target's methods whenever a parser is built for it;
    over a thousand rule files that costs more than the prolog pass itself.

    `blank_text=False` leaves out the whitespace between elements (libxml2's
    remove_blank_text: text that is only whitespace, where an element has element
    children), which saves its text nodes: for readers that strip every text
    they read, as the Azure AD Connect one does, the facts are the same.
    """

    def __init__(self, *, blank_text: bool = True) -> None:
        self._prolog = _hardened_parser(target=_PrologTarget())
        self._parser = _hardened_parser(remove_blank_text=not blank_text)

    def parse(self, data: bytes, source: str) -> etree._Element:
        """The root element, or an InputError naming the file and the line."""
        if not data or data.isspace():  # not data.strip(): that copies the whole file
            raise InputError("the file is empty", source=source)
        try:
            if not _starts_with_element(data):
                self._refuse_doctype(data, source)
            root = etree.fromstring(data, self._parser)
        except etree.XMLSyntaxError as exc:
            raise InputError(f"not well-formed XML ({_lxml_message(exc)})", source=source,
                             where=f"line {exc.lineno}" if exc.lineno else "") from None
        docinfo = root.getroottree().docinfo
        if docinfo.internalDTD is not None or docinfo.doctype:
            # The prolog pass should have caught it; refuse rather than trust one check.
            raise _doctype_error(source)
        return root

    def _refuse_doctype(self, data: bytes, source: str) -> None:
        try:
            for start in range(0, len(data), _PROLOG_CHUNK):
                self._prolog.feed(data[start:start + _PROLOG_CHUNK])
            self._prolog.close()
        except _Stop as stop:
            if stop.found_doctype:
                raise _doctype_error(source) from None
        except etree.XMLSyntaxError:
            # A fresh prolog parser for the next document; the full parse reports this one.
            self._prolog = _hardened_parser(target=_PrologTarget())
            raise


def _starts_with_element(data: bytes) -> bool:
    """True when the document's first bytes are its root's start tag ('<' and a letter).

    Then there is no BOM and no XML declaration, so libxml2 reads UTF-8, and nothing
    can come before the root: a DOCTYPE after it is not well-formed. The prolog pass
    has nothing to look at (it would stop at the first tag); it runs for every other
    start, such as a declaration or UTF-16.
    """
    return data[:1] == b"<" and data[1:2].isalpha()


def parse_xml(data: bytes, source: str) -> etree._Element:
    """One document through a fresh XmlReader."""
    return XmlReader().parse(data, source)


def _doctype_error(source: str) -> InputError:
    return InputError("refused: the document declares a DOCTYPE (DTDs and entities are never "
                      "read from an export)", source=source, where="DOCTYPE")


def _lxml_message(exc: etree.XMLSyntaxError) -> str:
    return _POSITION_SUFFIX.sub("", str(exc.msg or exc)).strip() or "unreadable"


def text(element: etree._Element | None, path: str) -> str | None:
    """Stripped text at `path` under `element`; None when the element is absent.

    An element that is present but empty gives "" so that "not exported" and
    "exported empty" stay different facts.
    """
    if element is None:
        return None
    found = element.find(path)
    if found is None:
        return None
    return (found.text or "").strip()


class Fields:
    """An element's direct children by tag (the first of each), found in one pass.

    A find() per field costs more than the parse itself once there are a thousand
    rules of twenty flows each; one walk over the children does not.
    """

    __slots__ = ("children",)

    def __init__(self, element: etree._Element | None):
        self.children: dict[str, etree._Element] = {}
        for child in element if element is not None else ():
            if isinstance(child.tag, str):  # comments and PIs have no string tag
                self.children.setdefault(child.tag, child)

    def get(self, tag: str) -> etree._Element | None:
        return self.children.get(tag)

    def text(self, tag: str) -> str | None:
        """Like text(): None when absent, "" when present but empty."""
        child = self.children.get(tag)
        return None if child is None else (child.text or "").strip()


def texts(element: etree._Element | None, path: str) -> list[str]:
    """The non-empty stripped texts of every element at `path`."""
    if element is None:
        return []
    return [value for value in ((found.text or "").strip() for found in element.iterfind(path))
            if value]


def guid_key(value: str | None) -> str | None:
    """'{AE4DB4CC-...}' and '{ae4db4cc-...}' -> 'ae4db4cc-...': the bundle's one GUID form."""
    if value is None:
        return None
    stripped = value.strip().strip("{}").strip().lower()
    return stripped or None


def describe(element: etree._Element) -> str:
    """Where an element sits, for error messages: 'line 12 (<precedence>)'."""
    line = f"line {element.sourceline}" if element.sourceline else ""
    return f"{line} (<{element.tag}>)".strip()
