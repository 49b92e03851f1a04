"""Prometheus text exposition files (format 0.0.4, what `/metrics` answers) to the
metrics frame of `samples.py`, parsed with prometheus_client's
`parser.text_string_to_metric_families`.

Input (`read_scrapes`):

* the folder `twin run --metrics-every 30s --out DIR` writes: `DIR/metrics/<pod>/
  t<milliseconds>ms.prom` (pass `DIR/metrics` or `DIR`): one subfolder per pod;
* a folder of `.prom` files (pod "" or `pod=`), or a list of files.

The time of a sample, first that applies: its own exposition timestamp (the twin writes
them; client_golang does not); `times[file name]` (or the path) if given, for real scrapes
saved without a timestamp; the file name `t<milliseconds>ms.prom`. Otherwise an
InputError: a scrape's time must not be guessed (a file's mtime is when it was copied).

A file with no `registry_*` or `imageregistry_*` sample is another program's scrape: an
InputError naming the file and what was expected.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd
from prometheus_client.parser import text_string_to_metric_families

from twin.errors import InputError
from twin.model.kube_io import reader
from twin.model.quoting import clipped
from twin.observed import samples

_NAME_TIME = re.compile(r"t(\d+)ms\.prom$")


def read_exposition(path: str | Path, *, time: float | None = None, pod: str = "") -> pd.DataFrame:
    """One exposition file; `time` for samples without their own timestamp."""
    return samples.frame(_file_rows(path, time, pod))


def _file_rows(path: str | Path, time: float | None, pod: str) -> list[tuple]:
    """One file's sample rows, checked (the frame is built once, for every file together)."""
    source = str(path)
    raw = reader.read_bytes(path, source)
    if not raw.strip():
        raise InputError(source, "", f"expected a Prometheus text exposition with {samples.EXPECTED}, got an empty file")
    try:
        text = reader.decode(raw, source)
    except InputError as error:
        raise InputError(source, error.path, f"expected a Prometheus text exposition, got a binary file "
                         f"({error.message.rpartition(', ')[2]})") from None
    if "\x00" in text:
        raise InputError(source, "", "expected a Prometheus text exposition, got a binary file")
    rows = _rows(source, text, time, pod)
    if not any(samples.is_registry_metric(r[2]) for r in rows):
        raise InputError(source, "", f"expected {samples.EXPECTED}; this scrape has none (another program's?)")
    return rows


def read_scrapes(source: str | Path | Iterable[str | Path], *, times: Mapping[str, float] | None = None,
                 pod: str | None = None) -> pd.DataFrame:
    """Every scrape of a run folder, a pods folder, a folder of files or a list of files."""
    files = _files(source, pod)
    return samples.frame([row for path, p in files for row in _file_rows(path, _time_of(path, times), p)])


def _files(source, pod: str | None) -> list[tuple[Path, str]]:
    if not isinstance(source, (str, Path)):
        return [(Path(p), pod or "") for p in source]
    folder = Path(source)
    if (folder / "metrics").is_dir():
        folder = folder / "metrics"
    if not folder.is_dir():
        return [(folder, pod or "")]
    flat = sorted(folder.glob("*.prom"))
    nested = sorted(folder.glob("*/*.prom"))
    files = [(p, pod or "") for p in flat] + [(p, p.parent.name) for p in nested]
    if not files:
        raise InputError(str(source), "", "expected .prom scrape files (metrics/<pod>/t<ms>ms.prom), found none")
    return files


def _time_of(path: Path, times: Mapping[str, float] | None) -> float | None:
    if times:
        for key in (str(path), path.name):
            if key in times:
                return float(times[key])
    match = _NAME_TIME.search(path.name)
    return int(match[1]) / 1000 if match else None


def _rows(source: str, text: str, time: float | None, pod: str) -> list[tuple]:
    rows = []
    try:
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                when = _timestamp(s.timestamp) if s.timestamp is not None else time
                if when is None:
                    raise InputError(source, s.name, "expected the scrape time: sample timestamps, a file name "
                                     "t<milliseconds>ms.prom, or an entry in times= for this file")
                rows.append((when, pod, s.name, samples.labels_key(s.labels), float(s.value)))
    except ValueError as exc:
        raise InputError(source, "", f"expected a Prometheus text exposition: {clipped(str(exc))}") from None
    return rows


def _timestamp(value) -> float:
    """prometheus_client gives the exposition's millisecond timestamp as seconds (float)
    or a `Timestamp` (sec, nsec)."""
    if hasattr(value, "sec"):
        return value.sec + value.nsec / 1e9
    return float(value)
