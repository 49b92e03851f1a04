"""The image registry operator's status conditions, as pure functions
(spec/registry-operator.md §3, §7; CIRO `pkg/operator/status.go` `syncStatus`,
`pkg/resource/clusteroperator.go`, `pkg/operator/nodecadaemon.go`).

`registry_conditions` is one `syncStatus`: Available, Progressing, Degraded and Removed
from what the operator observes, each decided by an ordered rule list (first match
wins). Reasons and messages are the operator's. Times are simulated seconds; a
condition keeps its lastTransitionTime while its status stays the same.

Readings of §3 chosen here: Unmanaged decides all three conditions before anything
else; Removed decides Progressing before an apply error and Degraded after a permanent
error, as upstream orders them. The Degraded rules are read literally as first-match
predicates, except the route rule: upstream's if/else chain stops at "Available≠True"
and at "rollout not complete" even when they set nothing, so a route not admitted is
reported only while Available=True and the rollout is complete (`status.go` `syncStatus`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

from twin.model.quoting import shown
from twin.model.registry.validate import APPLY_ERROR, ConfigProblem
from twin.model.registry.versions import OpenShiftVersion
from twin.model.workloads import Condition, Deployment

MANAGED, UNMANAGED, REMOVED, FORCE = "Managed", "Unmanaged", "Removed", "Force"
MANAGEMENT_STATES = (MANAGED, UNMANAGED, REMOVED, FORCE)
AVAILABLE, PROGRESSING, DEGRADED = "Available", "Progressing", "Degraded"
TRUE, FALSE, UNKNOWN = "True", "False", "Unknown"
NEW_RS_AVAILABLE, DEADLINE_EXCEEDED = "NewReplicaSetAvailable", "ProgressDeadlineExceeded"
AS_EXPECTED = "AsExpected"

READY_MESSAGE = "The registry is ready"
UNMANAGED_MESSAGE = "The registry configuration is set to unmanaged mode"
REMOVED_MESSAGE = "The registry is removed"
DELETING_MESSAGE = "The deployment is being deleted"


@dataclass(frozen=True, slots=True)
class OperatorObservation:
    """What one operator sync sees (§3).

    * `management_state`: Managed, Unmanaged, Removed or Force. For Force the operator
      applies nothing ("unknown custom resource state", `controller.go` `sync()`) and
      `syncStatus` decides the conditions by the Managed rules, without an error.
    * `deployment`: the `image-registry` Deployment with its status, None when absent;
      `deployment_deleting` when it has a deletionTimestamp.
    * `permanent_error`: a verification or storage problem (`ConfigProblem.permanent`);
      `apply_error`: a retriable apply failure. A permanent error wins when both are set.
    * `route_error`: `checkRoutesStatus`'s text when a route the operator created is not
      admitted by a router (`routes.not_admitted_message`), None when all are.
    """

    management_state: str
    deployment: Deployment | None
    deployment_deleting: bool = False
    permanent_error: ConfigProblem | None = None
    apply_error: ConfigProblem | None = None
    route_error: str | None = None

    def __post_init__(self) -> None:
        if self.management_state not in MANAGEMENT_STATES:
            raise ValueError(f"expected one of {', '.join(MANAGEMENT_STATES)}, got {shown(self.management_state)}")


def registry_conditions(
    obs: OperatorObservation, previous: tuple[Condition, ...], now: float, version: OpenShiftVersion
) -> tuple[Condition, ...]:
    """Available, Progressing, Degraded and Removed after a sync at `now` (§3, §7).

    Degraded=Unavailable measures how long Available has been non-True from the
    Available condition this sync produces: its lastTransitionTime from `previous`
    when the status is unchanged, `now` when it just changed."""
    available = transition(_available(obs, version), previous, now)
    fresh = (_progressing(obs, version), _degraded(obs, available, now, version), _removed(obs))
    return (available, *(transition(c, previous, now) for c in fresh))


def next_condition_change(
    obs: OperatorObservation, previous: tuple[Condition, ...], now: float, version: OpenShiftVersion
) -> float | None:
    """When a condition will flip with nothing else changing: the first instant after
    the unavailable inertia runs out, while Degraded waits for it (§3, §7); else None.
    Re-syncing at that time with the conditions produced now makes Degraded=Unavailable."""
    available = transition(_available(obs, version), previous, now)
    deadline = _unavailable_deadline(obs, available, version)
    if deadline is None or now > deadline:
        return None
    return math.nextafter(deadline, math.inf)


# ---- merging into the previous conditions ------------------------------------------


def transition(fresh: Condition, previous: Iterable[Condition], now: float) -> Condition:
    """`fresh` with its times set against the condition of the same type in `previous`:
    lastTransitionTime kept while the status is unchanged, else `now`;
    lastUpdateTime kept while status, reason and message are unchanged, else `now`."""
    old = next((c for c in previous if c.type == fresh.type), None)
    if old is None:
        return replace(fresh, last_transition_time=now, last_update_time=now)
    changed_at = old.last_transition_time if old.status == fresh.status else now
    same = (old.status, old.reason, old.message) == (fresh.status, fresh.reason, fresh.message)
    return replace(fresh, last_transition_time=changed_at, last_update_time=old.last_update_time if same else now)


def merge_conditions(previous: tuple[Condition, ...], fresh: Iterable[Condition], now: float) -> tuple[Condition, ...]:
    """`previous` with each fresh condition replacing the one of its type (times per
    `transition`); types not yet present are appended in order. For storing e.g.
    `node_ca_conditions` next to the registry's."""
    updated = {c.type: transition(c, previous, now) for c in fresh}
    kept = tuple(updated.pop(c.type, c) for c in previous)
    return kept + tuple(updated.values())


