"""Run the `twin` command line in tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from twin.cli import main

DATA = Path(__file__).parent / "data"


def data(name: str) -> str:
    return str(DATA / name)


def twin(capsys, *args: str) -> tuple[int, str, str]:
    """Run `twin ARGS` in-process; returns (exit code, stdout, stderr)."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def twin_json(capsys, *args: str) -> dict:
    code, out, err = twin(capsys, *args, "--output", "json")
    assert code == 0, err
    return json.loads(out)


def twin_process(*args: str) -> subprocess.CompletedProcess:
    """Run `python -m twin ARGS` as a separate process (as a user would)."""
    return subprocess.run([sys.executable, "-m", "twin", *args], capture_output=True, text=True, timeout=120)
