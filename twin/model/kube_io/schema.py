"""Pydantic schemas for the parts of Kubernetes manifests the twin reads.

They validate strictly (an integer field does not accept "3", a label value must be a
string), ignore fields the twin does not model (so `oc get -o yaml` output loads as is),
and convert to the frozen domain values of `twin.model.objects` with `to_domain()`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from twin.model import labels as lbl
from twin.model import objects as obj
from twin.model.kube_io.base import Schema
from twin.model.kube_io.volumes import ContainerPortSchema, VolumeSchema
from twin.model.quantity import parse_quantity

Quantity = Annotated[Fraction, BeforeValidator(parse_quantity)]
ResourceList = dict[str, Quantity]
LabelOperator = Literal["In", "NotIn", "Exists", "DoesNotExist"]
NodeOperator = Literal["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]
TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
Policy = Literal["Honor", "Ignore"]


def to_units(resources: dict[str, Fraction] | None) -> dict[str, int]:
    """cpu in millicores, everything else in units, both rounded up (Quantity semantics)."""
    result = {}
    for name, amount in (resources or {}).items():
        result[name] = math.ceil(amount * 1000) if name == "cpu" else math.ceil(amount)
    return result


class ObjectMeta(Schema):
    name: str
    namespace: str | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    deletion_timestamp: str | None = None
    owner_references: list[OwnerReferenceSchema] | None = None
    uid: str = ""


class OwnerReferenceSchema(Schema):
    api_version: str = ""
    kind: str
    name: str
    controller: bool | None = None

    def to_domain(self) -> obj.OwnerReference:
        return obj.OwnerReference(self.kind, self.name, bool(self.controller), self.api_version)


class RequirementSchema(Schema):
    """`key operator values`; subclasses narrow the operator."""

    key: str
    operator: str
    values: list[str] | None = None

    def to_domain(self) -> lbl.Requirement:
        return lbl.Requirement(self.key, self.operator, tuple(self.values or ()))


class LabelSelectorRequirement(RequirementSchema):
    operator: LabelOperator


class LabelSelectorSchema(Schema):
    match_labels: dict[str, str] | None = None
    match_expressions: list[LabelSelectorRequirement] | None = None

    def to_domain(self) -> lbl.LabelSelector:
        exprs = tuple(e.to_domain() for e in self.match_expressions or ())
        return lbl.LabelSelector.of(self.match_labels, *exprs)


def selector_or_none(selector: LabelSelectorSchema | None) -> lbl.LabelSelector | None:
    return None if selector is None else selector.to_domain()


class NodeSelectorRequirement(RequirementSchema):
    operator: NodeOperator


class NodeSelectorTermSchema(Schema):
    match_expressions: list[NodeSelectorRequirement] | None = None
    match_fields: list[NodeSelectorRequirement] | None = None

    def to_domain(self) -> lbl.NodeSelectorTerm:
        return lbl.NodeSelectorTerm(
            tuple(e.to_domain() for e in self.match_expressions or ()),
            tuple(f.to_domain() for f in self.match_fields or ()),
        )


class NodeSelectorSchema(Schema):
    node_selector_terms: list[NodeSelectorTermSchema]


class PreferredSchedulingTermSchema(Schema):
    weight: int
    preference: NodeSelectorTermSchema


class NodeAffinitySchema(Schema):
    required_during_scheduling_ignored_during_execution: NodeSelectorSchema | None = None
    preferred_during_scheduling_ignored_during_execution: list[PreferredSchedulingTermSchema] | None = None

    def to_domain(self) -> obj.NodeAffinity:
        required = self.required_during_scheduling_ignored_during_execution
        preferred = self.preferred_during_scheduling_ignored_during_execution or ()
        return obj.NodeAffinity(
            None if required is None else tuple(t.to_domain() for t in required.node_selector_terms),
            tuple(obj.PreferredSchedulingTerm(p.weight, p.preference.to_domain()) for p in preferred),
        )


class PodAffinityTermSchema(Schema):
    topology_key: str
    label_selector: LabelSelectorSchema | None = None
    namespaces: list[str] | None = None
    namespace_selector: LabelSelectorSchema | None = None

    def to_domain(self) -> obj.PodAffinityTerm:
        return obj.PodAffinityTerm(
            self.topology_key,
            selector_or_none(self.label_selector),
            tuple(self.namespaces or ()),
            selector_or_none(self.namespace_selector),
        )


class WeightedPodAffinityTermSchema(Schema):
    weight: int
    pod_affinity_term: PodAffinityTermSchema


class PodAffinitySchema(Schema):
    required_during_scheduling_ignored_during_execution: list[PodAffinityTermSchema] | None = None
    preferred_during_scheduling_ignored_during_execution: list[WeightedPodAffinityTermSchema] | None = None

    def to_domain(self) -> obj.PodAffinity:
        required = self.required_during_scheduling_ignored_during_execution or ()
        preferred = self.preferred_during_scheduling_ignored_during_execution or ()
        return obj.PodAffinity(
            tuple(t.to_domain() for t in required),
            tuple(obj.WeightedPodAffinityTerm(w.weight, w.pod_affinity_term.to_domain()) for w in preferred),
        )


class AffinitySchema(Schema):
    node_affinity: NodeAffinitySchema | None = None
    pod_affinity: PodAffinitySchema | None = None
    pod_anti_affinity: PodAffinitySchema | None = None

    def to_domain(self) -> obj.Affinity:
        parts = (self.node_affinity, self.pod_affinity, self.pod_anti_affinity)
        return obj.Affinity(*(None if p is None else p.to_domain() for p in parts))


class TopologySpreadConstraintSchema(Schema):
    max_skew: int
    topology_key: str
    when_unsatisfiable: Literal["DoNotSchedule", "ScheduleAnyway"]
    label_selector: LabelSelectorSchema | None = None
    min_domains: int | None = None
    node_affinity_policy: Policy | None = None
    node_taints_policy: Policy | None = None
    match_label_keys: list[str] | None = None

    def to_domain(self) -> obj.TopologySpreadConstraint:
        keys = None if self.match_label_keys is None else tuple(self.match_label_keys)
        return obj.TopologySpreadConstraint(
            self.max_skew, self.topology_key, self.when_unsatisfiable,
            selector_or_none(self.label_selector), self.min_domains,
            self.node_affinity_policy, self.node_taints_policy, keys,
        )


class TaintSchema(Schema):
    key: str
    value: str = ""
    effect: TaintEffect

    def to_domain(self) -> obj.Taint:
        return obj.Taint(self.key, self.value, self.effect)


class TolerationSchema(Schema):
    key: str = ""
    operator: Literal["Equal", "Exists"] = "Equal"
    value: str = ""
    effect: Literal["", "NoSchedule", "PreferNoSchedule", "NoExecute"] = ""
    toleration_seconds: int | None = None

    def to_domain(self) -> obj.Toleration:
        return obj.Toleration(self.key, self.operator, self.value, self.effect, self.toleration_seconds)


class ResourceRequirementsSchema(Schema):
    requests: ResourceList | None = None
    limits: ResourceList | None = None

    def effective_requests(self) -> dict[str, int]:
        """A container with limits and no request for a resource requests its limit
        (apiserver defaulting)."""
        merged = {**to_units(self.limits), **to_units(self.requests)}
        return merged


class ProbeSchema(Schema):
    initial_delay_seconds: int = 0
    period_seconds: int = 10
    timeout_seconds: int = 1
    success_threshold: int = 1
    failure_threshold: int = 3

    def to_domain(self) -> obj.Probe:
        return obj.Probe(self.initial_delay_seconds, self.period_seconds, self.timeout_seconds,
                         self.success_threshold, self.failure_threshold)


class ExecActionSchema(Schema):
    command: list[str] | None = None


class SleepActionSchema(Schema):
    seconds: int


class HandlerSchema(Schema):
    exec: ExecActionSchema | None = None
    sleep: SleepActionSchema | None = None

    def sleep_seconds(self) -> int:
        """`sleep: {seconds: N}`, or an exec of `sleep N`; 0 for other handlers."""
        if self.sleep is not None:
            return self.sleep.seconds
        command = self.exec.command if self.exec else None
        if command and len(command) == 2 and command[0] == "sleep" and command[1].isdigit():
            return int(command[1])
        return 0


class LifecycleSchema(Schema):
    pre_stop: HandlerSchema | None = None


class EnvVarSchema(Schema):
    name: str
    value: str = ""  # valueFrom is not modelled


class ContainerSchema(Schema):
    name: str
    image: str = ""
    env: list[EnvVarSchema] = Field(default_factory=list)
    resources: ResourceRequirementsSchema | None = None
    readiness_probe: ProbeSchema | None = None
    liveness_probe: ProbeSchema | None = None
    lifecycle: LifecycleSchema | None = None
    ports: list[ContainerPortSchema] | None = None

    def to_domain(self) -> obj.Container:
        requests = self.resources.effective_requests() if self.resources else {}
        pre_stop = self.lifecycle.pre_stop.sleep_seconds() if self.lifecycle and self.lifecycle.pre_stop else 0
        return obj.Container(
            self.name, requests, self.image,
            self.readiness_probe.to_domain() if self.readiness_probe else None,
            self.liveness_probe.to_domain() if self.liveness_probe else None,
            pre_stop,
            tuple((e.name, e.value) for e in self.env),
            to_units(self.resources.limits) if self.resources else {},
            tuple(p.to_domain() for p in self.ports or ()),
        )


class PodSpecSchema(Schema):
    containers: list[ContainerSchema]
    init_containers: list[ContainerSchema] | None = None
    overhead: ResourceList | None = None
    node_name: str | None = None
    node_selector: dict[str, str] | None = None
    tolerations: list[TolerationSchema] | None = None
    affinity: AffinitySchema | None = None
    topology_spread_constraints: list[TopologySpreadConstraintSchema] | None = None
    priority_class_name: str | None = None
    priority: int | None = None
    termination_grace_period_seconds: int = 30
    volumes: list[VolumeSchema] | None = None


class PodStatusSchema(Schema):
    phase: Literal["Pending", "Running", "Succeeded", "Failed", "Unknown"] = "Pending"


class PodSchema(Schema):
    metadata: ObjectMeta
    spec: PodSpecSchema
    status: PodStatusSchema | None = None

    def to_domain(self, default_namespace: str = "default") -> obj.Pod:
        meta, spec = self.metadata, self.spec
        return obj.Pod(
            name=meta.name,
            namespace=meta.namespace or default_namespace,
            labels=dict(meta.labels or {}),
            node_name=spec.node_name or None,
            containers=tuple(c.to_domain() for c in spec.containers),
            annotations=dict(meta.annotations or {}),
            init_containers=tuple(c.to_domain() for c in spec.init_containers or ()),
            overhead=to_units(spec.overhead),
            tolerations=tuple(t.to_domain() for t in spec.tolerations or ()),
            node_selector=dict(spec.node_selector or {}),
            affinity=spec.affinity.to_domain() if spec.affinity else obj.Affinity(),
            topology_spread_constraints=tuple(c.to_domain() for c in spec.topology_spread_constraints or ()),
            deletion_timestamp=meta.deletion_timestamp,
            owner_references=tuple(o.to_domain() for o in meta.owner_references or ()),
            priority_class_name=spec.priority_class_name,
            priority=spec.priority,
            phase=self.status.phase if self.status else "Pending",
            termination_grace_period_seconds=spec.termination_grace_period_seconds,
            volumes=tuple(v.to_domain() for v in spec.volumes or ()),
            uid=meta.uid,
        )


class NodeConditionSchema(Schema):
    type: str
    status: Literal["True", "False", "Unknown"]


class ContainerImageSchema(Schema):
    names: list[str] | None = None
    size_bytes: int = 0

    def to_domain(self) -> obj.NodeImage:
        return obj.NodeImage(tuple(self.names or ()), self.size_bytes)


class NodeStatusSchema(Schema):
    allocatable: ResourceList | None = None
    capacity: ResourceList | None = None
    conditions: list[NodeConditionSchema] | None = None
    images: list[ContainerImageSchema] | None = None


class NodeSpecSchema(Schema):
    unschedulable: bool = False
    taints: list[TaintSchema] | None = None


class NodeSchema(Schema):
    metadata: ObjectMeta
    spec: NodeSpecSchema = Field(default_factory=NodeSpecSchema)
    status: NodeStatusSchema | None = None

    def to_domain(self) -> obj.Node:
        """A node without `status`, or whose status has neither allocatable nor capacity
        (a trimmed export), gets `capacity_known=False` and no allocatable."""
        status = self.status or NodeStatusSchema()
        known = status.allocatable is not None or status.capacity is not None
        allocatable = to_units(status.allocatable if status.allocatable is not None else status.capacity)
        ready = next((c.status for c in status.conditions or () if c.type == "Ready"), None)
        return obj.Node(
            name=self.metadata.name,
            labels=dict(self.metadata.labels or {}),
            taints=tuple(t.to_domain() for t in self.spec.taints or ()),
            allocatable=allocatable,
            unschedulable=self.spec.unschedulable,
            ready=ready,
            images=tuple(i.to_domain() for i in status.images or ()),
            capacity_known=known,
        )


class ServiceSpecSchema(Schema):
    selector: dict[str, str] | None = None


class ServiceSchema(Schema):
    metadata: ObjectMeta
    spec: ServiceSpecSchema = Field(default_factory=ServiceSpecSchema)

    def to_domain(self, default_namespace: str = "default") -> obj.Service:
        meta = self.metadata
        return obj.Service(meta.name, meta.namespace or default_namespace, dict(self.spec.selector or {}))


class WorkloadSpecSchema(Schema):
    replicas: int = 1
    selector: LabelSelectorSchema | None = None


class WorkloadSchema(Schema):
    """ReplicaSet, StatefulSet and Deployment share `spec.selector` as a LabelSelector."""

    kind: str
    metadata: ObjectMeta
    spec: WorkloadSpecSchema = Field(default_factory=WorkloadSpecSchema)

    def to_domain(self, default_namespace: str = "default") -> obj.Workload:
        meta = self.metadata
        return obj.Workload(
            self.kind, meta.name, meta.namespace or default_namespace,
            selector_or_none(self.spec.selector), self.spec.replicas,
        )


class ReplicationControllerSpecSchema(Schema):
    replicas: int = 1
    selector: dict[str, str] | None = None


class ReplicationControllerSchema(Schema):
    metadata: ObjectMeta
    spec: ReplicationControllerSpecSchema = Field(default_factory=ReplicationControllerSpecSchema)

    def to_domain(self, default_namespace: str = "default") -> obj.Workload:
        meta, spec = self.metadata, self.spec
        selector = None if spec.selector is None else lbl.LabelSelector.of(spec.selector)
        return obj.Workload("ReplicationController", meta.name, meta.namespace or default_namespace, selector, spec.replicas)


class NamespaceSchema(Schema):
    metadata: ObjectMeta

    def to_domain(self) -> obj.Namespace:
        return obj.Namespace(self.metadata.name, dict(self.metadata.labels or {}))


AccessMode = Literal["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]


class ClaimResourcesSchema(Schema):
    requests: ResourceList | None = None


class ClaimSpecSchema(Schema):
    access_modes: list[AccessMode] | None = None
    storage_class_name: str | None = None
    volume_name: str = ""
    resources: ClaimResourcesSchema | None = None


class ClaimSchema(Schema):
    metadata: ObjectMeta
    spec: ClaimSpecSchema = Field(default_factory=ClaimSpecSchema)

    def to_domain(self, default_namespace: str = "default") -> obj.Claim:
        meta, spec = self.metadata, self.spec
        requests = to_units(spec.resources.requests if spec.resources else None)
        return obj.Claim(
            meta.name, meta.namespace or default_namespace, tuple(spec.access_modes or ()),
            spec.storage_class_name, spec.volume_name, dict(meta.annotations or {}),
            requests.get("storage", 0), meta.deletion_timestamp is not None,
        )


ObjectMeta.model_rebuild()
