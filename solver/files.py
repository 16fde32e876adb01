"""Files in and out: an input read or named as unreadable; every file of one output
written whole, or none of them."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Mapping
from pathlib import Path

from solver.problems import Problem


def read_text(path: Path, source: str, save_as: str) -> tuple[str | None, list[Problem]]:
    """The file as UTF-8 text (a BOM is fine), or the one problem that keeps it from being
    read, named as `source` and telling the user to save it `save_as` (how their
    program names UTF-8: Excel's "CSV UTF-8")."""
    data, problems = read_bytes(path, source)
    if data is None:
        return None, problems
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem(source, f"the file is UTF-16 text; save it as {save_as}")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex()
        message = f"the file is not UTF-8 text; save it as {save_as}"
        return None, [Problem(source, message, row=row, value=f"byte 0x{byte}")]


def read_bytes(path: Path, source: str | None = None) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes, or the problem that keeps them from being read (a file the
    user may not read, or one taken away since the folder was listed), named as
    `source` or by the file's name."""
    try:
        return path.read_bytes(), []
    except OSError as error:
        message = f"the file cannot be read ({error.strerror or error})"
        return None, [Problem(source or path.name, message)]


def write_whole(files: Mapping[Path, str | bytes]) -> None:
    """Write each file's content (text as UTF-8, newlines as given) completely, or leave
    every file as it was and raise `OSError`.

    Each file is written beside its place first and moved in only once all are written:
    a full disk, a read-only folder or a folder in the way of one file (a user's
    `changes.csv/` beside `schedule.json`) then leaves no partial file and no mix of
    old and new files, where before the files before it were replaced and a
    `.partial` file stayed behind.
    """
    for path in files:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        folder = next(parent for parent in path.parents if parent.exists())
        if not folder.is_dir():  # else making the folders says "File exists"
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
    partials = {path: path.with_name(f".{path.name}.partial") for path in files}
    try:
        for path, content in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else content
            partials[path].write_bytes(data)
    except BaseException:
        for partial in partials.values():
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
        raise
    for path, partial in partials.items():
        partial.replace(path)
