"""Reusing the facts of a sync rule's blocks that an earlier rule file held byte for byte.

Azure AD Connect writes the same default rules once per AD connector: in a
multi-forest export many rule files differ only in their id, name and precedence,
written first, while their attribute mappings, join and scoping conditions, written
last, are the same bytes. Turning those blocks into facts costs more than parsing
them (an lxml element object and strings for every child), so an import turns
each distinct tail of a rule file into facts once and gives every later rule file
ending in the same bytes the same (read-only) facts.

The tail is the file from the first start tag of a block to the end. Equal tails
hold equal blocks only where nothing before the tail changes what is in it, so a
file's tail is used only when:

- the file starts with its root element (`<` and a letter): no XML declaration
  that could name another encoding, no BOM, so it is UTF-8 and bytes are characters;
- no block's start tag occurs before the tail: each of those elements is inside it;
- the head before the tail holds no `<!` (comment, CDATA, DOCTYPE) and no `<?`
  (processing instruction), so the tail's first tag is a tag and not inside one of
  them, and no `xmlns`: no namespace declared before the tail renames what is in it.

How deep a block sits (the rule reads only the root's children) is fixed by the
end tags in the tail, which must match the elements open where it starts. The
facts are kept only when computing them met no problem: a problem names a line,
which differs between files. Any other file is read from its elements as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# The root's children whose facts a tail carries (parse_sync_rule's blocks).
BLOCK_TAGS = (b"<attribute-mappings", b"<relationshipCriteria", b"<synchronizationCriteria")
# Anything in the head that could change what the tail's bytes mean.
_HEAD_MARKERS = (b"<!", b"<?", b"xmlns")


class SharedBlocks:
    """The blocks' facts of every rule file read so far in one import, by the file's tail."""

    def __init__(self) -> None:
        self._facts: dict[bytes, object] = {}

    def of_file(self, data: bytes) -> FileBlocks | None:
        """Lookups for one file, or None when its tail may not be reused (see above)."""
        tail = reusable_tail(data)
        return None if tail is None else FileBlocks(self._facts, tail)


class FileBlocks:
    """One rule file's tail, looked up in (and added to) its import's shared facts."""

    __slots__ = ("_facts", "_tail")

    def __init__(self, facts: dict[bytes, object], tail: bytes) -> None:
        self._facts = facts
        self._tail = tail

    def facts(self, compute: Callable[[], T], problems: list) -> T:
        """What `compute` reads from the blocks' elements, or what it read from an
        earlier file with the same tail. `compute` appends any problem to `problems`."""
        if self._tail in self._facts:
            return self._facts[self._tail]  # type: ignore[return-value]
        before = len(problems)
        found = compute()
        if len(problems) == before:
            self._facts[self._tail] = found
        return found


def reusable_tail(data: bytes) -> bytes | None:
    """The file from the first block's start tag to the end, when it alone fixes the blocks."""
    if data[:1] != b"<" or not data[1:2].isalpha():
        return None
    anchor = -1
    for tag in BLOCK_TAGS:  # each search stops where an earlier block starts
        at = data.find(tag, 0, len(data) if anchor < 0 else anchor)
        if at >= 0:
            anchor = at
    if anchor < 0:
        return None
    if any(data.find(marker, 0, anchor) >= 0 for marker in _HEAD_MARKERS):
        return None
    return data[anchor:]
