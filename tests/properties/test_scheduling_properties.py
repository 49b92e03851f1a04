"""Properties of the scheduler on generated cluster states, each checked against a
brute-force oracle (`tests/oracles.py`) that walks every node and pod."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import default_namespace_labels, passes_all_filters, spread_allows

from twin import strategies as ts
from twin.model.cluster import ClusterView
from twin.model.scheduling import Scheduler, SchedulerConfig, schedule_one

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

small_clusters = ts.clusters(max_zones=3, max_nodes_per_zone=4)


def feasible_by_brute_force(cluster, pod) -> set[str]:
    return {n.name for n in cluster.nodes
            if passes_all_filters(pod, n, cluster.nodes, cluster.pods, default_namespace_labels)}


def check_feasible_set_matches_oracle(cluster, pod, seed):
    view = ClusterView(cluster.nodes, cluster.pods)
    result = schedule_one(view, pod, SchedulerConfig(), np.random.default_rng(seed), score_all=True)
    found = {name for n, name in enumerate(result.node_names) if result.feasible[n]}
    assert found == feasible_by_brute_force(cluster, pod)
    if result.selected is None:
        assert not found  # no node is feasible, so none could have been chosen
    else:
        assert result.selected_name in found


@FAST
@given(small_clusters, ts.incoming_pods(), st.integers(0, 2**16))
def test_the_nodes_that_pass_all_filters_are_exactly_those_the_brute_force_oracle_accepts(cluster, pod, seed):
    check_feasible_set_matches_oracle(cluster, pod, seed)


@pytest.mark.slow
@SLOW
@given(small_clusters, ts.incoming_pods(), st.integers(0, 2**16))
def test_feasible_sets_match_the_oracle_on_many_more_examples(cluster, pod, seed):
    check_feasible_set_matches_oracle(cluster, pod, seed)


def place_in_order(cluster, pods, seed):
    view = ClusterView(cluster.nodes, cluster.pods)
    scheduler = Scheduler(rng=seed)
    placed = list(cluster.pods)
    decisions = []
    for pod in pods:
        result = scheduler.place(view, pod)
        decisions.append(result.selected_name)
        if result.selected is not None:
            node = next(n for n in cluster.nodes if n.name == result.selected_name)
            assert spread_allows(pod, node, cluster.nodes, placed), "placed against a DoNotSchedule constraint"
            placed.append(pod.bound_to(result.selected_name))
    return decisions


@FAST
@given(small_clusters, ts.incoming_pod_lists(max_size=6, pod_affinity=False), st.integers(0, 2**16))
def test_a_placed_pod_never_takes_a_hard_constraints_skew_above_max_skew(cluster, pods, seed):
    place_in_order(cluster, pods, seed)


@FAST
@given(small_clusters, ts.incoming_pod_lists(max_size=4), st.integers(0, 2**16))
def test_the_same_input_and_seed_give_the_same_decisions(cluster, pods, seed):
    assert place_in_order(cluster, pods, seed) == place_in_order(cluster, pods, seed)
