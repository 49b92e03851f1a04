"""Zone keys, zone states, per-zone NoExecute tainting rates and `handleDisruption`, case
by case from `spec/lifecycle.md` §b.2 and §b.3 (two-pass cases after upstream
TestMonitorNodeHealth)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from builders import node

from twin.model.controllers.node_config import NodeLifecycleConfig
from twin.model.controllers.zones import (
    BETA_REGION_KEY,
    BETA_ZONE_KEY,
    EXCLUDE_DISRUPTION_LABEL,
    FULL_DISRUPTION,
    INITIAL,
    NORMAL,
    PARTIAL_DISRUPTION,
    compute_zone_state,
    excluded_from_disruption,
    handle_disruption,
    zone_eviction_rate,
    zone_key,
    zone_states,
)
from twin.model.objects import REGION_KEY, ZONE_KEY, Node

T, F, U = "True", "False", "Unknown"
Z1, Z2 = "region1:\x00:zone1", "region1:\x00:zone2"


def in_zone(name: str, zone: str, ready: str | None, **labels: str) -> Node:
    region, _, zone_name = zone.partition(":\x00:")
    built = node(name).label(REGION_KEY, region).label(ZONE_KEY, zone_name)
    for key, val in labels.items():
        built = built.label(key, val)
    return replace(built.build(), ready=ready)


@pytest.mark.parametrize(
    "labels, expected",
    [
        pytest.param({REGION_KEY: "r", ZONE_KEY: "z"}, "r:\x00:z", id="region and zone from the topology labels"),
        pytest.param({ZONE_KEY: "z"}, ":\x00:z", id="a zone without a region still has a key"),
        pytest.param({REGION_KEY: "r"}, "r:\x00:", id="a region without a zone still has a key"),
        pytest.param({}, "", id="a node without labels falls in zone empty string"),
        pytest.param({BETA_ZONE_KEY: "old", ZONE_KEY: "new"}, ":\x00:old", id="the legacy beta zone label wins when present"),
        pytest.param({BETA_REGION_KEY: "r", BETA_ZONE_KEY: "z"}, "r:\x00:z", id="the legacy beta labels alone are enough"),
    ],
)
def test_zone_key(labels, expected):
    assert zone_key(Node("n", labels)) == expected


def test_the_exclude_disruption_label_excludes_a_node_whatever_its_value():
    assert excluded_from_disruption(Node("n", {EXCLUDE_DISRUPTION_LABEL: ""}))
    assert excluded_from_disruption(Node("n", {EXCLUDE_DISRUPTION_LABEL: "false"}))
    assert not excluded_from_disruption(Node("master-0"))  # control-plane nodes are counted


@pytest.mark.parametrize(
    "statuses, expected",
    [
        pytest.param([T], NORMAL, id="one healthy node is Normal"),
        pytest.param([U, U, T], NORMAL, id="two of three down is Normal: more than 2 must be not ready"),
        pytest.param([U, U, U, T], PARTIAL_DISRUPTION, id="three of four down is PartialDisruption"),
        pytest.param([U, U, U, T, T], PARTIAL_DISRUPTION, id="three of five down (0.6) is PartialDisruption"),
        pytest.param([U] * 11 + [T] * 9, PARTIAL_DISRUPTION, id="eleven of twenty (0.55 == threshold in float32) is partial"),
        pytest.param([U] * 10 + [T] * 10, NORMAL, id="ten of twenty (0.5) is Normal"),
        pytest.param([U], FULL_DISRUPTION, id="a single node down is FullDisruption"),
        pytest.param([F, U, F], FULL_DISRUPTION, id="False and Unknown both count as not ready"),
        pytest.param([None] * 4, FULL_DISRUPTION, id="absent Ready conditions count as not ready"),
        pytest.param([None, None, None, T], PARTIAL_DISRUPTION, id="three absent Ready of four is partial"),
        pytest.param([], NORMAL, id="FullDisruption needs at least one not ready node"),
    ],
)
def test_compute_zone_state(statuses, expected):
    assert compute_zone_state(statuses) == expected


def test_a_lower_threshold_makes_a_zone_partial_sooner():
    assert compute_zone_state([U, U, U] + [T] * 7, unhealthy_threshold=0.3) == PARTIAL_DISRUPTION
    assert compute_zone_state([U, U, U] + [T] * 7) == NORMAL


def test_nodes_with_the_exclusion_label_are_left_out_of_the_zone_counts():
    nodes = [in_zone("a", Z1, U), in_zone("b", Z1, T, **{EXCLUDE_DISRUPTION_LABEL: ""})]
    assert zone_states(nodes) == ({Z1: FULL_DISRUPTION}, {Z1: 1})


def test_a_zone_whose_nodes_are_all_excluded_does_not_appear():
    assert zone_states([in_zone("a", Z1, T, **{EXCLUDE_DISRUPTION_LABEL: ""})]) == ({}, {})


@pytest.mark.parametrize(
    "state, size, all_down, expected",
    [
        pytest.param(NORMAL, 3, False, 0.1, id="a Normal zone taints one node every 10 s"),
        pytest.param(INITIAL, 3, False, 0.1, id="a new zone starts at the normal rate"),
        pytest.param(FULL_DISRUPTION, 3, False, 0.1, id="a fully disrupted zone while another is up gets the normal rate"),
        pytest.param(PARTIAL_DISRUPTION, 51, False, 0.01,
                     id="a partially disrupted zone of more than 50 nodes gets the secondary rate"),
        pytest.param(PARTIAL_DISRUPTION, 50, False, 0.0, id="a partially disrupted zone of exactly 50 nodes stops tainting"),
        pytest.param(PARTIAL_DISRUPTION, 4, False, 0.0, id="a small partially disrupted zone stops tainting"),
        pytest.param(FULL_DISRUPTION, 3, True, 0.0, id="when every zone is down nothing is tainted"),
        pytest.param(NORMAL, 300, True, 0.0, id="the all zones down rule overrides every state"),
    ],
)
def test_zone_eviction_rate(state, size, all_down, expected):
    assert zone_eviction_rate(state, size, all_down) == expected


def test_the_rates_and_the_size_threshold_are_parameters():
    config = NodeLifecycleConfig(eviction_rate=0.5, secondary_eviction_rate=0.05, large_cluster_size_threshold=3)
    assert zone_eviction_rate(NORMAL, 4, config=config) == 0.5
    assert zone_eviction_rate(PARTIAL_DISRUPTION, 4, config=config) == 0.05
    assert NodeLifecycleConfig.for_kubernetes(31).eviction_rate == 0.1


def two_passes(first: list[Node], second: list[Node]):
    """Upstream's TestMonitorNodeHealth shape: compute the zone states twice, feeding the
    first pass's kept states into the second."""
    one = handle_disruption({}, *zone_states(first))
    return one, handle_disruption(one.states, *zone_states(second))


