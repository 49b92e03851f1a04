"""Short runs in chunks (`twin.sweep.chunks`): how many runs a chunk takes, each run's file
written by the worker the moment the run finishes, a chunk killed or retried part-way
losing and repeating none of its finished runs, and the same bytes as one run per task.
Runs are 15-20 min of `zone-failure` (≈ 0.03-0.1 s each)."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from pathlib import Path

import pandas as pd
import pytest

import twin.sweep.chunks as chunks
from twin.sweep import plan_sweep, run_sweep
from twin.sweep.chunks import TASK_SECONDS, chunk_size, run_chunk, run_chunked
from twin.sweep.store import RunStore

SCENARIO = "zone-failure"
PARAMS = {"registry.replicas": [2, 3], "duration": ["20m"]}
SEEDS = 4


def run_files(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.glob("*.json"))}


def without_wall(text: bytes) -> bytes:
    return b"".join(line for line in text.splitlines(keepends=True) if not line.startswith(b' "wall_seconds"'))


@pytest.fixture()
def started(tmp_path):
    """A sweep's folder as `run_sweep` prepares it before the first run, and its plan."""
    plan = plan_sweep(SCENARIO, PARAMS, SEEDS)
    store = RunStore.open(tmp_path / "sweep", plan)
    store.start()
    return plan, store


@pytest.mark.parametrize("remaining, workers, run_seconds, size", [
    (44, 2, None, 1),      # before any run finished nothing is known of their cost: one run
    (44, 2, 0.075, 11),    # short runs: a quarter of those left (2 workers × SHARE 2) ...
    (44, 2, 0.2, 5),       # ... but no more than fit in TASK_SECONDS
    (44, 2, 0.5, 2),
    (44, 2, 0.6, 1),       # a run of more than half of TASK_SECONDS is long: alone in its task
    (8, 2, 120.0, 1),      # day-500's 2-minute runs: one per task
    (3, 2, 0.01, 1),       # the tail one by one, so the workers finish together
    (1, 8, 0.01, 1),
    (100, 0, 0.01, 50),    # a scheduler without workers yet counts as one
])
def test_a_chunk_takes_a_share_of_the_runs_left_within_the_time_a_task_should_last(remaining, workers, run_seconds,
                                                                                    size):
    assert TASK_SECONDS == 1.0
    assert chunk_size(remaining, workers, run_seconds) == size


def test_successive_chunks_shrink_to_single_runs_at_the_tail():
    sizes, left = [], 48
    while left:
        sizes.append(chunk_size(left, 2, 0.075))
        left -= sizes[-1]
    assert sizes == [12, 9, 7, 5, 4, 3, 2, 2, 1, 1, 1, 1]


def test_a_worker_writes_each_runs_file_before_starting_the_next_not_at_the_end_of_the_chunk(started, monkeypatch):
    plan, store = started
    seen = []
    real = chunks.run_one

    def observed(run):
        seen.append(sorted(p.stem for p in store.runs.glob("*.json")))
        return real(run)

    monkeypatch.setattr(chunks, "run_one", observed)
    records = run_chunk(plan.runs[:3], str(store.runs), owner=None)
    names = [run.name for run in plan.runs[:3]]
    assert seen == [[], names[:1], names[:2]]
    assert [r["name"] for r in records] == names
    assert records == [json.loads((store.runs / f"{name}.json").read_text()) for name in names]


def test_a_retried_chunk_does_not_run_again_a_run_whose_file_its_first_attempt_wrote(started, monkeypatch):
    plan, store = started
    first = run_chunk(plan.runs[:1], str(store.runs), owner=None)
    before = run_files(store.runs)
    ran = []
    real = chunks.run_one
    monkeypatch.setattr(chunks, "run_one", lambda run: ran.append(run.name) or real(run))
    again = run_chunk(plan.runs[:3], str(store.runs), owner=None)
    assert ran == [plan.runs[1].name, plan.runs[2].name]
    assert again[0] == first[0]
    assert {name: files for name, files in run_files(store.runs).items() if name in before} == before


def test_a_chunk_stops_before_its_next_run_when_the_sweep_that_owns_it_is_gone(started):
    plan, store = started
    assert run_chunk(plan.runs[:2], str(store.runs), owner=os.getppid() + 1) == []
    assert list(store.runs.iterdir()) == []


def _chunk_in_a_process(runs, folder):
    run_chunk(runs, folder, owner=None)


def test_a_chunk_killed_mid_way_loses_none_of_its_finished_runs_and_repeats_none_on_resume(started):
    """SIGKILL of the process running a chunk of all 8 runs once 2 files are written; the
    resumed sweep runs exactly the others, leaves the survivors' bytes and mtimes alone,
    and gives the tables of an uninterrupted sweep."""
    plan, store = started
    process = multiprocessing.get_context("fork").Process(target=_chunk_in_a_process,
                                                          args=(plan.runs, str(store.runs)))
    process.start()
    deadline = time.monotonic() + 120
    try:
        while len(list(store.runs.glob("*.json"))) < 2:
            assert process.is_alive(), "the chunk ended before it could be killed"
            assert time.monotonic() < deadline, "no run finished within 2 minutes"
            time.sleep(0.002)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.join()
    survivors = run_files(store.runs)
    assert 2 <= len(survivors) < len(plan.runs), f"{len(survivors)} of {len(plan.runs)} runs written"
    assert all(json.loads(text)["name"] + ".json" == name for name, (text, _) in survivors.items())

    resumed = run_sweep(SCENARIO, PARAMS, SEEDS, workers=1, out=store.folder)

    assert (resumed.ran, resumed.skipped) == (len(plan.runs) - len(survivors), len(survivors))
    after = run_files(store.runs)
    assert sorted(after) == sorted(f"{run.name}.json" for run in plan.runs)  # each run's file, exactly once
    assert {name: after[name] for name in survivors} == survivors
    assert not [p for p in store.runs.iterdir() if p.name.startswith(".")]
    uninterrupted = run_sweep(SCENARIO, PARAMS, SEEDS, workers=0)
    pd.testing.assert_frame_equal(resumed.runs, uninterrupted.runs)
    pd.testing.assert_frame_equal(resumed.aggregate, uninterrupted.aggregate)


