"""The builders of kubernetes-sigs/descheduler's tests (`test/test_utils.go`
`BuildTestNode`, `BuildTestPod`; `createTestPods` and `getDefaultTopologyConstraints` of
`topologyspreadconstraint_test.go`), so that the translated cases read like the originals,
and a harness running one balance plugin the way the upstream tests do (the DefaultEvictor
with its default protections and `nodeFit` as the case sets it)."""

from __future__ import annotations

from twin.model.descheduler.duplicates import DuplicatesArgs
from twin.model.descheduler.evictions import EvictionLimits, PodEvictor
from twin.model.descheduler.evictor import EvictorArgs
from twin.model.descheduler.nodefit import Snapshot
from twin.model.descheduler.profiles import ProfilePlan, run_plugin
from twin.model.descheduler.topology import SpreadArgs
from twin.model.labels import LabelSelector, NodeSelectorTerm
from twin.model.objects import (DO_NOT_SCHEDULE, Affinity, Container, Node, NodeAffinity, OwnerReference, Pod, Taint,
                                Toleration, TopologySpreadConstraint, Volume)

RS = (OwnerReference("ReplicaSet", "replicaset-1", True, "v1"),)  # GetReplicaSetOwnerRefList


def build_node(name: str, cpu: int = 2000, memory: int = 3000, pods: int = 10, labels: dict | None = None,
               taints: tuple[Taint, ...] = (), unschedulable: bool = False, ready: str = "True") -> Node:
    return Node(name, dict(labels or {}), taints, {"cpu": cpu, "memory": memory, "pods": pods}, unschedulable, ready)


def build_pod(name: str, node: str, cpu: int = 100, namespace: str = "ns1", labels: dict | None = None,
              owners: tuple[OwnerReference, ...] = RS, constraints: tuple = (), node_selector: dict | None = None,
              affinity: Affinity | None = None, tolerations: tuple[Toleration, ...] = (), terminating: bool = False,
              images: tuple[str, ...] = ("",), priority: int | None = None, annotations: dict | None = None,
              volumes: tuple[Volume, ...] = (), phase: str = "Running") -> Pod:
    """`BuildTestPod(name, cpu, 0, node)`: one container requesting `cpu` millicores and
    0 memory (more containers for more images)."""
    containers = tuple(Container(f"c{i}", {"cpu": cpu, "memory": 0} if i == 0 else {}, image)
                       for i, image in enumerate(images))
    return Pod(name, namespace, dict(labels or {}), node, containers, dict(annotations or {}),
               tolerations=tolerations, node_selector=dict(node_selector or {}), affinity=affinity or Affinity(),
               topology_spread_constraints=tuple(constraints), deletion_timestamp="t" if terminating else None,
               owner_references=owners, priority=priority, phase=phase, volumes=volumes)


def group(count: int, node: str, **fields) -> tuple[int, str, dict]:
    return count, node, fields


def create_test_pods(*groups: tuple[int, str, dict]) -> list[Pod]:
    """`createTestPods`: pods pod-0, pod-1, … in group order, namespace ns1."""
    pods, n = [], 0
    for count, node, fields in groups:
        for _ in range(count):
            pods.append(build_pod(f"pod-{n}", node, **fields))
            n += 1
    return pods


def spread(max_skew: int = 1, key: str = "zone", when: str = DO_NOT_SCHEDULE, selector: dict | None = None,
           **fields) -> tuple[TopologySpreadConstraint, ...]:
    """`getDefaultTopologyConstraints`: foo=bar, zone, DoNotSchedule."""
    return (TopologySpreadConstraint(max_skew, key, when, LabelSelector.of(selector or {"foo": "bar"}), **fields),)


def required(*terms: NodeSelectorTerm) -> Affinity:
    return Affinity(node_affinity=NodeAffinity(required=terms))


def run(strategy: str, nodes: list[Node], pods: list[Pod], *, spread_args: SpreadArgs = SpreadArgs(),
        duplicates_args: DuplicatesArgs = DuplicatesArgs(), node_fit: bool = False, excluded: tuple[str, ...] = (),
        limits: EvictionLimits = EvictionLimits()) -> list[str]:
    """The names of the pods one balance plugin evicts (every eviction accepted)."""
    plan = ProfilePlan("test", spread_args, duplicates_args, EvictorArgs(node_fit=node_fit), excluded=frozenset(excluded))
    evictor = PodEvictor(limits, lambda pod: True)
    run_plugin(plan, strategy, Snapshot.of(nodes, pods), evictor)
    return [e.pod.split("/", 1)[1] for e in evictor.evicted]
