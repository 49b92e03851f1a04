"""Writing output files atomically: each file goes to a temporary name in its folder and is
renamed over the target in one step, so a crash or kill never leaves half a file and
never spoils what was there before. Used by every command that writes (run folders,
reports, JUnit XML, sweeps, counterexamples)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

FILE_MODE = 0o644  # as an ordinary file: mkstemp's 0600 would hide results from colleagues


def write_bytes(path: Path, data: bytes) -> Path:
    return _publish(path, lambda temp: Path(temp).write_bytes(data))


def write_text(path: Path, text: str) -> Path:
    """UTF-8, newlines as given."""
    return write_bytes(path, text.encode("utf-8"))


def write_parquet(path: Path, frame) -> Path:
    """A pandas DataFrame, without its index."""
    return _publish(path, lambda temp: frame.to_parquet(temp, index=False))


def _publish(path: Path, write: Callable[[str], object]) -> Path:
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
