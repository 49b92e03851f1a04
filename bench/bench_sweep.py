"""Sweep benchmark (issue 13 item 3): 48 runs of `zone-failure` (registry.replicas = 2, 3, 4
× 16 seeds), serial in this process (each run timed) against `twin.sweep.run_sweep` on a
Dask LocalCluster of 2 worker processes, cluster start-up, file writes and tables
included. Target: sweep wall time <= 1.1 × (serial time / 2).

`--chunk` adds, in the same rounds, the sweep with one run per task (`sweep_per_run`:
`twin.sweep.chunks.TASK_SECONDS = 0`, so every chunk holds one run; the workers still
write the run files), to compare with the chunked sweep (`sweep`).

`--overhead` measures Dask's own cost apart from the runs, which vary with the machine's
load far more than it does: the same two sweeps (chunked, one run per task) whose runs
return their precomputed records at once (the chunk sizes still follow the recorded wall
times), so the wall and CPU seconds are cluster start and shutdown, scheduling, the run
files and the tables alone; `phases_median` times each of those steps apart.

Rounds interleave serial, pool and sweep (in reverse order every other round), so that
drifting machine speed slows all alike; the figures are per round plus the medians. CPU
seconds (this process plus the workers, which are its children) show the sweep's own
overhead even when other programs share the cores. The control: the same runs on a plain
multiprocessing pool (`pool_seconds`), what 2 processes achieve on this machine at that
moment without Dask; `sweep_over_pool` is then Dask's own cost (cluster start-up and
shutdown, scheduling, the run files and tables).

    .venv/bin/python bench/bench_sweep.py
    .venv/bin/python bench/bench_sweep.py --seeds 8 --rounds 1 --json
    .venv/bin/python bench/bench_sweep.py --chunk --rounds 5
    .venv/bin/python bench/bench_sweep.py --overhead --rounds 8
    .venv/bin/python bench/bench_sweep.py --day-500 --rounds 1    # 8 runs of a whole day: ≈ 40 min

`--day-500`: 8 runs of `bench/scenarios/day-500.yaml` (`registry.replicas` = 3, 4 × 4
seeds), target ≤ 1.05 × (serial / 2): runs of minutes, where the cluster's fixed cost is
nothing and what is measured is whether the two workers get the two cores.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time

import twin.sweep.chunks as chunks
from twin.sweep import plan_sweep, run_sweep
from twin.sweep.task import run_one

SCENARIO = "zone-failure"
PARAMS = {"registry.replicas": [2, 3, 4]}
TARGET = 1.1
DAY = (os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios", "day-500.yaml"),
       {"registry.replicas": [3, 4]}, 1.05)
"""`--day-500`: scenario, parameters and target."""


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the sweep's workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def serial(seeds: int) -> dict:
    runs = plan_sweep(SCENARIO, PARAMS, seeds).runs
    each, cpu = [], cpu_seconds()
    for run in runs:
        started = time.perf_counter()
        run_one(run)
        each.append(time.perf_counter() - started)
    return {"runs": len(runs), "serial_seconds": round(sum(each), 2), "serial_cpu_seconds": round(cpu_seconds() - cpu, 2),
            "slowest_run_seconds": round(max(each), 3)}


def swept(seeds: int, workers: int, per_run: bool = False) -> dict:
    name = "sweep_per_run" if per_run else "sweep"
    task_seconds, chunks.TASK_SECONDS = chunks.TASK_SECONDS, 0 if per_run else chunks.TASK_SECONDS
    try:
        with tempfile.TemporaryDirectory() as out:
            cpu, started = cpu_seconds(), time.perf_counter()
            result = run_sweep(SCENARIO, PARAMS, seeds, workers=workers, out=out)
            wall = time.perf_counter() - started
    finally:
        chunks.TASK_SECONDS = task_seconds
    return {f"{name}_seconds": round(wall, 2), f"{name}_cpu_seconds": round(cpu_seconds() - cpu, 2), "ran": result.ran}


def pooled(seeds: int, workers: int) -> dict:
    """The control: the same runs on a plain multiprocessing pool of forked processes (no
    Dask, no files, no tables), handed out one at a time: the best a split over
    `workers` processes does on this machine right now."""
    runs = plan_sweep(SCENARIO, PARAMS, seeds).runs
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for _ in pool.imap_unordered(run_one, runs):
            pass
    return {"pool_seconds": round(time.perf_counter() - started, 2)}


def round_figures(seeds: int, workers: int, reverse: bool, per_run: bool) -> dict:
    steps = [lambda: serial(seeds), lambda: pooled(seeds, workers), lambda: swept(seeds, workers)]
    if per_run:
        steps.append(lambda: swept(seeds, workers, per_run=True))
    figures = {"load_1min": os.getloadavg()[0]}
    for step in reversed(steps) if reverse else steps:
        figures |= step()
    ideal = figures["serial_seconds"] / workers
    figures["ratio_to_serial_over_workers"] = round(figures["sweep_seconds"] / ideal, 3)
    figures["pool_ratio_to_serial_over_workers"] = round(figures["pool_seconds"] / ideal, 3)
    figures["sweep_over_pool"] = round(figures["sweep_seconds"] / figures["pool_seconds"], 3)
    if per_run:
        figures["per_run_ratio_to_serial_over_workers"] = round(figures["sweep_per_run_seconds"] / ideal, 3)
    return figures


def overhead(seeds: int, workers: int, rounds: int) -> dict:
    """Median wall and CPU seconds of the sweep with instant runs, chunked and per run,
    and the chunked sweep's steps apart."""
    records = {run.name: run_one(run) for run in plan_sweep(SCENARIO, PARAMS, seeds).runs}
    real, chunks.run_one = chunks.run_one, lambda run: dict(records[run.name])  # the workers fork with it
    try:
        measured = [swept(seeds, workers, per_run) for _ in range(rounds) for per_run in (False, True)]
        figures = {"phases_median": phases(seeds, workers, rounds)}
    finally:
        chunks.run_one = real
    for name in ("sweep", "sweep_per_run"):
        for kind in ("seconds", "cpu_seconds"):
            figures[f"{name}_{kind}_median"] = statistics.median(m[f"{name}_{kind}"] for m in measured if
                                                                 f"{name}_{kind}" in m)
    return {"instant_runs": len(records), "rounds": rounds, **figures, "load_average": os.getloadavg()}


