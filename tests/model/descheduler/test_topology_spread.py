"""RemovePodsViolatingTopologySpreadConstraint, cases translated from
kubernetes-sigs/descheduler@7d2b28bf `pkg/framework/plugins/
removepodsviolatingtopologyspreadconstraint/topologyspreadconstraint_test.go`
`TestTopologySpreadConstraint` (case names kept), plus `TestCheckIdenticalConstraints`.
"""

from __future__ import annotations

import pytest
from upstream import build_node, create_test_pods, group, required, run, spread

from twin.model.descheduler.topology import PLUGIN, SpreadArgs, move_count, namespace_constraints
from twin.model.labels import EXISTS, IN, NOT_IN, LabelSelector, NodeSelectorTerm, Requirement
from twin.model.objects import (DO_NOT_SCHEDULE, HOSTNAME_KEY, IGNORE, SCHEDULE_ANYWAY, ZONE_KEY, Taint, Toleration,
                                TopologySpreadConstraint)

FOO = {"foo": "bar"}
BOTH = SpreadArgs((DO_NOT_SCHEDULE, SCHEDULE_ANYWAY))


def zones(*names: str, **extra) -> list:
    return [build_node(f"n{i + 1}", labels={"zone": z}, **extra) for i, z in enumerate(names)]


def evicted(nodes, pods, **kw) -> list[str]:
    return run(PLUGIN, nodes, pods, **kw)


WIN = [build_node(f"n{i + 1}", labels={"node": n, "os": os}) for i, (n, os) in enumerate(
    [("linNodeA", "linux"), ("linNodeB", "linux"), ("linNodeC", "linux"),
     ("winNodeA", "windows"), ("winNodeB", "windows"), ("winNodeC", "windows")])]
WINDOWS = {"os": "windows"}
BY_NODE = spread(key="node")

