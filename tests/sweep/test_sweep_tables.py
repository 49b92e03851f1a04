"""The sweep's tables from hand-made run records (`twin/sweep/tables.py`): flattening the
summary document, row order, column types, and the aggregate's mean, std, 95 % interval
and invariant shares."""

from __future__ import annotations

import math
import random

import pandas as pd
import pytest
from sweep_records import record

from twin.sweep.tables import aggregate_frame, flatten, runs_frame, verdict_columns

PATHS = ["registry.replicas"]


def test_the_numeric_scalars_of_the_kpi_sections_are_flattened_with_dots():
    document = {"scenario": "x", "seed": 1, "kpis": {"a": 1, "b": None, "c": "text", "d": True},
                "requests": {"pulls": {"p99_seconds": 2.5}, "phases": [{"from": 0}], "latency_seconds": {}}}
    assert flatten(document) == {"kpis.a": 1, "kpis.b": None, "requests.pulls.p99_seconds": 2.5}


def test_each_verdict_is_a_holds_column_and_a_repeated_name_gets_a_suffix():
    document = {"invariants": [{"name": "max_skew", "holds": True}, {"name": "registry_availability", "holds": False},
                               {"name": "max_skew", "holds": False}]}
    assert verdict_columns(document) == {"holds.max_skew": True, "holds.registry_availability": False,
                                         "holds.max_skew#2": False}


def test_rows_follow_the_plan_not_the_completion_order():
    records = [record(i, seed, replicas, 400.0) for i, replicas in enumerate((2, 3)) for seed in (7, 8, 9)]
    shuffled = random.Random(4).sample(records, len(records))
    runs = runs_frame(shuffled, PATHS)
    assert list(zip(runs["registry.replicas"], runs["seed"])) == [(2, 7), (2, 8), (2, 9), (3, 7), (3, 8), (3, 9)]
    pd.testing.assert_frame_equal(runs, runs_frame(records, PATHS))


def test_the_runs_table_has_parameters_seed_status_verdicts_then_kpis():
    runs = runs_frame([record(0, 1, 2, None, holds=False), record(0, 2, 2, 380.0)], PATHS)
    assert list(runs.columns) == ["registry.replicas", "seed", "exit_status", "holds.zone_failure_recovery",
                                  "kpis.registry_recovery_seconds", "kpis.evictions",
                                  "requests.latency_seconds.blob_get.p99", "requests.latency_seconds.blob_get.requests"]
    assert runs["exit_status"].tolist() == [1, 0]
    assert runs["holds.zone_failure_recovery"].dtype == bool
    assert runs["kpis.evictions"].dtype == "int64"
    assert math.isnan(runs["kpis.registry_recovery_seconds"][0])


def test_the_interval_is_the_mean_plus_or_minus_t_times_std_over_root_n():
    # values 1, 2, 3, 4: mean 2.5, s = 1.290994, t(0.975, 3) = 3.182446, half width 2.054260
    records = [record(0, seed, 2, value) for seed, value in zip(range(4), (1.0, 2.0, 3.0, 4.0))]
    row = aggregate_frame(runs_frame(records, PATHS), PATHS).iloc[0]
    assert row["kpis.registry_recovery_seconds.mean"] == pytest.approx(2.5)
    assert row["kpis.registry_recovery_seconds.std"] == pytest.approx(1.290994, rel=1e-6)
    assert row["kpis.registry_recovery_seconds.ci95_low"] == pytest.approx(2.5 - 2.054260, rel=1e-6)
    assert row["kpis.registry_recovery_seconds.ci95_high"] == pytest.approx(2.5 + 2.054260, rel=1e-6)
    assert row["kpis.registry_recovery_seconds.n"] == 4


def test_invariants_aggregate_to_the_share_of_seeds_that_hold_and_nulls_are_left_out():
    records = [record(0, 0, 2, 400.0), record(0, 1, 2, None, holds=False), record(0, 2, 2, 410.0),
               record(1, 0, 3, 300.0)]
    aggregate = aggregate_frame(runs_frame(records, PATHS), PATHS)
    first, second = aggregate.iloc[0], aggregate.iloc[1]
    assert aggregate["registry.replicas"].tolist() == [2, 3]
    assert (first["seeds"], first["all_hold"], first["holds.zone_failure_recovery"]) == (3, pytest.approx(2 / 3),
                                                                                         pytest.approx(2 / 3))
    assert (first["kpis.registry_recovery_seconds.mean"], first["kpis.registry_recovery_seconds.n"]) == (405.0, 2)
    assert math.isnan(second["kpis.registry_recovery_seconds.std"])  # one seed: no spread, no interval
    assert math.isnan(second["kpis.registry_recovery_seconds.ci95_low"])


def test_a_sweep_without_parameters_aggregates_to_one_row():
    aggregate = aggregate_frame(runs_frame([record(0, 1, 2, 1.0), record(0, 2, 2, 3.0)], []), [])
    assert len(aggregate) == 1 and aggregate["seeds"][0] == 2
    assert aggregate.columns[0] == "seeds"


def test_parameter_values_of_mixed_types_become_their_text():
    records = [record(0, 1, 2, 1.0), record(1, 1, 2, 1.0)]
    records[0]["values"], records[1]["values"] = {"duration": 900}, {"duration": "1h"}
    runs = runs_frame(records, ["duration"])
    assert runs["duration"].tolist() == ["900", "1h"]
