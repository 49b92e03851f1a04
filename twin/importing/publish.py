"""Writing an imported scenario into `--out` safely.

Nothing is written before the whole folder has been built and loaded as `twin run`
would load it (in a temporary folder). `--out` must be new or empty, unless `--force`:
then the import's four files are replaced and nothing else in the folder is touched.
The files are built aside and moved in only when all were written
(`twin.files.staged_folder`), scenario.yaml last, so a scenario.yaml never points at
files from before."""

from __future__ import annotations

import tempfile
from pathlib import Path

from twin.errors import InputError
from twin.files import staged_folder, write_text
from twin.importing.compose import Imported
from twin.scenarios.load import load_scenario

SCENARIO = "scenario.yaml"
FILES = (SCENARIO, "nodes.yaml", "pods.yaml", "config.yaml")
"""What an import writes (`compose`)."""


def publish(imported: Imported, out: str | Path, force: bool = False) -> list[Path]:
    out = Path(out)
    check_out(out, force)
    verify(imported)
    names = [n for n in imported.files if n != SCENARIO] + [SCENARIO]
    with staged_folder(out, last=(SCENARIO,)) as folder:
        for name in names:
            write_text(folder / name, imported.files[name])
    return [out / name for name in names]


def check_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(str(out), "", "expected a folder to write the scenario into, found a file")
    if out.is_dir() and not force and any(out.iterdir()):
        raise InputError(str(out), "", "expected a new or empty folder, found files in it (--force replaces "
                                       "scenario.yaml, nodes.yaml, pods.yaml and config.yaml there, nothing else)")


def verify(imported: Imported) -> None:
    """Load the folder as `twin run` does; a problem is reported against the input
    the failing file was made from."""
    with tempfile.TemporaryDirectory(prefix="twin-import-") as staging:
        for name, text in imported.files.items():
            (Path(staging) / name).write_text(text, encoding="utf-8")
        try:
            load_scenario(str(Path(staging) / SCENARIO))
        except InputError as exc:
            name = Path(exc.source).name
            origin = imported.origins.get(name, "the imported scenario")
            raise InputError(origin, exc.path, f"{exc.message} (in the imported {name})") from None
