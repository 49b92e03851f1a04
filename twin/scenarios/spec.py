"""Scenario files: the YAML schema (pydantic, unknown fields rejected) and the frozen
`Scenario` it validates into.

    name: zone-failure
    description: Lose the zone that holds a registry replica; recover it 30 min later.
    seed: 1
    duration: 1h                 # Go-style duration or seconds
    openshift: "4.23"            # 4.21 | 4.22 | 4.23 (Kubernetes 1.34 | 1.35 | 1.36)
    cluster:
      generate: {zones: 3, workers_per_zone: 2, control_plane: 3}
      # or: nodes: nodes.yaml  (and optionally pods: pods.yaml), paths relative to the file
    registry:
      config: {spec: {replicas: 2, storage: {s3: {}}}}   # a Config CR inline (kind and
                                                         # metadata optional), or config_file
    workloads:
      - {name: web, namespace: apps, replicas: 30, requests: {cpu: 200m, memory: 256Mi}}
    images: {default_pull_seconds: 10, pull_seconds: {"quay.io/x:1": 30}}
    faults:
      - {at: 10m, zone_outage: {zone: registry}}     # "registry": the zone of a registry replica
      - {at: 40m, zone_recovery: {zone: registry}}
    invariants:
      - {name: zone_failure_recovery, within: 15m}
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from twin.model.bounds import MAX_NODES, MAX_PODS
from twin.model.quantity import milli_value, parse_quantity
from twin.model.quoting import shown
from twin.model.registry.resources.nodes import DEFAULT_BURST_SECONDS, DEFAULT_INSTANCE_TYPE, NetworkSpec
from twin.model.registry.pruner import (
    DEFAULT_HISTORY_LIMIT,
    DEFAULT_KEEP_TAG_REVISIONS,
    DEFAULT_KEEP_YOUNGER_THAN,
    DEFAULT_SCHEDULE,
    PrunerSpec,
    schedule_error,
)
from twin.scenarios.descheduler_spec import DeschedulerSpec
from twin.scenarios.autoscaler_spec import AutoscalerYaml
from twin.scenarios.fields import (Bandwidth, InstanceType, Int32, NonNegativeInt32, Seconds, Seed, Strict,
                                  instance_type_expected)  # noqa: F401 (instance_type_expected re-exported)
from twin.scenarios.machine_pools_spec import MachinePoolSpec, ScalePool
from twin.scenarios.images_spec import (BuildSpec, NamespaceName, NamespaceSpec, PushSpec, require_internal_tag,
                                        triggers_annotation)
from twin.scenarios.priority_spec import PriorityClassYaml
from twin.scenarios.remotes_spec import ImportFault, ImportSpec, ImportsSpec, RemotePush, RemoteSpec, RemoteTarget
from twin.scenarios.traffic_spec import TrafficSpec


class NodeShape(Strict):
    """A generated worker. `instance_type` (an EC2 type of `resources/nodes.py`, default
    ROSA's m5.xlarge) sets the node's label, CPUs and network, and its allocatable CPU and
    memory unless `cpu` and `memory` are given."""

    instance_type: InstanceType = DEFAULT_INSTANCE_TYPE
    cpu: str | int = "3500m"
    memory: str = "15Gi"
    pods: NonNegativeInt32 = 250
    labels: dict[str, str] = Field(default_factory=dict)
    taints: list[dict[str, str]] = Field(default_factory=list)





class NetworkYaml(Strict):
    """A node's ingress: `baseline`, `burst` (default: the baseline, no burst) and how long
    a full credit bucket lasts at full burst (`burst_for`)."""

    baseline: Bandwidth
    burst: Bandwidth | None = None
    burst_for: Annotated[Seconds, Field(gt=0)] = DEFAULT_BURST_SECONDS

    @field_validator("burst")
    @classmethod
    def burst_above_baseline(cls, burst: float | None, info: ValidationInfo) -> float | None:
        baseline = info.data.get("baseline")  # absent when the baseline itself was refused
        if burst is not None and baseline is not None and burst < baseline:
            raise ValueError(f"expected a burst of at least the baseline ({baseline * 8 / 1e9:g} Gbit/s), got "
                             f"{burst * 8 / 1e9:g} Gbit/s")
        return burst

    def to_network(self) -> NetworkSpec:
        return NetworkSpec.of(self.baseline, self.burst, self.burst_for)


class GeneratedCluster(Strict):
    zones: int = Field(3, ge=1, le=26)
    workers_per_zone: NonNegativeInt32 = Field(2, le=MAX_NODES)
    control_plane: NonNegativeInt32 = Field(3, le=MAX_NODES)
    region: str = "us-east-1"
    worker: NodeShape = Field(default_factory=NodeShape)

    @model_validator(mode="after")
    def within_cluster_limits(self):
        nodes = self.zones * self.workers_per_zone + self.control_plane
        if nodes > MAX_NODES:
            raise ValueError(f"expected at most {MAX_NODES:,} nodes, Kubernetes' largest supported cluster, got "
                             f"{nodes:,} (zones x workers_per_zone + control_plane)")
        return self


class ClusterSpec(Strict):
    """`network` sets every node's link, `node_network` single nodes' (by name); without
    them a node's link is its instance type's (`resources/nodes.py`)."""

    generate: GeneratedCluster | None = None
    nodes: str | None = None
    pods: str | None = None
    network: NetworkYaml | None = None
    node_network: dict[str, NetworkYaml] = Field(default_factory=dict)
    worker_latency_profile: Literal["Default", "MediumUpdateAverageReaction", "LowUpdateSlowReaction"] | None = None
    """`nodes.config.openshift.io/cluster` `spec.workerLatencyProfile`; unset (None) as on a
    new cluster, which is not the same as Default (`model/controllers/latency_profile.py`)."""
    machine_pools: list[MachinePoolSpec] = Field(default_factory=list)
    """ROSA machine pools (`machine_pools_spec.py`); a generated cluster's workers are the pool `worker`."""
    autoscaler: AutoscalerYaml | None = None  # the ClusterAutoscaler CR's spec; None: no autoscaler

    @model_validator(mode="after")
    def one_source(self):
        if (self.generate is None) == (self.nodes is None):
            raise ValueError("expected exactly one of generate or nodes")
        if self.pods is not None and self.nodes is None:
            raise ValueError("pods: expected only together with nodes (a generated cluster starts empty)")
        return self


def keep_count(value: Any) -> Any:
    """A count the pruner keeps: oc refuses a negative one (`images.go` `Validate`:
    "--keep-tag-revisions must be greater than or equal to 0")."""
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        raise ValueError(f"expected a count that is not negative (oc: must be greater than or equal to 0), got {value}")
    return value


def cron_schedule(value: Any) -> Any:
    if isinstance(value, str):
        problem = schedule_error(value)
        if problem is not None:
            raise ValueError(problem)
    return value


def wall_clock(value: Any) -> Any:
    if not (isinstance(value, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value)):
        raise ValueError(f"expected a time of day HH:MM (UTC), got {shown(value)}")
    return value


class PrunerYaml(Strict):
    """`registry.pruner`: the ImagePruner `imagepruners/cluster` spec (camelCase as in the
    CR), defaulted as the operator bootstraps it (`model/registry/pruner.py`), and the wall
    clock (UTC) at the run's time 0, which the schedule is read against."""

    schedule: Annotated[str, AfterValidator(cron_schedule)] = DEFAULT_SCHEDULE
    suspend: bool = False
    keepTagRevisions: Annotated[Int32, BeforeValidator(keep_count)] = DEFAULT_KEEP_TAG_REVISIONS
    keepYoungerThanDuration: Seconds = DEFAULT_KEEP_YOUNGER_THAN
    ignoreInvalidImageReferences: bool = True
    successfulJobsHistoryLimit: Annotated[Int32, BeforeValidator(keep_count)] = DEFAULT_HISTORY_LIMIT
    failedJobsHistoryLimit: Annotated[Int32, BeforeValidator(keep_count)] = DEFAULT_HISTORY_LIMIT
    clock_at_start: Annotated[str, BeforeValidator(wall_clock)] = "00:00"

    def to_spec(self) -> PrunerSpec:
        return PrunerSpec(self.schedule, self.suspend, self.keepTagRevisions, self.keepYoungerThanDuration,
                          self.ignoreInvalidImageReferences, self.successfulJobsHistoryLimit,
                          self.failedJobsHistoryLimit)

    @property
    def clock_seconds(self) -> float:
        hours, minutes = self.clock_at_start.split(":")
        return int(hours) * 3600.0 + int(minutes) * 60.0


class RegistrySpec(Strict):
    config: dict[str, Any] | None = None
    config_file: str | None = None
    pruner: PrunerYaml | None = None  # the image pruner runs only when a scenario asks for it


def quantity(value: Any) -> Any:
    """A Kubernetes quantity that is not negative (the API server refuses negative ones)."""
    if parse_quantity(value) < 0:
        raise ValueError(f"expected a quantity that is not negative, such as 250m or 512Mi, got {shown(value)}")
    return value


Quantity = Annotated[str | int, BeforeValidator(quantity)]


def cpu_quantity(value: Any) -> Any:
    """A CPU quantity whose millicores fit int64 (`milli_value`), as the kubelet and the
    scheduler read it."""
    milli_value(value)
    return value


CpuQuantity = Annotated[Quantity, AfterValidator(cpu_quantity)]


def cpu_requests(requests: dict[str, Any]) -> dict[str, Any]:
    if "cpu" in requests:
        try:
            milli_value(requests["cpu"])
        except ValueError as exc:
            raise ValueError(f"cpu: {exc}") from None
    return requests


class UsageSpec(Strict):
    """What each replica uses (default: its requests), for the CPU and memory its node
    has left for the registry: quantities >= 0."""

    cpu: CpuQuantity | None = None
    memory: Quantity | None = None


class WorkloadSpec(Strict):
    name: str
    namespace: str = "apps"
    replicas: NonNegativeInt32 = Field(le=MAX_PODS)
    requests: Annotated[dict[str, Quantity], AfterValidator(cpu_requests)] = Field(default_factory=dict)
    usage: UsageSpec | None = None
    image: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    topology_spread_constraints: list[dict[str, Any]] = Field(default_factory=list)
    strategy: Literal["RollingUpdate", "Recreate"] = "RollingUpdate"
    copies: NonNegativeInt32 = Field(1, ge=1, le=MAX_PODS)
    """More than 1: that many Deployments named <name>-1, <name>-2, ..., with `{i}` in the
    image, annotations and build replaced by the copy's number (many apps, each with its
    own image)."""
    annotations: Annotated[dict[str, str], AfterValidator(triggers_annotation)] = Field(default_factory=dict)
    """The Deployment's annotations; `image.openshift.io/triggers` is followed."""
    trigger: bool = False
    """Follow the image's tag: the annotation `oc set triggers --from-image` writes for the
    workload's container (`model/images/triggers.py`)."""
    build: BuildSpec | None = None
    import_: ImportSpec | None = Field(None, alias="import")
    """The image's tag is imported from a remote registry (`remotes_spec.py`)."""
    priority_class: str | None = None
    """The pods' priorityClassName (`priority_spec.py`): a class of `priority_classes` or a system one."""

    @model_validator(mode="after")
    def image_for_images_streams(self):
        if self.trigger:
            require_internal_tag(self.image, "trigger")
        if self.build is not None:
            require_internal_tag(self.image, "build")
        if self.import_ is not None:
            require_internal_tag(self.image, "import")
            if self.build is not None:
                raise ValueError("import: expected either build or import, not both (one tag, one source)")
        return self


class ImagesSpec(Strict):
    default_pull_seconds: Seconds = 10.0
    pull_seconds: dict[str, Seconds] = Field(default_factory=dict)


class NodeTarget(Strict):
    node: str


class ZoneTarget(Strict):
    zone: str


class ConfigEdit(Strict):
    """A merge patch for the registry Config, e.g. {spec: {replicas: 3}}."""

    patch: dict[str, Any]


class Storage(Strict):
    """The registry's object store (no settings: an outage hits every replica)."""


class ApiServer(Strict):
    """The API server, as the registry reaches it for its auth reviews (no settings)."""


class RoleChange(Strict):
    """A role bound to (`role_grant`) or revoked from (`role_revoke`) a client's token:
    pull, push, kubelet, scrape or prune (`twin/model/registry/auth.py` names the roles)."""

    client: Literal["pull", "push", "kubelet", "scrape", "prune"]
    role: Literal["system:image-puller", "registry-viewer", "system:image-pusher", "system:image-builder",
                  "registry-editor", "prometheus-k8s", "system:image-pruner"]


class PruneNow(Strict):
    """A pruner Job started now, as `oc create job --from=cronjob/image-pruner` does (needs
    `registry.pruner`; no settings)."""


class AddNode(Strict):
    name: str
    zone: str
    labels: dict[str, str] = Field(default_factory=dict)


FAULT_KINDS = (
    "node_crash", "node_recovery", "network_partition", "partition_heal", "zone_outage", "zone_recovery",
    "cordon", "uncordon", "drain", "add_node", "remove_node", "config_edit", "storage_outage", "storage_recovery",
    "role_grant", "role_revoke", "api_outage", "api_recovery", "push", "out_of_service",
    "remote_outage", "remote_recovery", "remote_push", "import", "prune", "scale_pool",
)


class Fault(Strict):
    at: Seconds
    node_crash: NodeTarget | None = None
    node_recovery: NodeTarget | None = None
    network_partition: NodeTarget | None = None
    partition_heal: NodeTarget | None = None
    zone_outage: ZoneTarget | None = None
    zone_recovery: ZoneTarget | None = None
    cordon: NodeTarget | None = None
    uncordon: NodeTarget | None = None
    drain: NodeTarget | None = None
    add_node: AddNode | None = None
    remove_node: NodeTarget | None = None
    config_edit: ConfigEdit | None = None
    storage_outage: Storage | None = None
    storage_recovery: Storage | None = None
    role_grant: RoleChange | None = None
    role_revoke: RoleChange | None = None
    api_outage: ApiServer | None = None
    api_recovery: ApiServer | None = None
    push: PushSpec | None = None
    out_of_service: NodeTarget | None = None
    remote_outage: RemoteTarget | None = None
    remote_recovery: RemoteTarget | None = None
    remote_push: RemotePush | None = None
    import_: ImportFault | None = Field(None, alias="import")
    prune: PruneNow | None = None
    scale_pool: ScalePool | None = None

    @model_validator(mode="after")
    def exactly_one(self):
        chosen = [kind for kind in FAULT_KINDS if getattr(self, _attribute(kind)) is not None]
        if len(chosen) != 1:
            raise ValueError(f"expected exactly one of {', '.join(FAULT_KINDS)}, got {len(chosen)}")
        return self

    @property
    def kind(self) -> str:
        return next(kind for kind in FAULT_KINDS if getattr(self, _attribute(kind)) is not None)

    @property
    def target(self) -> Any:
        return getattr(self, _attribute(self.kind))


def _attribute(kind: str) -> str:
    """The field of a fault kind (`import` is a Python keyword: the field is `import_`)."""
    return "import_" if kind == "import" else kind


class InvariantSpec(Strict):
    name: Literal[
        "max_skew", "zone_failure_recovery", "registry_availability", "rollout_completes", "pdb_respected",
        "no_binding_to_unready_nodes", "request_conservation", "limiter_bounds", "no_write_while_readonly",
        "pull_latency", "rejection_rate", "workloads_running_after_zone_failure", "resource_bounds", "no_oom_kill",
        "no_content_lost", "no_auth_refusals", "triggered_rollouts_complete", "no_remote_refusals",
        "router_server_timeout", "router_gateway_errors",
        "pruner_jobs_complete",
    ]
    within: Seconds | None = None
    quantile: Annotated[float, Field(gt=0, le=1)] | None = None
    max_fraction: Annotated[float, Field(ge=0, le=1)] | None = None
    min_ready: NonNegativeInt32 | None = None
    allowed_windows: list[Annotated[list[Seconds], Field(min_length=2, max_length=2)]] = Field(default_factory=list)


def version_text(value: Any) -> Any:
    """`openshift: 4.22` unquoted is a YAML number; read it as the text it looks like."""
    return repr(value) if isinstance(value, float) else value


SCENARIO_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
"""A scenario's name becomes a folder (`reports/<name>`, `sweeps/<name>`): letters, digits,
`.`, `_` and `-`, starting with a letter or digit, at most 100 characters. No path
separator, no `..`, no NUL, so outputs stay where they belong (issue: hostile input)."""


def folder_name(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(SCENARIO_NAME, value):
        raise ValueError("expected a name usable as a folder: letters, digits, '.', '_' and '-', starting with a "
                         f"letter or digit, at most 100 characters, got {shown(value)}")
    return value


class ScenarioFile(Strict):
    name: Annotated[str, AfterValidator(folder_name)]
    description: str = ""
    seed: Seed = 0
    duration: Seconds = 3600.0
    openshift: Annotated[Literal["4.21", "4.22", "4.23"], BeforeValidator(version_text)] = "4.23"
    kubernetes: Annotated[str, BeforeValidator(version_text), Field(pattern=r"^1\.\d+$")] | None = None
    cluster: ClusterSpec = Field(default_factory=lambda: ClusterSpec(generate=GeneratedCluster()))
    registry: RegistrySpec = Field(default_factory=RegistrySpec)
    workloads: list[WorkloadSpec] = Field(default_factory=list)
    images: ImagesSpec = Field(default_factory=ImagesSpec)
    traffic: TrafficSpec = Field(default_factory=TrafficSpec)
    remotes: list[RemoteSpec] = Field(default_factory=list)
    imports: ImportsSpec = Field(default_factory=ImportsSpec)
    faults: list[Fault] = Field(default_factory=list)
    invariants: list[InvariantSpec] = Field(default_factory=list)
    namespaces: dict[NamespaceName, NamespaceSpec] = Field(default_factory=dict)
    descheduler: DeschedulerSpec | None = None  # the KubeDescheduler CR's spec; absent: no descheduler
    priority_classes: list[PriorityClassYaml] = Field(default_factory=list)

    @model_validator(mode="after")
    def pods_within_limits(self):
        pods = sum(w.replicas * w.copies for w in self.workloads)
        if pods > MAX_PODS:
            raise ValueError(f"workloads: expected at most {MAX_PODS:,} pods in all (replicas x copies), Kubernetes' "
                             f"largest supported cluster, got {pods:,}")
        return self

    @model_validator(mode="after")
    def prune_needs_a_pruner(self):
        for i, fault in enumerate(self.faults):
            if fault.kind == "prune" and self.registry.pruner is None:
                raise ValueError(f"faults[{i}].prune: expected registry.pruner to be set (the CronJob a Job is made from)")
        return self

    @model_validator(mode="after")
    def faults_in_order(self):
        for i in range(1, len(self.faults)):
            if self.faults[i].at < self.faults[i - 1].at:
                raise ValueError(f"faults[{i}].at: expected faults in time order, "
                                 f"got {self.faults[i].at:g} s after {self.faults[i - 1].at:g} s")
        return self
