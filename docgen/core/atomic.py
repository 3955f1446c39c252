"""Whole files or none: every output is written to a temporary file and renamed; the outputs
of one run land together (write_together)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from docgen.core.errors import DocgenError


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half."""
    path = Path(path)
    if path.is_dir():
        raise DocgenError("is a folder; give a file name", source=str(path))
    _make_folder(path.parent)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes 0600 files; give the result the permissions a plain open() would.
        os.chmod(temporary, 0o666 & ~_current_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_all_atomic(files: dict[Path, bytes]) -> None:
    """Write several finished outputs; each one lands whole (all were rendered before)."""
    for path, data in files.items():
        write_atomic(path, data)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


STAGING_PREFIX = ".docgen-staging-"


def write_together(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write several outputs of one run into `folder` so that they land together or not at all.

    Each is written (and flushed to disk) into a hidden folder beside its destination, then
    every one is renamed into place; if a rename fails or the run is interrupted while
    they are moved, the files already moved are put back as they were. The hidden folder
    never outlives the call. A bundle and the documents made from it so never disagree.
    """
    folder = Path(folder)
    _make_folder(folder)
    try:
        staging = Path(tempfile.mkdtemp(dir=folder, prefix=STAGING_PREFIX))
        try:
            for name, data in files.items():
                _write_file(staging / name, data)
            _move_in(staging, folder, list(files))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:   # a full disk, a read-only folder: nothing was changed
        raise DocgenError(f"cannot write the outputs ({exc.strerror or exc}); nothing was "
                          "changed", source=str(folder)) from None
    return [folder / name for name in files]


def _make_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise DocgenError("is a file; give a folder", source=str(folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise DocgenError("cannot create the folder: a part of its path is a file",
                          source=str(folder)) from None
    except OSError as exc:
        raise DocgenError(f"cannot create the folder ({exc.strerror or exc})",
                          source=str(folder)) from None


def _write_file(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _move_in(staging: Path, folder: Path, names: list[str]) -> None:
    """Rename each staged file over its destination, keeping the old one (a hard link in
    the staging folder) until all are in place, to put back if any move fails."""
    kept = staging / ".previous"
    kept.mkdir()
    for name in names:
        if (folder / name).exists():
            _keep(folder / name, kept / name)
    moved: list[str] = []
    try:
        for name in names:
            os.replace(staging / name, folder / name)
            moved.append(name)
    except BaseException:
        for name in reversed(moved):
            if (kept / name).exists():
                os.replace(kept / name, folder / name)
            else:
                (folder / name).unlink(missing_ok=True)
        raise


def _keep(path: Path, copy: Path) -> None:
    try:
        os.link(path, copy)        # instant, and the same bytes whatever happens to `path`
    except OSError:
        shutil.copy2(path, copy)   # file systems without hard links