def phases(seeds: int, workers: int, rounds: int) -> dict:
    """Median seconds of each step of a chunked sweep of instant runs, taken in turn as
    `run_sweep` takes them (`chunks.run_one` is patched by the caller): the run folder,
    the LocalCluster's start, the runs through chunks (scheduling, the workers' run files,
    the records back), the cluster's shutdown, the tables. `run_sweep` builds the tables
    while the cluster shuts down; here they are timed apart."""
    from twin.sweep.executors import dask_client
    from twin.sweep.store import RunStore
    from twin.sweep.sweep import _result

    plan, steps = plan_sweep(SCENARIO, PARAMS, seeds), []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as out:
            marks = [time.perf_counter()]
            store = RunStore.open(out, plan)
            store.start()
            marks.append(time.perf_counter())
            with dask_client(workers) as client:
                marks.append(time.perf_counter())
                records = list(chunks.run_chunked(client, plan.runs, workers, store.runs, owner=os.getpid()))
                marks.append(time.perf_counter())
            marks.append(time.perf_counter())
            _result(plan, records, len(records), 0, store)
            marks.append(time.perf_counter())
        steps.append([b - a for a, b in zip(marks, marks[1:])])
    names = ("folder", "cluster_start", "runs", "cluster_shutdown", "tables")
    return {name: round(statistics.median(step[i] for step in steps), 3) for i, name in enumerate(names)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=16, help="seeds per replica count (3 counts)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunk", action="store_true", help="also the sweep with one run per task, same rounds")
    parser.add_argument("--overhead", action="store_true", help="Dask's own cost: the sweeps with instant runs")
    parser.add_argument("--day-500", action="store_true", help="8 runs of bench/scenarios/day-500.yaml (--seeds 4)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.day_500:
        global SCENARIO, PARAMS, TARGET
        SCENARIO, PARAMS, TARGET = DAY
        args.seeds = 4 if args.seeds == parser.get_default("seeds") else args.seeds
    if not args.day_500:
        run_one(plan_sweep(SCENARIO, PARAMS, 1).runs[0])  # warm the caches the serial loop would otherwise pay for
    import distributed  # noqa: F401  imported once per process (≈ 0.5 s): not charged to the first round's sweep
    import pyarrow.parquet  # noqa: F401
    if args.overhead:
        print(json.dumps(overhead(args.seeds, args.workers, args.rounds), indent=None if args.json else 2))
        return 0
    rounds = [round_figures(args.seeds, args.workers, reverse=bool(i % 2), per_run=args.chunk)
              for i in range(args.rounds)]
    ratio = statistics.median(r["ratio_to_serial_over_workers"] for r in rounds)
    figures = {"scenario": SCENARIO, "params": PARAMS, "seeds": args.seeds, "workers": args.workers, "rounds": rounds,
               "median_ratio": ratio, "median_pool_ratio": statistics.median(r["pool_ratio_to_serial_over_workers"]
                                                                              for r in rounds),
               "median_sweep_over_pool": statistics.median(r["sweep_over_pool"] for r in rounds),
               "target_ratio": TARGET, "target_holds": ratio <= TARGET, "load_average": os.getloadavg()}
    if args.chunk:
        figures["median_per_run_ratio"] = statistics.median(r["per_run_ratio_to_serial_over_workers"] for r in rounds)
    print(json.dumps(figures, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
