"""Short runs grouped into chunks, one Dask task per chunk, each run's file written by the
worker the moment the run finishes.

Why: a Dask task costs a few milliseconds of scheduler, client and worker work, and on a
2-core machine the sweep's own process shares the cores with the workers, so 48 runs of
`zone-failure` (≈ 75 ms each) as 48 tasks spend ≈ 15-20 % on Dask. Chunks of several runs
cut the tasks to a third and keep Dask's share at a few percent (`bench/bench_sweep.py`).

The rule (`chunk_size`), applied each time a chunk is submitted:

* nothing is known of a run's cost before the first runs finish, so the first chunks hold
  one run each (`window` of them: two per worker, one running and one waiting);
* then `run_seconds` is the mean wall time of the runs this sweep has finished so far, and
  a chunk holds at most `TASK_SECONDS / run_seconds` runs: a run is *short* when several
  fit in `TASK_SECONDS`, *long* when it takes more than half of it, and then it stays one
  run per task (a 2-minute run of `day-500` is never grouped);
* and at most `remaining / (SHARE × workers)` runs (guided self-scheduling, Polychronopoulos
  & Kuck 1987): early chunks are large, the last ones hold one run, so the workers finish
  within about one run of each other.

Crash safety is as with one run per task: the worker writes each run's file atomically
(`store.save_record`: a temporary name, then `os.replace`) as soon as that run finishes,
not at the end of the chunk, so a kill of the sweep loses at most the runs that were
executing, one per worker; on restart, runs whose files exist are skipped
(`RunStore.finished`) and temporary files a kill left are removed (`RunStore.start`). A
chunk's records also come back to the sweep's process for the tables and progress; it
writes nothing itself. The run files are the same bytes whoever writes them
(`store.record_json`).

Where: only on the sweep's own LocalCluster, whose workers are processes of this machine
and see the run folder. On a remote scheduler or a caller's `client=` the workers may be
on machines that do not see the folder, so runs there stay one per task and the sweep's
process writes each record as it arrives (`executors.run_on_dask`). A local worker also
checks, before each run, that the sweep's process is still its parent: a worker orphaned by
a `kill -9` of the sweep alone (not of its process group) stops at the next run instead of
writing files a resumed sweep may be writing too."""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

from twin.sweep.store import as_saved, read_record, save_record
from twin.sweep.task import RunSpec, run_one

TASK_SECONDS = 1.0
"""A chunk's target length: a task's ≈ 5-10 ms of Dask work is then ≤ 1 % of it."""
SHARE = 2
"""Guided self-scheduling: a chunk takes at most 1 / (SHARE × workers) of the runs left."""
WINDOW_PER_WORKER = 2
"""Chunks in flight per worker: one running, one waiting on the worker (the scheduler
sends a single-threaded worker ceil(1.1 × 1) = 2 tasks, `worker-saturation`)."""


def chunk_size(remaining: int, workers: int, run_seconds: float | None) -> int:
    """How many of the `remaining` runs the next chunk takes.

    >>> chunk_size(44, 2, None)       # nothing measured yet: one run
    1
    >>> chunk_size(44, 2, 0.075)      # short runs: 44 / (2 × 2) = 11, under 1 s / 0.075 s = 13
    11
    >>> chunk_size(44, 2, 0.2)        # 1 s holds 5 of them
    5
    >>> chunk_size(44, 2, 0.6), chunk_size(3, 2, 0.01)   # a long run alone; the tail one by one
    (1, 1)
    """
    if run_seconds is None or remaining <= 1:
        return 1
    guided = math.ceil(remaining / (SHARE * max(workers, 1)))
    budget = int(TASK_SECONDS / run_seconds) if run_seconds > 0 else guided
    return max(1, min(guided, budget))


def run_chunk(runs: Sequence[RunSpec], folder: str | None, owner: int | None) -> list[dict]:
    """Executed by a worker: each run in turn, its file written (`folder`, the sweep's
    runs/ folder; None: no folder) the moment it finishes; the records as their files hold
    them. `owner`: the sweep's process id; if it is no longer this process's parent, the
    chunk stops before the next run (what was written stays)."""
    records = []
    for run in runs:
        if owner is not None and os.getppid() != owner:
            break
        try:
            records.append(_saved(run, Path(folder)) if folder is not None else as_saved(run_one(run)))
        except Exception as exc:
            exc.add_note(f"in sweep run {run.name} ({run.values}, seed {run.seed})")
            raise
    return records


def _saved(run: RunSpec, folder: Path) -> dict:
    """The run's record, written; or, when its file is there already, what the file holds:
    the chunk is a retry (Dask runs a task again when its worker died part-way, up to
    `distributed.scheduler.allowed-failures` times) and this run finished in the attempt
    before, so it is not run again."""
    return read_record(folder / f"{run.name}.json") or save_record(folder, run_one(run))


def run_chunked(client, runs: Sequence[RunSpec], workers: int, folder: Path | None,
                owner: int | None = None) -> Iterator[dict]:
    """Submit chunks (`chunk_size`), `WINDOW_PER_WORKER × workers` in flight, each next one
    sized and submitted when an earlier one completes; yield every record of each completed
    chunk (whatever completed since the last look, `as_completed(...).batches()`: one wake-up
    of this process per batch, not per run). On an error (or when the caller stops early) the
    chunks still queued are cancelled."""
    from distributed import as_completed

    flight = _InFlight(client, runs, workers, str(folder) if folder is not None else None, owner)
    completed = as_completed(loop=client.loop)
    try:
        flight.refill(completed)
        for batch in completed.batches():
            records = [record for future in batch for record in flight.landed(future)]
            flight.refill(completed)  # before handing the records on: the workers' queues stay full
            yield from records
    finally:
        client.cancel(list(flight.chunks))


class _InFlight:
    """The runs not yet submitted, the chunks submitted and not yet back, and the mean
    wall time of the runs finished so far."""

    def __init__(self, client, runs: Sequence[RunSpec], workers: int, folder: str | None, owner: int | None) -> None:
        self.client, self.pending, self.workers = client, deque(runs), max(workers, 1)
        self.folder, self.owner = folder, owner
        self.chunks: dict = {}
        self.count, self.seconds = 0, 0.0

    def refill(self, completed) -> None:
        while self.pending and len(self.chunks) < WINDOW_PER_WORKER * self.workers:
            mean = self.seconds / self.count if self.count else None
            chunk = [self.pending.popleft() for _ in range(chunk_size(len(self.pending), self.workers, mean))]
            future = self.client.submit(run_chunk, chunk, self.folder, self.owner, pure=False)
            self.chunks[future] = chunk
            completed.add(future)

    def landed(self, future) -> list[dict]:
        chunk, records = self.chunks.pop(future), future.result()
        if len(records) < len(chunk):  # its worker found the sweep's process gone: not while we wait here
            raise RuntimeError(f"a sweep worker stopped after {len(records)} of {len(chunk)} runs: its parent "
                               "process changed")
        self.count += len(records)
        self.seconds += sum(record["wall_seconds"] for record in records)
        return records
