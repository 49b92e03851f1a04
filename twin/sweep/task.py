"""One run of a sweep, as a worker executes it: a plain, picklable description (the
validated standalone scenario document, the values that made it, the seed) in; a plain
JSON-able record (the summary.json document and the exit status) out. Nothing with
simulation state crosses a process boundary, so any Dask worker with `twin` installed can
run it, on this machine or another."""

from __future__ import annotations

import tempfile
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twin.analysis.outcome import evaluate
from twin.scenarios.variation import ScenarioDocument


@dataclass(frozen=True)
class RunSpec:
    """`index`: the parameter combination's position in the product; `name`: the run
    file's stem; `body`: the varied document with its Config inlined; `files`: the texts of
    the node and pod files it names (`cluster.nodes` / `cluster.pods` are then names
    relative to wherever the worker writes them)."""

    index: int
    name: str
    values: dict[str, Any]
    seed: int
    openshift: str | None
    source: str
    body: dict = field(repr=False)
    files: dict[str, str] = field(repr=False)


def run_one(spec: RunSpec) -> dict:
    """Evaluate the run; the record keeps `wall_seconds` apart from the results (it is
    the only value that differs between two executions of the same run)."""
    started = time.perf_counter()
    with _folder(spec) as folder:
        for name, text in spec.files.items():
            (Path(folder) / name).write_text(text, encoding="utf-8")
        document = ScenarioDocument(spec.body, Path(folder or "."), spec.source)
        outcome = evaluate(document.scenario(), spec.seed, spec.openshift)
    return {"name": spec.name, "index": spec.index, "values": spec.values, "seed": spec.seed,
            "exit_status": 0 if outcome.holds else 1, "summary": outcome.document,
            "wall_seconds": time.perf_counter() - started}


def _folder(spec: RunSpec):
    """A temporary folder for the node and pod files, or nothing when there are none."""
    return tempfile.TemporaryDirectory(prefix="twin-sweep-") if spec.files else nullcontext("")
