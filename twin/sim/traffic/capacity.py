"""What each node offers the registry, read from the cluster: the node's CPUs, allocatable
CPU and memory, its network (its instance type's, or what the scenario sets), and what
the other pods on it use (their requests, or the usage a pod's annotations declare).

`resources/nodes.py` holds the instance-type table and the rule for a registry
container's cores; this module only gathers the inputs from the world.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from twin.model.objects import Node, Pod
from twin.model.quantity import milli_value, value
from twin.model.registry.resources.nodes import (
    CPU_USAGE,
    DEFAULT_INSTANCE_TYPE,
    INSTANCE_TYPE_LABELS,
    INSTANCE_TYPES,
    MEMORY_USAGE,
    NetworkSpec,
    NodeResources,
    instance_network,
    registry_cores,
)

EVICTION_HARD_MEMORY = 100 << 20
"""kubelet `DefaultEvictionHard` memory.available 100Mi; OpenShift's kubelet template sets
no other (machine-config-operator `01-worker-kubelet/_base/files/kubelet.yaml`)."""


@dataclass(frozen=True)
class NetworkOverrides:
    """The scenario's network settings: for every node, then per node name."""

    default: NetworkSpec | None = None
    nodes: dict[str, NetworkSpec] = field(default_factory=dict)


def instance_type(node: Node) -> str:
    for label in INSTANCE_TYPE_LABELS:
        if node.labels.get(label) in INSTANCE_TYPES:
            return node.labels[label]
    return DEFAULT_INSTANCE_TYPE


def node_resources(node: Node, overrides: NetworkOverrides = NetworkOverrides()) -> NodeResources:
    """A node's CPUs are its instance type's (the node's allocatable rounded up when the
    type is unknown); the network is the scenario's for this node, else its default, else
    the instance type's (m5.xlarge, ROSA's default worker, when the label is missing or
    unknown)."""
    kind = instance_type(node)
    cpu_allocatable = node.allocatable.get("cpu", 0) / 1000
    known = any(node.labels.get(label) in INSTANCE_TYPES for label in INSTANCE_TYPE_LABELS)
    cpus = INSTANCE_TYPES[kind].vcpus if known else max(1, math.ceil(cpu_allocatable))
    network = overrides.nodes.get(node.name) or overrides.default or instance_network(kind)
    return NodeResources(cpus, cpu_allocatable, int(node.allocatable.get("memory", 0)), network)


def usage(pod: Pod) -> tuple[float, int]:
    """(cores, bytes) a pod uses: its annotations if given, else its requests."""
    cpu = pod.annotations.get(CPU_USAGE)
    memory = pod.annotations.get(MEMORY_USAGE)
    return (milli_value(cpu) / 1000 if cpu is not None else pod.requests.get("cpu", 0) / 1000,
            value(memory) if memory is not None else pod.requests.get("memory", 0))


def container_limits(pod: Pod) -> tuple[float, float | None, int | None]:
    """The registry container's CPU request (cores), CPU limit (cores) and memory limit (bytes)."""
    container = next((c for c in pod.containers if c.name == "registry"), pod.containers[0])
    cpu_limit = container.limits.get("cpu")
    memory_limit = container.limits.get("memory")
    return (container.requests.get("cpu", 0) / 1000, None if cpu_limit is None else cpu_limit / 1000,
            None if memory_limit is None else int(memory_limit))


def registry_share(resources: NodeResources, pod: Pod, others: list[Pod]) -> tuple[float, int, bool]:
    """(cores, memory bytes, whether that memory is the container's limit) the registry
    container in `pod` can use on its node: the
    cores of `nodes.registry_cores`; the memory limit, or without one what the node has
    left (allocatable plus the hard eviction threshold, less the others' usage: past it the
    node is out of memory and the kernel's OOM killer ends the container; the kubelet
    never evicts it, as its priority class system-cluster-critical makes it a critical pod)."""
    request, cpu_limit, memory_limit = container_limits(pod)
    used = [usage(p) for p in others]
    cores = registry_cores(resources, sum(c for c, _ in used), request, cpu_limit)
    node_memory = resources.memory_allocatable + EVICTION_HARD_MEMORY - sum(m for _, m in used)
    memory = node_memory if memory_limit is None else min(memory_limit, node_memory)
    return max(cores, 0.001), memory, memory_limit is not None and memory_limit <= node_memory
