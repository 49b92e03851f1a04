"""What the command line does only for a person at a terminal: a progress line in
simulated time on stderr, and coloured verdict words. Each decision is a small pure
function; piped or redirected output never carries escape codes."""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

GREEN, RED, RESET = "\x1b[32m", "\x1b[1;31m", "\x1b[0m"
CLEAR_LINE = "\r\x1b[K"
REFRESH_SECONDS = 0.2  # at most ~5 updates per second
VERDICT_WORD = re.compile(r"^(  )(holds|FAILS)(  )", re.MULTILINE)


def is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def use_colour(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Colour only on a terminal, never with NO_COLOR set to anything non-empty
    (https://no-color.org) or TERM=dumb."""
    return is_terminal(stream) and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


def paint_verdicts(text: str, colour: bool) -> str:
    """`holds` in green and `FAILS` in red on the summary's verdict lines."""
    if not colour:
        return text
    return VERDICT_WORD.sub(lambda m: f"{m[1]}{GREEN if m[2] == 'holds' else RED}{m[2]}{RESET}{m[3]}", text)


def clock_text(seconds: float, long: bool) -> str:
    """`23:00` (minutes:seconds), or `1:23:00` when `long`.

    >>> clock_text(1380, False), clock_text(4980, True)
    ('23:00', '1:23:00')
    """
    minutes, secs = divmod(int(seconds), 60)
    if not long:
        return f"{minutes:02d}:{secs:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def progress_text(label: str, now: float, duration: float) -> str:
    """`zone-failure  23:00 / 60:00 simulated  (38 %)`; hours appear past one hour."""
    long = duration > 3600
    percent = int(100 * now / duration) if duration > 0 else 100
    return f"{label}  {clock_text(now, long)} / {clock_text(duration, long)} simulated  ({percent} %)"


class ProgressLine:
    """A `progress(now, duration)` callback drawing one line that rewrites itself."""

    def __init__(self, label: str, stream: TextIO, clock: Callable[[], float] = time.monotonic,
                 refresh: float = REFRESH_SECONDS) -> None:
        self.label, self.stream, self.clock, self.refresh = label, stream, clock, refresh
        self.last: float | None = None

    def __call__(self, now: float, duration: float) -> None:
        instant = self.clock()
        if self.last is not None and instant - self.last < self.refresh:
            return
        self.last = instant
        width = shutil.get_terminal_size().columns - 1
        self.stream.write(CLEAR_LINE + progress_text(self.label, now, duration)[:width])
        self.stream.flush()

    def clear(self) -> None:
        if self.last is not None:
            self.stream.write(CLEAR_LINE)
            self.stream.flush()
            self.last = None


@contextmanager
def progress_line(label: str, quiet: bool = False, stream: TextIO | None = None) -> Iterator[ProgressLine | None]:
    """A progress callback for a terminal stderr, else None; the line is cleared on exit
    (also when the run fails), so nothing of it stays on the screen."""
    stream = sys.stderr if stream is None else stream
    if quiet or not is_terminal(stream):
        yield None
        return
    line = ProgressLine(label, stream)
    try:
        yield line
    finally:
        line.clear()


def add_quiet_option(parser) -> None:
    """`--quiet` for the commands whose output is the product: they still read and check
    every input, so `--quiet` turns them into validators (exit code 0, or 2 on bad input)."""
    parser.add_argument("--quiet", action="store_true",
                        help="print nothing; only check the inputs (exit code 0, or 2 on bad input)")
