"""A run folder (`twin run --out`) read back for the report: the summary, the records,
the request frames and the cluster. Only these files feed the report, so `twin report
DIR` rebuilds exactly what `twin run --report` wrote. Files a run folder written before
the report existed lacks (`cluster.json`, `latency.parquet`, `resources.parquet`) are
optional."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from twin.errors import InputError
from twin.model.bounds import MAX_SECONDS
from twin.model.kube_io import reader
from twin.model.quoting import clipped, shown
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
    check_run_folder(folder)
    frames = {name: _parquet(folder / f"{name}.parquet") for name in FRAMES if (folder / f"{name}.parquet").exists()}
    cluster = _cluster(folder / "cluster.json") if (folder / "cluster.json").exists() else None
    return RunFolder(folder, _summary(folder / "summary.json"), _events(folder / "events.csv"), frames, cluster)


def check_run_folder(folder: Path) -> None:
    """An `InputError` unless `folder` holds at least summary.json and events.csv."""
    expected = "expected a run folder written by `twin run --out`"
    if not folder.exists():
        raise InputError(str(folder), "", f"{expected}; it does not exist")
    if not folder.is_dir():
        raise InputError(str(folder), "", f"{expected}, got a file")
    missing = [name for name in ("summary.json", "events.csv") if not (folder / name).is_file()]
    if missing:
        raise InputError(str(folder), "", f"{expected}: {' and '.join(missing)} missing")


def _json(path: Path):
    """A JSON file of the folder, read by the twin's one reader (encoding, size, nesting,
    integer and string bounds: docs/limits.md)."""
    source = str(path)
    try:
        return reader.parse_json(reader.read_text(path, source), source)
    except InputError as error:
        if not error.message.startswith("malformed JSON: "):
            raise
        raise InputError(source, "", f"expected JSON: {error.message.removeprefix('malformed JSON: ')} at "
                                     f"{error.path}") from None


def _summary(path: Path) -> dict:
    document = _json(path)
    if not isinstance(document, dict):
        raise InputError(str(path), "", f"expected a JSON object, got {type(document).__name__}")
    for field, kind in SUMMARY_FIELDS.items():
        if field not in document:
            raise InputError(str(path), field, "expected a value (a summary.json from `twin run --out`), got nothing")
        if not isinstance(document[field], kind) or isinstance(document[field], bool):
            raise InputError(str(path), field, f"expected {_kind_name(kind)}, got {shown(document[field])}")
    seconds = document["simulated_seconds"]
    if not (math.isfinite(seconds) and 0 <= seconds <= MAX_SECONDS):  # what a scenario's duration can be
        raise InputError(str(path), "simulated_seconds", f"expected a number of seconds from 0 to {MAX_SECONDS:.0f}, "
                                                         f"got {shown(seconds)}")
    for i, verdict in enumerate(document["invariants"]):
        if not (isinstance(verdict, dict) and isinstance(verdict.get("name"), str)
                and isinstance(verdict.get("holds"), bool) and isinstance(verdict.get("detail"), str)):
            raise InputError(str(path), f"invariants[{i}]", f"expected an object with name, holds (true or false) and "
                                                            f"detail, got {shown(verdict)}")
    requests = document.get("requests")
    if requests is not None and not (isinstance(requests, dict) and isinstance(requests.get("issued", 0), int)):
        raise InputError(str(path), "requests", f"expected an object with the number of requests issued, got "
                                                f"{shown(requests)}")
    return document


def _cluster(path: Path) -> dict:
    document = _json(path)
    if not isinstance(document, dict) or not isinstance(document.get("nodes"), list):
        raise InputError(str(path), "nodes", "expected an object with the list of nodes (`twin run --out` writes it)")
    for i, node in enumerate(document["nodes"]):
        if not (isinstance(node, dict) and isinstance(node.get("name"), str) and isinstance(node.get("zone"), str)
                and isinstance(node.get("roles"), list) and all(isinstance(r, str) for r in node["roles"])):
            raise InputError(str(path), f"nodes[{i}]", f"expected an object with name, zone and roles, got {shown(node)}")
    return document


def _kind_name(kind) -> str:
    return {str: "a string", int: "an integer", list: "a list", dict: "an object"}.get(kind, "a number")


def _events(path: Path) -> list[Record]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = csv.reader(handle)
            header = next(rows, None)
            if header != EVENTS_HEADER:
                raise InputError(str(path), "", f"expected the header {','.join(EVENTS_HEADER)}, got {shown(header)}")
            return [_record(path, line, row) for line, row in enumerate(rows, start=2)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(str(path), "", f"expected a readable CSV file: {clipped(str(exc))}") from None


def _record(path: Path, line: int, row: list[str]) -> Record:
    try:
        time, seq, kind, subject, details = row
        return Record(float(time), int(seq), kind, subject, json.loads(details))
    except (ValueError, TypeError, RecursionError) as exc:  # RecursionError: details nested past json's reach
        raise InputError(str(path), f"line {line}", f"expected time,seq,kind,subject,details (details as JSON): "
                                                    f"{clipped(str(exc))}") from None


def _parquet(path: Path) -> pd.DataFrame:
    if not path.is_file():  # pandas would read a folder as a (partitioned) dataset
        raise InputError(str(path), "", "expected a Parquet file, got a folder")
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputError(str(path), "", f"expected a Parquet file: {clipped(str(exc))}") from None
