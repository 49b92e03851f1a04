"""The planner's view of capacity that moves (issue: machine pools and the autoscaler): a
sweep over a pool's autoscaling max and its instance type reports node-hours against the
time Pending pods wait for a new node, and `frontier` works on them."""

from __future__ import annotations

import math

import pytest

from twin.sweep import run_sweep
from twin.sweep.planning import frontier
from twin.sweep.text import aggregate_text

MAX = "cluster.machine_pools.worker.autoscaling.max"
TYPE = "cluster.machine_pools.worker.instance_type"


@pytest.fixture(scope="module")
def swept():
    return run_sweep("zone-failure-autoscaled", {MAX: [3, 12], TYPE: ["m5.xlarge", "m5.2xlarge"]}, 1, workers=0)


def test_the_aggregate_has_node_hours_and_the_wait_for_new_nodes_per_combination(swept):
    aggregate = swept.aggregate
    for column in ("pools.node_hours.mean", "pools.worker.node_hours.mean", "autoscaler.nodes_added.mean",
                   "autoscaler.pending_to_ready_max_seconds.mean"):
        assert column in aggregate
    capped = aggregate[aggregate[MAX] == 3]
    assert capped["autoscaler.nodes_added.mean"].eq(0).all()  # max 3 = min 3: no room to grow
    assert capped["autoscaler.pending_to_ready_max_seconds.mean"].isna().all()
    grown = aggregate[(aggregate[MAX] == 12) & (aggregate[TYPE] == "m5.xlarge")]
    assert grown["autoscaler.nodes_added.mean"].iloc[0] >= 1
    assert grown["pools.node_hours.mean"].iloc[0] > capped[capped[TYPE] == "m5.xlarge"]["pools.node_hours.mean"].iloc[0]


def test_the_pool_total_is_the_sum_of_the_pools(swept):
    runs = swept.runs
    assert (runs["pools.node_hours"] - runs["pools.worker.node_hours"]).abs().max() < 1e-9


def test_the_sweep_text_shows_node_hours_and_nodes_added(swept):
    text = aggregate_text(swept.aggregate, swept.plan.paths)
    assert "node-hours" in text and "nodes added" in text and "pending to Ready max s" in text


def test_frontier_finds_the_smallest_max_whose_pending_pods_wait_at_most_ten_minutes(swept):
    targets = {"autoscaler.pending_to_ready_max_seconds": 600}
    line = frontier(swept.aggregate, targets, x=TYPE, y=MAX)
    smallest = dict(zip(line[TYPE], line[f"smallest {MAX}"]))
    assert smallest["m5.xlarge"] == 12  # max 3 adds no node: no value, which meets no target
    assert set(smallest) == {"m5.xlarge", "m5.2xlarge"}
    assert all(v == 12 or math.isnan(v) for v in smallest.values())
