"""Finding, creating and rewriting a Deployment's ReplicaSets, spec/lifecycle.md §a.3
step 1 and §a.7 (upstream `FindNewReplicaSet`, `getNewReplicaSet`,
`SetNewReplicaSetAnnotations`, `SetReplicasAnnotations`, `ComputeHash`).

The template hash is FNV-32a over a canonical text form of the template (dataclass fields
in declaration order, mappings sorted), written as decimal and then safe-encoded like
`rand.SafeEncodeString`. Upstream hashes a Go dump of the template, so the values differ
from a real cluster's; what matters holds: same template, same hash; new template, new
hash. Hash collisions (upstream's collisionCount) are not modelled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, is_dataclass, replace

from twin.model.controllers.rollout import by_age, max_revision, max_surge, new_rs_new_replicas, revision, spec_total
from twin.model.hashing import short_hash
from twin.model.labels import LabelSelector
from twin.model.objects import Pod
from twin.model.workloads import (
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    REVISION_ANNOTATION,
    Deployment,
    DeploymentSpec,
    ReplicaSet,
)

POD_TEMPLATE_HASH = "pod-template-hash"
REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history"


# ---- templates -------------------------------------------------------------------------


def comparable_template(template: Pod) -> Pod:
    """The template as `EqualIgnoreHash` compares it: without the pod-template-hash label
    (and without name and node, which a template does not have)."""
    labels = {k: v for k, v in template.labels.items() if k != POD_TEMPLATE_HASH}
    return replace(template, name="", node_name=None, labels=labels)


def same_template(a: Pod, b: Pod) -> bool:
    return comparable_template(a) == comparable_template(b)


def find_new_replicaset(deployment: Deployment, rss: Sequence[ReplicaSet]) -> ReplicaSet | None:
    """`FindNewReplicaSet`, §a.3 step 1 / §a.7: the oldest RS whose template equals the
    Deployment's, ignoring pod-template-hash; None if there is none."""
    return next((rs for rs in by_age(rss) if same_template(rs.template, deployment.spec.template)), None)


def template_hash(template: Pod) -> str:
    """Deterministic hash of a pod template (see the module docstring). Labels in another
    order hash the same; the pod-template-hash label itself is ignored."""
    text = repr(_canonical(comparable_template(template)))
    return short_hash(text)


def _canonical(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,) + tuple((f.name, _canonical(getattr(value, f.name))) for f in fields(value) if f.compare)
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_canonical(v) for v in value)
    return value


# ---- annotations and scaling -------------------------------------------------------------


def with_annotations(rs: ReplicaSet, updates: Mapping[str, str]) -> ReplicaSet:
    merged = dict(rs.annotations) | dict(updates)
    return replace(rs, annotations=tuple(sorted(merged.items())))


def replicas_annotations(spec: DeploymentSpec) -> dict[str, str]:
    """`SetReplicasAnnotations`: desired-replicas = replicas, max-replicas = replicas + maxSurge."""
    return {DESIRED_REPLICAS_ANNOTATION: str(spec.replicas), MAX_REPLICAS_ANNOTATION: str(spec.replicas + max_surge(spec))}


def scaled(rs: ReplicaSet, replicas: int, spec: DeploymentSpec) -> ReplicaSet:
    """`scaleReplicaSet`: the RS at `replicas` with refreshed replicas annotations. A
    change of spec.replicas bumps metadata.generation, as the API server would."""
    out = with_annotations(rs, replicas_annotations(spec))
    if replicas == rs.replicas:
        return out
    return replace(out, replicas=replicas, generation=rs.generation + 1)


# ---- the new ReplicaSet ------------------------------------------------------------------


def create_new_replicaset(
    deployment: Deployment, old_rss: Sequence[ReplicaSet], now: float, name_for: Callable[[str], str] | None = None
) -> ReplicaSet:
    """The RS `getNewReplicaSet` creates, spec/lifecycle.md §a.3 step 1: born at
    `NewRSNewReplicas(d, oldRSs, newRS@0)`, with revision = max old revision + 1,
    desired-replicas = replicas and max-replicas = replicas + maxSurge; its template and
    selector carry pod-template-hash; named `<deployment>-<hash>` unless `name_for` maps
    the hash to another name.

    Example: replicas 3, surge 1, one old RS of 3 at revision 1 -> replicas 1, revision "2",
    desired "3", max "4".
    """
    spec, digest = deployment.spec, template_hash(deployment.spec.template)
    labels = {**spec.template.labels, POD_TEMPLATE_HASH: digest}
    match_labels = tuple(sorted({**dict(spec.selector.match_labels), POD_TEMPLATE_HASH: digest}.items()))
    selector = LabelSelector(match_labels, spec.selector.match_expressions)
    annotations = {REVISION_ANNOTATION: str(max_revision(old_rss) + 1), **replicas_annotations(spec)}
    return ReplicaSet(
        name=name_for(digest) if name_for else f"{deployment.name}-{digest}",
        namespace=deployment.namespace,
        replicas=new_rs_new_replicas(spec, spec_total(old_rss), 0),
        selector=selector,
        template=replace(spec.template, labels=labels),
        template_hash=digest,
        owner=deployment.name,
        created=now,
        annotations=tuple(sorted(annotations.items())),
        min_ready_seconds=spec.min_ready_seconds,
    )


def sync_new_replicaset(deployment: Deployment, new_rs: ReplicaSet, old_rss: Sequence[ReplicaSet]) -> ReplicaSet | None:
    """What `getNewReplicaSet` rewrites on an existing new RS, or None if nothing: the
    revision is raised to max old revision + 1 when lower (a rollback to an old template),
    the old value appended to revision-history; minReadySeconds follows the Deployment.
    An unparsable revision is left alone, as upstream does.

    Example: new RS at revision 1, old RSs at 2 and 3 -> revision "4", revision-history "1".
    """
    updates = _revision_updates(new_rs, max_revision(old_rss) + 1)
    mrs = deployment.spec.min_ready_seconds
    if not updates and new_rs.min_ready_seconds == mrs:
        return None
    out = with_annotations(new_rs, updates)
    if new_rs.min_ready_seconds == mrs:
        return out
    return replace(out, min_ready_seconds=mrs, generation=new_rs.generation + 1)


def _revision_updates(rs: ReplicaSet, new_revision: int) -> dict[str, str]:
    current = revision(rs)
    if current is None or current >= new_revision:
        return {}
    updates = {REVISION_ANNOTATION: str(new_revision)}
    old_text = rs.annotation(REVISION_ANNOTATION)
    if old_text is not None:
        history = rs.annotation(REVISION_HISTORY_ANNOTATION)
        updates[REVISION_HISTORY_ANNOTATION] = f"{history},{old_text}" if history else old_text
    return updates
