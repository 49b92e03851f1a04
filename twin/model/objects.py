"""Kubernetes objects as the twin needs them: frozen values, built from manifests by
`twin.model.kube_io.schema` and written back by `twin.model.kube_io.dump`.

Resource amounts are integers: `cpu` in millicores, everything else (memory,
ephemeral-storage, pods, extended resources) in units.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field

from twin.model.labels import LabelSelector, NodeSelectorTerm

NO_SCHEDULE, PREFER_NO_SCHEDULE, NO_EXECUTE = "NoSchedule", "PreferNoSchedule", "NoExecute"
TAINT_EFFECTS = (NO_SCHEDULE, PREFER_NO_SCHEDULE, NO_EXECUTE)
DO_NOT_SCHEDULE, SCHEDULE_ANYWAY = "DoNotSchedule", "ScheduleAnyway"
HONOR, IGNORE = "Honor", "Ignore"

HOSTNAME_KEY = "kubernetes.io/hostname"
ZONE_KEY = "topology.kubernetes.io/zone"
REGION_KEY = "topology.kubernetes.io/region"
WORKER_ROLE_KEY = "node-role.kubernetes.io/worker"
UNSCHEDULABLE_TAINT_KEY = "node.kubernetes.io/unschedulable"

# schedutil.DefaultMilliCPURequest / DefaultMemoryRequest: used for scoring only, for
# containers that state no request of their own.
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024

Resources = Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Taint:
    key: str
    value: str = ""
    effect: str = NO_SCHEDULE


@dataclass(frozen=True, slots=True)
class Toleration:
    """corev1.Toleration. An empty `effect` matches every effect; an empty `key` with
    operator Exists matches every taint."""

    key: str = ""
    operator: str = "Equal"
    value: str = ""
    effect: str = ""
    toleration_seconds: int | None = None

    def tolerates(self, taint: Taint) -> bool:
        """`Toleration.ToleratesTaint` from k8s.io/api/core/v1/toleration.go."""
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        if self.operator == "Exists":
            return True
        return self.value == taint.value


def tolerates_all(tolerations: tuple[Toleration, ...], taint: Taint) -> bool:
    return any(t.tolerates(taint) for t in tolerations)


@dataclass(frozen=True, slots=True)
class NodeImage:
    """One entry of a node's `status.images`: every name it is known by, and its size."""

    names: tuple[str, ...]
    size_bytes: int = 0


@dataclass(frozen=True, slots=True)
class Node:
    """`capacity_known` is False for a node read without `status.allocatable` and
    `status.capacity` (a trimmed export): its `allocatable` is then empty, and the
    scheduler says so (NodeResourcesFit warns)."""

    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    taints: tuple[Taint, ...] = ()
    allocatable: Resources = field(default_factory=dict)
    unschedulable: bool = False
    ready: str | None = "True"  # status of the Ready condition; None when absent
    images: tuple[NodeImage, ...] = ()
    capacity_known: bool = True


@dataclass(frozen=True, slots=True)
class Probe:
    """corev1.Probe timing (the handler is not modelled; defaults as the API server's)."""

    initial_delay_seconds: int = 0
    period_seconds: int = 10
    timeout_seconds: int = 1
    success_threshold: int = 1
    failure_threshold: int = 3


@dataclass(frozen=True, slots=True)
class ContainerPort:
    """A container port as NodePorts reads it; only ports with `host_port` > 0 use the
    node's ports. `host_ip` "" means every address (0.0.0.0)."""

    container_port: int
    host_port: int = 0
    host_ip: str = ""
    protocol: str = "TCP"


@dataclass(frozen=True, slots=True)
class Volume:
    """A pod volume. `kind` is its source's field name (persistentVolumeClaim, ephemeral,
    emptyDir, configMap, awsElasticBlockStore, ...); `claim_name` is set for
    persistentVolumeClaim; `disk` identifies the disk of the in-tree sources whose
    conflicts VolumeRestrictions checks (EBS volumeID, GCE pdName, iSCSI iqn, RBD
    (monitors, pool, image)); `read_only` is the source's readOnly."""

    name: str
    kind: str = "emptyDir"
    claim_name: str | None = None
    read_only: bool = False
    disk: tuple = ()


