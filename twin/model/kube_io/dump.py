"""Domain objects back to Kubernetes manifests, shaped as `oc get -o json` prints them.

The inverse of `twin.model.kube_io.schema`: for every object `x` the twin can hold,
`NodeSchema.model_validate(node_manifest(x)).to_domain() == x` (and likewise for pods,
services, workloads and namespaces). Quantities are written canonically (`"100m"`,
`"2"`, `"256Mi"`), so the ceil in `schema.to_units` gives back the same integers.

Only what the twin models is written: a pod has no images, a node no addresses. Keys
whose value is unset are left out, as the API server does (`omitempty`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twin.model import labels as lbl
from twin.model import objects as obj
from twin.model.quantity import format_bytes, format_cpu

# Resources whose amounts are bytes and read best with a binary suffix.
_BYTE_RESOURCES = ("memory", "ephemeral-storage", "storage")


def list_manifest(items: list[dict]) -> dict:
    """A `kind: List` holding `items`, as `oc get a,b -o json` prints mixed kinds."""
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": list(items)}


# --- quantities -------------------------------------------------------------------


def format_quantity(resource: str, amount: int) -> str:
    """Canonical text of one resource amount in the twin's units: cpu in millicores
    (`format_quantity("cpu", 1500) == "1500m"`), bytes with the largest exact binary
    suffix (`format_quantity("memory", 2**30) == "1Gi"`), anything else as an integer
    (`format_quantity("pods", 110) == "110"`)."""
    if resource == "cpu":
        return format_cpu(amount)
    if resource in _BYTE_RESOURCES or resource.startswith("hugepages-"):
        return format_bytes(amount)
    return str(amount)


def resource_list(resources: Mapping[str, int]) -> dict[str, str]:
    """A corev1.ResourceList: every amount as canonical quantity text."""
    return {name: format_quantity(name, amount) for name, amount in resources.items()}


# --- metadata and selectors -------------------------------------------------------


def object_meta(name: str, namespace: str | None = None, labels: Mapping[str, str] | None = None,
                deletion_timestamp: str | None = None,
                owner_references: tuple[obj.OwnerReference, ...] = ()) -> dict:
    """metav1.ObjectMeta with only the keys that are set."""
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    if deletion_timestamp is not None:
        meta["deletionTimestamp"] = deletion_timestamp
    if owner_references:
        meta["ownerReferences"] = [owner_reference(o) for o in owner_references]
    return meta


def owner_reference(owner: obj.OwnerReference) -> dict:
    return {"apiVersion": owner.api_version, "kind": owner.kind, "name": owner.name, "controller": owner.controller}


def requirement(req: lbl.Requirement) -> dict:
    """One matchExpressions / matchFields entry; `values` only when it has any."""
    out: dict[str, Any] = {"key": req.key, "operator": req.operator}
    if req.values:
        out["values"] = list(req.values)
    return out


def label_selector(selector: lbl.LabelSelector) -> dict:
    """metav1.LabelSelector; an empty selector is `{}` (matches everything)."""
    out: dict[str, Any] = {}
    if selector.match_labels:
        out["matchLabels"] = dict(selector.match_labels)
    if selector.match_expressions:
        out["matchExpressions"] = [requirement(r) for r in selector.match_expressions]
    return out


def node_selector_term(term: lbl.NodeSelectorTerm) -> dict:
    out: dict[str, Any] = {}
    if term.match_expressions:
        out["matchExpressions"] = [requirement(r) for r in term.match_expressions]
    if term.match_fields:
        out["matchFields"] = [requirement(r) for r in term.match_fields]
    return out


# --- nodes ------------------------------------------------------------------------


def node_manifest(node: obj.Node) -> dict:
    """A v1 Node: labels, taints, unschedulable, allocatable (= capacity) and the Ready
    condition (left out when `node.ready` is None)."""
    spec: dict[str, Any] = {}
    if node.taints:
        spec["taints"] = [taint(t) for t in node.taints]
    if node.unschedulable:
        spec["unschedulable"] = True
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": object_meta(node.name, labels=node.labels),
        "spec": spec,
        "status": node_status(node),
    }


def node_status(node: obj.Node) -> dict:
    resources = resource_list(node.allocatable)
    status: dict[str, Any] = {"allocatable": resources, "capacity": dict(resources)}
    if node.ready is not None:
        status["conditions"] = [{"type": "Ready", "status": node.ready}]
    return status


def taint(t: obj.Taint) -> dict:
    out = {"key": t.key, "effect": t.effect}
    if t.value:
        out["value"] = t.value
    return out


# --- services, workloads, namespaces ----------------------------------------------


def service_manifest(service: obj.Service) -> dict:
    spec = {"selector": dict(service.selector)} if service.selector else {}
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": object_meta(service.name, service.namespace), "spec": spec}


def workload_manifest(workload: obj.Workload) -> dict:
    """ReplicaSet / StatefulSet / Deployment (apps/v1, `spec.selector` a LabelSelector) or
    ReplicationController (v1, `spec.selector` a plain map: only `match_labels` survive)."""
    spec: dict[str, Any] = {"replicas": workload.replicas}
    rc = workload.kind == "ReplicationController"
    if workload.selector is not None:
        spec["selector"] = dict(workload.selector.match_labels) if rc else label_selector(workload.selector)
    return {"apiVersion": "v1" if rc else "apps/v1", "kind": workload.kind,
            "metadata": object_meta(workload.name, workload.namespace), "spec": spec}


def namespace_manifest(namespace: obj.Namespace) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": object_meta(namespace.name, labels=namespace.labels),
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


# --- pods -------------------------------------------------------------------------


def pod_manifest(pod: obj.Pod) -> dict:
    """A v1 Pod: metadata (namespace, labels, deletionTimestamp, ownerReferences), the
    spec fields the scheduler reads and `status.phase`."""
    meta = object_meta(pod.name, pod.namespace, pod.labels, pod.deletion_timestamp, pod.owner_references)
    if pod.annotations:
        meta["annotations"] = dict(pod.annotations)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": pod_spec(pod), "status": {"phase": pod.phase}}


def pod_spec(pod: obj.Pod) -> dict:
    spec: dict[str, Any] = {"containers": [container(c) for c in pod.containers]}
    optional = {
        "initContainers": [container(c) for c in pod.init_containers],
        "overhead": resource_list(pod.overhead),
        "nodeName": pod.node_name,
        "nodeSelector": dict(pod.node_selector),
        "tolerations": [toleration(t) for t in pod.tolerations],
        "affinity": affinity(pod.affinity),
        "topologySpreadConstraints": [spread_constraint(c) for c in pod.topology_spread_constraints],
        "priorityClassName": pod.priority_class_name,
        "priority": pod.priority,
        "terminationGracePeriodSeconds": pod.termination_grace_period_seconds,
    }
    spec.update({key: value for key, value in optional.items() if value not in (None, [], {})})
    return spec


def container(c: obj.Container) -> dict:
    """A container with `resources.requests` (and `limits`) for exactly the resources it
    states, its image, env, probes and a `sleep` preStop hook when set."""
    resources = {"requests": resource_list(c.requests)} if c.requests else {}
    if c.limits:
        resources["limits"] = resource_list(c.limits)
    out: dict[str, Any] = {"name": c.name, "resources": resources}
    if c.image:
        out["image"] = c.image
    if c.env:
        out["env"] = [{"name": name, "value": value} for name, value in c.env]
    for key, value in (("readinessProbe", c.readiness), ("livenessProbe", c.liveness)):
        if value is not None:
            out[key] = probe(value)
    if c.pre_stop_seconds:
        out["lifecycle"] = {"preStop": {"exec": {"command": ["sleep", str(c.pre_stop_seconds)]}}}
    return out


def probe(p: obj.Probe) -> dict:
    return {"initialDelaySeconds": p.initial_delay_seconds, "periodSeconds": p.period_seconds,
            "timeoutSeconds": p.timeout_seconds, "successThreshold": p.success_threshold,
            "failureThreshold": p.failure_threshold}


def toleration(t: obj.Toleration) -> dict:
    fields = {"key": t.key, "operator": t.operator, "value": t.value, "effect": t.effect}
    out: dict[str, Any] = {k: v for k, v in fields.items() if v}
    if t.toleration_seconds is not None:
        out["tolerationSeconds"] = t.toleration_seconds
    return out


def affinity(a: obj.Affinity) -> dict:
    out: dict[str, Any] = {}
    if a.node_affinity is not None:
        out["nodeAffinity"] = node_affinity(a.node_affinity)
    if a.pod_affinity is not None:
        out["podAffinity"] = pod_affinity(a.pod_affinity)
    if a.pod_anti_affinity is not None:
        out["podAntiAffinity"] = pod_affinity(a.pod_anti_affinity)
    return out


def node_affinity(na: obj.NodeAffinity) -> dict:
    out: dict[str, Any] = {}
    if na.required is not None:
        terms = [node_selector_term(t) for t in na.required]
        out["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": terms}
    if na.preferred:
        out["preferredDuringSchedulingIgnoredDuringExecution"] = [
            {"weight": p.weight, "preference": node_selector_term(p.preference)} for p in na.preferred
        ]
    return out


def pod_affinity(pa: obj.PodAffinity) -> dict:
    """podAffinity or podAntiAffinity."""
    out: dict[str, Any] = {}
    if pa.required:
        out["requiredDuringSchedulingIgnoredDuringExecution"] = [pod_affinity_term(t) for t in pa.required]
    if pa.preferred:
        out["preferredDuringSchedulingIgnoredDuringExecution"] = [
            {"weight": w.weight, "podAffinityTerm": pod_affinity_term(w.term)} for w in pa.preferred
        ]
    return out


def pod_affinity_term(term: obj.PodAffinityTerm) -> dict:
    out: dict[str, Any] = {"topologyKey": term.topology_key}
    if term.label_selector is not None:
        out["labelSelector"] = label_selector(term.label_selector)
    if term.namespaces:
        out["namespaces"] = list(term.namespaces)
    if term.namespace_selector is not None:
        out["namespaceSelector"] = label_selector(term.namespace_selector)
    return out


def spread_constraint(c: obj.TopologySpreadConstraint) -> dict:
    """corev1.TopologySpreadConstraint; optional fields only when set, so that a null
    labelSelector stays null and an unset minDomains stays unset."""
    out: dict[str, Any] = {
        "maxSkew": c.max_skew, "topologyKey": c.topology_key, "whenUnsatisfiable": c.when_unsatisfiable,
    }
    optional = {
        "labelSelector": None if c.label_selector is None else label_selector(c.label_selector),
        "minDomains": c.min_domains,
        "nodeAffinityPolicy": c.node_affinity_policy,
        "nodeTaintsPolicy": c.node_taints_policy,
        "matchLabelKeys": None if c.match_label_keys is None else list(c.match_label_keys),
    }
    out.update({key: value for key, value in optional.items() if value is not None})
    return out
