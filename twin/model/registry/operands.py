"""The operator's operands as workload values: the rendered Deployment and PDB manifests
(`render.py`) turned into `workloads.Deployment` / `PodDisruptionBudget`, the rollout
trigger, and the image pruner's `--prune-registry` arguments
(spec/registry-operator.md §2.2, §2.4, §2.5).

The factories validate like the manifest loaders do: a bad field raises `InputError`
naming its path (`spec.strategy.rollingUpdate.maxSurge: ...`). Defaults are the
apps/v1 and policy/v1 API defaults (spec/lifecycle.md §0).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ValidationError

from twin.errors import InputError
from twin.model.kube_io.errors import format_validation_error
from twin.model.kube_io.schema import LabelSelectorSchema, ObjectMeta, PodSchema, PodSpecSchema, Schema
from twin.model.objects import Pod
from twin.model.quoting import shown
from twin.model.registry.render import NAME, NAMESPACE, SERVER_ADDR
from twin.model.registry.replicas import pod_template_hash
from twin.model.workloads import RECREATE, Deployment, DeploymentSpec, IntOrPercent, PodDisruptionBudget

DEFAULT_PERCENT = "25%"  # apps/v1 default for both maxSurge and maxUnavailable


def _int_or_percent(value: int | str) -> int | str:
    """An int, or a string of digits followed by `%` ("25%")."""
    if isinstance(value, str) and re.fullmatch(r"\d+%", value) is None:
        raise ValueError(f"expected an integer or a percentage like \"25%\", got {shown(value)}")
    return value


IntOrPercentField = Annotated[int | str, AfterValidator(_int_or_percent)]


# ---- schemas (private: only the fields the twin models) -----------------------------


class _Metadata(Schema):
    name: str = NAME
    namespace: str = NAMESPACE


class _RollingUpdate(Schema):
    max_surge: IntOrPercentField = DEFAULT_PERCENT
    max_unavailable: IntOrPercentField = DEFAULT_PERCENT


class _Strategy(Schema):
    type: Literal["RollingUpdate", "Recreate"] = "RollingUpdate"
    rolling_update: _RollingUpdate | None = None


class _TemplateMetadata(Schema):
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


class _Template(Schema):
    metadata: _TemplateMetadata = _TemplateMetadata()
    spec: PodSpecSchema


class _DeploymentSpec(Schema):
    replicas: int = 1
    selector: LabelSelectorSchema
    template: _Template
    strategy: _Strategy = _Strategy()
    min_ready_seconds: int = 0
    progress_deadline_seconds: int = 600
    revision_history_limit: int = 10
    paused: bool = False


class _Deployment(Schema):
    metadata: _Metadata = _Metadata()
    spec: _DeploymentSpec


class _PdbSpec(Schema):
    selector: LabelSelectorSchema
    min_available: IntOrPercentField | None = None
    max_unavailable: IntOrPercentField | None = None
    unhealthy_pod_eviction_policy: Literal["IfHealthyBudget", "AlwaysAllow"] = "IfHealthyBudget"


class _Pdb(Schema):
    metadata: _Metadata = _Metadata()
    spec: _PdbSpec


def _parse(schema: type[Schema], manifest: dict[str, Any]) -> Any:
    """`schema.model_validate(manifest)`, with a failure as an `InputError` naming the
    field path."""
    try:
        return schema.model_validate(manifest)
    except ValidationError as exc:
        path, message = format_validation_error(exc)
        raise InputError("", path, message) from None


# ---- Deployment (§2.2) ---------------------------------------------------------------


def deployment_from_manifest(manifest: dict[str, Any], generation: int = 1, created: float = 0.0) -> Deployment:
    """The `image-registry` Deployment manifest (`render_deployment`, §2.2) as a
    `workloads.Deployment` with an empty status.

    Unset fields take the apps/v1 defaults: replicas 1, RollingUpdate with maxSurge and
    maxUnavailable "25%", minReadySeconds 0, progressDeadlineSeconds 600,
    revisionHistoryLimit 10 (spec/lifecycle.md §0). For Recreate both rolling-update
    values are None (they count as 0, lifecycle.md §a.4)."""
    parsed = _parse(_Deployment, manifest)
    spec = parsed.spec
    surge, unavailable = _rolling_values(spec.strategy)
    deployment_spec = DeploymentSpec(
        replicas=spec.replicas,
        selector=spec.selector.to_domain(),
        template=_template_pod(spec.template, manifest["spec"]["template"]),
        strategy=spec.strategy.type,
        max_surge=surge,
        max_unavailable=unavailable,
        min_ready_seconds=spec.min_ready_seconds,
        progress_deadline_seconds=spec.progress_deadline_seconds,
        revision_history_limit=spec.revision_history_limit,
        paused=spec.paused,
    )
    meta = parsed.metadata
    return Deployment(meta.name, meta.namespace, deployment_spec, generation=generation, created=created)


def _rolling_values(strategy: _Strategy) -> tuple[IntOrPercent | None, IntOrPercent | None]:
    """(maxSurge, maxUnavailable): None for Recreate, else the values or "25%"."""
    if strategy.type == RECREATE:
        return None, None
    rolling = strategy.rolling_update or _RollingUpdate()
    return rolling.max_surge, rolling.max_unavailable


TEMPLATE_CHECKSUM = "twin.registry-twin.io/template-checksum"


def _template_pod(template: _Template, raw: dict[str, Any]) -> Pod:
    """The pod template as a Pod named `image-registry` in openshift-image-registry,
    labelled with the template's labels. Its annotations add a checksum of the whole
    manifest template, so that a change the Pod does not model (env: logLevel,
    readOnly, request limits ...) still makes a different template and a rollout (§2.2)."""
    annotations = {**(template.metadata.annotations or {}), TEMPLATE_CHECKSUM: pod_template_hash(raw)}
    metadata = ObjectMeta(name=NAME, namespace=NAMESPACE, labels=template.metadata.labels, annotations=annotations)
    return PodSchema(metadata=metadata, spec=template.spec).to_domain(NAMESPACE)


def template_changed(old: Deployment, new: Deployment) -> bool:
    """Whether replacing `old` by `new` starts a rollout: the Deployment controller
    creates a new ReplicaSet only when the pod template differs (§2.2,
    spec/lifecycle.md §a.3). A change of replicas alone only scales.

    The template Pod carries a checksum of the manifest template (`TEMPLATE_CHECKSUM`),
    so env-only edits count too."""
    return old.spec.template != new.spec.template


def manifest_template_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether two Deployment manifests have different pod templates, env and
    annotations included (e.g. toggling `spec.readOnly` changes only the env, §2.2)."""
    return old["spec"]["template"] != new["spec"]["template"]


