"""Reading raw input files and recording what was read (name, size, SHA-256)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from docgen.core.errors import InputError, cannot_read
from docgen.core.limits import INPUT_FILE

T = TypeVar("T")


def read_input(path: Path, section: str, name: str | None = None) -> tuple[bytes, dict]:
    """Read a raw file whole; return its bytes and its `inputs` record for the bundle.

    `name` is what the bundle calls the file (default: the file name, so a bundle
    does not carry the consultant's local folders). A file larger than the input
    limit (docgen.core.limits) is refused before it is read.
    """
    try:
        data = _read_whole(path)
    except IsADirectoryError:
        raise InputError("is a folder, not a file", source=str(path)) from None
    except OSError as exc:
        raise InputError(cannot_read(exc), source=str(path)) from None
    record = {
        "name": name or path.name,
        "section": section,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    return data, record


def _read_whole(path: Path) -> bytes:
    """The file's bytes, refused (InputError) when it is larger than the input limit.

    os.open and os.read, not path.open(): an import reads a thousand small files, and
    a buffered file object for each cost more than reading them.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        size = os.fstat(fd).st_size
        too_large = INPUT_FILE.exceeded(size)
        if too_large:
            raise InputError(too_large, source=str(path))
        # Asked for one byte more than its size, a file that gives exactly its size is
        # whole; one that grew or reports no size (/proc) is read on to its end.
        data = os.read(fd, size + 1)
        if len(data) == size:
            return data
        chunks = [data]
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def skipped_record(path: Path, name: str, reason: str) -> dict:
    """What the bundle records of an input it does not use: its name, size and SHA-256
    (hashed in chunks, whatever its size), or None for those of a folder or an unreadable file."""
    if path.is_dir():
        return {"name": name, "size": None, "sha256": None, "reason": f"{reason} (a folder)"}
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        return {"name": name, "size": None, "sha256": None, "reason": f"{reason}; {cannot_read(exc)}"}
    return {"name": name, "size": size, "sha256": digest.hexdigest(), "reason": reason}


def read_each(paths: list[Path], section: str, parse: Callable[[bytes, str], T],
              errors: list, inputs: list[dict]) -> Iterator[tuple[T, dict]]:
    """Each file read (its record added to `inputs`) and parsed; a file that cannot be read or
    parsed is an error of its own in `errors`, and the others are still read."""
    for path in paths:
        try:
            data, record = read_input(path, section)
            inputs.append(record)
            parsed = parse(data, record["name"])
        except InputError as exc:
            errors.append(exc)
            continue
        yield parsed, record
