"""Every `twin` command documents itself: `--help` with an `examples:` section of real
command lines, `--version`, and `--quiet` on the commands that print. The commands are
discovered from the parser, so new ones are held to the same rules."""

from __future__ import annotations

import argparse

import pytest
from helpers import data, twin

from twin import __version__
from twin.cli import build_parser
from twin.cli.place import example

# the listing is the whole point of `twin scenarios`; it has nothing to be quiet about
NOTHING_TO_BE_QUIET_ABOUT = {"scenarios"}


def subcommands() -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


COMMANDS = sorted(subcommands())


def examples(help_text: str) -> list[str]:
    """The lines of the `examples:` section (up to the next blank line)."""
    _, found, rest = help_text.partition("\nexamples:\n")
    assert found, "no examples: section"
    return [line.strip() for line in rest.split("\n\n")[0].splitlines()]


def test_the_commands_are_discovered():
    assert {"explain", "render", "place", "run", "scenarios"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_examples_that_are_twin_command_lines(name):
    lines = examples(subcommands()[name].format_help())
    assert any(line.startswith("twin ") for line in lines), lines


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - NOTHING_TO_BE_QUIET_ABOUT))
def test_every_command_that_prints_has_quiet(name):
    assert "--quiet" in subcommands()[name].format_help()


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"twin {__version__}\n"


@pytest.mark.parametrize("args", [
    ("explain", "--nodes", data("nodes.json"), "--pods", data("pods.yaml"), "--pod", data("pod.yaml")),
    ("render", "--config", example("rosa-default-config.yaml"), "--nodes", data("nodes.json")),
    ("place",),
], ids=["explain", "render", "place"])
def test_quiet_prints_nothing_and_still_checks_the_inputs(capsys, args):
    assert twin(capsys, *args, "--quiet") == (0, "", "")
    code, out, err = twin(capsys, *args, "--nodes", "missing.json", "--quiet")  # the last --nodes counts
    assert code == 2 and out == "" and err.startswith("twin: error: ")
