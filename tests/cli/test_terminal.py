"""What `twin` does only for a person at a terminal (`twin.cli.terminal`): the progress
line in simulated time and coloured verdict words, and that neither reaches a pipe."""

from __future__ import annotations

import io

import pytest
from helpers import twin

from twin.cli.terminal import CLEAR_LINE, ProgressLine, paint_verdicts, progress_line, progress_text, use_colour

SUMMARY = "invariants:\n  holds  max_skew: fine\n  FAILS  zone_failure_recovery: too slow\n"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("now, duration, text", [
    (1380, 3600, "zone-failure  23:00 / 60:00 simulated  (38 %)"),
    (0, 1200, "zone-failure  00:00 / 20:00 simulated  (0 %)"),
    (1200, 1200, "zone-failure  20:00 / 20:00 simulated  (100 %)"),
    (4980, 86400, "zone-failure  1:23:00 / 24:00:00 simulated  (5 %)"),
], ids=["an hour is shown in minutes", "the start", "the end", "past an hour the hours appear"])
def test_the_progress_text_shows_simulated_time_and_percent(now, duration, text):
    assert progress_text("zone-failure", now, duration) == text


def test_the_progress_line_rewrites_itself_at_most_five_times_a_second_and_is_cleared():
    stream, clock = Terminal(), Clock()
    line = ProgressLine("zf", stream, clock=clock)
    for step in range(1, 11):  # ten updates within 0.1 s: one is drawn
        clock.now = step * 0.01
        line(step * 60.0, 600.0)
    clock.now = 0.5
    line(600.0, 600.0)
    line.clear()
    assert stream.getvalue() == f"{CLEAR_LINE}zf  01:00 / 10:00 simulated  (10 %){CLEAR_LINE}zf  10:00 / 10:00 simulated  " \
                                f"(100 %){CLEAR_LINE}"


def test_there_is_no_progress_line_when_stderr_is_not_a_terminal_or_when_quiet():
    with progress_line("zf", stream=io.StringIO()) as piped, progress_line("zf", quiet=True, stream=Terminal()) as quiet:
        assert piped is None and quiet is None


def test_the_progress_line_is_cleared_when_the_run_fails():
    stream = Terminal()
    with pytest.raises(RuntimeError), progress_line("zf", stream=stream) as progress:
        progress(60.0, 600.0)
        raise RuntimeError
    assert stream.getvalue().endswith(CLEAR_LINE)


def test_twin_run_prints_no_progress_and_no_escape_codes_when_piped(capsys):
    code, out, err = twin(capsys, "run", "zone-failure")
    assert code == 0 and err == ""
    assert "\x1b" not in out and "  holds  max_skew" in out


@pytest.mark.parametrize("tty, environ, colour", [
    (True, {"TERM": "xterm-256color"}, True),
    (False, {"TERM": "xterm-256color"}, False),
    (True, {"TERM": "xterm", "NO_COLOR": "1"}, False),
    (True, {"TERM": "xterm", "NO_COLOR": ""}, True),
    (True, {"TERM": "dumb"}, False),
    (True, {}, True),
], ids=["a terminal gets colour", "a pipe gets none", "NO_COLOR turns it off", "an empty NO_COLOR does not count",
        "a dumb terminal gets none", "no TERM is not dumb"])
def test_colour_only_on_a_terminal_without_no_color_or_a_dumb_term(tty, environ, colour):
    assert use_colour(Terminal() if tty else io.StringIO(), environ) is colour


def test_painted_verdicts_are_green_when_they_hold_and_red_when_they_fail():
    painted = paint_verdicts(SUMMARY, colour=True)
    assert "  \x1b[32mholds\x1b[0m  max_skew: fine" in painted
    assert "  \x1b[1;31mFAILS\x1b[0m  zone_failure_recovery: too slow" in painted
    assert paint_verdicts(SUMMARY, colour=False) == SUMMARY


def test_only_the_verdict_words_at_the_start_of_a_verdict_line_are_painted():
    text = "scenario holds-test\n  holds  x: FAILS nothing\n"
    assert paint_verdicts(text, colour=True) == "scenario holds-test\n  \x1b[32mholds\x1b[0m  x: FAILS nothing\n"