@dataclass(frozen=True, slots=True)
class Container:
    """A container: its explicit requests (a missing key stays missing), image, probes,
    the length of a `sleep` preStop hook (exec `sleep N` or `preStop.sleep`), its
    literal env (`valueFrom` entries are not modelled), its limits and its ports."""

    name: str
    requests: Resources = field(default_factory=dict)
    image: str = ""
    readiness: Probe | None = None
    liveness: Probe | None = None
    pre_stop_seconds: int = 0
    env: tuple[tuple[str, str], ...] = ()
    limits: Resources = field(default_factory=dict)
    ports: tuple[ContainerPort, ...] = ()


@dataclass(frozen=True, slots=True)
class PreferredSchedulingTerm:
    weight: int
    preference: NodeSelectorTerm


@dataclass(frozen=True, slots=True)
class NodeAffinity:
    required: tuple[NodeSelectorTerm, ...] | None = None
    preferred: tuple[PreferredSchedulingTerm, ...] = ()


@dataclass(frozen=True, slots=True)
class PodAffinityTerm:
    """An empty `namespaces` with no `namespace_selector` means the pod's own namespace;
    an empty (non-null) namespace selector means every namespace."""

    topology_key: str
    label_selector: LabelSelector | None = None
    namespaces: tuple[str, ...] = ()
    namespace_selector: LabelSelector | None = None


@dataclass(frozen=True, slots=True)
class WeightedPodAffinityTerm:
    weight: int
    term: PodAffinityTerm


@dataclass(frozen=True, slots=True)
class PodAffinity:
    """Used for both podAffinity and podAntiAffinity."""

    required: tuple[PodAffinityTerm, ...] = ()
    preferred: tuple[WeightedPodAffinityTerm, ...] = ()


@dataclass(frozen=True, slots=True)
class Affinity:
    node_affinity: NodeAffinity | None = None
    pod_affinity: PodAffinity | None = None
    pod_anti_affinity: PodAffinity | None = None


@dataclass(frozen=True, slots=True)
class TopologySpreadConstraint:
    """corev1.TopologySpreadConstraint as written; defaults are applied by the scheduler
    (`spec/scheduling.md` §2.1), so None keeps "unset" distinct from an explicit value."""

    max_skew: int
    topology_key: str
    when_unsatisfiable: str
    label_selector: LabelSelector | None = None
    min_domains: int | None = None
    node_affinity_policy: str | None = None
    node_taints_policy: str | None = None
    match_label_keys: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class OwnerReference:
    kind: str
    name: str
    controller: bool = True
    api_version: str = "apps/v1"


