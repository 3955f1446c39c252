"""The wheel carries everything an installed docgen needs outside the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow   # builds a wheel


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out),
                    str(REPO)], check=True, capture_output=True)
    (wheel,) = out.glob("docgen-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.parametrize("path", [
    "docgen/bundle/bundle.base.schema.json",
    "docgen/areas/exchange_certificates/schema.json",
    "docgen/py.typed",
    "docgen/checks/rules.toml",
    "docgen/templates/report.html.j2",
    "docgen/templates/css/print.css",
    "docgen/templates/assets/fonts/DejaVuSans.ttf",
    "docgen/templates/assets/fonts/LICENSE-DejaVu.txt",
    "docgen/collectors/Export-ExchangeCertificates.ps1",
    "docgen/collectors/README.md",
    "docgen/samples/exchange/contoso-exchange-certs.json",
])
def test_wheel_contains(wheel_names, path):
    assert path in wheel_names


def test_every_template_and_collector_is_in_the_wheel(wheel_names):
    for folder in ("templates", "collectors", "samples"):
        for path in (REPO / "docgen" / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert path.relative_to(REPO).as_posix() in wheel_names, path