# ---- rollout tests (§7) -------------------------------------------------------------


def counts_rollout_test(version: OpenShiftVersion) -> bool:
    """≤4.21 decides "rollout complete" from replica counts; 4.22+ from the
    Deployment's Progressing condition (§7)."""
    major, minor = (int(part) for part in version.name.split(".")[:2])
    return (major, minor) <= (4, 21)


def rollout_complete(deployment: Deployment, version: OpenShiftVersion) -> bool:
    """§7 "Rollout complete": ≤4.21 updated == status.replicas == available ==
    spec.replicas with observedGeneration current; 4.22+ the Deployment condition
    Progressing is True with reason NewReplicaSetAvailable."""
    if counts_rollout_test(version):
        return _counts_complete(deployment)
    progressing = deployment.status.condition(PROGRESSING)
    return progressing is not None and (progressing.status, progressing.reason) == (TRUE, NEW_RS_AVAILABLE)


def _counts_complete(deployment: Deployment) -> bool:
    status, replicas = deployment.status, deployment.spec.replicas
    counts = (status.updated_replicas, status.replicas, status.available_replicas)
    return counts == (replicas,) * 3 and status.observed_generation >= deployment.generation


def _minimum_availability(deployment: Deployment, version: OpenShiftVersion) -> bool:
    """§7 "Available=MinimumAvailability when": ≤4.21 the counts test fails; 4.22+
    availableReplicas ≠ status.replicas."""
    if counts_rollout_test(version):
        return not _counts_complete(deployment)
    return deployment.status.available_replicas != deployment.status.replicas


# ---- the four rule lists (§3) --------------------------------------------------------


def _available(obs: OperatorObservation, version: OpenShiftVersion) -> Condition:
    """§3 Available (Unmanaged first, then the Managed list)."""
    deployment = obs.deployment
    if obs.management_state == UNMANAGED:
        return Condition(AVAILABLE, TRUE, "Unmanaged", UNMANAGED_MESSAGE)
    if deployment is None:
        return _available_without_deployment(obs)
    if obs.deployment_deleting:
        return Condition(AVAILABLE, FALSE, "DeploymentDeleted", DELETING_MESSAGE)
    if deployment.status.available_replicas == 0:
        return Condition(AVAILABLE, FALSE, "NoReplicasAvailable", "The deployment does not have available replicas")
    if _minimum_availability(deployment, version):
        return Condition(AVAILABLE, TRUE, "MinimumAvailability", "The registry has minimum availability")
    return Condition(AVAILABLE, TRUE, "Ready", READY_MESSAGE)


def _available_without_deployment(obs: OperatorObservation) -> Condition:
    """No deployment: a permanent error's reason, else Removed, else DeploymentNotFound."""
    if obs.permanent_error is not None:
        return Condition(AVAILABLE, FALSE, obs.permanent_error.reason, f"Error: {obs.permanent_error.message}")
    if obs.management_state == REMOVED:
        return Condition(AVAILABLE, TRUE, "Removed", REMOVED_MESSAGE)
    return Condition(AVAILABLE, FALSE, "DeploymentNotFound", "The deployment does not exist")


