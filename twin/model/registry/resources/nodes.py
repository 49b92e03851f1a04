"""What a node offers the registry: cores, memory and network, from its EC2 instance type
or from values given for the node or the scenario.

Instance types: `instance_types.py` (AWS's figures: vCPUs, memory, and the "baseline /
burst" network bandwidth in Gbit/s). ROSA's default worker is m5.xlarge, its infra nodes
r5.xlarge (openshift-docs, default cluster specifications; `spec/capacity.md` §7).

The CPU a registry container can use (`spec/capacity.md` §4, §6): its limit if it has
one; otherwise whatever the node's allocatable CPU leaves after the other pods' usage
(their requests unless the scenario says what they use), never less than its own
request (CFS gives a container at least its `cpu.weight` share, which is set from its
request). The Go runtime sizes GOMAXPROCS to the node's CPUs (Go 1.24 ignores cgroup
quotas), so a container with a limit may run on every core but is throttled to its
quota; the twin keeps the fluid average (quota / period) and not the 100 ms throttling
periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from twin.model.registry.resources.instance_types import INSTANCE_TYPES_DATA

GBIT = 1e9 / 8  # bytes per second in one Gbit/s


@dataclass(frozen=True, slots=True)
class InstanceType:
    vcpus: int
    memory_gib: float
    baseline_gbit: float
    burst_gbit: float  # = baseline for sizes without burst


INSTANCE_TYPES = MappingProxyType({name: InstanceType(*figures) for name, figures in INSTANCE_TYPES_DATA.items()})
"""165 types of the m5-m7, c5-c7 and r5-r7 families (`instance_types.py`, with its sources)."""
DEFAULT_INSTANCE_TYPE = "m5.xlarge"
INSTANCE_TYPE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
"""The labels a node's instance type is read from."""
CPU_USAGE, MEMORY_USAGE = "registry-twin.io/cpu-usage", "registry-twin.io/memory-usage"
"""Pod annotations: what a pod uses, when not its requests (set from a workload's `usage`)."""
DEFAULT_BURST_SECONDS = 600.0
"""How long a full credit bucket lasts at full burst: AWS says burst lasts "typically from
5 to 60 minutes" (EC2 User Guide, network bandwidth); the twin takes 10 minutes."""


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    """A node's ingress: bytes/s at baseline and burst, and the credit bucket in bytes."""

    baseline: float
    burst: float
    bucket: float

    @classmethod
    def of(cls, baseline: float, burst: float | None = None, burst_seconds: float = DEFAULT_BURST_SECONDS) -> NetworkSpec:
        burst = baseline if burst is None else burst
        return cls(baseline, burst, (burst - baseline) * burst_seconds)


@dataclass(frozen=True, slots=True)
class NodeResources:
    """`cpus`: the node's CPUs (GOMAXPROCS); `cpu_allocatable` in cores; memory in bytes."""

    cpus: int
    cpu_allocatable: float
    memory_allocatable: int
    network: NetworkSpec


def allocatable(instance_type: str) -> tuple[int, int]:
    """(millicores, bytes) OpenShift's kubelet leaves allocatable on a worker of this type:
    capacity less the automatic system reservation (on from 4.21: 0.06 + 0.012 per extra
    core, at least 500m; memory 1 GiB for the first 8 GiB, 6 % of the next 120 GiB, 2 %
    above, rounded to GiB; machine-config-operator `dynamic-system-reserved-calc.sh`) and
    the 100Mi hard eviction threshold.

    >>> allocatable("m5.2xlarge")
    (7500, 32107397120)
    """
    spec = INSTANCE_TYPES[instance_type]
    cpu_reserved = max(0.5, 0.06 + 0.012 * (spec.vcpus - 1))
    gib = spec.memory_gib
    reserved_gib = round(1 + 0.06 * min(max(gib - 8, 0), 120) + 0.02 * max(gib - 128, 0))
    memory = int(gib * (1 << 30)) - reserved_gib * (1 << 30) - (100 << 20)
    return int(round((spec.vcpus - cpu_reserved) * 1000)), memory


def instance_network(instance_type: str, burst_seconds: float = DEFAULT_BURST_SECONDS) -> NetworkSpec:
    spec = INSTANCE_TYPES[instance_type]
    return NetworkSpec.of(spec.baseline_gbit * GBIT, spec.burst_gbit * GBIT, burst_seconds)


def registry_cores(resources: NodeResources, others_cpu: float, request: float, limit: float | None) -> float:
    """Cores a registry container can keep busy: its limit (at most the node's CPUs), or
    what the node leaves after the other pods' usage, floored at its own request.

    >>> node = NodeResources(4, 3.5, 15 << 30, NetworkSpec.of(1.0))
    >>> registry_cores(node, others_cpu=1.0, request=0.1, limit=None)
    2.5
    >>> registry_cores(node, others_cpu=3.5, request=0.1, limit=None)
    0.1
    >>> registry_cores(node, others_cpu=0.0, request=0.1, limit=8.0)
    4.0
    """
    if limit is not None:
        return min(limit, float(resources.cpus))
    return max(request, min(resources.cpu_allocatable - others_cpu, float(resources.cpus)))
