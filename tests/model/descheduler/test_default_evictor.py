"""DefaultEvictor `Filter` and `PreEvictionFilter` (nodeFit), cases translated from
kubernetes-sigs/descheduler@7d2b28bf `pkg/framework/plugins/defaultevictor/
defaultevictor_test.go` `TestDefaultEvictorFilter` and `TestDefaultEvictorPreEvictionFilter`
(case names kept; the minReplicas, minPodAge, PDB, ResourceClaim, storage-class and
namespaceLabelSelector cases are left out: the operator sets none of those arguments)."""

from __future__ import annotations

import pytest
from upstream import build_node, build_pod

from twin.model.descheduler.evictor import (EVICT_ANNOTATION, MIRROR_ANNOTATION, SYSTEM_CRITICAL_PRIORITY, EvictorArgs,
                                            admitted_priority, evictable, refusals)
from twin.model.descheduler.nodefit import Snapshot, fits_any_other_node
from twin.model.objects import OwnerReference, Taint, Toleration, Volume

NORMAL = (OwnerReference("Pod", "", True, "v1"),)  # GetNormalPodOwnerRefList
DAEMONSET = (OwnerReference("DaemonSet", "", True, "v1"),)
STATEFULSET = (OwnerReference("StatefulSet", "", True, "v1"),)
EVICT = {EVICT_ANNOTATION: "true"}
LOCAL = (Volume("sample", "hostPath"), Volume("sample2", "emptyDir"))  # SetHostPathEmptyDirVolumeSource
PVC = (Volume("pvc", "persistentVolumeClaim", "foo"),)

FILTER_CASES = [
    ("Failed pod eviction with no ownerRefs", dict(owners=(), phase="Failed"), {}, False),
    ("Normal pod eviction with no ownerRefs and evictFailedBarePods enabled", dict(owners=()),
     {"evict_failed_bare_pods": True}, False),
    ("Failed pod eviction with no ownerRefs (evictFailedBarePods enabled)", dict(owners=(), phase="Failed"),
     {"evict_failed_bare_pods": True}, True),
    ("Normal pod eviction with normal ownerRefs", dict(owners=NORMAL), {}, True),
    ("Normal pod eviction with normal ownerRefs and descheduler.alpha.kubernetes.io/evict annotation",
     dict(owners=NORMAL, annotations=EVICT), {}, True),
    ("Normal pod eviction with replicaSet ownerRefs", dict(), {}, True),
    ("Normal pod eviction with statefulSet ownerRefs", dict(owners=STATEFULSET), {}, True),
    ("Pod not evicted because it is bound to a PV and evictLocalStoragePods = false", dict(owners=NORMAL, volumes=LOCAL),
     {}, False),
    ("Pod is evicted because it is bound to a PV and evictLocalStoragePods = true", dict(owners=NORMAL, volumes=LOCAL),
     {"evict_local_storage_pods": True}, True),
    ("Pod is evicted because it is bound to a PV and evictLocalStoragePods = false, but it has "
     "scheduler.alpha.kubernetes.io/evict annotation", dict(owners=NORMAL, volumes=LOCAL, annotations=EVICT), {}, True),
    ("Pod not evicted because it is part of a daemonSet", dict(owners=DAEMONSET), {}, False),
    ("Pod is evicted because it is part of a daemonSet, but it has scheduler.alpha.kubernetes.io/evict annotation",
     dict(owners=DAEMONSET, annotations=EVICT), {}, True),
    ("Pod not evicted because it is a mirror poddsa", dict(owners=NORMAL, annotations={MIRROR_ANNOTATION: "mirror"}),
     {}, False),
    ("Pod is evicted because it is a mirror pod, but it has scheduler.alpha.kubernetes.io/evict annotation",
     dict(owners=NORMAL, annotations={MIRROR_ANNOTATION: "mirror", **EVICT}), {}, True),
    ("Pod not evicted because it has system critical priority", dict(owners=NORMAL, priority=SYSTEM_CRITICAL_PRIORITY),
     {}, False),
    ("Pod is evicted because it has system critical priority, but it has scheduler.alpha.kubernetes.io/evict annotation",
     dict(owners=NORMAL, priority=SYSTEM_CRITICAL_PRIORITY, annotations=EVICT), {}, True),
    ("Pod not evicted because it has a priority higher than the configured priority threshold",
     dict(owners=NORMAL, priority=900), {"priority_threshold": 800}, False),
    ("Pod is evicted because it has a priority higher than the configured priority threshold, but it has "
     "scheduler.alpha.kubernetes.io/evict annotation", dict(owners=NORMAL, priority=900, annotations=EVICT),
     {"priority_threshold": 800}, True),
    ("Pod is evicted because it has system critical priority, but evictSystemCriticalPods = true",
     dict(owners=NORMAL, priority=SYSTEM_CRITICAL_PRIORITY), {"evict_system_critical_pods": True}, True),
    ("Pod is evicted because it has a priority higher than the configured priority threshold, but "
     "evictSystemCriticalPods = true", dict(owners=NORMAL, priority=900),
     {"priority_threshold": 800, "evict_system_critical_pods": True}, True),
    ("ignorePvcPods is set, pod with PVC, not evicts", dict(owners=NORMAL, volumes=PVC), {"ignore_pvc_pods": True}, False),
    ("ignorePvcPods is not set, pod with PVC, evicts", dict(owners=NORMAL, volumes=PVC), {}, True),
    ("a terminating pod is not evicted", dict(owners=NORMAL, terminating=True), {}, False),
    ("a static pod (config.source file) is not evicted",
     dict(owners=NORMAL, annotations={"kubernetes.io/config.source": "file"}), {}, False),
]


