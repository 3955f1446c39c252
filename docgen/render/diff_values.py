"""A diff's changed fields as documents show them: whole values, never cut.

A short value reads "old → new"; a long one (an attribute-flow expression) is shown twice,
whole, with the words taken out struck through in the old and the words put in underlined in
the new (readable without colour, in print too); members added to or removed from a list are
said in words ("OU=Sales,DC=contoso,DC=com excluded"). Long tokens get break opportunities at
punctuation so that a narrow column wraps them there, not in the middle of a name.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from docgen.diff.engine import section_diff, show
from docgen.diff.inline import DELETED, INSERTED, word_diff
from docgen.diff.wording import humanise, is_empty, leaf_name, members, words_of
from docgen.render import breaks

# Values longer than this are compared word by word rather than shown "old → new".
LONG = 60


def field_views(section: str, kind: str, fields: list[dict]) -> list[dict[str, Any]]:
    """The fields people read (derived ones only when nothing else changed), each with the
    form it is shown in, as HTML (Markup) and as plain pieces for the Word document:

    - "value" (an added or removed object's field): `value`; `text`
    - "members" (a list's members added or removed): `lines`; `changes`, each
      (INSERTED or DELETED, the member, the words: "excluded", "no longer excluded")
    - "text" (a long value compared word by word): `old`, `new`; `old_runs`, `new_runs`
      (diff.inline's runs: EQUAL and DELETED, EQUAL and INSERTED)
    - "pair" (a short value, "old → new"): `old`, `new`; `old_text`, `new_text`
    """
    labels = section_diff(section).labels
    return [_view(field, kind, labels) for field in shown_fields(fields)]


def shown_fields(fields: list[dict]) -> list[dict]:
    """The fields people read: derived ones only when nothing else changed."""
    return [field for field in fields if not field.get("derived")] or fields


def _view(field: dict, kind: str, labels) -> dict[str, Any]:
    label = field.get("label") or field["path"]
    old, new = field["old"], field["new"]
    if kind in ("added", "removed"):
        value = new if kind == "added" else old
        return {"label": label, "form": "value", "value": readable(value), "text": show(value, None)}
    listed = members(old, new)
    if listed is not None and (listed[0] or listed[1]):
        words = words_of(labels, leaf_name(field["path"]))
        changes = ([(INSERTED, show(m, None), words.added) for m in listed[0]]
                   + [(DELETED, show(m, None), words.removed) for m in listed[1]])
        lines = [Markup("<{0}>{1}</{0}> {2}").format("ins" if change == INSERTED else "del",
                                                     breakable(text), said)
                 for change, text, said in changes]
        return {"label": label, "form": "members", "lines": lines, "changes": changes}
    before, after = show(old, None), show(new, None)
    if not is_empty(old) and not is_empty(new) and max(len(before), len(after)) > LONG:
        old_runs, new_runs = word_diff(before, after)
        return {"label": label, "form": "text", "old": _marked(old_runs), "new": _marked(new_runs),
                "old_runs": old_runs, "new_runs": new_runs}
    return {"label": label, "form": "pair", "old": readable(old), "new": readable(new),
            "old_text": before, "new_text": after}


def _marked(runs: list[tuple[str, str]]) -> Markup:
    parts = []
    for kind, text in runs:
        html = breakable(text)
        if kind == DELETED:
            html = Markup("<del>{}</del>").format(html)
        elif kind == INSERTED:
            html = Markup("<ins>{}</ins>").format(html)
        parts.append(html)
    return Markup("").join(parts)


def breakable(text: str) -> Markup:
    """Escaped text whose long tokens may wrap where the report's do (render/breaks.py), and
    also after an expression's operators and brackets: never in the middle of a word."""
    return Markup(breaks.breakable(str(escape(text)), mark="<wbr>",
                                   separators=breaks.EXPRESSION_SEPARATORS))


def readable(value: Any) -> Markup:
    """A whole value: a list of objects one element a line, an object as 'name: value' pairs
    (empty ones left out)."""
    if isinstance(value, list) and any(isinstance(item, (list, dict)) for item in value):
        return Markup("").join(Markup('<span class="line">{}</span>').format(_inline(item))
                               for item in value)
    return _inline(value)


def _inline(value: Any) -> Markup:
    if isinstance(value, dict):
        return Markup("; ").join(Markup("{}: {}").format(humanise(str(name)), _inline(item))
                                 for name, item in value.items() if not is_empty(item))
    if isinstance(value, list) and any(isinstance(item, (list, dict)) for item in value):
        return Markup(" and ").join(_inline(item) for item in value)
    return breakable(show(value, None))
