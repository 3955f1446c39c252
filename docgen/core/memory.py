"""Pausing Python's cyclic garbage collector around work that only builds data."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off; its state is restored afterwards.

    Work that allocates hundreds of thousands of dicts and lists and keeps them
    (an import's facts) or that allocates many short-lived ones while a large
    bundle is alive (validation) sets the collector off again and again, and each
    of its full passes walks every object alive. Reference counting frees what
    such work drops; the few cycles it may leave are collected once the collector
    is back on. A DNS run pauses it the same way (app/collect_dns.py).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
