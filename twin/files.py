"""Writing outputs so that a failure never leaves half of them.

Single files (`write_bytes`, `write_text`, `write_parquet`) go to a temporary name in
their folder and are renamed over the target in one step, so a crash or kill never
leaves half a file and never spoils what was there before. A target that is neither a
file nor a folder (`/dev/stdout`, `/dev/null`, a named pipe) is written in place, never
replaced.

A folder of files (a run folder, a report, a calibration) is built whole first, with
`staged_folder`, and only then moved into place:

* a new folder is built in a hidden temporary sibling (`.NAME.twin-XXXXXXXX`, next to
  the first missing folder of its path) and renamed into place in one step: it appears
  complete or not at all;
* an existing folder (a user's `--out`, a run folder getting its report) is never
  replaced, because it may hold files the command does not own: the new files are built
  in a hidden temporary folder inside it and moved in one by one only once all were
  built, subfolders merged, the names in `last` (the file that marks the output as
  complete, e.g. report.html) moved in last. Moving is renaming within one file
  system, which needs no space, so only a disk changing underneath can stop it midway;
  then each file is still whole.

If building fails, the temporary folder is removed and the target is as it was. Nothing
in the target that the command did not write is ever deleted.

Used by every command that writes (run folders, reports, JUnit XML, sweeps,
counterexamples, imports, calibrations, validations)."""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o644  # as an ordinary file: mkstemp's 0600 would hide results from colleagues
STAGING = ".twin-"
"""Prefix of the temporary folders `staged_folder` builds in."""


def write_bytes(path: Path, data: bytes) -> Path:
    return _publish(path, lambda temp: Path(temp).write_bytes(data))


def write_text(path: Path, text: str) -> Path:
    """UTF-8, newlines as given."""
    return write_bytes(path, text.encode("utf-8"))


def write_chunks(path: Path, chunks: Iterable[bytes]) -> Path:
    """Bytes written piece by piece (an output too large to hold whole in memory besides
    what it is made from)."""
    def write(temp: str) -> None:
        with open(temp, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
    return _publish(path, write)


def write_parquet(path: Path, frame) -> Path:
    """A pandas DataFrame, without its index."""
    return _publish(path, lambda temp: frame.to_parquet(temp, index=False))


@contextmanager
def staged_folder(out: str | Path, last: Iterable[str] = ()) -> Iterator[Path]:
    """A temporary folder to write the new contents of `out` into; when the block ends
    without an exception they are published into `out` (see the module docstring), else
    thrown away. `last`: names at the top of `out` to move in after everything else, in
    this order."""
    out, last = Path(out), tuple(last)
    if not out.is_dir() and ".." in out.relative_to(_first_missing(out)).parts:
        out.mkdir(parents=True)  # `new/../x`: where that is, only the system can say once `new` exists
    if out.is_dir():
        staging = _make_folder(out, STAGING)
        built = staging
    else:
        top = _first_missing(out)
        staging = _make_folder(top.parent, f".{top.name}{STAGING}")
        built = staging / out.relative_to(top)
        built.mkdir(parents=True, exist_ok=True)
    try:
        yield built
        if built is staging:
            _move_in(staging, out, last)
        else:
            _rename_into(staging, top, last if top == out else ())
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _first_missing(out: Path) -> Path:
    """The outermost folder of `out`'s path that does not exist yet (`out` itself when
    its parent exists)."""
    top = out
    while not top.parent.exists() and top.parent != top.parent.parent:
        top = top.parent
    return top


def _make_folder(parent: Path, prefix: str) -> Path:
    """A new folder with a random name, with the modes of an ordinary `mkdir` (umask)."""
    while True:
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


def _rename_into(staging: Path, target: Path, last: tuple[str, ...]) -> None:
    """The whole staged folder becomes `target` in one rename; if `target` appeared in the
    meantime, the files are moved into it instead."""
    try:
        os.rename(staging, target)
    except OSError as error:
        if error.errno not in (errno.EEXIST, errno.ENOTEMPTY) or not target.is_dir():
            raise
        _move_in(staging, target, last)


def _move_in(source: Path, target: Path, last: tuple[str, ...]) -> None:
    """Every entry of `source` into `target`: files replace files, folders are merged."""
    entries = sorted(source.iterdir(), key=lambda p: (p.name in last, last.index(p.name) if p.name in last else 0,
                                                      not p.is_dir(), p.name))
    for entry in entries:
        destination = target / entry.name
        if entry.is_dir() and not entry.is_symlink() and destination.is_dir():
            _move_in(entry, destination, ())
        else:
            os.replace(entry, destination)


def _publish(path: Path, write: Callable[[str], object]) -> Path:
    if _special(path):  # /dev/stdout, /dev/null, a named pipe: written in place, never replaced
        write(str(path))
        return path
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        write(temp)
        os.chmod(temp, FILE_MODE)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def _special(path: Path) -> bool:
    """Something that exists and is neither a regular file nor a folder."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)
