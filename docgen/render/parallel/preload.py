"""Imported once by the server the rendering processes are forked from, so each starts
with WeasyPrint loaded.

multiprocessing's forkserver imports its preload modules by name and passes over an
ImportError only; without Pango, importing WeasyPrint raises OSError, which would end
the server with a traceback. Imported through here, the server stays up, and each
rendering process reports the missing library in one line (worker.render).
"""

import contextlib

with contextlib.suppress(OSError):
    import weasyprint  # noqa: F401