# ---- PodDisruptionBudget (§2.4) ------------------------------------------------------


def pdb_from_manifest(manifest: dict[str, Any]) -> PodDisruptionBudget:
    """The `image-registry` PDB manifest (`render_pdb`, §2.4) as a value.
    unhealthyPodEvictionPolicy defaults to IfHealthyBudget (policy/v1, spec/lifecycle.md §c).
    Setting both minAvailable and maxUnavailable is refused, as the API server does."""
    parsed = _parse(_Pdb, manifest)
    spec = parsed.spec
    if spec.min_available is not None and spec.max_unavailable is not None:
        raise InputError("", "spec", "minAvailable and maxUnavailable cannot be both set")
    return PodDisruptionBudget(
        name=parsed.metadata.name,
        namespace=parsed.metadata.namespace,
        selector=spec.selector.to_domain(),
        min_available=spec.min_available,
        max_unavailable=spec.max_unavailable,
        unhealthy_pod_eviction_policy=spec.unhealthy_pod_eviction_policy,
    )


# ---- Service, images.config and the pruner (§2.5) ------------------------------------


def internal_registry_hostname(service_exists: bool) -> str:
    """`images.config.openshift.io/cluster` status.internalRegistryHostname: the
    Service's address while the `image-registry` Service exists, else "" (§2.5).

    >>> internal_registry_hostname(True)
    'image-registry.openshift-image-registry.svc:5000'
    """
    return SERVER_ADDR if service_exists else ""


def prune_registry_args(internal_registry_hostname: str) -> tuple[str, ...]:
    """The pruner's registry arguments (§2.5, commit `daf369a0b`): prune the registry
    at the internal hostname when there is one, else prune API objects only.

    >>> prune_registry_args("")
    ('--prune-registry=false',)
    """
    if not internal_registry_hostname:
        return ("--prune-registry=false",)
    return ("--prune-registry=true", f"--registry-url=https://{internal_registry_hostname}")
