"""The Deployment and PodDisruptionBudget the operator renders from a Config, as plain
manifests (dicts ready for a YAML/JSON dump): spec/registry-operator.md §2.2–§2.4,
CIRO `pkg/resource/{deployment,podtemplatespec,poddisruptionbudget}.go`.

Everything is a pure function of the Config, the nodes the operator lists (only to ask
whether any carries a zone label) and the OpenShift version. Parts of the template the
twin does not model are left out: image and command, volumes and mounts, storage-driver
and TLS env, the pod security context, checksum annotations. The API server's probe
defaults (period 10 s, success 1, failure 3) are written out, as `oc get` shows them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from twin.model.objects import HOSTNAME_KEY, WORKER_ROLE_KEY, ZONE_KEY, Node
from twin.model.registry.config import RegistryConfig, RequestLimits
from twin.model.registry.versions import DEFAULT_VERSION, OpenShiftVersion

NAMESPACE = "openshift-image-registry"
NAME = "image-registry"
SELECTOR_LABEL = ("docker-registry", "default")
PORT = 5000
OS_LABEL = "kubernetes.io/os"
POD_TEMPLATE_HASH = "pod-template-hash"
SERVER_ADDR = f"{NAME}.{NAMESPACE}.svc:{PORT}"
REGISTRY_IMAGE = "quay.io/openshift/origin-docker-registry"

Manifest = dict[str, Any]


@dataclass(frozen=True, slots=True)
class RenderedRegistry:
    """The operands of §2.2 and §2.4 as manifests."""

    deployment: Manifest
    pdb: Manifest


def render_registry(
    config: RegistryConfig, nodes: Iterable[Node], version: OpenShiftVersion = DEFAULT_VERSION
) -> RenderedRegistry:
    """The image-registry Deployment and PDB for `config` (spec/registry-operator.md §2).
    `nodes` are the cluster's nodes; they only decide whether the zone spread
    constraint is added (§2.3)."""
    return RenderedRegistry(render_deployment(config, nodes, version), render_pdb(config, version))


def _labels() -> dict[str, str]:
    return dict([SELECTOR_LABEL])


def _selector() -> Manifest:
    return {"matchLabels": _labels()}


def _metadata() -> Manifest:
    return {"name": NAME, "namespace": NAMESPACE}


# ---- Deployment (§2.2) ----------------------------------------------------------


def render_deployment(config: RegistryConfig, nodes: Iterable[Node], version: OpenShiftVersion) -> Manifest:
    """`openshift-image-registry/image-registry` (§2.2)."""
    spec = {
        "replicas": config.replicas,
        "selector": _selector(),
        "strategy": rollout_strategy(config.replicas, config.rollout_strategy),
        "progressDeadlineSeconds": version.progress_deadline_seconds,
        "template": pod_template(config, nodes, version),
    }
    metadata = {**_metadata(), "labels": _labels()}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": spec}


def rollout_strategy(replicas: int, strategy: str) -> Manifest:
    """§2.2: Recreate if asked; otherwise RollingUpdate with maxUnavailable 1 and maxSurge
    1 for exactly 2 replicas, and maxUnavailable replicas-1 with maxSurge "25%" for any
    other count (PR #709, Bug 1981639).

    >>> rollout_strategy(6, "")["rollingUpdate"]
    {'maxUnavailable': 5, 'maxSurge': '25%'}

    [inferred] `replicas: 0` passes verification (§1.1) and renders maxUnavailable -1,
    exactly as the operator computes it; the Deployment API would then reject it, so the
    operator is left with an apply error. The twin renders the value and does not fail.
    """
    if strategy == "Recreate":
        return {"type": "Recreate"}
    unavailable, surge = (1, 1) if replicas == 2 else (replicas - 1, "25%")
    return {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": unavailable, "maxSurge": surge}}


# ---- Pod template (§2.3) -----------------------------------------------------------


def pod_template(config: RegistryConfig, nodes: Iterable[Node], version: OpenShiftVersion) -> Manifest:
    """`makePodTemplateSpec` (§2.3). Empty tolerations and spread constraints are left
    out, as the API server's omitempty does; an explicit empty affinity is kept."""
    spec: Manifest = {
        "containers": [registry_container(config, version)],
        "nodeSelector": node_selector(config),
        "priorityClassName": "system-cluster-critical",
        "serviceAccountName": "registry",
        "terminationGracePeriodSeconds": 55,
    }
    _set_if(spec, "tolerations", [copy.deepcopy(dict(t)) for t in config.tolerations])
    _set_if(spec, "affinity", pod_affinity(config), keep_empty=True)
    _set_if(spec, "topologySpreadConstraints", topology_spread_constraints(config, nodes, version))
    return {"metadata": {"labels": _labels(), "annotations": _pod_annotations()}, "spec": spec}


def _set_if(target: Manifest, key: str, value: Any, keep_empty: bool = False) -> None:
    if value is not None and (keep_empty or value):
        target[key] = value


def _pod_annotations() -> dict[str, str]:
    """§2.2: workload partitioning and the required SCC."""
    return {
        "target.workload.openshift.io/management": '{"effect": "PreferredDuringScheduling"}',
        "openshift.io/required-scc": "restricted-v2",
    }


def registry_container(config: RegistryConfig, version: OpenShiftVersion = DEFAULT_VERSION) -> Manifest:
    """The `registry` container: port 5000/TCP, env, resources, probes and the
    `sleep 25` preStop hook (§2.3). The image stands in for the release payload's
    registry image (a digest upstream): one name per OpenShift version, so an upgrade
    means a new pull."""
    return {
        "name": "registry",
        "image": f"{REGISTRY_IMAGE}:{version.name}",
        "ports": [{"containerPort": PORT, "protocol": "TCP"}],
        "env": registry_env(config),
        "resources": container_resources(config),
        "livenessProbe": _probe(initial_delay=5),
        "readinessProbe": _probe(initial_delay=15),
        "lifecycle": {"preStop": {"exec": {"command": ["sleep", "25"]}}},
        "securityContext": {"readOnlyRootFilesystem": True},
    }


def container_resources(config: RegistryConfig) -> Manifest:
    """requests 100m CPU / 256Mi memory, replaced whole by `spec.resources` (§1.1)."""
    if config.resources is not None:
        return copy.deepcopy(dict(config.resources))
    return {"requests": {"cpu": "100m", "memory": "256Mi"}}


def _probe(initial_delay: int) -> Manifest:
    """HTTPS GET /healthz:5000, timeout 5 s (§2.3), with the API server's defaults."""
    return {
        "httpGet": {"path": "/healthz", "port": PORT, "scheme": "HTTPS"},
        "initialDelaySeconds": initial_delay,
        "timeoutSeconds": 5,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }


def generate_log_level(log_level: str, logging: int) -> str:
    """`generateLogLevel` (§1.1 `logLevel`): Debug/Trace/TraceAll give "debug"; otherwise
    the deprecated `logging` decides: 1 "warn", 0/2/3 "info", anything else "debug"."""
    if log_level in ("Debug", "Trace", "TraceAll"):
        return "debug"
    return {1: "warn", 0: "info", 2: "info", 3: "info"}.get(logging, "debug")


def registry_env(config: RegistryConfig) -> list[dict[str, str]]:
    """The env the operator derives from the spec, in its order (§1.1, §2.3)."""
    pairs = [
        ("REGISTRY_HTTP_ADDR", f":{PORT}"),
        ("REGISTRY_HTTP_NET", "tcp"),
        ("REGISTRY_HTTP_SECRET", config.http_secret),
        ("REGISTRY_LOG_LEVEL", generate_log_level(config.log_level, config.logging)),
        ("REGISTRY_OPENSHIFT_QUOTA_ENABLED", "true"),
        ("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "inmemory"),
        ("REGISTRY_STORAGE_DELETE_ENABLED", "true"),
        ("REGISTRY_HEALTH_STORAGEDRIVER_ENABLED", "true"),
        ("REGISTRY_HEALTH_STORAGEDRIVER_INTERVAL", "10s"),
        ("REGISTRY_HEALTH_STORAGEDRIVER_THRESHOLD", "1"),
        ("REGISTRY_OPENSHIFT_METRICS_ENABLED", "true"),
        ("REGISTRY_OPENSHIFT_SERVER_ADDR", SERVER_ADDR),
        *_storage_env(config),
        *_optional_env(config),
        *_request_env("READ", config.read),
        *_request_env("WRITE", config.write),
    ]
    return [{"name": name, "value": value} for name, value in pairs]


STORAGE_DRIVERS = {
    "emptyDir": "filesystem", "pvc": "filesystem", "s3": "s3", "ibmcos": "s3", "gcs": "gcs",
    "swift": "swift", "azure": "azure", "oss": "oss",
}
"""The distribution driver behind each backend (CIRO `pkg/storage/<backend>/`, each
driver's `ConfigEnv` sets `REGISTRY_STORAGE`; IBM COS goes through the s3 driver)."""


def _storage_env(config: RegistryConfig) -> list[tuple[str, str]]:
    """`REGISTRY_STORAGE=<driver>` for the configured backend; the driver's own settings
    (bucket, region, credentials) are not modelled. None while no backend is set."""
    backends = config.storage.backends
    if not backends:
        return []
    env = [("REGISTRY_STORAGE", STORAGE_DRIVERS[backends[0]])]
    chunk = config.storage.s3_chunk_size_mib
    if backends[0] == "s3" and chunk is not None and 4 < chunk < 5121:
        env.append(("REGISTRY_STORAGE_S3_CHUNKSIZE", str(chunk * 1024 * 1024)))  # CIRO pkg/storage/s3/s3.go
    return env


def _optional_env(config: RegistryConfig) -> list[tuple[str, str]]:
    """readOnly (§4.3), disableRedirect (§4.4) and the spec's proxy settings."""
    flags = [
        ("REGISTRY_STORAGE_MAINTENANCE_READONLY", "{enabled: true}", config.read_only),
        ("REGISTRY_STORAGE_REDIRECT_DISABLE", "true", config.disable_redirect),
        ("HTTP_PROXY", config.proxy.http, bool(config.proxy.http)),
        ("HTTPS_PROXY", config.proxy.https, bool(config.proxy.https)),
        ("NO_PROXY", config.proxy.no_proxy, bool(config.proxy.no_proxy)),
    ]
    return [(name, value) for name, value, wanted in flags if wanted]


def _request_env(kind: str, limits: RequestLimits) -> list[tuple[str, str]]:
    """The three REGISTRY_OPENSHIFT_REQUESTS_<kind>_* vars, only when maxRunning or
    maxInQueue is non-zero; maxWaitInQueue in Go `Duration.String()` form (§1.1)."""
    if not limits.limited:
        return []
    prefix = f"REGISTRY_OPENSHIFT_REQUESTS_{kind}_"
    return [
        (prefix + "MAXRUNNING", str(limits.max_running)),
        (prefix + "MAXINQUEUE", str(limits.max_in_queue)),
        (prefix + "MAXWAITINQUEUE", limits.max_wait_in_queue),
    ]


def node_selector(config: RegistryConfig) -> dict[str, str]:
    """`spec.nodeSelector` plus `kubernetes.io/os: linux` unless the key is set (§2.3)."""
    selector = dict(config.node_selector or {})
    selector.setdefault(OS_LABEL, "linux")
    return selector


def topology_spread_constraints(
    config: RegistryConfig, nodes: Iterable[Node], version: OpenShiftVersion
) -> list[Manifest] | None:
    """§2.3 rules: a non-nil `spec.topologySpreadConstraints` is used verbatim (even
    `[]`); otherwise a non-nil `spec.nodeSelector` (even `{}`) drops the defaults;
    otherwise the defaults apply. None means the pod has no constraints."""
    if config.topology_spread_constraints is not None:
        return [copy.deepcopy(dict(c)) for c in config.topology_spread_constraints]
    if config.node_selector is not None:
        return None
    return default_topology_spread_constraints(nodes, version)


def default_topology_spread_constraints(nodes: Iterable[Node], version: OpenShiftVersion) -> list[Manifest]:
    """hostname, worker role and (when any node has a zone label) zone, in that order,
    maxSkew 1, DoNotSchedule, selector docker-registry=default (§2.3, scheduling.md §6)."""
    keys = [HOSTNAME_KEY, WORKER_ROLE_KEY]
    if any(ZONE_KEY in node.labels for node in nodes):
        keys.append(ZONE_KEY)
    return [_default_constraint(key, version) for key in keys]


def _default_constraint(key: str, version: OpenShiftVersion) -> Manifest:
    """One default constraint; on 4.23 with matchLabelKeys [pod-template-hash] and both
    node inclusion policies Honor (PR #1347, OCPBUGS-73768; §2.3, §7)."""
    constraint = {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "DoNotSchedule", "labelSelector": _selector()}
    if version.tsc_match_label_keys_and_honor:
        constraint.update(matchLabelKeys=[POD_TEMPLATE_HASH], nodeAffinityPolicy="Honor", nodeTaintsPolicy="Honor")
    return constraint


def pod_affinity(config: RegistryConfig) -> Manifest | None:
    """`spec.affinity` if set; else, for exactly 2 replicas, a required pod anti-affinity
    on hostname against docker-registry=default in openshift-image-registry (§2.3)."""
    if config.affinity is not None:
        return copy.deepcopy(dict(config.affinity))
    if config.replicas != 2:
        return None
    term = {"topologyKey": HOSTNAME_KEY, "namespaces": [NAMESPACE], "labelSelector": _selector()}
    return {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}


# ---- PodDisruptionBudget (§2.4) and pods -------------------------------------------


def render_pdb(config: RegistryConfig, version: OpenShiftVersion) -> Manifest:
    """minAvailable 1 for more than one replica, else 0; unhealthyPodEvictionPolicy
    AlwaysAllow on 4.23 only (§2.4, §7)."""
    spec: Manifest = {"minAvailable": 1 if config.replicas > 1 else 0, "selector": _selector()}
    if version.pdb_always_allow:
        spec["unhealthyPodEvictionPolicy"] = "AlwaysAllow"
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": _metadata(), "spec": spec}


def pod_template_manifest(
    rendered: RenderedRegistry, name: str = NAME, labels: Mapping[str, str] | None = None
) -> Manifest:
    """A Pod manifest from the Deployment's template, for
    `PodSchema.model_validate(...).to_domain()`. `labels` are added to the template's
    (e.g. `pod-template-hash`, which the ReplicaSet controller adds)."""
    template = rendered.deployment["spec"]["template"]
    metadata = {"name": name, "namespace": NAMESPACE, "labels": {**template["metadata"]["labels"], **(labels or {})}}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": copy.deepcopy(template["spec"])}