@dataclass(frozen=True, slots=True)
class Pod:
    """A pod as the scheduler sees it. `requests` and `nonzero_requests` are derived
    from the containers (see `pod_requests`)."""

    name: str
    namespace: str = "default"
    labels: Mapping[str, str] = field(default_factory=dict)
    node_name: str | None = None
    containers: tuple[Container, ...] = ()
    annotations: Mapping[str, str] = field(default_factory=dict)
    init_containers: tuple[Container, ...] = ()
    overhead: Resources = field(default_factory=dict)
    tolerations: tuple[Toleration, ...] = ()
    node_selector: Mapping[str, str] = field(default_factory=dict)
    affinity: Affinity = field(default_factory=Affinity)
    topology_spread_constraints: tuple[TopologySpreadConstraint, ...] = ()
    deletion_timestamp: str | None = None
    owner_references: tuple[OwnerReference, ...] = ()
    priority_class_name: str | None = None
    priority: int | None = None
    phase: str = "Pending"
    termination_grace_period_seconds: int = 30
    volumes: tuple[Volume, ...] = ()
    uid: str = ""
    preemption_policy: str | None = field(default=None, compare=False)
    """PreemptLowerPriority | Never; None: unset. The Priority admission plugin sets it on
    pods, never on templates: left out of equality and so of the pod-template hash (upstream
    hashes the template, where it is unset and omitted)."""
    requests: Resources = field(init=False, compare=False, repr=False)
    nonzero_requests: Resources = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "requests", pod_requests(self.containers, self.init_containers, self.overhead))
        object.__setattr__(self, "nonzero_requests", _nonzero_requests(self.containers, self.init_containers))

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def terminating(self) -> bool:
        return self.deletion_timestamp is not None

    @property
    def terminal(self) -> bool:
        """Succeeded or Failed: such pods are not in the scheduler's cache at all
        (its pod informer selects `status.phase!=Succeeded,status.phase!=Failed`)."""
        return self.phase in ("Succeeded", "Failed")

    def bound_to(self, node_name: str | None) -> Pod:
        """The same pod with `spec.nodeName` set (derived requests are kept, not recomputed):
        a shallow copy slot by slot, what `copy.copy` makes, at a third of its cost."""
        if type(self) is not Pod:
            clone = copy.copy(self)
        else:
            clone = _new_object(Pod)
            for name in Pod.__slots__:
                _set(clone, name, getattr(self, name))
        _set(clone, "node_name", node_name)
        return clone

    def controller_owner(self) -> OwnerReference | None:
        return next((o for o in self.owner_references if o.controller), None)


_new_object, _set = object.__new__, object.__setattr__


def pod_requests(containers, init_containers, overhead) -> dict[str, int]:
    """`resourcehelper.PodRequests`: per resource, max(sum over containers, max over init
    containers), plus the pod overhead."""
    total: dict[str, int] = {}
    for container in containers:
        for name, amount in container.requests.items():
            total[name] = total.get(name, 0) + amount
    for container in init_containers:
        for name, amount in container.requests.items():
            total[name] = max(total.get(name, 0), amount)
    for name, amount in overhead.items():
        total[name] = total.get(name, 0) + amount
    return total


def _nonzero_requests(containers, init_containers) -> dict[str, int]:
    """Requests for scoring: a container with no cpu/memory request counts as 100m/200Mi
    (`schedutil.GetNonzeroRequests`, used by NodeResourcesFit and BalancedAllocation)."""
    filled = [_with_defaults(c.requests) for c in containers]
    init = [_with_defaults(c.requests) for c in init_containers]
    result = {}
    for name in ("cpu", "memory"):
        running = sum(r[name] for r in filled)
        result[name] = max([running] + [r[name] for r in init])
    return result


def _with_defaults(requests: Resources) -> dict[str, int]:
    return {
        "cpu": requests.get("cpu", DEFAULT_MILLI_CPU_REQUEST),
        "memory": requests.get("memory", DEFAULT_MEMORY_REQUEST),
    }


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    namespace: str = "default"
    selector: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Workload:
    """An owner the scheduler looks at for default spread selectors: ReplicaSet,
    ReplicationController, StatefulSet (and Deployment, for completeness)."""

    kind: str
    name: str
    namespace: str = "default"
    selector: LabelSelector | None = None
    replicas: int = 1


@dataclass(frozen=True, slots=True)
class Namespace:
    name: str
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Claim:
    """A PersistentVolumeClaim, for the registry's pvc storage checks and the volume
    plugins. `storage_class` None means `spec.storageClassName` unset, "" explicitly
    empty (both mean no class for the scheduler); `volume_name` is `spec.volumeName`."""

    name: str
    namespace: str = "default"
    access_modes: tuple[str, ...] = ()
    storage_class: str | None = None
    volume_name: str = ""
    annotations: Mapping[str, str] = field(default_factory=dict)
    storage_request: int = 0
    deleting: bool = False

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"
