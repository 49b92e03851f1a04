"""Expanders, translated from kubernetes/autoscaler `cluster-autoscaler/expander/`:
`waste/waste_test.go` `TestLeastWaste`, `mostpods/mostpods_test.go` `TestMostPods`,
`priority/priority_test.go` (its `config`, `oneEntryConfig` and `wildcardMatchConfig`), and
the chain of `factory/chain.go`."""

from __future__ import annotations

import numpy as np
import pytest

from twin.model.autoscaling.expanders import Option, best_option, least_waste, most_pods, priority, random_choice
from twin.model.autoscaling.node_group import NodeGroup
from twin.model.objects import Container, Node, Pod

CPU_PER_POD, MEMORY_PER_POD = 500, 1000 * 1024 * 1024


def group(name: str, cpu: int = 16 * CPU_PER_POD, memory: int = 16 * MEMORY_PER_POD) -> NodeGroup:
    template = Node(name, allocatable={"cpu": cpu, "memory": memory, "pods": 100})
    return NodeGroup(name, name, "", 1, 10, 2, template, "m5.xlarge")


POD = Pod("p", containers=(Container("c", {"cpu": CPU_PER_POD, "memory": MEMORY_PER_POD}),))


def option(g: NodeGroup, pods=(POD,), count: int = 1) -> Option:
    return Option(g, count, tuple(pods))


# ----- leastwaste (waste_test.go TestLeastWaste) -------------------------------------------
BALANCED, HIGHMEM, LOWCPU = group("balanced"), group("highmem", memory=32 * MEMORY_PER_POD), group("lowcpu", cpu=8 * CPU_PER_POD)


def test_least_waste_with_no_pods_and_one_group_keeps_it():
    assert least_waste([option(BALANCED, pods=())]) == [option(BALANCED, pods=())]


def test_least_waste_prefers_the_balanced_group_to_the_one_with_more_memory():
    assert least_waste([option(BALANCED), option(HIGHMEM)]) == [option(BALANCED)]


def test_least_waste_prefers_the_group_with_less_cpu_when_the_pod_wastes_less_of_it():
    assert least_waste([option(BALANCED), option(HIGHMEM), option(LOWCPU)]) == [option(LOWCPU)]


# ----- mostpods (mostpods_test.go TestMostPods) --------------------------------------------
def test_most_pods_keeps_the_only_option():
    assert most_pods([option(group("eo0"), pods=())]) == [option(group("eo0"), pods=())]


def test_most_pods_prefers_the_option_with_more_pods_and_keeps_ties():
    eo0, eo1, eo1b = option(group("eo0"), pods=()), option(group("eo1")), option(group("eo1b"))
    assert most_pods([eo0, eo1]) == [eo1]
    assert most_pods([eo0, eo1, eo1b]) == [eo1, eo1b]


# ----- priority (priority_test.go) --------------------------------------------------------
CONFIG = ((5, (r".*t2\.micro.*",)), (10, (r".*t2\.large.*", r".*t3\.large.*")), (50, (r".*m4\.4xlarge.*",)))
ONE_ENTRY = ((10, (r".*t2\.large.*",)),)
WILDCARD = ((5, (".*",)), (10, (r".t2\.large.*",)))
T2_MICRO, T2_LARGE = option(group("my-asg.t2.micro")), option(group("my-asg.t2.large"))
T3_LARGE, M4_4XLARGE = option(group("my-asg.t3.large")), option(group("my-asg.m4.4xlarge"))

PRIORITY_CASES = [
    ("filters a single matching option out of one", CONFIG, [T2_LARGE], [T2_LARGE]),
    ("filters a single matching option out of many", CONFIG, [T2_LARGE, M4_4XLARGE], [M4_4XLARGE]),
    ("filters to the higher priority match under a wildcard", WILDCARD, [T2_LARGE, T2_MICRO], [T2_LARGE]),
    ("filters two matching options out of many", CONFIG, [T2_LARGE, T3_LARGE, T2_MICRO], [T2_LARGE, T3_LARGE]),
    ("keeps all options of the same priority", CONFIG, [T2_LARGE, T3_LARGE], [T2_LARGE, T3_LARGE]),
    ("drops groups the configuration does not name (config update case)", ONE_ENTRY,
     [T2_LARGE, T3_LARGE, M4_4XLARGE], [T2_LARGE]),
    ("after the update to the full config the m4.4xlarge group wins", CONFIG, [T2_LARGE, T3_LARGE, M4_4XLARGE],
     [M4_4XLARGE]),
    ("with no priorities every option stays (bad or empty config)", (), [T2_LARGE, T3_LARGE, M4_4XLARGE],
     [T2_LARGE, T3_LARGE, M4_4XLARGE]),
]


@pytest.mark.parametrize("name, config, options, expected", PRIORITY_CASES, ids=[c[0] for c in PRIORITY_CASES])
def test_priority_expander_as_upstream(name, config, options, expected):
    assert priority(options, config) == expected


# ----- random and the chain (factory/chain.go) --------------------------------------------
def test_random_picks_one_option_and_the_same_seed_picks_the_same():
    options = [T2_MICRO, T2_LARGE, T3_LARGE]
    first = random_choice(options, np.random.default_rng(7))
    assert len(first) == 1 and first == random_choice(list(reversed(options)), np.random.default_rng(7))


def test_the_chain_stops_at_the_first_expander_that_leaves_one_option():
    rng = np.random.default_rng(1)
    assert best_option([T2_LARGE, M4_4XLARGE], ("priority", "least-waste"), CONFIG, rng) == M4_4XLARGE


def test_the_chain_passes_ties_to_the_next_expander():
    small = option(group("my-asg.t3.large", cpu=2 * CPU_PER_POD, memory=2 * MEMORY_PER_POD))
    rng = np.random.default_rng(1)
    assert best_option([T2_LARGE, small], ("priority", "least-waste"), CONFIG, rng) == small


def test_ties_left_after_the_chain_are_broken_by_the_random_fallback():
    chosen = {best_option([T2_LARGE, T3_LARGE], ("least-waste",), (), np.random.default_rng(s)).group.id for s in range(40)}
    assert chosen == {"my-asg.t2.large", "my-asg.t3.large"}