CASES = {
    "2 domains, sizes [2,1], maxSkew=1, move 0 pods": (
        zones("zoneA", "zoneB"),
        create_test_pods(group(1, "n1", labels=FOO, constraints=spread()), group(1, "n1", labels=FOO),
                         group(1, "n2", labels=FOO)), {}, 0),
    "2 domains, sizes [3,1], maxSkew=1, move 1 pod to achieve [2,2]": (
        zones("zoneA", "zoneB"),
        create_test_pods(group(1, "n1", labels=FOO, constraints=spread()), group(2, "n1", labels=FOO),
                         group(1, "n2", labels=FOO)), {}, 1),
    "2 domains, sizes [3,1], maxSkew=1, move 1 pod to achieve [2,2] (soft constraints)": (
        zones("zoneA", "zoneB"),
        create_test_pods(group(1, "n1", labels=FOO, constraints=spread(when=SCHEDULE_ANYWAY)),
                         group(2, "n1", labels=FOO), group(1, "n2", labels=FOO)), {"spread_args": BOTH}, 1),
    "2 domains, sizes [3,1], maxSkew=1, no pods eligible, move 0 pods": (
        zones("zoneA", "zoneB"),
        create_test_pods(group(1, "n1", labels=FOO, constraints=spread(), owners=()),
                         group(2, "n1", labels=FOO, owners=()), group(1, "n2", labels=FOO, owners=())), {}, 0),
    "2 domains, sizes [3,1], maxSkew=1, move 1 pod to achieve [2,2], exclude kube-system namespace": (
        zones("zoneA", "zoneB"),
        create_test_pods(group(1, "n1", labels=FOO, constraints=spread()), group(2, "n1", labels=FOO),
                         group(1, "n2", labels=FOO)), {"excluded": ("kube-system",), "node_fit": True}, 1),
    "2 domains, sizes [5,2], maxSkew=1, move 1 pod to achieve [4,3]": (
        zones("zoneA", "zoneB"),
        create_test_pods(group(1, "n1", labels=FOO, constraints=spread()), group(4, "n1", labels=FOO),
                         group(2, "n2", labels=FOO)), {}, 1),
    "2 domains, sizes [4,0], maxSkew=1, move 2 pods to achieve [2,2]": (
        zones("zoneA", "zoneB"),
        create_test_pods(group(1, "n1", labels=FOO, constraints=spread()), group(3, "n1", labels=FOO)), {}, 2),
    "2 domains, sizes [4,0], maxSkew=1, only move 1 pod since pods with nodeSelector and nodeAffinity aren't evicted": (
        zones("zoneA", "zoneB"),
        create_test_pods(
            group(1, "n1", labels=FOO, constraints=spread(), node_selector={"zone": "zoneA"}),
            group(1, "n1", labels=FOO, constraints=spread(), node_selector={"zone": "zoneA"}),
            group(1, "n1", labels=FOO, constraints=spread(),
                  affinity=required(NodeSelectorTerm((Requirement("foo", IN, ("bar",)),)))),
            group(1, "n1", labels=FOO, constraints=spread())), {"node_fit": True}, 1),
    "6 domains, sizes [0,0,0,3,3,2], maxSkew=1, No pod is evicted since topology is balanced": (
        WIN, create_test_pods(*(group(c, n, labels=FOO, constraints=BY_NODE, node_selector=WINDOWS)
                                for c, n in ((3, "n4"), (3, "n5"), (2, "n6")))), {}, 0),
    "7 domains, sizes [0,0,0,3,3,2], maxSkew=1, two pods are evicted and moved to new node added": (
        WIN + [build_node("n7", labels={"node": "winNodeD", "os": "windows"})],
        create_test_pods(*(group(c, n, labels=FOO, constraints=BY_NODE, node_selector=WINDOWS)
                           for c, n in ((3, "n4"), (3, "n5"), (2, "n6")))), {}, 2),
    "6 domains, sizes [0,0,0,4,3,1], maxSkew=1, 1 pod is evicted from node 4": (
        WIN, create_test_pods(*(group(c, n, labels=FOO, constraints=BY_NODE, node_selector=WINDOWS)
                                for c, n in ((4, "n4"), (3, "n5"), (1, "n6")))), {}, 1),
    "6 domains, sizes [0,0,0,4,3,1], maxSkew=1, 0 pod is evicted as pods of node:winNodeA can only be scheduled on "
    "this node and nodeFit is true": (
        WIN, create_test_pods(group(4, "n4", labels=FOO, constraints=BY_NODE, node_selector={"node": "winNodeA"}),
                              group(3, "n5", labels=FOO, constraints=BY_NODE, node_selector=WINDOWS),
                              group(1, "n6", labels=FOO, constraints=BY_NODE, node_selector=WINDOWS)),
        {"node_fit": True}, 0),
    "2 domains, sizes [4,0], maxSkew=1, move 2 pods since selector matches multiple nodes": (
        [build_node("n1", labels={"zone": "zoneA", "region": "boston"}),
         build_node("n2", labels={"zone": "zoneB", "region": "boston"})],
        create_test_pods(group(1, "n1", labels=FOO, constraints=spread(), node_selector={"region": "boston"}),
                         group(3, "n1", labels=FOO, node_selector={"region": "boston"})), {}, 2),
    "3 domains, sizes [0, 1, 100], maxSkew=1, move 66 pods to get [34, 33, 34]": (
        zones("zoneA", "zoneB", "zoneC"),
        create_test_pods(group(1, "n2", labels=FOO, constraints=spread()), group(100, "n3", labels=FOO)), {}, 66),
    "4 domains, sizes [0, 1, 3, 5], should move 3 to get [2, 2, 3, 2]": (
        zones("zoneA", "zoneB", "zoneC", "zoneD"),
        create_test_pods(group(1, "n2", labels=FOO, constraints=spread()), group(3, "n3", labels=FOO),
                         group(5, "n4", labels=FOO)), {}, 3),
    "2 domains size [2 6], maxSkew=2, should move 1 to get [3 5]": (
        zones("zoneA", "zoneB"),
        create_test_pods(group(1, "n1", labels=FOO, constraints=spread(2)), group(1, "n1", labels=FOO),
                         group(6, "n2", labels=FOO)), {}, 1),
    "2 domains size [2 6], maxSkew=2, can't move any because of node taints": (
        [build_node("n1", labels={"zone": "zoneA"}, taints=(Taint("hardware", "gpu"),)),
         build_node("n2", labels={"zone": "zoneB"})],
        create_test_pods(group(1, "n1", labels=FOO, constraints=spread(2)), group(1, "n1", labels=FOO),
                         group(6, "n2", labels=FOO)), {"node_fit": True}, 0),
    "2 domains size [2 6], maxSkew=2, can't move any because node1 does not have enough CPU": (
        [build_node("n1", cpu=200, labels={"zone": "zoneA"}), build_node("n2", labels={"zone": "zoneB"})],
        create_test_pods(group(1, "n1", labels=FOO, constraints=spread(2)), group(1, "n1", labels=FOO),
                         group(6, "n2", labels=FOO)), {"node_fit": True}, 0),
    "3 domains size [8 7 0], maxSkew=1, should move 5 to get [5 5 5]": (
        zones("zoneA", "zoneB", "zoneC"),
        create_test_pods(group(8, "n1", labels=FOO, constraints=spread()), group(7, "n2", labels=FOO, constraints=spread())),
        {}, ["pod-5", "pod-6", "pod-7", "pod-8", "pod-9"]),
    "3 domains size [5 5 5], maxSkew=1, should move 0 to retain [5 5 5]": (
        zones("zoneA", "zoneB", "zoneC"),
        create_test_pods(*(group(5, n, labels=FOO, constraints=spread()) for n in ("n1", "n2", "n3"))), {}, 0),
    "2 domains, sizes [2,0], maxSkew=1, move 1 pod since pod tolerates the node with taint": (
        [build_node("n1", labels={"zone": "zoneA"}),
         build_node("n2", labels={"zone": "zoneB"}, taints=(Taint("taint-test", "test"),))],
        create_test_pods(group(1, "n1", labels=FOO, constraints=spread(),
                               tolerations=(Toleration("taint-test", "Equal", "test", "NoSchedule"),)),
                         group(1, "n1", labels=FOO, node_selector={"zone": "zoneA"})), {}, ["pod-0"]),
    "2 domains, sizes [2,0], maxSkew=1, move 0 pods since pod does not tolerate the tainted node": (
        [build_node("n1", labels={"zone": "zoneA"}),
         build_node("n2", labels={"zone": "zoneB"}, taints=(Taint("taint-test", "test"),))],
        create_test_pods(group(1, "n1", labels=FOO, constraints=spread()),
                         group(1, "n1", labels=FOO, node_selector={"zone": "zoneA"})), {}, 0),
    "2 domains, sizes [2,0], maxSkew=1, move 1 pod for node with PreferNoSchedule Taint": (
        [build_node("n1", labels={"zone": "zoneA"}),
         build_node("n2", labels={"zone": "zoneB"}, taints=(Taint("taint-test", "test", "PreferNoSchedule"),))],
        create_test_pods(group(1, "n1", labels=FOO, constraints=spread()),
                         group(1, "n1", labels=FOO, node_selector={"zone": "zoneA"})), {}, ["pod-0"]),
    "2 domains, sizes [2,0], maxSkew=1, move 0 pod for node with unmatched label filtering": (
        zones("zoneA", "zoneB"), create_test_pods(group(1, "n1", labels=FOO, constraints=spread()), group(1, "n1", labels=FOO)),
        {"spread_args": SpreadArgs(label_selector=LabelSelector.of({}, Requirement("foo", IN, ("baz",))))}, 0),
    "2 domains, sizes [2,0], maxSkew=1, move 1 pod for node with matched label filtering": (
        zones("zoneA", "zoneB"), create_test_pods(group(1, "n1", labels=FOO, constraints=spread()), group(1, "n1", labels=FOO)),
        {"spread_args": SpreadArgs(label_selector=LabelSelector.of({}, Requirement("foo", IN, ("bar",))))}, ["pod-1"]),
    "2 domains, sizes [2,0], maxSkew=1, move 1 pod for node with matched label filtering (NotIn op)": (
        zones("zoneA", "zoneB"), create_test_pods(group(1, "n1", labels=FOO, constraints=spread()), group(1, "n1", labels=FOO)),
        {"spread_args": SpreadArgs(label_selector=LabelSelector.of({}, Requirement("foo", NOT_IN, ("baz",))))}, ["pod-1"]),
    "2 domains, sizes [2,0], maxSkew=1, move 1 pods given matchLabelKeys on same replicaset": (
        zones("zoneA", "zoneB"),
        create_test_pods(*(group(1, "n1", labels={**FOO, "pod-template-hash": "foo"},
                                 constraints=spread(match_label_keys=("pod-template-hash",))) for _ in range(2))),
        {}, ["pod-1"]),
    "2 domains, sizes [2,0], maxSkew=1, move 0 pods given matchLabelKeys on two different replicasets": (
        zones("zoneA", "zoneB"),
        create_test_pods(*(group(1, "n1", labels={**FOO, "pod-template-hash": h},
                                 constraints=spread(match_label_keys=("pod-template-hash",))) for h in ("foo", "bar"))),
        {}, 0),
    "2 domains, sizes [4,2], maxSkew=1, 2 pods in termination; nothing should be moved": (
        zones("zoneA", "zoneB"),
        create_test_pods(group(2, "n1", labels=FOO, constraints=spread()),
                         group(2, "n1", labels=FOO, constraints=spread(), terminating=True),
                         group(2, "n2", labels=FOO, constraints=spread())), {}, 0),
    "3 domains, sizes [2,3,4], maxSkew=1, NodeFit is enabled, and not enough cpu on zoneA; nothing should be moved": (
        [build_node("n1", 250, 2000, 9, {"zone": "zoneA"}), build_node("n2", 1000, 2000, 9, {"zone": "zoneB"}),
         build_node("n3", 1000, 2000, 9, {"zone": "zoneC"})],
        create_test_pods(*(group(c, n, labels=FOO, constraints=spread()) for c, n in ((2, "n1"), (3, "n2"), (4, "n3")))),
        {"node_fit": True}, 0),
    "3 domains, sizes [2,3,4], maxSkew=1, args.NodeFit is false, and not enough cpu on zoneA; 1 should be moved to "
    "force scale-up": (
        [build_node("n1", 250, 2000, 9, {"zone": "zoneA"}), build_node("n2", 1000, 2000, 9, {"zone": "zoneB"}),
         build_node("n3", 1000, 2000, 9, {"zone": "zoneC"})],
        create_test_pods(*(group(c, n, labels=FOO, constraints=spread()) for c, n in ((2, "n1"), (3, "n2"), (4, "n3")))),
        {"node_fit": True, "spread_args": SpreadArgs(topology_balance_node_fit=False)}, 1),
    "3 domains, sizes [[1,0], [1,1], [2,1]], maxSkew=1, NodeFit is enabled, and not enough cpu on ZoneA; nothing "
    "should be moved": (
        [build_node(name, cpu, 2000, 9, {"zone": f"zone{name[0]}"})
         for name, cpu in (("A1", 150), ("B1", 1000), ("C1", 1000), ("A2", 50), ("B2", 1000), ("C2", 1000))],
        create_test_pods(*(group(c, n, labels=FOO, constraints=spread())
                           for c, n in ((1, "A1"), (1, "B1"), (1, "B2"), (2, "C1"), (1, "C2")))), {"node_fit": True}, 0),
    "2 domains, sizes [[1,4], [2,1]], maxSkew=1, NodeFit is enabled; should move 1": (
        [build_node(name, 1000, 2000, 9, {"zone": f"zone{name[0]}"}) for name in ("A1", "A2", "B1", "B2")],
        create_test_pods(*(group(c, n, labels=FOO, constraints=spread())
                           for c, n in ((1, "A1"), (4, "A2"), (2, "B1"), (1, "B2")))), {"node_fit": True}, ["pod-4"]),
}
APP_SERVICE = required(NodeSelectorTerm((Requirement("app_service", EXISTS),)))
SERVICE = {"app.kubernetes.io/name": "service"}
CASES["2 domains, sizes [3, 1], maxSkew=1, Tainted nodes; nothing should be moved"] = (
    [build_node("controlplane1", labels={"zone": "zoneA", HOSTNAME_KEY: "cp-1"},
                taints=(Taint("node-role.kubernetes.io/controlplane", "true"), Taint("node-role.kubernetes.io/etcd", "true"))),
     build_node("infraservices1", labels={"zone": "zoneA", "infra_service": "true", HOSTNAME_KEY: "infra-1"},
                taints=(Taint("infra_service"),)),
     build_node("app1", labels={"zone": "zoneA", "app_service": "true", HOSTNAME_KEY: "app-1"}),
     build_node("app2", labels={"zone": "zoneB", "app_service": "true", HOSTNAME_KEY: "app-2"})],
    create_test_pods(*(group(2, n, labels=SERVICE, affinity=APP_SERVICE,
                             constraints=spread(key=HOSTNAME_KEY, selector=SERVICE)) for n in ("app1", "app2"))),
    {"node_fit": True}, 0)