def _progressing(obs: OperatorObservation, version: OpenShiftVersion) -> Condition:
    """§3 Progressing: Unmanaged, Removed, then the Managed list."""
    error, deployment = obs.permanent_error or obs.apply_error, obs.deployment
    if obs.management_state == UNMANAGED:
        return Condition(PROGRESSING, FALSE, "Unmanaged", UNMANAGED_MESSAGE)
    if obs.management_state == REMOVED:
        return _progressing_removed(deployment)
    if error is not None:
        status = FALSE if error.permanent else TRUE
        return Condition(PROGRESSING, status, APPLY_ERROR, f"Unable to apply resources: {error.message}")
    if deployment is None:
        message = "All resources are successfully applied, but the deployment does not exist"
        return Condition(PROGRESSING, TRUE, "WaitingForDeployment", message)
    if obs.deployment_deleting:
        return Condition(PROGRESSING, TRUE, "FinalizingDeployment", DELETING_MESSAGE)
    if not rollout_complete(deployment, version):
        return Condition(PROGRESSING, TRUE, "DeploymentNotCompleted", "The deployment has not completed")
    return Condition(PROGRESSING, FALSE, "Ready", READY_MESSAGE)


def _progressing_removed(deployment: Deployment | None) -> Condition:
    """§3 Removed: True/DeletingDeployment while the deployment exists, then False/Removed
    (CIRO `pkg/operator/status.go` `syncStatus`; "Removing" is the finalizer's
    `setStatusRemoving`, when the Config itself is deleted)."""
    if deployment is not None:
        return Condition(PROGRESSING, TRUE, "DeletingDeployment", "The deployment is being removed")
    return Condition(PROGRESSING, FALSE, "Removed", "All registry resources are removed")


def _degraded(obs: OperatorObservation, available: Condition, now: float, version: OpenShiftVersion) -> Condition:
    """§3 Degraded: Unmanaged, a permanent error, Removed, then the Managed list."""
    problem = obs.permanent_error
    if obs.management_state == UNMANAGED:
        return Condition(DEGRADED, FALSE, "Unmanaged", UNMANAGED_MESSAGE)
    if problem is not None:
        return Condition(DEGRADED, TRUE, problem.reason, f"Error: {problem.message}")
    if obs.management_state == REMOVED:
        return Condition(DEGRADED, FALSE, "Removed", REMOVED_MESSAGE)
    deadline = _unavailable_deadline(obs, available, version)
    if deadline is not None and now > deadline:
        return Condition(DEGRADED, TRUE, "Unavailable", available.message)
    return _degraded_rollout_or_routes(obs, available, version)


def _unavailable_deadline(obs: OperatorObservation, available: Condition, version: OpenShiftVersion) -> float | None:
    """The time after which a non-True Available makes Degraded=Unavailable (§3, §7):
    its lastTransitionTime plus the version's inertia; None when Available is True or
    an earlier Degraded rule (Unmanaged, permanent error, Removed) decides."""
    earlier = obs.management_state in (UNMANAGED, REMOVED) or obs.permanent_error is not None
    if earlier or available.status == TRUE:
        return None
    return available.last_transition_time + version.unavailable_inertia_seconds


def _degraded_rollout_or_routes(obs: OperatorObservation, available: Condition, version: OpenShiftVersion) -> Condition:
    """The last Degraded rules (CIRO `pkg/operator/status.go` `syncStatus`, an if/else
    chain): while Available≠True nothing more (the inertia rule above decided); while the
    rollout is not complete only a ProgressDeadlineExceeded; then a route not admitted
    (RouteDegraded, `checkRoutesStatus`'s text), else False with no reason."""
    if available.status != TRUE:
        return Condition(DEGRADED, FALSE)
    if obs.deployment is None or not rollout_complete(obs.deployment, version):
        deadline_message = _deadline_exceeded(obs.deployment, version)
        if deadline_message is not None:
            message = f"Registry deployment has timed out progressing: {deadline_message}"
            return Condition(DEGRADED, TRUE, DEADLINE_EXCEEDED, message)
        return Condition(DEGRADED, FALSE)
    if obs.route_error is not None:
        return Condition(DEGRADED, TRUE, "RouteDegraded", obs.route_error)
    return Condition(DEGRADED, FALSE)


def _deadline_exceeded(deployment: Deployment | None, version: OpenShiftVersion) -> str | None:
    """The Deployment's Progressing message when the rollout is not complete and its
    reason is ProgressDeadlineExceeded (spec/lifecycle.md §a.6), else None."""
    if deployment is None or rollout_complete(deployment, version):
        return None
    progressing = deployment.status.condition(PROGRESSING)
    if progressing is None or progressing.reason != DEADLINE_EXCEEDED:
        return None
    return progressing.message


def _removed(obs: OperatorObservation) -> Condition:
    """§3: Removed=True only when managementState is Removed."""
    if obs.management_state == REMOVED:
        return Condition("Removed", TRUE, "Removed", REMOVED_MESSAGE)
    return Condition("Removed", FALSE)


# ---- node-ca (§2.5) -----------------------------------------------------------------
