"""The bin-packing estimator, table cases translated from kubernetes/autoscaler
`cluster-autoscaler/estimator/binpacking_estimator_test.go` `TestBinpackingEstimate`: one
old node (100m, 100 MiB, zone-jupiter) in the snapshot, a template of `millicores` and
`memory` MiB in zone-mars with 10 pods, pods in namespace universe labelled
app=estimatee. (Upstream's fast-path cases and its minDomains=3 retroactive case are not
translated: the twin follows the estimator without the fast path.)"""

from __future__ import annotations

from dataclasses import replace

import pytest

from twin.model.autoscaling.estimator import estimate
from twin.model.cluster import ClusterView
from twin.model.labels import LabelSelector
from twin.model.objects import (HOSTNAME_KEY, ZONE_KEY, Container, ContainerPort, Node, Pod,
                                TopologySpreadConstraint)

MIB = 1 << 20


def make_node(cpu: int, mem: int, pods: int, name: str, zone: str) -> Node:
    return Node(name, {HOSTNAME_KEY: name, ZONE_KEY: zone}, allocatable={"cpu": cpu, "memory": mem * MIB, "pods": pods})


def estimatees(count: int, cpu: int, mem: int, prefix: str = "estimatee", host_port: int = 0,
               skew: tuple[int, str, int] | None = None) -> list[Pod]:
    ports = (ContainerPort(80, host_port=host_port),) if host_port else ()
    spread = ()
    if skew is not None:
        spread = (TopologySpreadConstraint(skew[0], skew[1], "DoNotSchedule", LabelSelector.of({"app": "estimatee"}),
                                           min_domains=skew[2]),)
    base = Pod(prefix, "universe", {"app": "estimatee"},
               containers=(Container("c", {"cpu": cpu, "memory": mem}, ports=ports),), topology_spread_constraints=spread)
    return [replace(base, name=f"{prefix}-{i}") for i in range(count)]


HIGH = estimatees(10, 500, 1000, prefix="high")
CASES = [
    ("simple resource-based binpacking", 350 * 3 - 50, 2 * 1000, 0, estimatees(10, 350, 1000), 5, 10, None),
    ("pods-per-node bound binpacking", 10000, 20000, 0, estimatees(20, 10, 100), 2, 20, None),
    ("hostport conflict forces pod-per-node", 1000, 5000, 0, estimatees(8, 200, 1000, host_port=5555), 8, 8, None),
    ("limiter cuts binpacking", 1000, 5000, 5, estimatees(20, 500, 1000), 5, 10, None),
    ("decreasing ordered pods are processed first", 1000, 5000, 5, estimatees(10, 50, 1000) + HIGH, 5, 10, HIGH),
    ("hostname topology spreading with maxSkew=2 forces 2 pods/node", 1000, 5000, 0,
     estimatees(8, 200, 200, skew=(2, HOSTNAME_KEY, 1)), 4, 8, None),
    ("zonal topology spreading with maxSkew=2 only allows 2 pods to schedule", 1000, 5000, 0,
     estimatees(8, 20, 100, skew=(2, ZONE_KEY, 1)), 1, 2, None),
]


@pytest.mark.parametrize("name, cpu, mem, max_nodes, pods, nodes, placed, processed", CASES, ids=[c[0] for c in CASES])
def test_binpacking_estimate_as_upstream(name, cpu, mem, max_nodes, pods, nodes, placed, processed):
    view = ClusterView([make_node(100, 100, 10, "oldnode", "zone-jupiter")])
    template = make_node(cpu, mem, 10, "template", "zone-mars")
    found = estimate(view, pods, template, "ng", max_nodes or 1000)
    assert (found.node_count, len(found.scheduled)) == (nodes, placed)
    if processed is not None:
        assert sorted(p.key for p in found.scheduled) == sorted(p.key for p in processed)
    assert len(view.nodes) == 1 and view.pod_count() == 0, "the estimate leaves the snapshot as it was"