WHOAMI = {"app": "whoami"}
TWO = (TopologySpreadConstraint(1, ZONE_KEY, SCHEDULE_ANYWAY, LabelSelector.of(WHOAMI)),
       TopologySpreadConstraint(1, HOSTNAME_KEY, DO_NOT_SCHEDULE, LabelSelector.of(WHOAMI)))
CASES["Multiple constraints (6 nodes/2 zones, 4 pods)"] = (
    [build_node(f"n{i}", labels={ZONE_KEY: "zoneA" if i <= 3 else "zoneB", HOSTNAME_KEY: f"n{i}"}) for i in range(1, 7)],
    create_test_pods(*(group(1, f"n{i}", labels=WHOAMI, constraints=TWO) for i in range(1, 5))), {"spread_args": BOTH}, 1)
ARM = {"kubernetes.io/arch": "arm64"}
IGNORE_AFFINITY = spread(node_affinity_policy=IGNORE)
CASES["3 domains, sizes [2, 1, 0] with selectors, maxSkew=1, nodeTaintsPolicy=Ignore, should move 1 for [1, 1, 1]"] = (
    [build_node(f"{z}1", 1000, 2000, 9, {"zone": f"zone{z}", **ARM}) for z in "ABC"],
    create_test_pods(group(1, "A1", labels=FOO, constraints=IGNORE_AFFINITY, node_selector=ARM),
                     group(1, "A1", labels=FOO, constraints=IGNORE_AFFINITY, node_selector={"zone": "zoneA", **ARM}),
                     group(1, "B1", labels=FOO, constraints=IGNORE_AFFINITY, node_selector=ARM)), {}, ["pod-0"])


