"""Readable builders for test objects: `node("a").zone("z1").cpu("4").build()`,
`pod("p").labels(app="a").spread(1, ZONE).build()`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from twin.model.labels import IN, LabelSelector, NodeSelectorTerm, Requirement
from twin.model.objects import (
    DO_NOT_SCHEDULE,
    HOSTNAME_KEY,
    WORKER_ROLE_KEY,
    ZONE_KEY,
    Affinity,
    Container,
    Node,
    NodeAffinity,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    PreferredSchedulingTerm,
    Taint,
    Toleration,
    TopologySpreadConstraint,
    WeightedPodAffinityTerm,
)
from twin.model.quantity import milli_value, value


@dataclass
class NodeBuilder:
    name: str
    labels: dict = field(default_factory=dict)
    taints: list = field(default_factory=list)
    allocatable: dict = field(default_factory=lambda: {"cpu": 4000, "memory": 16 << 30, "pods": 110})
    unschedulable: bool = False

    def __post_init__(self) -> None:
        self.labels.setdefault(HOSTNAME_KEY, self.name)

    def zone(self, zone: str) -> NodeBuilder:
        self.labels[ZONE_KEY] = zone
        return self

    def worker(self) -> NodeBuilder:
        self.labels[WORKER_ROLE_KEY] = ""
        return self

    def label(self, key: str, val: str = "") -> NodeBuilder:
        self.labels[key] = val
        return self

    def without(self, key: str) -> NodeBuilder:
        self.labels.pop(key, None)
        return self

    def taint(self, key: str, effect: str = "NoSchedule", val: str = "") -> NodeBuilder:
        self.taints.append(Taint(key, val, effect))
        return self

    def cpu(self, amount: str) -> NodeBuilder:
        self.allocatable["cpu"] = milli_value(amount)
        return self

    def memory(self, amount: str) -> NodeBuilder:
        self.allocatable["memory"] = value(amount)
        return self

    def max_pods(self, count: int) -> NodeBuilder:
        self.allocatable["pods"] = count
        return self

    def cordoned(self) -> NodeBuilder:
        self.unschedulable = True
        return self

    def build(self) -> Node:
        return Node(self.name, dict(self.labels), tuple(self.taints), dict(self.allocatable), self.unschedulable)


def node(name: str) -> NodeBuilder:
    return NodeBuilder(name)


def select(**labels: str) -> LabelSelector:
    return LabelSelector.of(labels)


@dataclass
class PodBuilder:
    name: str
    namespace: str = "default"
    pod_labels: dict = field(default_factory=dict)
    node_name: str | None = None
    requests: dict = field(default_factory=dict)
    tolerations: list = field(default_factory=list)
    node_selector: dict = field(default_factory=dict)
    constraints: list = field(default_factory=list)
    affinity: Affinity = field(default_factory=Affinity)
    deleted: str | None = None

    def ns(self, namespace: str) -> PodBuilder:
        self.namespace = namespace
        return self

    def labels(self, **labels: str) -> PodBuilder:
        self.pod_labels.update(labels)
        return self

    def on(self, node_name: str) -> PodBuilder:
        self.node_name = node_name
        return self

    def req(self, cpu: str | None = None, memory: str | None = None) -> PodBuilder:
        if cpu is not None:
            self.requests["cpu"] = milli_value(cpu)
        if memory is not None:
            self.requests["memory"] = value(memory)
        return self

    def tolerate(self, key: str = "", effect: str = "", operator: str = "Exists", val: str = "") -> PodBuilder:
        self.tolerations.append(Toleration(key, operator, val, effect))
        return self

    def node_selecting(self, **labels: str) -> PodBuilder:
        self.node_selector.update(labels)
        return self

    def spread(self, max_skew: int, key: str, when: str = DO_NOT_SCHEDULE, selector="same", **extra) -> PodBuilder:
        chosen = select(**self.pod_labels) if selector == "same" else selector
        self.constraints.append(TopologySpreadConstraint(max_skew, key, when, chosen, **extra))
        return self

    def require_node(self, key: str, *values: str, operator: str = IN) -> PodBuilder:
        term = NodeSelectorTerm((Requirement(key, operator, values),))
        self.affinity = replace(self.affinity, node_affinity=NodeAffinity(required=(term,)))
        return self

    def prefer_node(self, weight: int, key: str, *values: str) -> PodBuilder:
        term = PreferredSchedulingTerm(weight, NodeSelectorTerm((Requirement(key, IN, values),)))
        self.affinity = replace(self.affinity, node_affinity=NodeAffinity(preferred=(term,)))
        return self

    def anti_affinity(self, key: str, selector: LabelSelector, weight: int | None = None) -> PodBuilder:
        term = PodAffinityTerm(key, selector)
        rule = PodAffinity(preferred=(WeightedPodAffinityTerm(weight, term),)) if weight else PodAffinity(required=(term,))
        self.affinity = replace(self.affinity, pod_anti_affinity=rule)
        return self

    def affinity_to(self, key: str, selector: LabelSelector, weight: int | None = None) -> PodBuilder:
        term = PodAffinityTerm(key, selector)
        rule = PodAffinity(preferred=(WeightedPodAffinityTerm(weight, term),)) if weight else PodAffinity(required=(term,))
        self.affinity = replace(self.affinity, pod_affinity=rule)
        return self

    def terminating(self) -> PodBuilder:
        self.deleted = "2026-01-01T00:00:00Z"
        return self

    def build(self) -> Pod:
        containers = (Container("main", dict(self.requests)),)
        return Pod(
            self.name, self.namespace, dict(self.pod_labels), self.node_name, containers,
            tolerations=tuple(self.tolerations), node_selector=dict(self.node_selector),
            affinity=self.affinity, topology_spread_constraints=tuple(self.constraints),
            deletion_timestamp=self.deleted,
        )


def pod(name: str) -> PodBuilder:
    return PodBuilder(name)
