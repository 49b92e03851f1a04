"""Pydantic schemas for the parts of Kubernetes manifests the twin reads.

They validate strictly (an integer field does not accept "3", a label value must be a
string), ignore fields the twin does not model (so `oc get -o yaml` output loads as is),
and convert to the frozen domain values of `twin.model.objects` with `to_domain()`.

On top of the types they apply the API server's own validation of the fields they read
(`validation.py` lists the upstream functions): names, label keys and values, annotations,
apiVersion for the kind, taints, tolerations, selectors, affinity, topology spread
constraints, quantities that are not negative and requests within limits. A missing
`apiVersion` is accepted (as a missing `kind` is where the file implies it): `oc get`
always writes both, and a hand-written object of these kinds is not ambiguous without it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from twin.model import labels as lbl
from twin.model import objects as obj
from twin.model.kube_io import validation as v
from twin.model.kube_io.base import Schema
from twin.model.kube_io.volumes import ContainerPortSchema, VolumeSchema
from twin.model.quantity import parse_quantity
from twin.model.quoting import shown

NEGATIVE_QUANTITY = "(Kubernetes refuses negative quantities)"


def nonnegative_quantity(value: Any) -> Fraction:
    """A quantity that is not negative: core ValidateResourceQuantityValue /
    ValidateNonnegativeQuantity hold for every resource list the twin reads (container
    requests and limits, pod overhead, node capacity and allocatable, claim requests,
    volume capacity)."""
    parsed = parse_quantity(value)
    if parsed < 0:
        raise ValueError(f"expected a quantity that is not negative, got {shown(value)} {NEGATIVE_QUANTITY}")
    return parsed


Quantity = Annotated[Fraction, BeforeValidator(nonnegative_quantity)]
ResourceList = Annotated[dict[str, Quantity], BeforeValidator(v.check_resource_list)]
LabelKey = Annotated[str, AfterValidator(v.label_key)]
QualifiedName = Annotated[str, AfterValidator(v.qualified_name)]
LabelValue = Annotated[str, AfterValidator(v.label_value)]
Labels = dict[LabelKey, LabelValue]
"""metav1 ValidateLabels: used for metadata.labels and every map of labels a pod or a
Service selects with (nodeSelector, matchLabels, selector)."""
NamespaceName = Annotated[str, AfterValidator(v.namespace_name)]
Subdomain = Annotated[str, AfterValidator(v.optional_subdomain)]
"""A reference by name to a node, priority class, storage class or volume: "" or a DNS
subdomain (ValidateNodeName, ValidatePriorityClassName, ValidateClassName,
ValidatePersistentVolumeName)."""
DnsLabel = Annotated[str, AfterValidator(v.dns_label_name)]
Weight = Annotated[int, AfterValidator(v.weight)]
Count = Annotated[int, AfterValidator(v.not_negative)]
LabelOperator = Literal["In", "NotIn", "Exists", "DoesNotExist"]
NodeOperator = Literal["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]
TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
Policy = Literal["Honor", "Ignore"]

API_VERSIONS = {
    "Node": "v1", "Pod": "v1", "Service": "v1", "Namespace": "v1", "ReplicationController": "v1",
    "PersistentVolumeClaim": "v1", "PersistentVolume": "v1",
    "Deployment": "apps/v1", "ReplicaSet": "apps/v1", "StatefulSet": "apps/v1",
    "StorageClass": "storage.k8s.io/v1", "CSINode": "storage.k8s.io/v1",
}
"""The group/version each kind the twin reads is served at (the only one for these kinds
since Kubernetes 1.16-1.22 removed the beta versions)."""


def to_units(resources: dict[str, Fraction] | None) -> dict[str, int]:
    """cpu in millicores, everything else in units, both rounded up (Quantity semantics)."""
    result = {}
    for name, amount in (resources or {}).items():
        result[name] = math.ceil(amount * 1000) if name == "cpu" else math.ceil(amount)
    return result


class ObjectMeta(Schema):
    """metav1.ObjectMeta as objectmeta.go ValidateObjectMetaAccessor checks it: the name by
    the kind's rule (`TopLevel`), the namespace a DNS label, labels (ValidateLabels),
    annotations (ValidateAnnotations: qualified keys, 256 KiB in all), at most one
    controller among the owners (ValidateOwnerReferences)."""

    name: str
    namespace: NamespaceName | None = None
    labels: Labels | None = None
    annotations: Annotated[dict[Annotated[str, AfterValidator(v.annotation_key)], str] | None,
                           AfterValidator(v.annotations_size)] = None
    deletion_timestamp: str | None = None
    owner_references: list[OwnerReferenceSchema] | None = None
    uid: str = ""

    @field_validator("owner_references")
    @classmethod
    def _one_controller(cls, refs: list[OwnerReferenceSchema] | None) -> list[OwnerReferenceSchema] | None:
        """ValidateOwnerReferences: only one reference may have controller: true."""
        controllers = [i for i, ref in enumerate(refs or ()) if ref.controller]
        if len(controllers) > 1:
            first, second = (refs[i] for i in controllers[:2])
            v.refuse((controllers[1], "controller"), f"expected only one owner with controller: true, got "
                     f"{first.kind}/{first.name} and {second.kind}/{second.name}", True)
        return refs


class TopLevel(Schema):
    """A whole object: `apiVersion` must be the kind's (`API_VERSIONS`) when given, and
    `metadata.name` follow the kind's name rule (`validation.NAME_RULES`)."""

    KIND: ClassVar[str | None] = None  # None: the object's own `kind` field says it
    NAME_RULE: ClassVar[str] = "subdomain"

    @model_validator(mode="before")
    @classmethod
    def _api_version(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        kind = cls.KIND or data.get("kind")
        version = data.get("apiVersion")
        expected = API_VERSIONS.get(kind) if isinstance(kind, str) else None
        if version is not None and expected is not None and version != expected:
            v.refuse(("apiVersion",), f"expected {expected} for a {kind}, got {shown(version)}", version)
        return data

    @model_validator(mode="after")
    def _name(self):
        meta = getattr(self, "metadata", None)
        message = None if meta is None else v.expected_name(meta.name, self.NAME_RULE)
        if message:
            v.refuse(("metadata", "name"), message, meta.name)
        return self


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
    """metav1 ValidateLabelSelectorRequirement."""

    operator: LabelOperator

    @model_validator(mode="after")
    def _valid(self):
        v.check_requirement(self.key, self.operator, self.values, node=False)
        return self


class LabelSelectorSchema(Schema):
    """metav1 ValidateLabelSelector: matchLabels as labels, each requirement valid."""

    match_labels: Labels | None = None
    match_expressions: list[LabelSelectorRequirement] | None = None

    def keys(self) -> set[str]:
        return set(self.match_labels or ()) | {e.key for e in self.match_expressions or ()}

    def to_domain(self) -> lbl.LabelSelector:
        exprs = tuple(e.to_domain() for e in self.match_expressions or ())
        return lbl.LabelSelector.of(self.match_labels, *exprs)


def selector_or_none(selector: LabelSelectorSchema | None) -> lbl.LabelSelector | None:
    return None if selector is None else selector.to_domain()


class NodeSelectorRequirement(RequirementSchema):
    """core ValidateNodeSelectorRequirement (and labels.NewRequirement for Gt/Lt values)."""

    operator: NodeOperator

    @model_validator(mode="after")
    def _valid(self):
        v.check_requirement(self.key, self.operator, self.values, node=True)
        return self


class NodeFieldSelectorRequirement(RequirementSchema):
    """core ValidateNodeFieldSelectorRequirement: `metadata.name In|NotIn [one node name]`."""

    @model_validator(mode="after")
    def _valid(self):
        v.check_field_requirement(self.key, self.operator, self.values)
        return self


class NodeSelectorTermSchema(Schema):
    match_expressions: list[NodeSelectorRequirement] | None = None
    match_fields: list[NodeFieldSelectorRequirement] | None = None

    def to_domain(self) -> lbl.NodeSelectorTerm:
        return lbl.NodeSelectorTerm(
            tuple(e.to_domain() for e in self.match_expressions or ()),
            tuple(f.to_domain() for f in self.match_fields or ()),
        )


class NodeSelectorSchema(Schema):
    """core ValidateNodeSelector: at least one term."""

    node_selector_terms: list[NodeSelectorTermSchema]

    @field_validator("node_selector_terms")
    @classmethod
    def _some(cls, terms: list[NodeSelectorTermSchema]) -> list[NodeSelectorTermSchema]:
        if not terms:
            raise ValueError("expected at least one node selector term, got none")
        return terms


class PreferredSchedulingTermSchema(Schema):
    weight: Weight
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
    """core validatePodAffinityTerm: topologyKey required and a qualified name, namespaces
    DNS labels, both selectors valid."""

    topology_key: QualifiedName
    label_selector: LabelSelectorSchema | None = None
    namespaces: list[Annotated[str, AfterValidator(v.namespace_name)]] | None = None
    namespace_selector: LabelSelectorSchema | None = None

    def to_domain(self) -> obj.PodAffinityTerm:
        return obj.PodAffinityTerm(
            self.topology_key,
            selector_or_none(self.label_selector),
            tuple(self.namespaces or ()),
            selector_or_none(self.namespace_selector),
        )


class WeightedPodAffinityTermSchema(Schema):
    weight: Weight
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
    """core validateTopologySpreadConstraints, one constraint: ValidateMaxSkew (> 0),
    ValidateTopologyKey (required; upstream asks no more of a spread topologyKey),
    ValidateWhenUnsatisfiable and validateNodeInclusionPolicy (the enums), validateMinDomains
    (> 0, and only with DoNotSchedule), validateMatchLabelKeysInTopologySpread (label keys,
    only with a labelSelector, none of its keys), ValidateLabelSelector. The pair rule
    (ValidateSpreadConstraintNotRepeat) is `unique_spread_constraints`, on the list."""

    max_skew: int
    topology_key: str
    when_unsatisfiable: Literal["DoNotSchedule", "ScheduleAnyway"]
    label_selector: LabelSelectorSchema | None = None
    min_domains: int | None = None
    node_affinity_policy: Policy | None = None
    node_taints_policy: Policy | None = None
    match_label_keys: list[str] | None = None

    @field_validator("max_skew")
    @classmethod
    def _positive_skew(cls, value: int) -> int:
        if value <= 0:
            raise ValueError(f"expected a maxSkew > 0, got {shown(value)}")
        return value

    @field_validator("topology_key")
    @classmethod
    def _key_given(cls, value: str) -> str:
        if not value:
            raise ValueError("expected a topology key (a node label key such as topology.kubernetes.io/zone), got ''")
        return value

    @model_validator(mode="after")
    def _valid(self):
        if self.min_domains is not None:
            if self.min_domains <= 0:
                v.refuse(("minDomains",), f"expected a minDomains > 0, got {shown(self.min_domains)}", self.min_domains)
            if self.when_unsatisfiable != "DoNotSchedule":
                v.refuse(("minDomains",), f"expected minDomains only with whenUnsatisfiable: DoNotSchedule, got "
                         f"minDomains {self.min_domains} with {self.when_unsatisfiable}", self.min_domains)
        keys = self.match_label_keys or []
        if keys and self.label_selector is None:
            v.refuse(("matchLabelKeys",), "expected matchLabelKeys only together with a labelSelector, got no "
                     "labelSelector", keys)
        selected = self.label_selector.keys() if self.label_selector is not None else set()
        for i, key in enumerate(keys):
            message = v.expected_qualified_name(key)
            if message:
                v.refuse(("matchLabelKeys", i), message, key)
            if key in selected:
                v.refuse(("matchLabelKeys", i), f"expected a key the labelSelector does not already select on, "
                         f"got {shown(key)} (it is in both matchLabelKeys and labelSelector)", key)
        return self

    def to_domain(self) -> obj.TopologySpreadConstraint:
        keys = None if self.match_label_keys is None else tuple(self.match_label_keys)
        return obj.TopologySpreadConstraint(
            self.max_skew, self.topology_key, self.when_unsatisfiable,
            selector_or_none(self.label_selector), self.min_domains,
            self.node_affinity_policy, self.node_taints_policy, keys,
        )


def unique_spread_constraints(constraints: list[TopologySpreadConstraintSchema] | None):
    """ValidateSpreadConstraintNotRepeat: one constraint per {topologyKey, whenUnsatisfiable}."""
    seen: dict[tuple[str, str], int] = {}
    for i, c in enumerate(constraints or ()):
        pair = (c.topology_key, c.when_unsatisfiable)
        if pair in seen:
            v.refuse((i,), f"expected one constraint per topologyKey and whenUnsatisfiable, got a second "
                     f"{{{c.topology_key}, {c.when_unsatisfiable}}} (the first is [{seen[pair]}])", None)
        seen[pair] = i
    return constraints


class TaintSchema(Schema):
    """core validateNodeTaints, one taint: the key a qualified name, the value a label
    value, the effect one of three (required)."""

    key: QualifiedName
    value: LabelValue = ""
    effect: TaintEffect

    def to_domain(self) -> obj.Taint:
        return obj.Taint(self.key, self.value, self.effect)


def unique_taints(taints: list[TaintSchema] | None):
    """validateNodeTaints: taints are unique by key and effect."""
    seen: dict[tuple[str, str], int] = {}
    for i, taint in enumerate(taints or ()):
        pair = (taint.key, taint.effect)
        if pair in seen:
            v.refuse((i,), f"expected taints unique by key and effect, got a second {taint.key}:{taint.effect} "
                     f"(the first is [{seen[pair]}])", None)
        seen[pair] = i
    return taints


class TolerationSchema(Schema):
    """core ValidateTolerations, one toleration: a key is a qualified name; an empty key
    needs operator Exists (it tolerates every taint); Exists takes no value, Equal (or "",
    its default) a label value; tolerationSeconds only with effect NoExecute."""

    key: str = ""
    operator: Literal["Equal", "Exists", ""] = "Equal"
    value: str = ""
    effect: Literal["", "NoSchedule", "PreferNoSchedule", "NoExecute"] = ""
    toleration_seconds: int | None = None

    @model_validator(mode="after")
    def _valid(self):
        if self.key:
            message = v.expected_qualified_name(self.key)
            if message:
                v.refuse(("key",), message, self.key)
        elif self.operator != "Exists":
            v.refuse(("operator",), f"expected Exists when key is empty (an empty key with Exists tolerates every "
                     f"taint), got {shown(self.operator or 'Equal')}", self.operator)
        if self.operator == "Exists" and self.value:
            v.refuse(("value",), f"expected no value when operator is Exists, got {shown(self.value)}", self.value)
        if self.operator != "Exists":
            message = v.expected_label_value(self.value)
            if message:
                v.refuse(("value",), message, self.value)
        if self.toleration_seconds is not None and self.effect != "NoExecute":
            v.refuse(("effect",), f"expected NoExecute when tolerationSeconds is set, got {shown(self.effect)}",
                     self.effect)
        return self

    def to_domain(self) -> obj.Toleration:
        return obj.Toleration(self.key, self.operator or "Equal", self.value, self.effect, self.toleration_seconds)


class ResourceRequirementsSchema(Schema):
    """core ValidateResourceRequirements: quantities not negative (`Quantity`), whole
    numbers where counted (`ResourceList`), and no request above its limit."""

    requests: ResourceList | None = None
    limits: ResourceList | None = None

    @model_validator(mode="before")
    @classmethod
    def _requests_within_limits(cls, data: Any) -> Any:
        """Checked on the raw mapping so the message quotes the quantities as written; a
        quantity that does not parse, or is negative, is left to its own check."""
        if not isinstance(data, dict):
            return data
        requests, limits = data.get("requests"), data.get("limits")
        if not isinstance(requests, dict) or not isinstance(limits, dict):
            return data
        for name, amount in requests.items():
            if name not in limits:
                continue
            try:
                request, limit = parse_quantity(amount), parse_quantity(limits[name])
            except (ValueError, TypeError):
                continue
            if 0 <= limit < request:
                v.refuse(("requests", name), f"expected at most the limit ({limits[name]!r}), got {shown(amount)} "
                         "(Kubernetes refuses a request above its limit)", amount)
        return data

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
    """core validateContainers: the name a DNS label (unique: `unique_containers`)."""

    name: DnsLabel
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
    """core ValidatePodSpec, the parts the twin reads: at least one container, container
    names unique (init containers included), nodeName a node name, nodeSelector labels,
    tolerations, affinity, spread constraints, priorityClassName a DNS subdomain."""

    containers: list[ContainerSchema]
    init_containers: list[ContainerSchema] | None = None
    overhead: ResourceList | None = None
    node_name: Subdomain | None = None
    node_selector: Labels | None = None
    tolerations: list[TolerationSchema] | None = None
    affinity: AffinitySchema | None = None
    topology_spread_constraints: Annotated[list[TopologySpreadConstraintSchema] | None,
                                           AfterValidator(unique_spread_constraints)] = None
    priority_class_name: Subdomain | None = None
    priority: int | None = None
    preemption_policy: Literal["PreemptLowerPriority", "Never"] | None = None
    termination_grace_period_seconds: int = 30
    volumes: list[VolumeSchema] | None = None

    @field_validator("containers")
    @classmethod
    def _some_containers(cls, containers: list[ContainerSchema]) -> list[ContainerSchema]:
        if not containers:
            raise ValueError("expected at least one container, got none")
        return containers

    @model_validator(mode="after")
    def _unique_containers(self):
        seen: set[str] = set()
        for field_name, alias in (("containers", "containers"), ("init_containers", "initContainers")):
            for i, container in enumerate(getattr(self, field_name) or ()):
                if container.name in seen:
                    v.refuse((alias, i, "name"), f"expected container names unique in the pod, got a second "
                             f"{container.name!r}", container.name)
                seen.add(container.name)
        return self


class PodStatusSchema(Schema):
    phase: Literal["Pending", "Running", "Succeeded", "Failed", "Unknown"] = "Pending"


class PodSchema(TopLevel):
    KIND = "Pod"

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
            preemption_policy=spec.preemption_policy,
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
    taints: Annotated[list[TaintSchema] | None, AfterValidator(unique_taints)] = None


class NodeSchema(TopLevel):
    """core ValidateNode: a DNS-subdomain name (ValidateNodeName), taints, capacity and
    allocatable quantities (ValidateResourceQuantityValue)."""

    KIND = "Node"

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
    selector: Labels | None = None


class ServiceSchema(TopLevel):
    """core ValidateService: a DNS-1035 label name (ValidateServiceName), selector labels."""

    KIND = "Service"
    NAME_RULE = "dns1035"

    metadata: ObjectMeta
    spec: ServiceSpecSchema = Field(default_factory=ServiceSpecSchema)

    def to_domain(self, default_namespace: str = "default") -> obj.Service:
        meta = self.metadata
        return obj.Service(meta.name, meta.namespace or default_namespace, dict(self.spec.selector or {}))


class WorkloadSpecSchema(Schema):
    replicas: Count = 1
    selector: LabelSelectorSchema | None = None


class WorkloadSchema(TopLevel):
    """ReplicaSet, StatefulSet and Deployment share `spec.selector` as a LabelSelector
    (apps validation: ValidateDeploymentSpec, ValidateReplicaSetSpec, ValidateStatefulSetSpec:
    replicas >= 0, a valid selector; names are DNS subdomains)."""

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
    replicas: Count = 1
    selector: Labels | None = None


class ReplicationControllerSchema(TopLevel):
    KIND = "ReplicationController"

    metadata: ObjectMeta
    spec: ReplicationControllerSpecSchema = Field(default_factory=ReplicationControllerSpecSchema)

    def to_domain(self, default_namespace: str = "default") -> obj.Workload:
        meta, spec = self.metadata, self.spec
        selector = None if spec.selector is None else lbl.LabelSelector.of(spec.selector)
        return obj.Workload("ReplicationController", meta.name, meta.namespace or default_namespace, selector, spec.replicas)


class NamespaceSchema(TopLevel):
    """ValidateNamespace: the name a DNS label (ValidateNamespaceName)."""

    KIND = "Namespace"
    NAME_RULE = "label"

    metadata: ObjectMeta

    def to_domain(self) -> obj.Namespace:
        return obj.Namespace(self.metadata.name, dict(self.metadata.labels or {}))


AccessMode = Literal["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]


class ClaimResourcesSchema(Schema):
    requests: ResourceList | None = None


class ClaimSpecSchema(Schema):
    """core ValidatePersistentVolumeClaimSpec, the parts the twin reads: a storage class
    and a volume named by DNS subdomains when given, requests not negative."""

    access_modes: list[AccessMode] | None = None
    storage_class_name: Subdomain | None = None
    volume_name: Subdomain = ""
    resources: ClaimResourcesSchema | None = None


class ClaimSchema(TopLevel):
    KIND = "PersistentVolumeClaim"

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
PodSpecSchema.model_rebuild()
