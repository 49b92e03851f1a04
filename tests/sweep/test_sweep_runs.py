"""Sweeps executed (`twin.sweep.run_sweep`): the same tables whichever way the runs are
executed (in this process, 1 or 2 worker processes, a caller's client, a scheduler
address), one atomic run file per run, reruns that skip finished runs, and results kept
in memory without a folder. Runs are 15 min of `zone-failure` (~0.1 s each)."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from twin.errors import InputError
from twin.sweep import run_sweep
from twin.sweep.store import DEFINITION

SCENARIO = "zone-failure"
PARAMS = {"registry.replicas": [2, 3], "duration": ["15m", "20m"]}
SEEDS = 2


@pytest.fixture(scope="module")
def in_process():
    return run_sweep(SCENARIO, PARAMS, SEEDS, workers=0)


@pytest.fixture(scope="module")
def threads():
    """A caller's own cluster (in-process threads: cheap to start), shared by the tests."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster, set_as_default=False) as client:
        yield client


def assert_same_results(a, b):
    pd.testing.assert_frame_equal(a.runs, b.runs)
    pd.testing.assert_frame_equal(a.aggregate, b.aggregate)


def test_one_and_two_worker_processes_give_the_same_tables_as_this_process(in_process, tmp_path):
    one = run_sweep(SCENARIO, PARAMS, SEEDS, workers=1)
    two = run_sweep(SCENARIO, PARAMS, SEEDS, workers=2, out=tmp_path / "two")
    assert_same_results(one, in_process)
    assert_same_results(two, in_process)
    assert (one.ran, two.ran) == (8, 8)


def test_a_callers_client_and_a_scheduler_address_give_the_same_tables(in_process, threads):
    assert_same_results(run_sweep(SCENARIO, PARAMS, SEEDS, client=threads), in_process)
    assert_same_results(run_sweep(SCENARIO, PARAMS, SEEDS, scheduler=threads.scheduler.address), in_process)
    assert threads.status == "running"  # the caller's client is left open


def test_the_runs_table_has_every_parameter_seed_verdict_and_kpi(in_process):
    runs = in_process.runs
    assert len(runs) == 8
    assert list(runs.columns[:8]) == ["registry.replicas", "duration", "seed", "exit_status", "holds.max_skew",
                                      "holds.zone_failure_recovery", "holds.registry_availability",
                                      "holds.no_binding_to_unready_nodes"]
    for column in ("kpis.registry_recovery_seconds", "kpis.min_ready_replicas", "requests.rejected_429_fraction",
                   "requests.pulls.pulls", "requests.outcomes.too_many"):
        assert column in runs
    # the zone returns at 40 min: a 15 min run never sees the registry recover, a 20 min run does
    assert runs.groupby("duration")["holds.zone_failure_recovery"].all().to_dict() == {"15m": False, "20m": True}
    assert (runs["exit_status"] == (~runs["holds.zone_failure_recovery"]).astype(int)).all()


def test_the_aggregate_has_one_row_per_combination_with_figures_across_seeds(in_process):
    aggregate = in_process.aggregate
    assert aggregate[["registry.replicas", "duration", "seeds"]].values.tolist() == [
        [2, "15m", 2], [2, "20m", 2], [3, "15m", 2], [3, "20m", 2]]
    assert {"kpis.min_ready_replicas.mean", "kpis.min_ready_replicas.ci95_low", "holds.max_skew"} <= set(aggregate)
    assert aggregate["kpis.min_ready_replicas.mean"].tolist() == [1, 1, 2, 2]


def test_a_run_is_the_same_as_twin_run_with_its_values_and_seed(in_process, tmp_path):
    from twin.analysis.outcome import evaluate
    from twin.scenarios.variation import ScenarioDocument

    varied = ScenarioDocument.read(SCENARIO).with_values({"registry.replicas": 3, "duration": "20m"})
    document = evaluate(varied.scenario(), 2).document
    row = in_process.runs.query("`registry.replicas` == 3 and duration == '20m' and seed == 2").iloc[0]
    assert row["kpis.registry_recovery_seconds"] == document["kpis"]["registry_recovery_seconds"]
    assert row["requests.issued"] == document["requests"]["issued"]


def test_each_run_file_holds_the_summary_document_and_a_rerun_runs_nothing(in_process, tmp_path):
    out = tmp_path / "sweep"
    first = run_sweep(SCENARIO, PARAMS, SEEDS, workers=0, out=out)
    files = sorted((out / "runs").iterdir())
    assert [f.name for f in files[:2]] == ["0000-seed-1.json", "0000-seed-2.json"] and len(files) == 8
    record = json.loads(files[0].read_text())
    assert record["summary"]["scenario"] == SCENARIO and record["exit_status"] == 1
    stamps = {f.name: (f.read_bytes(), f.stat().st_mtime_ns) for f in files}
    again = run_sweep(SCENARIO, PARAMS, SEEDS, out=out)
    assert (first.ran, again.ran, again.skipped) == (8, 0, 8)
    assert stamps == {f.name: (f.read_bytes(), f.stat().st_mtime_ns) for f in sorted((out / "runs").iterdir())}
    assert_same_results(again, in_process)
    assert_same_results(again, type(again)(again.plan, pd.read_parquet(out / "runs.parquet"),
                                           pd.read_parquet(out / "aggregate.parquet"), again.timings, 0, 0, out))
    assert json.loads((out / DEFINITION).read_text()) == first.definition


def test_a_sweep_without_a_folder_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_sweep(SCENARIO, {"duration": ["5m"]}, workers=0)
    assert result.out is None and list(tmp_path.iterdir()) == []


def test_wall_seconds_are_kept_apart_from_the_results(in_process):
    assert list(in_process.timings.columns) == ["registry.replicas", "duration", "seed", "wall_seconds"]
    assert not any("wall" in column for column in in_process.runs.columns)


@pytest.mark.parametrize("where, message", [
    ({"workers": 2, "scheduler": "tcp://127.0.0.1:1"}, "expected either --scheduler or --workers, not both"),
    ({"workers": -1}, "--workers: expected a whole number of workers >= 0"),
])
def test_contradictory_or_impossible_places_to_run_are_refused(where, message):
    with pytest.raises(InputError, match=message):
        run_sweep(SCENARIO, PARAMS, **where)


@pytest.mark.parametrize("content", ["{}", "[]", '{"name": "0000-seed-1"}', "not json", ""])
def test_a_run_file_that_is_not_a_runs_record_is_run_again(in_process, tmp_path, content):
    """A truncated file, `{}` or another program's JSON in place of a run file counts as
    not finished: the run is made again and the tables are the same (issue: hostile input)."""
    out = tmp_path / "sweep"
    run_sweep(SCENARIO, PARAMS, SEEDS, workers=0, out=out)
    (out / "runs" / "0000-seed-1.json").write_text(content)
    again = run_sweep(SCENARIO, PARAMS, SEEDS, workers=0, out=out)
    assert (again.ran, again.skipped) == (1, 7)
    assert_same_results(again, in_process)
    assert json.loads((out / "runs" / "0000-seed-1.json").read_text())["name"] == "0000-seed-1"
