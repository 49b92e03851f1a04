"""A sweep's plan: the cartesian product of the parameter values × the seeds, each
combination's scenario document validated before anything runs, and the definition that
identifies the sweep in `sweep.json`.

Seeds: `seeds=N` runs the scenario's own seed s and s+1 … s+N−1, so a sweep with one
seed and no parameters is exactly `twin run SCENARIO`.

Order: combinations in the order of the product (the first parameter varies slowest,
values in the order given), seeds ascending within each; run `i` of combination `c` is
named `cccc-seed-S` (its run file's stem).

Size: at most `MAX_RUNS` (10^6) runs, and every seed within the scenario seed's range
(0 .. 2**32 - 1, `twin.model.bounds`); both are checked before any combination is built,
so `--seeds 1180591620717411303424` is one line of error, not an OverflowError."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twin.errors import InputError
from twin.model.bounds import SEED_MAX
from twin.model.kube_io.reader import read_text
from twin.model.quoting import shown
from twin.model.registry import openshift_version
from twin.scenarios.variation import ScenarioDocument, check_path, parse_value
from twin.sweep.task import RunSpec

FORMAT = 1
IDENTITY = ("document_sha256", "params", "seeds", "openshift")  # what makes two sweeps the same
FILE_FIELDS = ("nodes", "pods")
MAX_RUNS = 10**6
"""Runs one sweep may plan: each is a scenario validated up front and a row of runs.parquet;
beyond a million the plan alone outgrows a laptop's memory and the sweep its lifetime."""


@dataclass(frozen=True)
class SweepPlan:
    """`definition`: the sweep.json document; `runs`: in result order."""

    name: str
    params: tuple[tuple[str, tuple], ...]
    seeds: tuple[int, ...]
    definition: dict = field(repr=False)
    runs: tuple[RunSpec, ...] = field(repr=False)

    @property
    def paths(self) -> list[str]:
        return [path for path, _ in self.params]


def parse_param(text: str, flag: str = "--param") -> tuple[str, list]:
    """`PATH=V1,V2,…` → (path, values), each value read as YAML reads a scalar.

    >>> parse_param("registry.replicas=2,3")
    ('registry.replicas', [2, 3])
    """
    path, equals, values = text.partition("=")
    parts = values.split(",")
    if not equals or not path.strip() or not all(p.strip() for p in parts):
        raise InputError(flag, text, "expected PATH=VALUE[,VALUE...], e.g. registry.replicas=2,3")
    return path.strip(), [parse_value(p.strip(), flag) for p in parts]


def plan_sweep(scenario: str | ScenarioDocument, params: Mapping[str, Sequence] | None = None, seeds: int = 1,
               openshift: str | None = None, flag: str = "--param") -> SweepPlan:
    """Every combination's document validated (an `InputError` names the first that is
    refused) before anything runs."""
    document = scenario if isinstance(scenario, ScenarioDocument) else ScenarioDocument.read(scenario)
    axes = _axes(params or {}, openshift, flag)
    count = _seed_count(seeds)
    _check_size(axes, count, flag)
    version = _version(openshift)
    base = document.scenario()
    first = base.spec.seed
    _check_seeds(first, count)
    seed_list = tuple(range(first, first + count))
    combos = [dict(zip([p for p, _ in axes], chosen)) for chosen in itertools.product(*(v for _, v in axes))]
    varied = [document.with_values(values, flag) if values else document for values in combos]
    runs = tuple(run for i, (values, doc) in enumerate(zip(combos, varied))
                 for run in _runs(i, values, seed_list, version, doc))
    definition = _definition(base.spec.name, document, axes, seed_list, version)
    return SweepPlan(base.spec.name, axes, seed_list, definition, runs)


def same_sweep(stored: dict, definition: dict) -> list[str]:
    """The identity fields in which a stored sweep.json differs from `definition`."""
    return [key for key in IDENTITY if stored.get(key) != definition.get(key)]


