"""The Kubernetes Deployment controller as a pure reconcile: one sync of one Deployment,
spec/lifecycle.md §a.3 (RollingUpdate), §a.4 (Recreate), §a.5 (scaling events and
pauses), §a.6 (status and conditions), §a.8 (revision history).

`reconcile_deployment` reads the ReplicaSets as their controller last published them
(status may lag, which reproduces upstream stalls) and the pods only for Recreate's "old
pods running" (§a.4) and for the minReadySeconds wake-up, and returns actions in the
order upstream writes them:
ReplicaSet Puts (creation, scaling), ReplicaSet Deletes, then the Deployment with its new
status. Each scaling step is also recorded as a Note("RolloutStep", deployment key,
{"replicaset", "from", "to", "step"}).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from twin.model.controllers.actions import Delete, Note, Put, Reconciled
from twin.model.controllers.new_replicaset import create_new_replicaset, find_new_replicaset, scaled, sync_new_replicaset
from twin.model.controllers.progress import (
    FOUND_NEW_RS,
    NEW_RS_CREATED,
    PROGRESSING,
    calculate_status,
    deployment_complete,
    find_condition,
    paused_conditions,
    rollout_status,
    stuck_requeue,
    with_progressing,
)
from twin.model.controllers.proportional import is_scaling_event, proportional_scale
from twin.model.controllers.rollout import (
    Cleanup,
    ScaleStep,
    active,
    available_total,
    by_age,
    cleanup_unhealthy_replicas,
    history_to_delete,
    max_scaled_down,
    max_unavailable,
    reconcile_new_replicas,
    scale_down_old_for_rolling_update,
    spec_total,
)
from twin.model.controllers.rs_status import availability_requeue, old_pods_running
from twin.model.workloads import RECREATE, Deployment, DeploymentStatus, PodRecord, ReplicaSet

ROLLOUT_STEP = "RolloutStep"


@dataclass(frozen=True, slots=True)
class _Sync:
    """One sync in progress. `deployment.status` is the stored status plus the conditions
    upstream writes before the rollout status (paused, new RS created / found);
    `old_rss` oldest first; `new_rs` as currently written."""

    deployment: Deployment
    new_rs: ReplicaSet | None
    old_rss: tuple[ReplicaSet, ...]
    actions: tuple = ()

    @property
    def all_rss(self) -> tuple[ReplicaSet, ...]:
        return self.old_rss + ((self.new_rs,) if self.new_rs is not None else ())

    def emit(self, *actions) -> _Sync:
        return replace(self, actions=self.actions + actions)


def reconcile_deployment(
    deployment: Deployment,
    replicasets: list[ReplicaSet],
    pods: list[PodRecord],
    now: float,
    new_rs_name: Callable[[str], str] | None = None,
) -> Reconciled:
    """One sync (`syncDeployment`): paused -> proportional scaling and history clean-up;
    a scaling event (§a.5) -> proportional scaling; else one Recreate or RollingUpdate
    step. `replicasets` are those the Deployment owns, `pods` the pods of those RSs;
    `new_rs_name` maps a template hash to the name of a new RS (default
    `<deployment>-<hash>`).

    requeue_after: the progress-deadline check of §a.6 (lastUpdate + deadline - now + 1 s)
    while a rollout is neither complete nor timed out, or when the ReplicaSet controller
    re-checks a Ready pod for minReadySeconds (Ready since + minReadySeconds + 1 s),
    whichever comes first; None otherwise.
    """
    rss = by_age(replicasets)
    found = find_new_replicaset(deployment, rss)
    start = replace(deployment, status=paused_conditions(deployment, now))
    sync = _existing_new_rs(_Sync(start, found, tuple(rs for rs in rss if rs is not found)), now)
    if deployment.spec.paused or is_scaling_event(deployment.spec, sync.all_rss):
        sync, status, requeue = _scale(sync, now)
    elif deployment.spec.strategy == RECREATE:
        sync, status, requeue = _recreate(sync, pods, now, new_rs_name)
    else:
        sync, status, requeue = _rolling(sync, now, new_rs_name)
    return _finish(deployment, sync, status, _earliest(requeue, availability_requeue(sync.all_rss, pods, now)))


# ---- the new ReplicaSet ------------------------------------------------------------------


def _existing_new_rs(sync: _Sync, now: float) -> _Sync:
    """Revision / minReadySeconds sync of an existing new RS; if nothing needed writing and
    there is no Progressing condition yet, FoundNewReplicaSet (§a.6)."""
    rs, d = sync.new_rs, sync.deployment
    if rs is None:
        return sync
    updated = sync_new_replicaset(d, rs, sync.old_rss)
    if updated is not None:
        return replace(sync, new_rs=updated).emit(Put(updated))
    if find_condition(d.status.conditions, PROGRESSING) is not None:
        return sync
    status = with_progressing(d.status, d.spec, FOUND_NEW_RS, f'Found new replica set "{rs.name}"', now)
    return replace(sync, deployment=replace(d, status=status))


def _create(sync: _Sync, now: float, name_for: Callable[[str], str] | None) -> _Sync:
    d = sync.deployment
    rs = create_new_replicaset(d, sync.old_rss, now, name_for)
    status = with_progressing(d.status, d.spec, NEW_RS_CREATED, f'Created new replica set "{rs.name}"', now)
    return replace(sync, new_rs=rs, deployment=replace(d, status=status)).emit(Put(rs), _note(d, rs, 0, rs.replicas, "create"))


# ---- strategies --------------------------------------------------------------------------

_Outcome = tuple[_Sync, DeploymentStatus, float | None]


def _rolling(sync: _Sync, now: float, name_for: Callable[[str], str] | None) -> _Outcome:
    """`rolloutRolling`, §a.3: create the new RS if missing; scale it up (and stop), else
    scale old RSs down (unhealthy first); if nothing scaled and the stored status says
    complete, clean up history."""
    if sync.new_rs is None:
        sync = _create(sync, now, name_for)
    d, new_rs, all_rss = sync.deployment, sync.new_rs, sync.all_rss
    target = reconcile_new_replicas(d.spec, spec_total(all_rss), new_rs.replicas)
    if target != new_rs.replicas:
        step = "scale-up" if target > new_rs.replicas else "scale-down-new"
        return _rollout(_apply(sync, (ScaleStep(new_rs, target),), step), all_rss, now)
    cleanup, downs = _old_steps(sync)
    sync = _apply(_apply(sync, cleanup.steps, "cleanup-unhealthy"), downs, "scale-down-old")
    if not cleanup.failed and cleanup.scaled + sum(s.rs.replicas - s.replicas for s in downs) > 0:
        return _rollout(sync, all_rss, now)
    return _rollout(_history_if_complete(sync), all_rss, now)


def _old_steps(sync: _Sync) -> tuple[Cleanup, tuple[ScaleStep, ...]]:
    """`reconcileOldReplicaSets`, §a.3 step 3: the clean-up, then the scale-down over the
    cleaned RSs (availability from status, not reduced by the clean-up)."""
    spec, new_rs, old_active = sync.deployment.spec, sync.new_rs, active(sync.old_rss)
    floor = spec.replicas - max_unavailable(spec)
    budget = max_scaled_down(spec_total(sync.all_rss), floor, new_rs.replicas, new_rs.status.available_replicas)
    if spec_total(old_active) == 0 or budget <= 0:
        return Cleanup(), ()
    cleanup = cleanup_unhealthy_replicas(old_active, budget)
    if cleanup.failed:
        return cleanup, ()
    after = {s.rs.name: scaled(s.rs, s.replicas, spec) for s in cleanup.steps}
    cleaned = [after.get(rs.name, rs) for rs in old_active]
    return cleanup, scale_down_old_for_rolling_update(available_total([*cleaned, new_rs]), floor, cleaned)


def _recreate(sync: _Sync, pods: Sequence[PodRecord], now: float, name_for: Callable[[str], str] | None) -> _Outcome:
    """`rolloutRecreate`, §a.4: scale every active old RS to 0; wait while old pods run;
    then create the new RS (born at replicas) or scale it to replicas."""
    all_rss, replicas = sync.all_rss, sync.deployment.spec.replicas
    downs = tuple(ScaleStep(rs, 0) for rs in active(sync.old_rss))
    if downs:
        return _rollout(_apply(sync, downs, "recreate-scale-down"), all_rss, now)
    if old_pods_running(sync.new_rs, sync.old_rss, pods):
        return _rollout(sync, all_rss, now)
    if sync.new_rs is None:
        sync = _create(sync, now, name_for)
        all_rss = sync.all_rss
    if sync.new_rs.replicas != replicas:
        sync = _apply(sync, (ScaleStep(sync.new_rs, replicas),), "recreate-scale-up")
    return _rollout(_history_if_complete(sync), all_rss, now)


def _scale(sync: _Sync, now: float) -> _Outcome:
    """`sync`, §a.5: proportional scaling; when paused also history clean-up; status
    without progress estimation and without a progress re-queue."""
    d = sync.deployment
    out = _apply(sync, proportional_scale(d.spec, sync.new_rs, sync.old_rss, d.status.replicas), "proportional")
    if d.spec.paused:
        out = _delete_history(out)
    return out, calculate_status(d, sync.all_rss, sync.new_rs, now), None


# ---- writing -------------------------------------------------------------------------------


def _apply(sync: _Sync, steps: Sequence[ScaleStep], step: str) -> _Sync:
    """Put each RS whose size or replicas annotations change, with a Note when its size
    does; a step on the new RS also updates `sync.new_rs`."""
    spec = sync.deployment.spec
    for s in steps:
        rs = scaled(s.rs, s.replicas, spec)
        if rs.replicas == s.rs.replicas and dict(rs.annotations) == dict(s.rs.annotations):
            continue
        sync = sync.emit(Put(rs))
        if rs.replicas != s.rs.replicas:
            sync = sync.emit(_note(sync.deployment, rs, s.rs.replicas, rs.replicas, step))
        if sync.new_rs is not None and rs.name == sync.new_rs.name:
            sync = replace(sync, new_rs=rs)
    return sync


def _history_if_complete(sync: _Sync) -> _Sync:
    """Upstream checks completeness on the stored status (`DeploymentComplete(d, &d.Status)`)."""
    return _delete_history(sync) if deployment_complete(sync.deployment, sync.deployment.status) else sync


def _delete_history(sync: _Sync) -> _Sync:
    doomed = history_to_delete(sync.old_rss, sync.deployment.spec.revision_history_limit)
    return sync.emit(*(Delete("ReplicaSet", rs.key) for rs in doomed))


def _rollout(sync: _Sync, all_rss: Sequence[ReplicaSet], now: float) -> _Outcome:
    """`syncRolloutStatus` over the RSs as read at the start of the step (upstream computes
    the status from those, not from the objects it just wrote)."""
    status = rollout_status(sync.deployment, all_rss, sync.new_rs, now)
    return sync, status, stuck_requeue(sync.deployment, status, now)


def _note(deployment: Deployment, rs: ReplicaSet, before: int, after: int, step: str) -> Note:
    return Note(ROLLOUT_STEP, deployment.key, {"replicaset": rs.name, "from": before, "to": after, "step": step})


def _finish(original: Deployment, sync: _Sync, status: DeploymentStatus, requeue: float | None) -> Reconciled:
    actions = sync.actions
    if status != original.status:
        actions += (Put(replace(original, status=status)),)
    return Reconciled(actions, requeue)


def _earliest(*delays: float | None) -> float | None:
    return min((d for d in delays if d is not None), default=None)
