"""A sweep's folder, written so that a kill at any moment loses at most the runs that
were in flight:

    sweep.json          the definition (scenario document hash, params, seeds, openshift)
    runs/<name>.json    one record per finished run, written to a temporary name and
                        renamed (os.replace) the moment the run completes
    runs.parquet        the tables, rebuilt from the run files at the end of each sweep
    aggregate.parquet

Opening a folder checks it before anything is written: empty or absent, or holding the
same sweep (then its finished runs are kept and skipped); any other content is an
`InputError`. The folder is not built aside and moved in whole (`twin.files.staged_folder`):
it is meant to fill up run by run and to survive a kill, so each file is atomic on its own."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from twin.errors import InputError
from twin.files import write_parquet, write_text
from twin.sweep.plan import SweepPlan, same_sweep

DEFINITION = "sweep.json"
RUNS = "runs"
TABLES = ("runs.parquet", "aggregate.parquet")


class RunStore:
    """The folder of one sweep; `open` checks, `start` writes the definition."""

    def __init__(self, folder: Path, plan: SweepPlan) -> None:
        self.folder, self.plan = folder, plan
        self.runs = folder / RUNS

    @classmethod
    def open(cls, folder: str | Path, plan: SweepPlan, flag: str = "--out") -> RunStore:
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise InputError(flag, "", f"expected a folder, got the file {str(folder)!r}")
        stored = _stored_definition(folder, flag)
        if stored is None and folder.exists() and any(folder.iterdir()):
            raise InputError(flag, "", f"{str(folder)!r} is not empty and holds no {DEFINITION}: expected an empty "
                                       "folder or one of this sweep")
        differ = same_sweep(stored, plan.definition) if stored is not None else []
        if differ:
            raise InputError(flag, "", f"{str(folder)!r} holds another sweep (its {DEFINITION} differs in "
                                       f"{', '.join(differ)}): choose another folder or remove it")
        return cls(folder, plan)

    def finished(self) -> dict[str, dict]:
        """The records already written, by run name (only names of this plan)."""
        names = {run.name for run in self.plan.runs}
        found = {}
        for path in sorted(self.runs.glob("*.json")) if self.runs.is_dir() else []:
            if path.stem in names:
                found[path.stem] = read_record(path)
        return {name: record for name, record in found.items() if record is not None}

    def start(self) -> None:
        """Write the definition (once) and clear temporary files a kill left behind."""
        self.runs.mkdir(parents=True, exist_ok=True)
        if not (self.folder / DEFINITION).exists():
            write_text(self.folder / DEFINITION, json.dumps(self.plan.definition, indent=2) + "\n")
        self._clear_temporaries()

    def save(self, record: dict) -> dict:
        return save_record(self.runs, record)

    def write_tables(self, runs: pd.DataFrame, aggregate: pd.DataFrame) -> None:
        """Also removes the temporary file of a run whose worker died while writing it (the
        run was made again): every run is done, nobody writes any more."""
        for name, frame in zip(TABLES, (runs, aggregate)):
            write_parquet(self.folder / name, frame)
        self._clear_temporaries()

    def _clear_temporaries(self) -> None:
        for stale in self.runs.glob(".*.json.*"):
            stale.unlink(missing_ok=True)


def record_json(record: dict) -> str:
    return json.dumps(record, indent=1) + "\n"


def save_record(runs: Path, record: dict) -> dict:
    """Write `runs/<name>.json` atomically (`twin.files.write_text`: a temporary name in
    the same folder, then `os.replace`; a kill leaves either no file or the whole file,
    and `RunStore.start` removes the temporary names a kill left behind); the record is
    returned as its file holds it. Called by whoever ran the run: this process, or a
    worker writing its chunk's runs one by one (`twin.sweep.chunks`)."""
    text = record_json(record)
    write_text(runs / f"{record['name']}.json", text)
    return json.loads(text)


def as_saved(record: dict) -> dict:
    """The record as its file would hold it (so that in-memory and on-disk sweeps give the
    same tables)."""
    return json.loads(record_json(record))


def _stored_definition(folder: Path, flag: str) -> dict | None:
    path = folder / DEFINITION
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(flag, DEFINITION, f"expected the JSON a sweep writes: {exc}") from None


RECORD_FIELDS = ("name", "index", "values", "seed", "exit_status", "summary")
"""What a run file holds (`task.py` `run_one`)."""


def read_record(path: Path) -> dict | None:
    """A run file; one that cannot be read (never written whole) or is not a run's record
    (`{}`, another program's JSON, a record of another run) counts as not finished, so the
    run is made again."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or any(key not in record for key in RECORD_FIELDS) or record["name"] != path.stem:
        return None
    if not isinstance(record["summary"], dict) or not isinstance(record["values"], dict):
        return None
    return record
