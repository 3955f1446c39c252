"""A changed text word by word: what was taken out of the old value and put into the new.

Two attribute-flow expressions that differ in one word look alike when each is cut to its
first sixty characters; marked word by word (difflib), the changed word shows.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

# Words, runs of white space, and each other character on its own: "Left([sAMAccountName], 4)"
# -> "Left", "(", "[", "sAMAccountName", "]", ",", " ", "4", ")".
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
_WORD = re.compile(r"\w")
# at most this many tokens of punctuation or space kept between two changes join them
_STRAY = 2
EQUAL, DELETED, INSERTED = "equal", "deleted", "inserted"
Segments = list[tuple[str, str]]


def word_diff(old: str, new: str) -> tuple[Segments, Segments]:
    """The old text as equal and deleted runs, the new one as equal and inserted runs:
    joined, each gives back its whole text."""
    before, after = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    old_runs: Segments = []
    new_runs: Segments = []
    for operation, i1, i2, j1, j2 in _without_stray_punctuation(matcher.get_opcodes(), before):
        if operation == "equal":
            _append(old_runs, EQUAL, "".join(before[i1:i2]))
            _append(new_runs, EQUAL, "".join(after[j1:j2]))
            continue
        _append(old_runs, DELETED, "".join(before[i1:i2]))
        _append(new_runs, INSERTED, "".join(after[j1:j2]))
    return old_runs, new_runs


def _without_stray_punctuation(opcodes: list, before: list[str]) -> list:
    """A '=' or ',' alone between two changes is part of the change: "OU=Sales,OU=Staff" for
    "CN=Servers,CN=Exchange" is one change, not four marks around kept punctuation."""
    merged: list = []
    for index, (operation, i1, i2, j1, j2) in enumerate(opcodes):
        stray = (operation == "equal" and 0 < index < len(opcodes) - 1 and i2 - i1 <= _STRAY
                 and not any(_WORD.match(token) for token in before[i1:i2]))
        if stray:
            operation = "replace"
        if merged and operation != "equal" and merged[-1][0] != "equal":
            _, m1, _, n1, _ = merged[-1]
            merged[-1] = ("replace", m1, i2, n1, j2)
        else:
            merged.append((operation, i1, i2, j1, j2))
    return merged


def _append(runs: Segments, kind: str, text: str) -> None:
    if not text:
        return
    if runs and runs[-1][0] == kind:
        runs[-1] = (kind, runs[-1][1] + text)
    else:
        runs.append((kind, text))


def around_change(old: str, new: str, context: int = 24) -> tuple[str, str]:
    """Both texts cut to their first change and some words either side ("…= "AAD_" ||…"),
    for a one-line summary: the cut never hides what changed."""
    old_runs, new_runs = word_diff(old, new)
    return _excerpt(old_runs, DELETED, context), _excerpt(new_runs, INSERTED, context)


def _excerpt(runs: Segments, changed: str, context: int) -> str:
    text = "".join(part for _, part in runs)
    start = end = None
    position = 0
    for kind, part in runs:
        if kind == changed and start is None:
            start, end = position, position + len(part)
        position += len(part)
    if start is None or end is None:  # nothing of this side changed: the other side's cut
        start = end = _first_difference(runs)
    begin, stop = max(0, start - context), min(len(text), end + context)
    return ("…" if begin else "") + text[begin:stop] + ("…" if stop < len(text) else "")


def _first_difference(runs: Segments) -> int:
    return len(runs[0][1]) if runs and runs[0][0] == EQUAL else 0