def test_no_disruption_for_a_node_without_zone_labels():
    one, two = two_passes([replace(Node("n"), ready=T)], [replace(Node("n"), ready=T)])
    assert (one.states, two.states) == ({"": NORMAL}, {"": NORMAL})
    assert one.rates == {"": 0.1} and two.rates == {}


def test_both_zones_down_then_one_comes_back():
    one, two = two_passes([in_zone("a", Z1, U), in_zone("b", Z2, U)], [in_zone("a", Z1, U), in_zone("b", Z2, T)])
    assert one.states == {Z1: FULL_DISRUPTION, Z2: FULL_DISRUPTION}
    assert one.entered_master_disruption and one.in_master_disruption and one.rates == {Z1: 0.0, Z2: 0.0}
    assert two.states == {Z1: FULL_DISRUPTION, Z2: NORMAL}
    assert two.left_master_disruption and not two.in_master_disruption
    assert two.rates == {Z1: 0.1, Z2: 0.1}  # every limiter reset, the dead zone at the normal rate


def test_nodes_without_status_conditions_then_three_of_four_unknown_is_partial():
    first = [in_zone(f"n{i}", Z1, None) for i in range(4)]
    second = [in_zone(f"n{i}", Z1, U) for i in range(3)] + [in_zone("n3", Z1, T)]
    one, two = two_passes(first, second)
    assert one.states == {Z1: FULL_DISRUPTION} and one.entered_master_disruption
    assert two.states == {Z1: PARTIAL_DISRUPTION} and two.left_master_disruption
    assert two.rates == {Z1: 0.0}  # 4 nodes: a small zone, no new taints


