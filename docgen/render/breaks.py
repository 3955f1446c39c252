"""Where long tokens (domain names, DNs, identifiers, keys) may wrap, in the PDF and the HTML."""

from __future__ import annotations

import re
import unicodedata

# Long tokens (a 4 KB TXT record, a key, a DN, a domain name) must wrap inside the page,
# and only where a reader expects a name to wrap. Browsers would use CSS overflow-wrap:
# anywhere, but that cuts names that fit ("contoso.co m": it lets a column shrink to one
# letter), and WeasyPrint computes a cell's minimum width under it one character at a
# time (quadratic: a 4 KB token took 34 s). So every run of at least MIN_RUN characters
# gets break opportunities: in the PDF's HTML BREAK, a zero-width space (WeasyPrint
# overlooks a <wbr> inside a link when it sizes a column; the text layer leaves it out), in
# the HTML document <wbr> (a browser's copy of a name leaves it out, not so a zero-width space):
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
NAME_SEPARATORS = frozenset("._/\\,;:@")
# An expression (a sync rule's attribute flow) may also wrap after its operators and brackets;
# "&amp;" is how an escaped & reaches here, one unit.
EXPRESSION_SEPARATORS = NAME_SEPARATORS | frozenset(["=", "|", "(", ")", "[", "]", "{", "}", "&amp;"])
_PIECES = re.compile(r"(<[^>]*>)")
_RUN = re.compile(r"(?:[^\s<>&]|&#?\w+;){%d,}" % MIN_RUN)
_UNIT = re.compile(r"&#?\w+;|.", re.DOTALL)
_VERBATIM = re.compile(r"<(/?)(style|title|svg|script|textarea|h[1-6])\b", re.IGNORECASE)


def breakable(html: str, mark: str = BREAK, separators: frozenset[str] = NAME_SEPARATORS) -> str:
    """`html` with `mark` in every long run of text (not in tags, CSS, titles, headings,
    which wrap as blocks and name the bookmarks, or SVG). The PDF takes BREAK; a browser
    takes "<wbr>", which copying a name leaves out. `separators`: the characters a line
    may break after (EXPRESSION_SEPARATORS for attribute-flow expressions)."""
    pieces = _PIECES.split(html)
    verbatim = 0
    for index, piece in enumerate(pieces):
        if index % 2:  # a tag
            tag = _VERBATIM.match(piece)
            if tag:
                verbatim = max(0, verbatim + (-1 if tag.group(1) else 1))
        elif not verbatim and len(piece) >= MIN_RUN:
            pieces[index] = _RUN.sub(lambda match: _with_breaks(match, mark, separators), piece)
    return "".join(pieces)


def _with_breaks(match: re.Match, mark: str, separators: frozenset[str]) -> str:
    units = _UNIT.findall(match.group())
    out, since = [units[0]], 1
    for position in range(1, len(units)):
        if _break_before(units, position, since, separators):
            out.append(mark)
            since = 0
        elif units[position - 1] == "-" and not units[position].isdigit():
            since = 0  # a line may break after a hyphen (not before a number: -1)
        out.append(units[position])
        since += 1
    return "".join(out)


def _break_before(units: list[str], position: int, since: int, separators: frozenset[str]) -> bool:
    """Whether a line may break before units[position], `since` units after the last break."""
    before, unit = units[position - 1], units[position]
    if _joins(unit) or before == "\u200d":
        # never between a character and what combines with it (accents, ZWJ, selectors)
        return False
    if before in separators:
        # after the last of a row of separators, not after a leading one (_dmarc), and not
        # inside a number (10.1.0.21, 4,294)
        in_number = position >= 2 and units[position - 2].isdigit() and unit.isdigit()
        return position >= 2 and unit not in separators and not in_number
    if since >= CAMEL_PIECE and before.isalpha() and before.islower() and unit.isupper():
        return True
    if before == "-" and unit.isdigit() and "." in units[position - since:position]:
        return True  # 0.0.0.0-|255.255.255.255 (a line breaks after no hyphen before a digit)
    if (before == "-" and unit.isdigit() and since >= CAMEL_PIECE
            and any(u.isalpha() for u in units[position - since:position])):
        return True  # a GUID's groups: a1f3c2d4-|0005-4b5c-|8d9e-... (a date stays whole)
    return since >= HARD_BREAK and unit not in separators


def _joins(unit: str) -> bool:
    return len(unit) == 1 and (unicodedata.category(unit) in ("Mn", "Me", "Mc", "Cf")
                               or 0xFE00 <= ord(unit) <= 0xFE0F or ord(unit) >= 0xE0100)


