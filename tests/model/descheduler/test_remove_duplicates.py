"""RemoveDuplicates, cases translated from kubernetes-sigs/descheduler@7d2b28bf
`pkg/framework/plugins/removeduplicates/removeduplicates_test.go` `TestFindDuplicatePods`
and `TestRemoveDuplicatesUniformly` (case names kept)."""

from __future__ import annotations

import pytest
from upstream import build_node, build_pod, required

from twin.model.descheduler.duplicates import PLUGIN, DuplicatesArgs
from twin.model.descheduler.evictor import MIRROR_ANNOTATION, SYSTEM_CRITICAL_PRIORITY
from twin.model.labels import DOES_NOT_EXIST, NodeSelectorTerm, Requirement
from twin.model.objects import OwnerReference, Taint, Toleration, Volume
from upstream import run

NODES = [build_node("n1"), build_node("n2")]
NORMAL = (OwnerReference("Pod", "", True, "v1"),)
RS2 = (OwnerReference("ReplicaSet", "replicaset-2", True, "v1"),)
TWO_RS = (OwnerReference("ReplicaSet", "replicaset-1", True, "v1"), RS2[0])


def rs(name: str, namespace: str, **kw):
    return build_pod(name, "n1", namespace=namespace, **kw)


SPECIAL = [build_pod("p4", "n1", owners=(OwnerReference("DaemonSet", "", True, "v1"),)),
           build_pod("p5", "n1", owners=NORMAL, volumes=(Volume("a", "hostPath"), Volume("b", "emptyDir"))),
           build_pod("p6", "n1", annotations={MIRROR_ANNOTATION: "mirror"}),
           build_pod("p7", "n1", namespace="kube-system", priority=SYSTEM_CRITICAL_PRIORITY)]
DEV = [rs(f"p{i}", "dev") for i in (1, 2, 3)]
TEST = [rs(f"p{i}", "test") for i in (8, 9, 10)]

FIND_CASES = [
    ("Three pods in the `dev` Namespace, bound to same ReplicaSet. 1 should be evicted.", DEV, NODES, {}, 1),
    ("Three pods in the `dev` Namespace, bound to same ReplicaSet, but ReplicaSet kind is excluded. 0 should be evicted.",
     DEV, NODES, {"duplicates_args": DuplicatesArgs(frozenset({"ReplicaSet"}))}, 0),
    ("Three Pods in the `test` Namespace, bound to same ReplicaSet. 1 should be evicted.", TEST, NODES, {}, 1),
    ("Three Pods in the `dev` Namespace, three Pods in the `test` Namespace. Bound to ReplicaSet with same name. "
     "4 should be evicted.", DEV + TEST, NODES, {}, 2),
    ("Pods are: part of DaemonSet, with local storage, mirror pod annotation, critical pod annotation - none should "
     "be evicted.", SPECIAL, NODES, {}, 0),
    ("Test all Pods: 4 should be evicted.", DEV + SPECIAL + TEST, NODES, {}, 2),
    ("Pods with the same owner but different images should not be evicted",
     [rs("p11", "different-images", images=("foo",)), rs("p12", "different-images", images=("bar",))], NODES, {}, 0),
    ("Pods with multiple containers should not match themselves", [rs("p13", "different-images", images=("", "foo"))],
     NODES, {}, 0),
    ("Pods with matching ownerrefs and at not all matching image should not trigger an eviction",
     [rs("p11", "different-images", images=("foo",)), rs("p13", "different-images", images=("", "foo"))], NODES, {}, 0),
    ("Three pods in the `dev` Namespace, bound to same ReplicaSet. Only node available has a taint, and nodeFit set "
     "to true. 0 should be evicted.", DEV, [build_node("n1"), build_node("n2", taints=(Taint("hardware", "gpu"),))],
     {"node_fit": True}, 0),
    ("Three pods in the `node-fit` Namespace, bound to same ReplicaSet. Only node available is not schedulable, and "
     "nodeFit set to true. 0 should be evicted.", DEV, [build_node("n1"), build_node("n5", unschedulable=True)],
     {"node_fit": True}, 0),
    ("Three pods in the `node-fit` Namespace, bound to same ReplicaSet. Only node available does not have enough CPU, "
     "and nodeFit set to true. 0 should be evicted.", DEV + [build_pod("CPU-eater", "n6", cpu=150, namespace="test")],
     [build_node("n1"), build_node("n6", 200, 200, 10)], {"node_fit": True}, 0),
    ("Three pods in the `node-fit` Namespace, bound to same ReplicaSet. Only node available has enough CPU, and "
     "nodeFit set to true. 1 should be evicted.", DEV + [build_pod("CPU-saver", "n6", cpu=100, namespace="test")],
     [build_node("n1"), build_node("n6", 200, 200, 10)],
     {"node_fit": True}, 1),
]


