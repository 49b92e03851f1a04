"""Workload objects the controllers reconcile: Deployments, ReplicaSets, pod runtime
status, PodDisruptionBudgets, and the actions controllers return.

These are frozen values. The simulation's object store holds the current version of each
object; a controller reads a snapshot and returns actions (`spec/architecture.md`,
"Controllers return actions"); the shell applies them.
Times are simulated seconds (floats) since the start of the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from twin.model.labels import LabelSelector
from twin.model.objects import Pod

IntOrPercent = int | str  # 3 or "25%"

ROLLING_UPDATE, RECREATE = "RollingUpdate", "Recreate"
DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas"
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"


@dataclass(frozen=True, slots=True)
class Condition:
    """A status condition: type, status ("True" / "False" / "Unknown"), reason,
    message, and the times it last changed status and was last updated."""

    type: str
    status: str
    reason: str = ""
    message: str = ""
    last_transition_time: float = 0.0
    last_update_time: float = 0.0


@dataclass(frozen=True, slots=True)
class DeploymentSpec:
    replicas: int
    selector: LabelSelector
    template: Pod  # the pod template as a Pod (name and node ignored)
    strategy: str = ROLLING_UPDATE
    max_surge: IntOrPercent | None = "25%"  # None: unset, counts as 0
    max_unavailable: IntOrPercent | None = "25%"
    min_ready_seconds: int = 0
    progress_deadline_seconds: int | None = 600  # None: no deadline
    revision_history_limit: int | None = 10  # None: unlimited
    paused: bool = False


@dataclass(frozen=True, slots=True)
class DeploymentStatus:
    observed_generation: int = 0
    replicas: int = 0
    updated_replicas: int = 0
    ready_replicas: int = 0
    available_replicas: int = 0
    unavailable_replicas: int = 0
    conditions: tuple[Condition, ...] = ()
    terminating_replicas: int | None = None  # None: the DeploymentReplicaSetTerminatingReplicas gate is off

    def condition(self, kind: str) -> Condition | None:
        return next((c for c in self.conditions if c.type == kind), None)


@dataclass(frozen=True, slots=True)
class Deployment:
    name: str
    namespace: str
    spec: DeploymentSpec
    generation: int = 1
    status: DeploymentStatus = field(default_factory=DeploymentStatus)
    created: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class ReplicaSetStatus:
    replicas: int = 0  # active pods: not terminal, not terminating
    ready_replicas: int = 0
    available_replicas: int = 0
    observed_generation: int = 0
    terminating_replicas: int | None = 0  # None: dropped by the API server (the gate is off)


@dataclass(frozen=True, slots=True)
class ReplicaSet:
    """A ReplicaSet owned by `owner` (a Deployment name, or None). `created` orders
    ReplicaSets by age (creation timestamp, then name). `annotations` carry the
    Deployment controller's desired-replicas / max-replicas / revision values."""

    name: str
    namespace: str
    replicas: int
    selector: LabelSelector
    template: Pod
    template_hash: str
    owner: str | None = None
    created: float = 0.0
    annotations: tuple[tuple[str, str], ...] = ()
    min_ready_seconds: int = 0
    generation: int = 1
    status: ReplicaSetStatus = field(default_factory=ReplicaSetStatus)
    deleting: bool = False

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def annotation(self, key: str) -> str | None:
        return dict(self.annotations).get(key)


@dataclass(frozen=True, slots=True)
class PodStatus:
    """What the kubelet and controllers know about a running pod beyond its spec.

    `phase`: Pending / Running / Succeeded / Failed / Unknown. `ready` with the time it
    last changed (`ready_since`); `started` is when the containers started; `deleted`
    is the deletionTimestamp (None while not terminating); `grace_seconds` the deletion
    grace period; `restarts` the container restart count."""

    phase: str = "Pending"
    ready: bool = False
    ready_since: float | None = None
    scheduled: float | None = None
    started: float | None = None
    deleted: float | None = None
    grace_seconds: int | None = None
    restarts: int = 0
    created: float = 0.0
    nominated_node: str | None = None  # status.nominatedNodeName, set by preemption


@dataclass(frozen=True, slots=True)
class PodRecord:
    """A pod as the simulation stores it: the scheduling spec plus runtime status."""

    pod: Pod
    status: PodStatus = field(default_factory=PodStatus)

    @property
    def key(self) -> str:
        return self.pod.key

    def available(self, min_ready_seconds: int, now: float) -> bool:
        """Ready for longer than minReadySeconds (`podutil.IsPodAvailable`): with
        minReadySeconds 0 a Ready pod is available at once; otherwise it must have been
        Ready since strictly before now − minReadySeconds."""
        if not self.status.ready or self.status.deleted is not None:
            return False
        if min_ready_seconds == 0:
            return True
        since = self.status.ready_since
        return since is not None and since + min_ready_seconds < now


@dataclass(frozen=True, slots=True)
class PodDisruptionBudget:
    """Exactly one of `min_available` / `max_unavailable` (int or "NN%")."""

    name: str
    namespace: str
    selector: LabelSelector
    min_available: IntOrPercent | None = None
    max_unavailable: IntOrPercent | None = None
    unhealthy_pod_eviction_policy: str = "IfHealthyBudget"
    generation: int = 1

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class PodDisruptionBudgetStatus:
    expected_pods: int = 0
    desired_healthy: int = 0
    current_healthy: int = 0
    disruptions_allowed: int = 0
    observed_generation: int = 0
    disrupted_pods: tuple[tuple[str, float], ...] = ()  # pod key -> eviction time