def portable(document: ScenarioDocument) -> tuple[dict, dict[str, str]]:
    """The standalone body with the node and pod files it reads carried as texts, so a
    worker on another machine can run it."""
    body = document.standalone()
    files = {}
    cluster = body.get("cluster") or {}
    for key in FILE_FIELDS:
        if isinstance(cluster.get(key), str):
            path = Path(cluster[key])
            name = f"{key}{path.suffix}"
            files[name] = read_text(path)
            cluster[key] = name
    return body, files


def _axes(params: Mapping[str, Sequence], openshift: str | None, flag: str) -> tuple[tuple[str, tuple], ...]:
    axes = []
    for path, values in params.items():
        check_path(path, flag)
        if path == "seed":
            raise InputError(flag, path, "expected --seeds to vary the seed (seeds are s, s+1, ... from the scenario's)")
        if path == "openshift" and openshift is not None:
            raise InputError(flag, path, "expected either --openshift or an openshift parameter, not both")
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise InputError(flag, path, f"expected a non-empty list of values, got {shown(values)}")
        _check_json(path, values, flag)
        axes.append((path, tuple(values)))
    return tuple(axes)


def _check_json(path: str, values: Sequence, flag: str) -> None:
    try:
        json.dumps(list(values), allow_nan=False)
    except (TypeError, ValueError):
        raise InputError(flag, path, f"expected values JSON can store (numbers, text, true/false, lists, mappings), "
                                     f"got {shown(list(values))}") from None


def _seed_count(seeds: Any) -> int:
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise InputError("--seeds", "", f"expected a whole number of seeds >= 1, got {shown(seeds)}")
    if seeds > MAX_RUNS:
        raise InputError("--seeds", "", f"expected at most {MAX_RUNS:,} seeds (a sweep plans at most {MAX_RUNS:,} "
                                        f"runs), got {shown(seeds)}")
    return seeds


def _check_size(axes, seeds: int, flag: str) -> None:
    """The product of the value counts times the seeds, refused past `MAX_RUNS` before
    any combination is built."""
    runs = seeds
    for _, values in axes:
        runs *= len(values)
    if runs > MAX_RUNS:
        sizes = " x ".join([str(len(values)) for _, values in axes] + [f"{seeds} seeds"])
        raise InputError(flag, "", f"expected a sweep of at most {MAX_RUNS:,} runs, got {runs:,} ({sizes})")


def _check_seeds(first: int, count: int) -> None:
    last = first + count - 1
    if last > SEED_MAX:
        raise InputError("--seeds", "", f"expected seeds within 0 .. {SEED_MAX} (uint32): the scenario's seed {first} "
                                        f"+ {count} seeds reaches {last}")


def _version(openshift: str | None) -> str | None:
    if openshift is None:
        return None
    try:
        return openshift_version(openshift).name
    except ValueError as exc:
        raise InputError("--openshift", "", str(exc)) from None


def _runs(index: int, values: dict, seeds: tuple[int, ...], openshift: str | None,
          document: ScenarioDocument) -> list[RunSpec]:
    body, files = portable(document)
    return [RunSpec(index, f"{index:04d}-seed-{seed}", values, seed, openshift, document.source, body, files)
            for seed in seeds]


def _definition(name: str, document: ScenarioDocument, axes, seeds: tuple[int, ...], openshift: str | None) -> dict:
    body, files = portable(document)
    canonical = json.dumps({"body": body, "files": files}, sort_keys=True, separators=(",", ":"), default=str)
    definition = {"format": FORMAT, "scenario": name, "source": document.source,
                  "document_sha256": hashlib.sha256(canonical.encode()).hexdigest(),
                  "params": [{"path": path, "values": list(values)} for path, values in axes],
                  "seeds": list(seeds), "openshift": openshift}
    return json.loads(json.dumps(definition))