def test_partial_three_of_five():
    first = [in_zone(f"n{i}", Z1, U if i < 2 else T) for i in range(5)]
    second = [in_zone(f"n{i}", Z1, U if i < 3 else T) for i in range(5)]
    one, two = two_passes(first, second)
    assert (one.states, two.states) == ({Z1: NORMAL}, {Z1: PARTIAL_DISRUPTION})
    assert two.rates == {Z1: 0.0} and not two.left_master_disruption


def test_the_last_healthy_node_of_the_only_zone_fails():
    one, two = two_passes([in_zone("a", Z1, U), in_zone("b", Z1, U), in_zone("c", Z1, T)], [in_zone(n, Z1, U) for n in "abc"])
    assert (one.states, two.states) == ({Z1: NORMAL}, {Z1: FULL_DISRUPTION})
    assert two.entered_master_disruption and two.rates == {Z1: 0.0}


def test_all_the_nodes_of_one_zone_down_while_the_other_is_up():
    nodes = [in_zone("a", Z1, U), in_zone("b", Z2, T)]
    one, two = two_passes(nodes, nodes)
    assert one.states == two.states == {Z1: FULL_DISRUPTION, Z2: NORMAL}
    assert one.rates == {Z1: 0.1, Z2: 0.1} and not one.in_master_disruption
    assert two.rates == {}  # limiters change only when a zone's state changes


def test_the_ready_condition_removed_from_the_only_node():
    one, two = two_passes([in_zone("a", Z1, T)], [in_zone("a", Z1, None)])
    assert (one.states, two.states) == ({Z1: NORMAL}, {Z1: FULL_DISRUPTION})


def test_the_only_available_node_has_the_exclusion_label():
    nodes = [in_zone("a", Z1, U), in_zone("master", Z1, T, **{EXCLUDE_DISRUPTION_LABEL: ""})]
    one, two = two_passes(nodes, nodes)
    assert one.states == two.states == {Z1: FULL_DISRUPTION}


def test_a_single_zone_cluster_stays_in_master_disruption_while_all_nodes_are_down():
    down = [in_zone(n, Z1, U) for n in "abc"]
    one, two = two_passes(down, down)
    assert one.entered_master_disruption and one.rates == {Z1: 0.0}
    assert two.in_master_disruption and not two.entered_master_disruption and two.rates == {}


def test_a_zone_that_disappears_is_forgotten_and_a_new_one_starts_initial():
    decision = handle_disruption({Z1: NORMAL, "gone": NORMAL}, {Z1: NORMAL, Z2: NORMAL}, {Z1: 3, Z2: 2})
    assert decision.states == {Z1: NORMAL, Z2: NORMAL}
    assert decision.rates == {Z2: 0.1}  # Initial -> Normal is a change


def test_a_state_change_in_one_zone_swaps_only_that_zones_limiter():
    decision = handle_disruption({Z1: NORMAL, Z2: NORMAL}, {Z1: PARTIAL_DISRUPTION, Z2: NORMAL}, {Z1: 60, Z2: 60})
    assert decision.rates == {Z1: 0.01}


def test_no_nodes_at_all_decides_nothing():
    assert handle_disruption({}, {}, {}) == handle_disruption({Z1: NORMAL}, {}, {})
    assert not handle_disruption({}, {}, {}).in_master_disruption