def test_chunks_give_the_same_bytes_as_running_each_run_in_this_process(tmp_path):
    """Run files equal but for the wall time, Parquet tables equal byte for byte."""
    here = run_sweep(SCENARIO, PARAMS, SEEDS, workers=0, out=tmp_path / "here")
    chunked = run_sweep(SCENARIO, PARAMS, SEEDS, workers=2, out=tmp_path / "chunked")
    assert chunked.ran == here.ran == 8
    a, b = run_files(tmp_path / "here" / "runs"), run_files(tmp_path / "chunked" / "runs")
    assert sorted(a) == sorted(b)
    assert all(without_wall(a[name][0]) == without_wall(b[name][0]) for name in a)
    for table in ("runs.parquet", "aggregate.parquet"):
        assert (tmp_path / "here" / table).read_bytes() == (tmp_path / "chunked" / table).read_bytes()


@pytest.fixture(scope="module")
def threads():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            Client(cluster, set_as_default=False) as client:
        yield client


def test_short_runs_go_in_fewer_tasks_than_runs_and_every_record_comes_back_once(threads, tmp_path):
    from distributed import get_task_stream

    plan = plan_sweep(SCENARIO, {"registry.replicas": [2, 3], "duration": ["5m"]}, 8)
    store = RunStore.open(tmp_path / "sweep", plan)
    store.start()
    with get_task_stream(threads) as stream:
        records = list(run_chunked(threads, plan.runs, workers=2, folder=store.runs))
    assert sorted(r["name"] for r in records) == sorted(run.name for run in plan.runs)
    assert len(stream.data) < len(plan.runs)
    assert {task["key"].split("-")[0] for task in stream.data} == {"run_chunk"}
    assert sorted(p.stem for p in store.runs.glob("*.json")) == sorted(run.name for run in plan.runs)


def test_on_a_callers_client_each_run_is_a_task_and_this_process_writes_the_files(threads, tmp_path):
    """Its workers may be on machines that do not see the folder."""
    from distributed import get_task_stream

    with get_task_stream(threads) as stream:
        result = run_sweep(SCENARIO, PARAMS, SEEDS, client=threads, out=tmp_path / "sweep")
    assert result.ran == 8 and len(stream.data) == 8
    assert {task["key"].split("-")[0] for task in stream.data} == {"run_one"}
    assert len(list((tmp_path / "sweep" / "runs").glob("*.json"))) == 8


def test_an_error_in_a_chunk_names_the_run_and_keeps_the_runs_before_it(started, monkeypatch):
    plan, store = started
    real = chunks.run_one

    def failing(run):
        if run.name == plan.runs[1].name:
            raise ValueError("boom")
        return real(run)

    monkeypatch.setattr(chunks, "run_one", failing)
    with pytest.raises(ValueError, match="boom") as error:
        run_chunk(plan.runs[:3], str(store.runs), owner=None)
    assert error.value.__notes__ == [f"in sweep run {plan.runs[1].name} ({plan.runs[1].values}, seed 2)"]
    assert [p.stem for p in store.runs.glob("*.json")] == [plan.runs[0].name]


def test_a_worker_killed_mid_chunk_is_replaced_and_the_retried_chunk_repeats_none_of_its_finished_runs(tmp_path,
                                                                                                     monkeypatch):
    """Two chunks of 8 runs on one worker, SIGKILLed once 3 run files exist (in its first
    chunk); its nanny forks a new worker, Dask runs the chunk again, which skips the runs
    whose files the killed worker wrote."""
    import threading

    import psutil

    monkeypatch.setattr(chunks, "chunk_size", lambda remaining, workers, run_seconds: 8)
    params, seeds, out = {"registry.replicas": [2, 3], "duration": ["20m"]}, 8, tmp_path / "sweep"
    killed: dict = {}

    def kill_the_worker_part_way() -> None:
        deadline = time.monotonic() + 120
        while len(list((out / "runs").glob("*.json"))) < 3 and time.monotonic() < deadline:
            time.sleep(0.002)
        workers = psutil.Process().children()
        killed["files"] = run_files(out / "runs")
        for worker in workers:
            worker.send_signal(signal.SIGKILL)
        killed["workers"] = len(workers)

    watcher = threading.Thread(target=kill_the_worker_part_way)
    watcher.start()
    result = run_sweep(SCENARIO, params, seeds, workers=1, out=out)
    watcher.join()

    survivors = killed["files"]
    assert killed["workers"] == 1 and 3 <= len(survivors) < 8
    after = run_files(out / "runs")
    assert result.ran == 16 and sorted(after) == sorted(f"{run.name}.json" for run in result.plan.runs)
    assert {name: after[name] for name in survivors} == survivors  # same bytes, same mtime: not run again
    assert not [p for p in (out / "runs").iterdir() if p.name.startswith(".")]
    pd.testing.assert_frame_equal(result.runs, run_sweep(SCENARIO, params, seeds, workers=0).runs)
