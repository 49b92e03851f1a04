"""Capacity planning over a sweep's aggregate (`twin/sweep/planning.py`), on hand-made
aggregates whose answers can be read off by eye."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from twin.report.frontier import frontier_figure
from twin.sweep.planning import frontier, meets_targets, smallest_meeting

P99 = "requests.pulls.p99_seconds"
REJECTED = "requests.rejected_429_fraction"
TARGETS = {P99: 30.0, REJECTED: 0.01}


def aggregate(rows: list[tuple]) -> pd.DataFrame:
    """rows: (replicas, maxRunning, p99 mean, p99 ci high, 429 mean, 429 ci high)."""
    columns = ["registry.replicas", "maxRunning", f"{P99}.mean", f"{P99}.ci95_high", f"{REJECTED}.mean",
               f"{REJECTED}.ci95_high"]
    return pd.DataFrame(rows, columns=columns)


GRID = aggregate([
    (2, 8, 45.0, 50.0, 0.20, 0.25),
    (2, 32, 25.0, 28.0, 0.00, 0.00),
    (3, 8, 29.0, 31.0, 0.005, 0.008),   # mean within, upper bound above the p99 target
    (3, 32, 20.0, 22.0, 0.00, 0.00),
    (4, 8, 15.0, 18.0, 0.00, 0.001),
    (4, 32, 12.0, 14.0, 0.00, 0.00),
])


def test_a_combination_meets_its_targets_by_the_upper_end_of_the_interval():
    assert meets_targets(GRID, TARGETS).tolist() == [False, True, False, True, True, True]


def test_with_one_seed_the_mean_is_used():
    single = GRID.assign(**{f"{P99}.ci95_high": math.nan})
    assert meets_targets(single, TARGETS).tolist() == [False, True, True, True, True, True]


def test_a_kpi_without_a_value_does_not_meet_its_target():
    missing = GRID.assign(**{f"{P99}.mean": math.nan, f"{P99}.ci95_high": math.nan})
    assert not meets_targets(missing, TARGETS).any()


def test_the_smallest_setting_is_the_cheapest_by_the_cost_order():
    best = smallest_meeting(GRID, TARGETS, cost=["registry.replicas", "maxRunning"])
    assert best.iloc[0][["registry.replicas", "maxRunning"]].tolist() == [2, 32]
    assert len(best) == 4


def test_the_frontier_gives_the_smallest_y_per_x():
    line = frontier(GRID, TARGETS, x="registry.replicas", y="maxRunning")
    assert line["smallest maxRunning"].tolist() == [32, 32, 8]


def test_the_frontier_is_empty_where_nothing_meets_the_targets():
    line = frontier(GRID, {P99: 10.0}, x="registry.replicas", y="maxRunning")
    assert line["smallest maxRunning"].isna().all()


def test_an_unknown_kpi_is_named():
    with pytest.raises(KeyError, match="not a KPI of this sweep"):
        meets_targets(GRID, {"requests.nope": 1})


def test_the_frontier_figure_has_a_panel_per_load():
    grid = pd.concat([GRID.assign(load=20), GRID.assign(load=40)], ignore_index=True)
    figure = frontier_figure(grid, meets_targets(grid, TARGETS), x="registry.replicas", y="maxRunning", by="load")
    assert [ax.get_title() for ax in figure.axes] == ["load = 20", "load = 40"]
