"""Shared fixtures: real sample files, the CLI driven in-process, one PDF per session."""

from __future__ import annotations

import contextlib
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import cli

# The loopback DNS server fixtures, for every test module that names them.
pytest_plugins = ["support.dns_fixtures"]

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "docgen" / "samples"
EXCHANGE_SAMPLES = SAMPLES / "exchange"
TEST_DATA = REPO / "tests" / "data"


def invoke(*args):
    """Run `docgen ...` in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(cli, [str(arg) for arg in args], prog_name="docgen",
                              catch_exceptions=False)


@pytest.fixture
def run_cli():
    return invoke


@pytest.fixture
def exchange_sample(tmp_path):
    """Copy one Exchange sample into tmp_path, so tests may change it."""
    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copyfile(EXCHANGE_SAMPLES / name, target)
        return target
    return copy


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """`docgen demo --format html` once per session: tests read its bundle and HTML."""
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "-o", str(out), "--format", "html"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def demo_pdf_dir(tmp_path_factory) -> Path:
    """The whole `docgen demo`, PDF included, for the (slow) tests that read the PDF."""
    out = tmp_path_factory.mktemp("demo-pdf")
    result = CliRunner().invoke(cli, ["demo", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def without_progress(stderr: str) -> str:
    """stderr without the stage lines long commands print when not on a terminal
    ("docgen build: importing raw/ ...")."""
    return "".join(line for line in stderr.splitlines(keepends=True)
                   if not re.match(r"docgen (build|demo|render|batch): ", line))


@contextlib.contextmanager
def interrupted_move(monkeypatch, number: int):
    """Ctrl-C as docgen moves its `number`-th output into place (docgen.core.atomic's
    os.replace), for as long as the block runs; yields the names moved, in order."""
    import docgen.core.atomic

    replace, moves = docgen.core.atomic.os.replace, []

    def interrupted(source, target):
        moves.append(Path(target).name)
        if len(moves) == number:
            raise KeyboardInterrupt
        return replace(source, target)

    monkeypatch.setattr(docgen.core.atomic.os, "replace", interrupted)
    try:
        yield moves
    finally:
        monkeypatch.setattr(docgen.core.atomic.os, "replace", replace)
