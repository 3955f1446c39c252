"""Progress on stderr for long work, only when stderr is a terminal."""

from __future__ import annotations

import contextlib
import sys

from rich.console import Console


@contextlib.contextmanager
def status(message: str):
    """A spinner with `message` while the block runs; silent when not a terminal."""
    if not sys.stderr.isatty():
        yield
        return
    with Console(stderr=True).status(message):
        yield
