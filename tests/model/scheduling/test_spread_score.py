"""PodTopologySpread scoring for ScheduleAnyway constraints and cluster defaults
(`spec/scheduling.md` §3–§4). Expected values are worked out by hand in each test."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from builders import node, pod
from cycle import run_cycle, run_prebuilt, scores

from twin.model.labels import LabelSelector
from twin.model.objects import (
    DO_NOT_SCHEDULE,
    SCHEDULE_ANYWAY,
    ZONE_KEY,
    OwnerReference,
    Service,
    TopologySpreadConstraint,
    Workload,
)
from twin.model.scheduling.config import LIST, SchedulerConfig
from twin.model.scheduling.plugins.pod_topology_spread.scoring import go_round, normalise

SPREAD = "PodTopologySpread"


def test_raw_scores_4_2_0_5_normalise_to_20_60_100_0():
    raw = np.array([4, 2, 0, 5])
    assert normalise(raw, np.zeros(4, dtype=bool)).tolist() == [20, 60, 100, 0]


def test_when_every_raw_score_is_zero_all_candidates_get_100():
    assert normalise(np.array([0, 0]), np.zeros(2, dtype=bool)).tolist() == [100, 100]


def test_ignored_candidates_get_zero_and_do_not_enter_min_and_max():
    # min 2 and max 4 come from the kept candidates only: 100*(4+2-4)//4 = 50.
    raw = np.array([4, 9, 2])
    assert normalise(raw, np.array([False, True, False])).tolist() == [50, 0, 100]


def test_rounding_is_half_away_from_zero_like_go_math_round():
    assert go_round(np.array([0.5, 1.5, 2.5, 2.4999999, 0.49999999999999994])).tolist() == [1, 2, 3, 2, 0]


def web(name, where):
    return pod(name).labels(app="web").on(where)


def test_each_constraint_weighs_its_counts_by_ln_of_domains_plus_two():
    # 3 zones: w = ln 5 = 1.609; raw z1 = 2w = 3.22 -> 3, z2 = w -> 2, z3 = 0.
    nodes = [node("a").zone("z1"), node("b").zone("z2"), node("c").zone("z3")]
    pods = [web("x", "a"), web("y", "a"), web("z", "b")]
    result = run_cycle(nodes, pods, pod("p").labels(app="web").spread(1, ZONE_KEY, SCHEDULE_ANYWAY))
    assert scores(result, SPREAD) == {"a": 0, "b": 33, "c": 100}


def test_max_skew_above_one_adds_max_skew_minus_one_to_every_raw_score():
    # raw a = 2w + 2 = 5.22 -> 5, b = w + 2 = 3.61 -> 4, c = 2; 100*(7-s)//5.
    nodes = [node("a").zone("z1"), node("b").zone("z2"), node("c").zone("z3")]
    pods = [web("x", "a"), web("y", "a"), web("z", "b")]
    result = run_cycle(nodes, pods, pod("p").labels(app="web").spread(3, ZONE_KEY, SCHEDULE_ANYWAY))
    assert scores(result, SPREAD) == {"a": 40, "b": 60, "c": 100}


def test_candidates_lacking_a_key_of_the_pods_own_constraints_are_ignored():
    nodes = [node("a").zone("z1"), node("b").zone("z2"), node("bare")]
    result = run_cycle(nodes, [web("x", "a")], pod("p").labels(app="web").spread(1, ZONE_KEY, SCHEDULE_ANYWAY))
    assert scores(result, SPREAD) == {"a": 0, "b": 100, "bare": 0}


def test_system_defaults_spread_a_pod_selected_by_a_service_and_still_score_nodes_without_zones():
    # hostname: w = ln 5, maxSkew 3; zone: domains z1 and "" -> w = ln 4, maxSkew 5.
    # a = (1.609 + 2) + (1.386 + 4) = 9.0 -> 9; b = 2 + 5.386 -> 7; c = 2 (no zone key).
    nodes = [node("a").zone("z1"), node("b").zone("z1"), node("c")]
    service = Service("web", "default", {"app": "web"})
    result = run_cycle(nodes, [web("x", "a")], pod("p").labels(app="web"), services=[service])
    assert scores(result, SPREAD) == {"a": 22, "b": 44, "c": 100}


def test_system_defaults_need_a_service_or_owner_selecting_the_pod():
    nodes = [node("a").zone("z1"), node("b").zone("z2")]
    result = run_cycle(nodes, [web("x", "a")], pod("p").labels(app="web"))
    assert SPREAD not in result.scores


def test_the_owning_replicaset_selector_becomes_the_default_selector():
    nodes = [node("a").zone("z1"), node("b").zone("z2")]
    owner = Workload("ReplicaSet", "web-1", "default", LabelSelector.of({"app": "web"}))
    incoming = pod("p").labels(app="web").build()
    owned = replace(incoming, owner_references=(OwnerReference("ReplicaSet", "web-1"),))
    result = run_prebuilt([n.build() for n in nodes], [web("x", "a").build()], owned, workloads=[owner])
    assert scores(result, SPREAD)["b"] == 100 and scores(result, SPREAD)["a"] < 100


def test_a_pod_with_only_hard_constraints_gets_no_spread_score_and_no_defaults():
    nodes = [node("a").zone("z1"), node("b").zone("z2")]
    service = Service("web", "default", {"app": "web"})
    result = run_cycle(nodes, [], pod("p").labels(app="web").spread(1, ZONE_KEY), services=[service])
    assert SPREAD not in result.scores


def test_list_defaulting_with_hard_defaults_filters_pods_without_constraints():
    defaults = (TopologySpreadConstraint(1, ZONE_KEY, DO_NOT_SCHEDULE),)
    config = SchedulerConfig(spread_defaulting=LIST, default_constraints=defaults)
    nodes = [node("a").zone("z1"), node("b").zone("z2")]
    service = Service("web", "default", {"app": "web"})
    result = run_cycle(nodes, [web("x", "a")], pod("p").labels(app="web"), config=config, services=[service])
    assert result.selected_name == "b"
