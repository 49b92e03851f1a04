"""`run_sweep`: plan (validate every combination), skip the runs a folder already holds,
execute the rest (each record saved the moment its run finishes: by the worker that ran
it on the sweep's own cluster, `twin.sweep.chunks`, else by this process as it arrives),
then build the tables from all the records in plan order, whatever order they came in."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from twin.errors import InputError
from twin.scenarios.variation import ScenarioDocument
from twin.sweep.chunks import run_chunked
from twin.sweep.executors import cores, dask_client, run_in_process, run_on_dask
from twin.sweep.plan import SweepPlan, plan_sweep
from twin.sweep.store import RunStore, as_saved
from twin.sweep.tables import aggregate_frame, runs_frame


@dataclass
class SweepResult:
    """`runs` and `aggregate`: see `twin.sweep.tables`; `timings`: wall seconds per run
    (kept apart: the only figure that changes between two executions); `ran`: runs
    executed by this call, `skipped`: runs the folder already held."""

    plan: SweepPlan
    runs: pd.DataFrame
    aggregate: pd.DataFrame
    timings: pd.DataFrame
    ran: int
    skipped: int
    out: Path | None

    @property
    def definition(self) -> dict:
        return self.plan.definition

    def __repr__(self) -> str:
        return (f"SweepResult({self.plan.name}: {len(self.plan.runs)} runs = {len(self.aggregate)} combinations × "
                f"{len(self.plan.seeds)} seeds; ran {self.ran}, skipped {self.skipped}; out={self.out})")


def run_sweep(scenario: str | ScenarioDocument, params: Mapping[str, Sequence] | None = None, seeds: int = 1, *,
              openshift: str | None = None, out: str | Path | None = None, workers: int | None = None,
              scheduler: str | None = None, client=None, progress: bool = False) -> SweepResult:
    """Run `scenario` (a built-in name, a file or a `ScenarioDocument`) for every
    combination of `params` ({path: [values]}, paths as in `twin.scenarios.variation`)
    and `seeds` seeds (the scenario's seed s, s+1, …, s+seeds−1).

    Where: `workers=None` a LocalCluster with one worker per core, `workers=N` N worker
    processes, `workers=0` this process (no Dask, no start-up cost: best for a few short
    runs); `scheduler="tcp://host:port"` an existing Dask scheduler; `client=` your own
    `distributed.Client` (kept open). `out`: a folder for the run files and tables (kept
    across calls: finished runs are skipped); None keeps the results in memory only.
    Bad input raises `InputError` before anything runs or is written."""
    _check_where(workers, scheduler, client)
    plan = plan_sweep(scenario, params, seeds, openshift)
    store = RunStore.open(out, plan) if out is not None else None
    records = store.finished() if store is not None else {}
    skipped = len(records)
    todo = [run for run in plan.runs if run.name not in records]
    if not todo:
        return _result(plan, list(records.values()), 0, skipped, store)
    with ThreadPoolExecutor(1) as aside:
        with _executor(todo, workers, scheduler, client, store) as (completed, saved):
            if store is not None:
                store.start()
            for record in _with_progress(completed, plan, skipped, progress):
                records[record["name"]] = record if saved else _kept(record, store)
            # the tables are built and written while the cluster shuts down (≈ 0.05 s of waiting for its processes)
            result = aside.submit(_result, plan, list(records.values()), len(todo), skipped, store)
        return result.result()


def _check_where(workers: int | None, scheduler: str | None, client) -> None:
    if workers is not None and scheduler is not None:
        raise InputError("--scheduler", "", "expected either --scheduler or --workers, not both")
    if client is not None and (workers is not None or scheduler is not None):
        raise InputError("client", "", "expected a client alone, without workers or scheduler")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 0):
        raise InputError("--workers", "", f"expected a whole number of workers >= 0, got {workers!r}")


@contextmanager
def _executor(todo: list, workers: int | None, scheduler: str | None, client,
              store: RunStore | None) -> Iterator[tuple[Iterable[dict], bool]]:
    """The records as runs complete, and whether they are saved already: on the sweep's
    own LocalCluster short runs go in chunks whose workers write each run file themselves
    (`twin.sweep.chunks`); on a scheduler or a caller's client, whose workers may not see
    the folder, each run is a task and this process saves its record; `workers=0` runs
    them here."""
    if client is not None:
        yield run_on_dask(client, todo), False
    elif workers == 0:
        yield run_in_process(todo), False
    else:
        count = None if scheduler is not None else min(workers or cores(), len(todo))
        with dask_client(count, scheduler) as own:
            completed = run_on_dask(own, todo) if scheduler is not None else \
                run_chunked(own, todo, count, store.runs if store is not None else None, owner=os.getpid())
            try:
                yield completed, scheduler is None
            finally:
                completed.close()


def _with_progress(records: Iterable[dict], plan: SweepPlan, done: int, shown: bool) -> Iterator[dict]:
    if not shown:
        yield from records
        return
    from tqdm import tqdm

    with tqdm(total=len(plan.runs), initial=done, desc=plan.name, unit="run", file=sys.stderr, leave=False) as bar:
        for record in records:
            bar.update()
            yield record


def _kept(record: dict, store: RunStore | None) -> dict:
    """Saved at once when there is a folder; either way the record is what its file
    holds, so in-memory and on-disk sweeps give the same tables."""
    return store.save(record) if store is not None else as_saved(record)


def _result(plan: SweepPlan, records: list[dict], ran: int, skipped: int, store: RunStore | None) -> SweepResult:
    runs = runs_frame(records, plan.paths)
    aggregate = aggregate_frame(runs, plan.paths)
    if store is not None:
        store.write_tables(runs, aggregate)
    return SweepResult(plan, runs, aggregate, _timings(records, plan.paths), ran, skipped,
                       store.folder if store is not None else None)


def _timings(records: list[dict], paths: list[str]) -> pd.DataFrame:
    rows = sorted(({**r["values"], "seed": r["seed"], "wall_seconds": r["wall_seconds"], "index": r["index"]}
                   for r in records), key=lambda row: (row["index"], row["seed"]))
    return pd.DataFrame(rows, columns=[*paths, "seed", "wall_seconds", "index"]).drop(columns="index")