@pytest.mark.parametrize("name", list(CASES))
def test_topology_spread_constraint_upstream_case(name):
    nodes, pods, options, expected = CASES[name]
    got = evicted(nodes, pods, **options)
    if isinstance(expected, int):
        assert len(got) == expected, got
    else:
        assert set(expected) <= set(got) and len(got) == len(expected), got


def test_an_identical_constraint_is_counted_once_and_a_different_one_again():
    """`TestCheckIdenticalConstraints`: same maxSkew, key and selector are one constraint."""
    pods = create_test_pods(group(1, "n1", labels=FOO, constraints=spread(2)),
                            group(1, "n1", labels=FOO, constraints=spread(2)),
                            group(1, "n1", labels=FOO, constraints=spread(3, key="node")))
    assert [(c.max_skew, c.topology_key) for c in namespace_constraints(pods, (DO_NOT_SCHEDULE,))] == [(2, "zone"), (3, "node")]


def test_schedule_anyway_constraints_are_left_alone_unless_the_profile_asks_for_them():
    """TopologyAndDuplicates passes [DoNotSchedule] only; the Soft profile adds ScheduleAnyway."""
    nodes = zones("zoneA", "zoneB")
    pods = create_test_pods(group(4, "n1", labels=FOO, constraints=spread(when=SCHEDULE_ANYWAY)))
    assert evicted(nodes, pods) == []
    assert len(evicted(nodes, pods, spread_args=BOTH)) == 2


def test_the_move_takes_the_least_of_half_the_excess_what_is_above_and_what_is_below_the_average():
    """[0, 1, 100], maxSkew 1, ideal 101/3: 100 could give 67, 0 could take 34, half the
    excess is 50: 34 move."""
    assert move_count(100, 0, 101 / 3, 100, 1) == 34
