"""The Deployment and PodDisruptionBudget the operator renders from a Config, as plain
manifests (dicts ready for a YAML/JSON dump): spec/registry-operator.md §2.2–§2.4,
CIRO `pkg/resource/{deployment,podtemplatespec,poddisruptionbudget}.go` on
release-4.21, 4.22 and 4.23 (docs/render.md).

Everything is a pure function of the Config, the nodes the operator lists (only to ask
whether any carries a zone label) and the OpenShift version. The Deployment is rendered
field for field: metadata annotations, strategy, the pod's annotations, the container's
command, env (storage driver first, `drivers.py`; TLS from observedConfig, `tls_env.py`),
volume mounts, probes, resources, preStop hook and security contexts, the pod's volumes
(`pod_volumes.py`), scheduling fields and grace period. The API server's defaults are
written out as `oc get` shows them (probe period/success/failure, revisionHistoryLimit,
dnsPolicy, restartPolicy, schedulerName, imagePullPolicy, terminationMessagePath,
volume defaultMode, token expirationSeconds, the deprecated `serviceAccount`).

What still differs from `oc get deployment image-registry -o yaml` on a real cluster:

* the image: `REGISTRY_IMAGE:<version>` stands in for the payload's digest (the
  operator's IMAGE env), also in the `operator.openshift.io/pull-spec` sense;
* REGISTRY_HTTP_SECRET is the Config's `spec.httpSecret` ("" in a Config the operator
  has not bootstrapped; it then generates a random one);
* hash annotations are named placeholders (`*_PLACEHOLDER`): the dependencies checksum
  hashes Secrets and ConfigMaps the twin does not have, the Deployment checksum and
  library-go's spec-hash hash the Go JSON of the real object;
  `release.openshift.io/version` is the payload's full version, rendered `<x.y>.z`;
* the pod's `fsGroup` comes from the namespace's `openshift.io/sa.scc.supplemental-groups`
  annotation, allocated per cluster: `FS_GROUP_PLACEHOLDER`;
* values a driver takes from cluster state (Infrastructure region, cloud credentials,
  cloud.conf) are placeholders when the Config lacks them (`drivers.PLACEHOLDERS`);
* not modelled: the cluster Proxy's status as a fallback for HTTP(S)_PROXY/NO_PROXY,
  `unsupportedConfigOverrides` (deployment annotations, runtimeClassName), and what
  the API server and controllers add (status, generation, uid, managedFields,
  `deployment.kubernetes.io/revision`, `creationTimestamp`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from twin.model.objects import HOSTNAME_KEY, WORKER_ROLE_KEY, ZONE_KEY, Node
from twin.model.registry.config import RegistryConfig, RequestLimits
from twin.model.registry.drivers import storage_parts
from twin.model.registry.pod_volumes import TLS_ENV, operator_mounts, operator_volumes
from twin.model.registry.tls_env import observed_tls_env
from twin.model.registry.versions import DEFAULT_VERSION, OpenShiftVersion

NAMESPACE = "openshift-image-registry"
NAME = "image-registry"
SELECTOR_LABEL = ("docker-registry", "default")
PORT = 5000
OS_LABEL = "kubernetes.io/os"
POD_TEMPLATE_HASH = "pod-template-hash"
SERVER_ADDR = f"{NAME}.{NAMESPACE}.svc:{PORT}"
REGISTRY_IMAGE = "quay.io/openshift/origin-docker-registry"
SERVICE_ACCOUNT = "registry"
COMMAND = [
    "/bin/sh", "-c",
    "mkdir -p /etc/pki/ca-trust/extracted/edk2 /etc/pki/ca-trust/extracted/java /etc/pki/ca-trust/extracted/openssl"
    " /etc/pki/ca-trust/extracted/pem && update-ca-trust extract --output /etc/pki/ca-trust/extracted/"
    " && exec /usr/bin/dockerregistry",
]
"""The container command (podtemplatespec.go `makePodTemplateSpec`; `--output` since
commit 9625bf48f, the same on 4.21–4.23)."""

DEPENDENCIES_CHECKSUM = "imageregistry.operator.openshift.io/dependencies-checksum"
DEPLOYMENT_CHECKSUM = "imageregistry.operator.openshift.io/checksum"
SPEC_HASH = "operator.openshift.io/spec-hash"
RELEASE_VERSION = "release.openshift.io/version"
DEPENDENCIES_CHECKSUM_PLACEHOLDER = "sha256:<twin placeholder: hash of the ConfigMaps and Secrets the pod uses>"
DEPLOYMENT_CHECKSUM_PLACEHOLDER = "sha256:<twin placeholder: sha256 of the Go JSON of the Deployment>"
SPEC_HASH_PLACEHOLDER = "<twin placeholder: sha256 of the Go JSON of the Deployment spec>"
FS_GROUP_PLACEHOLDER = 1000000000
"""Stands in for the first id of the namespace's `openshift.io/sa.scc.supplemental-groups`
range (`generateSecurityContext`), which each cluster allocates (e.g. 1000330000)."""

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
        "revisionHistoryLimit": 10,  # the apps/v1 default
        "template": pod_template(config, nodes, version),
    }
    metadata = {**_metadata(), "labels": _labels(), "annotations": deployment_annotations(version)}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": spec}


def deployment_annotations(version: OpenShiftVersion) -> dict[str, str]:
    """deployment.go `expected`: `release.openshift.io/version` (the operator's
    RELEASE_VERSION, the payload's x.y.z) and `imageregistry.operator.openshift.io/checksum`
    (sha256 of the Deployment's JSON); library-go `ApplyDeployment` adds
    `operator.openshift.io/spec-hash` (sha256 of the spec's JSON). The hashes are
    placeholders; the version is `<x.y>.z`."""
    return {
        RELEASE_VERSION: f"{version.name}.z",
        DEPLOYMENT_CHECKSUM: DEPLOYMENT_CHECKSUM_PLACEHOLDER,
        SPEC_HASH: SPEC_HASH_PLACEHOLDER,
    }


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
        "volumes": pod_volumes(config),
        "nodeSelector": node_selector(config),
        "priorityClassName": "system-cluster-critical",
        "serviceAccountName": SERVICE_ACCOUNT,
        "serviceAccount": SERVICE_ACCOUNT,  # the deprecated field the API server mirrors
        "securityContext": pod_security_context(),
        "terminationGracePeriodSeconds": 55,
        "dnsPolicy": "ClusterFirst",  # API server defaults, as `oc get` shows them
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
    }
    _set_if(spec, "tolerations", [copy.deepcopy(dict(t)) for t in config.tolerations])
    _set_if(spec, "affinity", pod_affinity(config), keep_empty=True)
    _set_if(spec, "topologySpreadConstraints", topology_spread_constraints(config, nodes, version))
    return {"metadata": {"labels": _labels(), "annotations": _pod_annotations()}, "spec": spec}


def _set_if(target: Manifest, key: str, value: Any, keep_empty: bool = False) -> None:
    if value is not None and (keep_empty or value):
        target[key] = value


def _pod_annotations() -> dict[str, str]:
    """§2.2: workload partitioning (`defaults.DeploymentAnnotations`), the required SCC
    and the dependencies checksum (deployment.go `expected`: a sha256 over the ConfigMaps
    and Secrets the pod reads, rendered as a placeholder)."""
    return {
        "target.workload.openshift.io/management": '{"effect": "PreferredDuringScheduling"}',
        "openshift.io/required-scc": "restricted-v2",
        DEPENDENCIES_CHECKSUM: DEPENDENCIES_CHECKSUM_PLACEHOLDER,
    }


def pod_security_context() -> Manifest:
    """`generateSecurityContext`: fsGroup from the namespace's supplemental-groups
    annotation (a placeholder here) and fsGroupChangePolicy OnRootMismatch."""
    return {"fsGroup": FS_GROUP_PLACEHOLDER, "fsGroupChangePolicy": "OnRootMismatch"}


def pod_volumes(config: RegistryConfig) -> list[Manifest]:
    """The storage driver's volumes, then the operator's six (`pod_volumes.py`)."""
    return storage_parts(config.storage).volumes + operator_volumes()


def volume_mounts(config: RegistryConfig) -> list[Manifest]:
    """The storage driver's mounts, then the operator's six, as the volumes."""
    return storage_parts(config.storage).mounts + operator_mounts()


def registry_container(config: RegistryConfig, version: OpenShiftVersion = DEFAULT_VERSION) -> Manifest:
    """The `registry` container: command, port 5000/TCP, env, mounts, resources,
    probes, the `sleep 25` preStop hook, FallbackToLogsOnError and a read-only root
    filesystem (§2.3, podtemplatespec.go `makePodTemplateSpec`). The image stands in
    for the release payload's registry image (a digest upstream): one name per OpenShift
    version, so an upgrade means a new pull."""
    return {
        "name": "registry",
        "image": f"{REGISTRY_IMAGE}:{version.name}",
        "imagePullPolicy": "IfNotPresent",  # the API server's default for a tag other than latest
        "command": list(COMMAND),
        "ports": [{"containerPort": PORT, "protocol": "TCP"}],
        "env": registry_env(config, version),
        "volumeMounts": volume_mounts(config),
        "resources": container_resources(config),
        "livenessProbe": _probe(initial_delay=5),
        "readinessProbe": _probe(initial_delay=15),
        "lifecycle": {"preStop": {"exec": {"command": ["sleep", "25"]}}},
        "terminationMessagePath": "/dev/termination-log",  # API server default
        "terminationMessagePolicy": "FallbackToLogsOnError",
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


def registry_env(config: RegistryConfig, version: OpenShiftVersion = DEFAULT_VERSION) -> list[Manifest]:
    """The container's env in the operator's order (§1.1, §2.3, `makePodTemplateSpec`):
    the storage driver's first (`drivers.py`; a secret one as a secretKeyRef), then the
    fixed settings, readOnly, disableRedirect, proxy, request limits, the serving cert
    and key, and on 4.22+ the observedConfig TLS settings (`tls_env.py`)."""
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
        *_optional_env(config),
        *_request_env("READ", config.read),
        *_request_env("WRITE", config.write),
        *TLS_ENV,
        *(observed_tls_env(config.observed_config) if version.observed_tls_env else []),
    ]
    return storage_parts(config.storage).env + [{"name": name, "value": value} for name, value in pairs]


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
