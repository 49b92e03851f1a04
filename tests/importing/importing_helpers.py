"""Shared by the `twin import` tests: the real trimmed must-gathers of data/ (SOURCE.md)
and running the command line in-process."""

from __future__ import annotations

import shutil
from pathlib import Path

from twin.cli import main

DATA = Path(__file__).parent / "data"
MUST_GATHERS = ("aws", "azure", "metal")
FILES = {"scenario.yaml", "nodes.yaml", "pods.yaml", "config.yaml"}


def must_gather(name: str) -> Path:
    """The folder `oc adm must-gather` wrote (holding the quay-io-... image folder)."""
    return DATA / name


def image_folder(folder: Path) -> Path:
    return next(p for p in folder.iterdir() if p.name.startswith("quay-io-"))


def copy_of(name: str, tmp_path: Path) -> Path:
    """A copy of a real must-gather to break or change; returns its image folder."""
    target = tmp_path / f"copy-{name}"
    shutil.copytree(must_gather(name), target)
    return image_folder(target)


def twin(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its bytes (empty when it does not exist)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