@pytest.mark.parametrize("name, pods, nodes, options, expected", FIND_CASES, ids=[c[0] for c in FIND_CASES])
def test_find_duplicate_pods_upstream_case(name, pods, nodes, options, expected):
    assert len(run(PLUGIN, nodes, pods, **options)) == expected


def on(node: str, *names: int, owners=None, **kw):
    return [build_pod(f"p{n}", node, namespace="ns1", **({"owners": owners} if owners else {}), **kw) for n in names]


THREE = [build_node("n1"), build_node("n2"), build_node("n3")]
MASTERS = [build_node(f"master{i}", taints=(Taint("node-role.kubernetes.io/control-plane"),)) for i in (1, 2, 3)]
WORKERS = [build_node(f"worker{i}") for i in (1, 2, 3)]


def tolerating(key: str, value: str) -> dict:
    return {"tolerations": (Toleration(key, "Equal", value, "NoSchedule"),)}


def not_master(key: str) -> dict:
    return {"affinity": required(NodeSelectorTerm((Requirement("node-role.kubernetes.io/control-plane", DOES_NOT_EXIST),
                                                   Requirement(key, DOES_NOT_EXIST))))}


def alternating(make) -> list:
    """p1..p9 on worker1 x5, worker2 x3, worker3 x1, alternating k1/k2 arguments."""
    spots = ["worker1"] * 5 + ["worker2"] * 3 + ["worker3"]
    return [build_pod(f"p{i}", node, namespace="ns1", **make("k1" if i % 2 else "k2", "v1" if i % 2 else "v2"))
            for i, node in enumerate(spots, start=1)]


UNIFORM_CASES = [
    ("Evict pods uniformly", on("n1", 1, 2, 3, 4, 5) + on("n2", 6, 7, 8) + on("n3", 9), THREE, 2),
    ("Evict pods uniformly with one node left out", on("n1", 1, 2, 3, 4, 5) + on("n2", 6, 7, 8) + on("n3", 9),
     THREE[:2], 1),
    ("Evict pods uniformly with two replica sets",
     on("n1", 11, 12, 13, 14, 15, owners=TWO_RS) + on("n2", 16, 17, 18, owners=TWO_RS) + on("n3", 19, owners=TWO_RS),
     THREE, 4),
    ("Evict pods uniformly with two owner references",
     on("n1", 11, 12, 13, 14, 15) + on("n2", 16, 17, 18) + on("n3", 19)
     + on("n1", 21, owners=RS2) + on("n2", 22, 23, 24, owners=RS2) + on("n3", 25, 26, 27, 28, 29, owners=RS2), THREE, 4),
    ("Evict pods with number of pods less than nodes", on("n1", 1, 2), THREE, 1),
    ("Evict pods with number of pods less than nodes, but ignore different pods with the same ownerref",
     [build_pod(f"p{i}", "n1", namespace="ns1", images=("", image)) for i, image in enumerate(("foo", "bar", "baz", "foo"), 1)],
     THREE, 1),
    ("Evict pods with a single pod with three nodes", on("n1", 1), THREE, 0),
    ("Evict pods uniformly respecting taints", alternating(tolerating), WORKERS + MASTERS, 2),
    ("Evict pods uniformly respecting RequiredDuringSchedulingIgnoredDuringExecution node affinity",
     alternating(lambda key, _: not_master(key)), WORKERS + MASTERS, 2),
]


@pytest.mark.parametrize("name, pods, nodes, expected", UNIFORM_CASES, ids=[c[0] for c in UNIFORM_CASES])
def test_remove_duplicates_uniformly_upstream_case(name, pods, nodes, expected):
    assert len(run(PLUGIN, nodes, pods)) == expected
