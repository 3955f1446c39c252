"""JSON text to Python data, for every JSON docgen reads (exports and bundles)."""

from __future__ import annotations

import json
import re
from typing import Any

# JSON may spell half of a UTF-16 surrogate pair (\ud800 with no partner): Python's
# json reads it as a lone surrogate, which no UTF-8 writer accepts, so a bundle holding
# one could not be written (nor a diff). Such a half is read as U+FFFD.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def loads(text: str) -> Any:
    """json.loads, with unpaired surrogate escapes read as U+FFFD (json's errors pass)."""
    data = json.loads(text)
    if _SURROGATE_ESCAPE.search(text):
        data = _without_lone_surrogates(data)
    return data


def _without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub(REPLACEMENT, value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item)
                for key, item in value.items()}
    return value
