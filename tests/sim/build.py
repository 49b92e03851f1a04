"""Scenarios for tests, written as dicts (the YAML a user would write)."""

from __future__ import annotations

from pathlib import Path

import yaml

from twin.run import run_scenario
from twin.scenarios.load import load_scenario

BASE = {
    "name": "test",
    "seed": 1,
    "duration": "20m",
    "openshift": "4.23",
    "cluster": {"generate": {"zones": 3, "workers_per_zone": 2, "control_plane": 3}},
}


def write(tmp_path: Path, **changes) -> str:
    body = {**BASE, **changes}
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(body))
    return str(path)


def simulate(tmp_path: Path, openshift: str | None = None, **changes):
    return run_scenario(load_scenario(write(tmp_path, **changes)), openshift=openshift)


def first(records, kind: str, subject: str | None = None, after: float = 0.0, **details):
    """The first record of `kind` (about `subject`, with these details) at or after `after`."""
    for r in records:
        if r.kind == kind and r.time >= after and (subject is None or r.subject == subject):
            if all(r.details.get(k) == v for k, v in details.items()):
                return r
    return None
