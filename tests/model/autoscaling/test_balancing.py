"""Similar node groups and balanced scale-ups, translated from kubernetes/autoscaler
`processors/nodegroupset/balancing_processor_test.go` (`TestFindSimilarNodeGroups*`,
`TestBalanceSingleGroup`, `TestBalanceUnderMaxSize`, `TestBalanceHittingMaxSize`) and
`compare_nodegroups_test.go` (`TestIdenticalNodesSimilar`, `TestNodesSimilarVariousRequirements`,
`TestNodesSimilarVariousRequirementsAndPods`, `TestNodesSimilarVariousLabels`), with the
Cluster API comparator's ignored labels (`clusterapi_nodegroups.go`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from twin.model.autoscaling.balancing import balance, ignored_labels, similar, similar_groups
from twin.model.autoscaling.node_group import NodeGroup
from twin.model.objects import Node

IGNORED = ignored_labels()


def build_test_node(name: str, cpu: int, mem: int, **labels: str) -> Node:
    """`BuildTestNode(name, millicpu, mem)`: pods 100."""
    return Node(name, {"kubernetes.io/hostname": name, **labels}, allocatable={"cpu": cpu, "memory": mem, "pods": 100})


def ng(gid: str, min_size: int, max_size: int, size: int, template: Node | None = None) -> NodeGroup:
    return NodeGroup(gid, gid, "", min_size, max_size, size, template or build_test_node(gid, 1000, 1000), "m5.xlarge")


# ----- the comparator (compare_nodegroups_test.go) ----------------------------------------
def test_identical_nodes_are_similar():
    assert similar(build_test_node("node1", 1000, 2000), build_test_node("node2", 1000, 2000), IGNORED)


COMPARE_CASES = [
    ("different CPU capacity", {"cpu": 1001}, False),
    ("same CPU, significantly different allocatable (500m)", {"cpu": 500}, False),
    ("one with a GPU, one without", {"nvidia.com/gpu": 1}, False),
]


@pytest.mark.parametrize("name, change, expected", COMPARE_CASES, ids=[c[0] for c in COMPARE_CASES])
def test_nodes_similar_various_requirements(name, change, expected):
    n1 = build_test_node("node1", 1000, 2000)
    n2 = replace(build_test_node("node2", 1000, 2000), allocatable={**n1.allocatable, **change})
    assert similar(n1, n2, IGNORED) is expected


def test_allocatable_999m_against_1000m_is_not_similar_in_the_twin():
    """Upstream's "same CPU capacity, slightly different allocatable" case is similar: its
    capacities match. The twin's Node has no separate capacity (its allocatable stands for
    both), so the cpu differs and must match exactly: an approximation, documented."""
    n1 = build_test_node("node1", 1000, 2000)
    n2 = replace(build_test_node("node2", 1000, 2000), allocatable={**n1.allocatable, "cpu": 999})
    assert not similar(n1, n2, IGNORED)


def test_different_allocatable_but_same_free_is_not_similar():
    """`TestNodesSimilarVariousRequirementsAndPods`: node1 with a 500m/1000 pod vs node2 of
    half the allocatable and no pod."""
    n1 = build_test_node("node1", 1000, 2000)
    n2 = replace(build_test_node("node2", 1000, 2000), allocatable={"cpu": 500, "memory": 1000, "pods": 100})
    assert not similar(n1, n2, IGNORED, {"cpu": 500, "memory": 1000}, {})


def test_same_pod_requests_are_similar_and_near_requests_too():
    n1, n3 = build_test_node("node1", 1000, 2000), build_test_node("node3", 1000, 2000)
    assert similar(n1, n3, IGNORED, {"cpu": 500, "memory": 1000}, {"cpu": 500, "memory": 1000})
    assert similar(n1, n3, IGNORED, {"cpu": 500, "memory": 1000}, {"cpu": 501, "memory": 1001})


def test_labels_must_match_except_hostname_zone_and_fluentd():
    n1 = build_test_node("node1", 1000, 2000, **{"test-label": "test-value", "character": "winnie the pooh"})
    n2 = build_test_node("node2", 1000, 2000, **{"test-label": "test-value"})
    assert not similar(n1, n2, IGNORED), "missing character label"
    n2 = replace(n2, labels={**n2.labels, "character": "winnie the pooh"})
    assert similar(n1, n2, IGNORED)
    n1 = replace(n1, labels={**n1.labels, "topology.kubernetes.io/zone": "mars-olympus-mons1-b",
                             "beta.kubernetes.io/fluentd-ds-ready": "true"})
    n2 = replace(n2, labels={**n2.labels, "topology.kubernetes.io/zone": "us-houston1-a"})
    assert similar(n1, n2, IGNORED), "zone and fluentd-ds-ready do not matter"


def test_the_cluster_api_comparator_ignores_the_ebs_csi_zone_label():
    n1 = build_test_node("node1", 1000, 2000, **{"topology.ebs.csi.aws.com/zone": "us-east-1a"})
    n2 = build_test_node("node2", 1000, 2000, **{"topology.ebs.csi.aws.com/zone": "us-east-1b"})
    assert similar(n1, n2, IGNORED)
    assert not similar(n1, n2, frozenset({"kubernetes.io/hostname"}))


# ----- FindSimilarNodeGroups (balancing_processor_test.go) --------------------------------
def test_find_similar_node_groups():
    ng1 = ng("ng1", 1, 10, 1, build_test_node("n1", 1000, 1000))
    ng2 = ng("ng2", 1, 10, 1, build_test_node("n2", 1000, 1000))
    ng3 = ng("ng3", 1, 10, 1, build_test_node("n3", 2000, 2000))
    groups = [ng1, ng2, ng3]
    assert similar_groups(ng1, groups, IGNORED) == [ng2]
    assert similar_groups(ng2, groups, IGNORED) == [ng1]
    assert similar_groups(ng3, groups, IGNORED) == []


def test_find_similar_node_groups_with_custom_ignored_labels():
    ng1 = ng("ng1", 1, 10, 1, build_test_node("n1", 1000, 1000, **{"example.com/ready": "true"}))
    ng2 = ng("ng2", 1, 10, 1, build_test_node("n2", 1000, 1000, **{"example.com/ready": "false"}))
    assert similar_groups(ng1, [ng1, ng2], IGNORED) == []
    assert similar_groups(ng1, [ng1, ng2], ignored_labels(["example.com/ready"])) == [ng2]


# ----- BalanceScaleUpBetweenGroups ---------------------------------------------------------
def test_balance_single_group():
    assert balance([ng("ng1", 1, 10, 1)], 1) == {"ng1": 1}
    assert balance([ng("ng1", 1, 10, 1)], 4) == {"ng1": 4}


UNDER_MAX = [ng("ng1", 1, 10, 1), ng("ng2", 1, 10, 3), ng("ng3", 1, 10, 5), ng("ng4", 1, 10, 5)]


@pytest.mark.parametrize("new_nodes, expected", [
    (1, {"ng1": 1}),  # add a single node
    (2, {"ng1": 2}),  # add multiple nodes to a single group
    (4, {"ng1": 3, "ng2": 1}),  # groups of different sizes, divisible: both reach 4
    (10, {"ng1": 5, "ng2": 3, "ng3": 1, "ng4": 1}),  # all groups, divisible: all reach 6
], ids=["one node", "two nodes to the smallest", "four: 4 and 4", "ten: all to 6"])
def test_balance_under_max_size(new_nodes, expected):
    assert balance(UNDER_MAX, new_nodes) == expected


def test_balance_under_max_size_non_divisible_gives_4_and_5():
    result = balance(UNDER_MAX, 5)
    assert set(result) == {"ng1", "ng2"} and sorted([1 + result["ng1"], 3 + result["ng2"]]) == [4, 5]


HITTING = {g.id: g for g in [ng("ng1", 1, 1, 1), ng("ng2", 1, 3, 1), ng("ng3", 1, 10, 3), ng("ng4", 1, 7, 5),
                             ng("ng5", 1, 3, 6)]}


@pytest.mark.parametrize("names, new_nodes, expected", [
    (["ng1"], 1, {}),  # just one maxed out group
    (["ng1", "ng2"], 1, {"ng2": 1}),  # smallest group already maxed out, add one node
    (["ng1", "ng2"], 5, {"ng2": 2}),  # too many nodes: capped to max capacity
    (["ng2", "ng3"], 4, {"ng2": 2, "ng3": 2}),  # first group maxes out before proceeding
    (["ng2", "ng3", "ng4"], 9, {"ng2": 2, "ng3": 5, "ng4": 2}),  # last group maxes out before the previous one
    (["ng2", "ng3", "ng4"], 900, {"ng2": 2, "ng3": 7, "ng4": 2}),  # use all capacity
    (["ng2", "ng5"], 1, {"ng2": 1}),  # one node group exceeds max
], ids=["one maxed group", "smallest maxed, one node", "capped to capacity", "first maxes out",
        "last maxes out first", "all capacity", "a group above its max"])
def test_balance_hitting_max_size(names, new_nodes, expected):
    assert balance([HITTING[n] for n in names], new_nodes) == expected