@pytest.mark.parametrize("name, pod, args, result", FILTER_CASES, ids=[c[0] for c in FILTER_CASES])
def test_default_evictor_filter_upstream_case(name, pod, args, result):
    assert evictable(build_pod("p1", "node1", **pod), EvictorArgs(**args)) is result


def test_a_refusal_names_every_reason_in_upstream_words():
    pod = build_pod("p", "n", owners=DAEMONSET, priority=SYSTEM_CRITICAL_PRIORITY, volumes=LOCAL)
    assert refusals(pod, EvictorArgs()) == ("pod has system critical priority and is protected against eviction",
                                            "pod has local storage and is protected against eviction",
                                            "daemonset pods are protected against eviction")


def test_the_registry_priority_class_resolves_to_a_system_critical_priority():
    """The Priority admission plugin sets spec.priority from the class: the registry's
    system-cluster-critical pods are protected even outside a protected namespace."""
    pod = build_pod("image-registry-0", "n", owners=NORMAL)
    from dataclasses import replace
    registry = replace(pod, priority_class_name="system-cluster-critical")
    assert admitted_priority(registry) == SYSTEM_CRITICAL_PRIORITY
    assert admitted_priority(pod) == 0
    assert not evictable(replace(registry, priority=admitted_priority(registry)), EvictorArgs())


GPU = (Taint("hardware", "gpu"),)
EAST = {"datacenter": "east"}
PRE_EVICTION_CASES = [
    ("Pod with no tolerations running on normal node, all other nodes tainted", {},
     [build_node("node2", taints=GPU), build_node("node3", taints=GPU)], False),
    ("Pod with correct tolerations running on normal node, all other nodes tainted",
     {"tolerations": (Toleration("hardware", "Equal", "gpu", "NoSchedule"),)},
     [build_node("node2", taints=GPU), build_node("node3", taints=GPU)], True),
    ("Pod with incorrect node selector", {"node_selector": {"datacenter": "fail"}},
     [build_node("node2", labels=EAST), build_node("node3", labels=EAST)], False),
    ("Pod with correct node selector", {"node_selector": EAST},
     [build_node("node2", labels=EAST), build_node("node3", labels=EAST)], True),
    ("Pod with correct node selector, but only available node doesn't have enough CPU", {"node_selector": EAST, "cpu": 12},
     [build_node("node2-TEST", 10, 16, 10, EAST), build_node("node3-TEST", 10, 16, 10, EAST)], False),
    ("a cordoned node takes nothing", {}, [build_node("node2", unschedulable=True)], False),
]


@pytest.mark.parametrize("name, pod, nodes, result", PRE_EVICTION_CASES, ids=[c[0] for c in PRE_EVICTION_CASES])
def test_default_evictor_node_fit_upstream_case(name, pod, nodes, result):
    p1 = build_pod("p1", "node1", owners=NORMAL, **pod)
    all_nodes = [build_node("node1"), *nodes]
    assert fits_any_other_node(p1, Snapshot.of(all_nodes, [p1]).nodes, Snapshot.of(all_nodes, [p1])) is result
