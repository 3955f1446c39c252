"""`docgen --help` and `--version` load none of the heavy libraries: each command imports
what it uses when it runs (issue: fast where people wait; timings in bench/startup_bench.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("weasyprint", "pandas", "openpyxl", "checkdmarc", "jsonschema", "jsonschema_rs", "docx", "resvg_py",
         "pikepdf", "pypdf", "lxml", "dns", "cryptography", "jinja2", "rich")
PROBE = """
import sys
from docgen.cli import main
sys.argv = ["docgen", *{args!r}]
try:
    main()
except SystemExit:
    pass
print("LOADED:" + ",".join(name for name in {heavy!r} if name in sys.modules))
"""


@pytest.mark.parametrize("args", [[], ["--help"], ["--version"], ["render", "--help"],
                                  ["collect", "dns", "--help"], ["batch", "--help"],
                                  ["baseline", "accept", "--help"]])
def test_the_cli_starts_without_heavy_imports(args):
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.rsplit("LOADED:", 1)[1].strip()
    assert loaded == "", f"docgen {' '.join(args)} imported {loaded}"


def test_the_probe_sees_a_heavy_import():
    script = "import sys, jinja2\nprint(','.join(n for n in ('jinja2',) if n in sys.modules))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "jinja2"
