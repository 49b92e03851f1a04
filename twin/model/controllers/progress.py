"""Deployment status and its Available / Progressing conditions, spec/lifecycle.md §a.2
and §a.6 (upstream `calculateStatus`, `syncRolloutStatus`, `requeueStuckDeployment`,
`checkPausedConditions` and the condition helpers of deployment_util.go).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from twin.model.controllers.rollout import MAX_INT32, available_total, max_unavailable, spec_total, terminating_total
from twin.model.workloads import Condition, Deployment, DeploymentSpec, DeploymentStatus, ReplicaSet

AVAILABLE, PROGRESSING = "Available", "Progressing"
TRUE, FALSE, UNKNOWN = "True", "False", "Unknown"
MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable"
MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
RS_UPDATED = "ReplicaSetUpdated"
NEW_RS_CREATED = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
TIMED_OUT = "ProgressDeadlineExceeded"
PAUSED, RESUMED = "DeploymentPaused", "DeploymentResumed"

# Upstream re-queues "now, rate-limited" when under a second is left (§a.6); the
# workqueue's first backoff step is 5 ms [mem]. The twin waits until just past the
# deadline instead, so re-running a pure reconcile at the same instant cannot loop.
RATE_LIMITED_REQUEUE = 0.005


# ---- conditions ------------------------------------------------------------------------


def has_deadline(spec: DeploymentSpec) -> bool:
    """`HasProgressDeadline`: set and not MaxInt32 (spec/lifecycle.md §0)."""
    return spec.progress_deadline_seconds is not None and spec.progress_deadline_seconds != MAX_INT32


def find_condition(conditions: Sequence[Condition], kind: str) -> Condition | None:
    return next((c for c in conditions if c.type == kind), None)


def remove_condition(conditions: Sequence[Condition], kind: str) -> tuple[Condition, ...]:
    return tuple(c for c in conditions if c.type != kind)


def new_condition(kind: str, status: str, reason: str, message: str, now: float) -> Condition:
    return Condition(kind, status, reason, message, last_transition_time=now, last_update_time=now)


def set_condition(conditions: Sequence[Condition], condition: Condition) -> tuple[Condition, ...]:
    """`SetDeploymentCondition`: no change if status and reason are the same; keep the
    transition time if only the reason changes; the condition moves to the end.

    Example: Available True/MinimumReplicasAvailable set at 50 over the same at 10 ->
    unchanged (times 10); False over True -> replaced with times 50.
    """
    current = find_condition(conditions, condition.type)
    if current is not None and (current.status, current.reason) == (condition.status, condition.reason):
        return tuple(conditions)
    if current is not None and current.status == condition.status:
        condition = replace(condition, last_transition_time=current.last_transition_time)
    return remove_condition(conditions, condition.type) + (condition,)


def with_progressing(status: DeploymentStatus, spec: DeploymentSpec, reason: str, message: str, now: float) -> DeploymentStatus:
    """Progressing=True with `reason` (NewReplicaSetCreated / FoundNewReplicaSet), as the
    new-RS lookup writes it before the rollout status is computed (§a.6); no-op without a
    deadline."""
    if not has_deadline(spec):
        return status
    return replace(status, conditions=set_condition(status.conditions, new_condition(PROGRESSING, TRUE, reason, message, now)))


def paused_conditions(deployment: Deployment, now: float) -> DeploymentStatus:
    """`checkPausedConditions`: Progressing=Unknown DeploymentPaused when paused,
    DeploymentResumed when resumed; a ProgressDeadlineExceeded condition is left alone."""
    status, spec = deployment.status, deployment.spec
    current = find_condition(status.conditions, PROGRESSING)
    if not has_deadline(spec) or (current is not None and current.reason == TIMED_OUT):
        return status
    was_paused = current is not None and current.reason == PAUSED
    if spec.paused == was_paused:
        return status
    reason, message = (PAUSED, "Deployment is paused") if spec.paused else (RESUMED, "Deployment is resumed")
    return replace(status, conditions=set_condition(status.conditions, new_condition(PROGRESSING, UNKNOWN, reason, message, now)))


# ---- status ------------------------------------------------------------------------------


def calculate_status(
    deployment: Deployment, all_rss: Sequence[ReplicaSet], new_rs: ReplicaSet | None, now: float
) -> DeploymentStatus:
    """`calculateStatus`, spec/lifecycle.md §a.2: sums of the RS statuses, updated = the
    new RS's status.replicas, unavailable = max(0, Σspec - available), observedGeneration =
    generation, and Available True iff available >= replicas - MaxUnavailable.

    Example: replicas 3, maxUnavailable 2, RSs spec 1 (available 1) and spec 3 (available
    0) -> available 1, unavailable 3, Available True (1 >= 3 - 2).
    """
    available = available_total(all_rss)
    if available >= deployment.spec.replicas - max_unavailable(deployment.spec):
        cond = new_condition(AVAILABLE, TRUE, MINIMUM_REPLICAS_AVAILABLE, "Deployment has minimum availability.", now)
    else:
        message = "Deployment does not have minimum availability."
        cond = new_condition(AVAILABLE, FALSE, MINIMUM_REPLICAS_UNAVAILABLE, message, now)
    return DeploymentStatus(
        observed_generation=deployment.generation,
        replicas=sum(rs.status.replicas for rs in all_rss),
        updated_replicas=new_rs.status.replicas if new_rs is not None else 0,
        ready_replicas=sum(rs.status.ready_replicas for rs in all_rss),
        available_replicas=available,
        unavailable_replicas=max(0, spec_total(all_rss) - available),
        conditions=set_condition(deployment.status.conditions, cond),
        terminating_replicas=terminating_total(all_rss),
    )


def deployment_complete(deployment: Deployment, status: DeploymentStatus) -> bool:
    """`DeploymentComplete`, §a.6: updated, replicas and available all equal spec.replicas
    and observedGeneration >= generation."""
    want = deployment.spec.replicas
    counts = (status.updated_replicas, status.replicas, status.available_replicas)
    return counts == (want, want, want) and status.observed_generation >= deployment.generation


def deployment_progressing(old: DeploymentStatus, new: DeploymentStatus) -> bool:
    """`DeploymentProgressing`, §a.6: updated rose, old replicas (replicas - updated) fell,
    ready rose, or available rose.

    Example: old 3 replicas / 1 updated, new 3 / 2 -> True; identical counts -> False.
    """
    return (
        new.updated_replicas > old.updated_replicas
        or new.replicas - new.updated_replicas < old.replicas - old.updated_replicas
        or new.ready_replicas > old.ready_replicas
        or new.available_replicas > old.available_replicas
    )


def timed_out(spec: DeploymentSpec, status: DeploymentStatus, now: float) -> bool:
    """`DeploymentTimedOut`, §a.6: Progressing lastUpdateTime + deadline strictly before
    now, or already ProgressDeadlineExceeded; NewReplicaSetAvailable never times out.

    Example (deadline 60, last update 100): now 160 -> False; now 160.5 -> True.
    """
    cond = find_condition(status.conditions, PROGRESSING)
    if not has_deadline(spec) or cond is None or cond.reason == NEW_RS_AVAILABLE:
        return False
    return cond.reason == TIMED_OUT or cond.last_update_time + spec.progress_deadline_seconds < now


def rollout_status(
    deployment: Deployment, all_rss: Sequence[ReplicaSet], new_rs: ReplicaSet | None, now: float
) -> DeploymentStatus:
    """`syncRolloutStatus`, spec/lifecycle.md §a.6. `deployment.status` is the status as
    stored (with any NewReplicaSetCreated / paused condition written earlier this sync).

    No deadline: no Progressing condition. A rollout already complete (replicas ==
    updated and reason NewReplicaSetAvailable) is not re-estimated. Otherwise the first
    of: complete -> True/NewReplicaSetAvailable; progress -> True/ReplicaSetUpdated with
    lastUpdateTime now (transition kept if already True); timed out -> False/
    ProgressDeadlineExceeded.
    """
    status = calculate_status(deployment, all_rss, new_rs, now)
    if not has_deadline(deployment.spec):
        return replace(status, conditions=remove_condition(status.conditions, PROGRESSING))
    current = find_condition(deployment.status.conditions, PROGRESSING)
    if status.replicas == status.updated_replicas and current is not None and current.reason == NEW_RS_AVAILABLE:
        return status
    subject = f'ReplicaSet "{new_rs.name}"' if new_rs is not None else f'Deployment "{deployment.name}"'
    if deployment_complete(deployment, status):
        cond = new_condition(PROGRESSING, TRUE, NEW_RS_AVAILABLE, f"{subject} has successfully progressed.", now)
        return replace(status, conditions=set_condition(status.conditions, cond))
    if deployment_progressing(deployment.status, status):
        cond = new_condition(PROGRESSING, TRUE, RS_UPDATED, f"{subject} is progressing.", now)
        if current is not None and current.status == TRUE:
            cond = replace(cond, last_transition_time=current.last_transition_time)
        return replace(status, conditions=remove_condition(status.conditions, PROGRESSING) + (cond,))
    if timed_out(deployment.spec, status, now):
        cond = new_condition(PROGRESSING, FALSE, TIMED_OUT, f"{subject} has timed out progressing.", now)
        return replace(status, conditions=set_condition(status.conditions, cond))
    return status


def stuck_requeue(deployment: Deployment, status: DeploymentStatus, now: float) -> float | None:
    """`requeueStuckDeployment`, spec/lifecycle.md §a.6: while a rollout is neither complete
    nor timed out, check again at lastUpdateTime + deadline - now, plus 1 s.

    Under 1 s left: upstream re-queues at once, rate-limited; the twin waits until just
    past the deadline (RATE_LIMITED_REQUEUE after it). Deviation: a NewReplicaSetAvailable
    condition gets no re-queue (upstream re-queues rate-limited, but that reason can never
    time out, so the check could only loop).

    Example (deadline 60, last update 100): now 130 -> 31; now 159.5 -> 0.505; now 170 -> 0.005.
    `status` is the status this sync computed (upstream reads the stored one, equal to it
    whenever the re-queue happens there).
    """
    cond = find_condition(status.conditions, PROGRESSING)
    if not has_deadline(deployment.spec) or cond is None:
        return None
    if deployment_complete(deployment, status) or cond.reason in (TIMED_OUT, NEW_RS_AVAILABLE):
        return None
    after = cond.last_update_time + deployment.spec.progress_deadline_seconds - now
    if after < 1:
        return max(after, 0.0) + RATE_LIMITED_REQUEUE
    return after + 1
