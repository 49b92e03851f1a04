"""Output locations, checked before a command does any work, so that a place it cannot
write to is a one-line error (exit code 2) at once, not a traceback after the work.

A folder output (`--out DIR`) is an existing folder we may write into and search, or a
path we can create: its nearest existing folder is one we may write into and search.
The names the command writes inside it (`files`, `folders`: paths relative to it) must
not be in the way: a file name taken by a folder or by something that is not a regular
file, a folder name taken by a file. A file output (`--junit FILE`) is not a folder, is
writable when it exists, and its folder takes new files (a device or a named pipe such
as /dev/stdout is written in place and only needs to be writable). The empty string is
refused (it would mean the working folder).

Permissions are asked with `os.access`, so they are the real user's; root passes them
all, except on a read-only file system. What changes after the check (a disk filling up
or unmounted during a long run) is not foreseen here; the writers stay atomic
(`twin/files.py`)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from twin.errors import InputError

ACCESS_LOG = "access.log"
"""In a run folder, with `twin run --access-log`."""


def folder_output(flag: str, text: str, files: Iterable[str] = (), folders: Iterable[str] = ()) -> Path:
    """`text` as a folder the command can write `files` and `folders` into (see above)."""
    if text == "":
        raise InputError(flag, "", "expected a folder name, got an empty string")
    path = Path(text)
    found = _stat(flag, text, path)
    if found is None:
        _nearest_folder(flag, text, path.parent, "create")
        return path
    if not stat.S_ISDIR(found.st_mode):
        raise InputError(flag, "", f"expected a directory, got the file {text!r}")
    if not _can_write(path):
        raise InputError(flag, "", f"cannot write into {text!r}: {_denied(path)}")
    _entries(flag, path, files, folders)
    return path


def file_output(flag: str, text: str) -> Path:
    """`text` as a file the command can write (or replace) in one piece."""
    if text == "":
        raise InputError(flag, "", "expected a file name, got an empty string")
    if text.endswith(("/", os.sep)):
        raise InputError(flag, "", f"expected a file name, got the folder name {text!r}")
    path = Path(text)
    found = _stat(flag, text, path)
    if found is not None:
        if stat.S_ISDIR(found.st_mode):
            raise InputError(flag, "", f"expected a file name, got the directory {text!r}")
        if not os.access(path, os.W_OK):
            raise InputError(flag, "", f"cannot overwrite {text!r}: {_denied(path)}")
        if not stat.S_ISREG(found.st_mode):
            return path  # /dev/stdout, a named pipe: written in place (`twin.files`)
    _nearest_folder(flag, text, path.parent, "write")
    return path


def run_folder_output(flag: str, text: str, report: bool = False, metrics: bool = False,
                      access_log: bool = False) -> Path:
    """A run folder for `twin run` (with its report, scrapes, access log when asked)."""
    from twin.report.run_outputs import RUN_FILES, RUN_FOLDERS  # (pandas and matplotlib: imported when used)
    from twin.report.run_report import REPORT_FILES, REPORT_FOLDERS

    files = [*RUN_FILES, *([ACCESS_LOG] if access_log else []), *(REPORT_FILES if report else [])]
    folders = [*(RUN_FOLDERS if metrics else []), *(REPORT_FOLDERS if report else [])]
    return folder_output(flag, text, files, folders)


def report_folder(text: str) -> Path:
    """A run folder `twin report` can read and write its report into. Errors name the
    folder, as the run folder's own errors do."""
    from twin.report.run_folder import check_run_folder
    from twin.report.run_report import REPORT_FILES, REPORT_FOLDERS

    if text == "":
        raise InputError("twin report", "", "expected a run folder, got an empty string")
    path = Path(text)
    found = _stat(text, text, path)
    if found is not None and stat.S_ISDIR(found.st_mode) and not os.access(path, os.R_OK | os.X_OK):
        raise InputError(text, "", "cannot read the run folder: permission denied")
    check_run_folder(path)
    if not _can_write(path):
        raise InputError(text, "", f"cannot write the report into it: {_denied(path)}")
    _entries(text, path, REPORT_FILES, REPORT_FOLDERS)
    return path


def _entries(flag: str, folder: Path, files: Iterable[str], folders: Iterable[str]) -> None:
    for name in folders:
        found = _stat(flag, str(folder / name), folder / name)
        if found is not None and not stat.S_ISDIR(found.st_mode):
            raise InputError(flag, "", f"expected {name!r} in {str(folder)!r} to be a folder, got a file")
        if found is not None and not _can_write(folder / name):
            raise InputError(flag, "", f"cannot write into {str(folder / name)!r}: {_denied(folder / name)}")
    for name in files:
        found = _stat(flag, str(folder / name), folder / name)
        if found is not None and stat.S_ISDIR(found.st_mode):
            raise InputError(flag, "", f"expected {name!r} in {str(folder)!r} to be a file, got a directory")
        if found is not None and not stat.S_ISREG(found.st_mode):
            raise InputError(flag, "", f"expected {name!r} in {str(folder)!r} to be a regular file")


def _nearest_folder(flag: str, text: str, start: Path, verb: str) -> None:
    """The nearest existing folder of `start` (itself or an ancestor) takes new entries."""
    for folder in (start, *start.parents):
        found = _stat(flag, text, folder)
        if found is None:
            continue
        if not stat.S_ISDIR(found.st_mode):
            raise InputError(flag, "", f"cannot {verb} {text!r}: {str(folder)!r} is a file, not a folder")
        if not _can_write(folder):
            raise InputError(flag, "", f"cannot {verb} {text!r}: {_denied(folder)} in {str(folder)!r}")
        return


def _stat(flag: str, text: str, path: Path) -> os.stat_result | None:
    """`path`'s status (links followed), None when nothing is there."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        if os.path.lexists(path):
            raise InputError(flag, "", f"cannot use {text!r}: {str(path)!r} is a broken symbolic link") from None
        return None
    except PermissionError:
        raise InputError(flag, "", f"cannot reach {text!r}: permission denied") from None
    except (OSError, ValueError) as error:
        raise InputError(flag, "", f"cannot use {text!r}: {getattr(error, 'strerror', None) or error}") from None


def _can_write(folder: Path) -> bool:
    """New entries can be made in `folder` (write and search permission)."""
    return os.access(folder, os.W_OK | os.X_OK)


def _denied(path: Path) -> str:
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "read-only file system"
    except OSError:
        pass
    return "permission denied"
