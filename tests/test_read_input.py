"""read_input: a raw file read whole, with its record; a folder or a missing file is one clear error."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from docgen.core.errors import InputError
from docgen.readers.inputs import read_input


def test_a_file_is_read_whole_and_recorded(tmp_path):
    path = tmp_path / "a.xml"
    path.write_bytes(b"<a>" + b"x" * 200_000 + b"</a>")
    data, record = read_input(path, "s", name="sub/a.xml")
    assert data == path.read_bytes()
    assert record == {"name": "sub/a.xml", "section": "s", "size": len(data),
                      "sha256": hashlib.sha256(data).hexdigest()}


def test_an_empty_file_is_empty_bytes(tmp_path):
    (tmp_path / "e.xml").write_bytes(b"")
    assert read_input(tmp_path / "e.xml", "s")[0] == b""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_file_that_reports_no_size_is_still_read_to_its_end():
    data, record = read_input(Path("/proc/self/status"), "s")
    assert data.startswith(b"Name:") and b"\nPid:" in data and record["size"] == len(data)


def test_a_folder_or_a_missing_file_is_one_error(tmp_path):
    with pytest.raises(InputError, match="is a folder, not a file"):
        read_input(tmp_path, "s")
    with pytest.raises(InputError, match=r"cannot read \(No such file or directory\)"):
        read_input(tmp_path / "missing.xml", "s")
