"""Usage errors are one line on stderr with exit code 2, for every command, and an
argument with control characters cannot make a message span lines (issue: hostile input,
"One-line usage errors"); `--help` stays argparse's."""

from __future__ import annotations

import pytest
from helpers import twin

from twin.cli import COMMANDS, build_parser


def usage_error(capsys, *argv: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(list(argv))
    return exited.value.code, capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    (), ("frobnicate",), ("run",), ("run", "zone-failure", "--seed", "x"), ("sweep",), ("sweep", "zone-failure", "--workers", "x"),
    ("render",), ("place", "--config"), ("check",), ("report",), ("import",), ("calibrate", "--bogus"),
    ("validate",), ("explain",), ("run", "zone-failure", "--nonsense\nsecond line"),
])
def test_a_usage_error_is_one_line_naming_the_command_and_where_help_is(capsys, argv):
    code, err = usage_error(capsys, *argv)
    assert code == 2 and err.count("\n") == 1 and err.startswith("twin") and "--help)" in err
    assert "usage:" not in err


def test_every_command_is_covered_by_the_one_line_parser():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    assert {type(p).__name__ for p in subparsers.choices.values()} == {"OneLineParser"}
    assert len(subparsers.choices) >= len(COMMANDS)


def test_an_input_error_naming_an_argument_with_a_newline_stays_on_one_line(capsys):
    code, out, err = twin(capsys, "run", "no-such\nscenario")
    assert code == 2 and err.count("\n") == 1 and "no-such\\nscenario" in err


def test_help_is_still_argparses(capsys):
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["run", "--help"])
    assert exited.value.code == 0 and "usage: twin run" in capsys.readouterr().out
