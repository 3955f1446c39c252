"""Every input the fuzzers (bench/fuzz/) found crashing a reader, kept as a regression test.

Each file under tests/fuzz_regressions/<target>/ must now give data or docgen's own error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from docgen.core.errors import DocgenError

FOLDER = Path(__file__).resolve().parent / "fuzz_regressions"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "fuzz"))
from harnesses import TARGETS  # noqa: E402

CASES = sorted(path for path in FOLDER.rglob("*") if path.is_file())


def test_there_are_regression_inputs():
    assert CASES, "no fuzz regression inputs found"


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_crashing_input_is_now_handled(path):
    target = TARGETS[path.parent.name][0]
    try:
        target(path.read_bytes())
    except DocgenError as error:
        assert str(error)
