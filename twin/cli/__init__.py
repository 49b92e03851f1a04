"""`twin`: the command line. One module per command; this one wires them up and turns
input errors into one-line messages with exit code 2."""

from __future__ import annotations

import argparse
import importlib
import re
import sys

from twin import __version__
from twin.errors import InputError

COMMANDS = ("explain", "render", "place", "run", "check", "sweep", "report", "import_", "calibrate", "validate")
"""The modules of `twin.cli`, one per command, each with its `register(commands)`."""
MODULE_OF = {"scenarios": "run", "import": "import_"}
"""Commands registered by a module of another name (`run` also registers `scenarios`)."""


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


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line; given the arguments, only the command they name when they
    name one (its module alone is imported: `twin run` loads neither pandas nor Hypothesis,
    ≈ 0.5 s), so `--help`, a missing or an unknown command still see every command."""
    parser = OneLineParser(
        prog="twin",
        description="A digital twin of the OpenShift image registry and the cluster it runs on.",
    )
    parser.add_argument("--version", action="version", version=f"twin {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _modules_for(argv):
        importlib.import_module(f"twin.cli.{module}").register(commands)
    return parser


def _modules_for(argv: list[str] | None) -> tuple[str, ...]:
    """The command is the first argument that is not an option (the top level's own
    options, `--help` and `--version`, take no value)."""
    words = [word for word in argv or () if not word.startswith("-")]
    if not words and "--version" in (argv or ()):
        return ()
    module = MODULE_OF.get(words[0], words[0]) if words else None
    return (module,) if module in COMMANDS else COMMANDS


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    try:
        return args.run(args)
    except InputError as error:
        print(f"twin: error: {one_line(str(error))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
