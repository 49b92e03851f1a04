"""A run folder (`twin run --out`) read back for the report: the summary, the records,
the request frames and the cluster. Only these files feed the report, so `twin report
DIR` rebuilds exactly what `twin run --report` wrote. Files a run folder written before
the report existed lacks (`cluster.json`, `latency.parquet`, `resources.parquet`) are
optional."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from twin.errors import InputError
from twin.sim.recorder import Record

EVENTS_HEADER = ["time", "seq", "kind", "subject", "details"]
SUMMARY_FIELDS = {"scenario": str, "seed": int, "openshift": str, "simulated_seconds": (int, float),
                  "invariants": list, "kpis": dict}
FRAMES = ("requests", "queues", "latency", "resources")
"""`<name>.parquet` files read when present."""


@dataclass
class RunFolder:
    path: Path
    summary: dict
    records: list[Record]
    frames: dict[str, pd.DataFrame]  # FRAMES present in the folder
    cluster: dict | None  # cluster.json, when present

    @property
    def duration(self) -> float:
        return float(self.summary["simulated_seconds"])

    def frame(self, name: str) -> pd.DataFrame | None:
        return self.frames.get(name)


def read_run_folder(path: str | Path) -> RunFolder:
    folder = Path(path)
    _check_folder(folder)
    frames = {name: _parquet(folder / f"{name}.parquet") for name in FRAMES if (folder / f"{name}.parquet").exists()}
    cluster = _cluster(folder / "cluster.json") if (folder / "cluster.json").exists() else None
    return RunFolder(folder, _summary(folder / "summary.json"), _events(folder / "events.csv"), frames, cluster)


def _check_folder(folder: Path) -> None:
    expected = "expected a run folder written by `twin run --out`"
    if not folder.exists():
        raise InputError(str(folder), "", f"{expected}; it does not exist")
    if not folder.is_dir():
        raise InputError(str(folder), "", f"{expected}, got a file")
    missing = [name for name in ("summary.json", "events.csv") if not (folder / name).is_file()]
    if missing:
        raise InputError(str(folder), "", f"{expected}: {' and '.join(missing)} missing")


def _json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), "", f"expected a readable UTF-8 file: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(str(path), "", f"expected JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


def _summary(path: Path) -> dict:
    document = _json(path)
    if not isinstance(document, dict):
        raise InputError(str(path), "", f"expected a JSON object, got {type(document).__name__}")
    for field, kind in SUMMARY_FIELDS.items():
        if field not in document:
            raise InputError(str(path), field, "expected a value (a summary.json from `twin run --out`), got nothing")
        if not isinstance(document[field], kind) or isinstance(document[field], bool):
            raise InputError(str(path), field, f"expected {_kind_name(kind)}, got {document[field]!r}")
    return document


def _cluster(path: Path) -> dict:
    document = _json(path)
    if not isinstance(document, dict) or not isinstance(document.get("nodes"), list):
        raise InputError(str(path), "nodes", "expected an object with the list of nodes (`twin run --out` writes it)")
    return document


def _kind_name(kind) -> str:
    return {str: "a string", int: "an integer", list: "a list", dict: "an object"}.get(kind, "a number")


def _events(path: Path) -> list[Record]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = csv.reader(handle)
            header = next(rows, None)
            if header != EVENTS_HEADER:
                raise InputError(str(path), "", f"expected the header {','.join(EVENTS_HEADER)}, got {header!r}")
            return [_record(path, line, row) for line, row in enumerate(rows, start=2)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(str(path), "", f"expected a readable CSV file: {exc}") from None


def _record(path: Path, line: int, row: list[str]) -> Record:
    try:
        time, seq, kind, subject, details = row
        return Record(float(time), int(seq), kind, subject, json.loads(details))
    except (ValueError, TypeError) as exc:
        raise InputError(str(path), f"line {line}", f"expected time,seq,kind,subject,details (details as JSON): {exc}") from None


def _parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputError(str(path), "", f"expected a Parquet file: {exc}") from None
