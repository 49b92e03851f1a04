"""Reading what `twin calibrate` is given into one `Observation`, and the base scenario
whose traffic the calibration replaces. Every input error is an `InputError` naming the
file (raised before anything is written)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from twin.calibration.calibrate import Observation
from twin.errors import InputError
from twin.observed.accesslog import read_access_logs
from twin.observed.exposition import read_scrapes
from twin.observed.queryrange import read_query_range
from twin.observed.samples import frame as samples_frame
from twin.scenarios.load import read_scenario

FILE_KEYS = (("cluster", "nodes"), ("cluster", "pods"), ("registry", "config_file"))
"""Scenario fields that name files relative to the scenario's folder."""


def observation(access_logs: list[str], metrics: list[str], query_ranges: list[str]) -> Observation:
    if not (access_logs or metrics or query_ranges):
        raise InputError("twin calibrate", "", "expected at least one --access-log, --metrics or --query-range")
    for path in [*access_logs, *metrics, *query_ranges]:
        if not Path(path).exists():
            raise InputError(path, "", "expected an existing file or folder")
    requests = read_access_logs(access_logs) if access_logs else None
    frames = [read_scrapes(m) for m in metrics]
    if query_ranges:
        frames.append(read_query_range(query_ranges))
    samples = pd.concat(frames, ignore_index=True) if frames else None
    if samples is not None and not len(samples):
        samples = samples_frame([])
    return Observation(requests, samples, [*access_logs, *metrics, *query_ranges])


def base_scenario(ref: str, out: Path) -> dict:
    """The base scenario's document, its file references made relative to `out`."""
    body, base, source = read_scenario(ref)
    if not isinstance(body, dict):
        raise InputError(source, "", "expected a scenario (a YAML mapping)")
    return rebased(body, lambda value: os.path.relpath((base / value).resolve(), out.resolve()))


def rebased(body: dict, place) -> dict:
    """`body` with each relative file reference (`FILE_KEYS`) replaced by `place(value)`."""
    for section, key in FILE_KEYS:
        value = body.get(section, {}).get(key) if isinstance(body.get(section), dict) else None
        if isinstance(value, str) and not Path(value).is_absolute():
            body[section][key] = place(value)
    return body
