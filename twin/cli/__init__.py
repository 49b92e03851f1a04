"""`twin`: the command line. One module per command; this one wires them up and turns
input errors into one-line messages with exit code 2."""

from __future__ import annotations

import argparse
import re
import sys

from twin import __version__
from twin.cli import calibrate, check, explain, import_, place, render, report, run, sweep, validate
from twin.errors import InputError

COMMANDS = (explain, render, place, run, check, sweep, report, import_, calibrate, validate)


CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text: str) -> str:
    """`text` with control characters escaped (a newline in an argument becomes `\\n`), so
    an error is one line whatever the user typed."""
    return CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class OneLineParser(argparse.ArgumentParser):
    """argparse with usage errors on one line (`twin run: error: ... (twin run --help)`),
    exit code 2; `--help` stays as rich as argparse makes it. Subcommands' parsers are of
    the same class (`add_subparsers` takes the parent's)."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="twin",
        description="A digital twin of the OpenShift image registry and the cluster it runs on.",
    )
    parser.add_argument("--version", action="version", version=f"twin {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except InputError as error:
        print(f"twin: error: {one_line(str(error))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
