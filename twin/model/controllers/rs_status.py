"""Pod facts the Deployment controller reads, spec/lifecycle.md §a.2 and §a.4.

The ReplicaSet status itself (`replicaset_status`) and the pod predicates are those of
the ReplicaSet controller (`twin.model.controllers.replicaset`), re-exported here so the
two controllers cannot disagree. What is added: matching pods to ReplicaSets when the
caller passes the pods of several, Recreate's `old_pods_running`, and a Deployment-level
availability wake-up.

A pod belongs to a ReplicaSet through its controller owner reference; a pod without one
is matched by the ReplicaSet's selector in its namespace.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from twin.model.controllers.replicaset import availability_requeue as rs_availability_requeue
from twin.model.controllers.replicaset import is_active, is_terminal, replicaset_status
from twin.model.workloads import PodRecord, ReplicaSet, ReplicaSetStatus

__all__ = ["owned_by", "pods_of", "status_of", "old_pods_running", "availability_requeue", "replicaset_status", "is_active"]


def owned_by(record: PodRecord, rs: ReplicaSet) -> bool:
    owner = record.pod.controller_owner()
    if owner is not None:
        return owner.kind == "ReplicaSet" and owner.name == rs.name
    return record.pod.namespace == rs.namespace and rs.selector.matches(record.pod.labels)


def pods_of(rs: ReplicaSet, pods: Iterable[PodRecord]) -> list[PodRecord]:
    return [p for p in pods if owned_by(p, rs)]


def status_of(rs: ReplicaSet, pods: Iterable[PodRecord], now: float) -> ReplicaSetStatus:
    """`replicaset_status` over the pods of `rs` among `pods` (§a.2): replicas = active
    pods (not terminal, not terminating), ready / available among them (available = Ready
    for longer than rs.min_ready_seconds, strictly), terminating = pods with a
    deletionTimestamp not yet terminal, observedGeneration = rs.generation.

    Example (minReadySeconds 10, now 100): Ready since 80, Ready since 95, Pending, and a
    terminating Running pod -> replicas 3, ready 2, available 1, terminating 1.
    """
    return replicaset_status(rs, pods_of(rs, pods), now)


def old_pods_running(new_rs: ReplicaSet | None, old_rss: Sequence[ReplicaSet], pods: Iterable[PodRecord]) -> bool:
    """`oldPodsRunning` of the Recreate strategy, spec/lifecycle.md §a.4: some old RS has
    status.replicas > 0, or some pod not of the new RS is not in a terminal phase. Pending,
    Unknown and terminating pods all count as running.

    Example: old RS status.replicas 0 and one old pod Running with a deletionTimestamp ->
    True; the same pod Failed -> False.
    """
    if any(rs.status.replicas > 0 for rs in old_rss):
        return True
    return any(not is_terminal(p) for p in pods if new_rs is None or not owned_by(p, new_rs))


def availability_requeue(rss: Sequence[ReplicaSet], pods: Sequence[PodRecord], now: float) -> float | None:
    """When the first Ready-but-not-yet-available pod of `rss` can be counted available,
    or None. Upstream the ReplicaSet controller re-queues itself for this (§a.2) and its
    status update then re-triggers the Deployment; the twin wakes the Deployment at the
    same instant as the ReplicaSet (`replicaset.availability_requeue`: minReadySeconds +
    1 s after the pod turned Ready).

    Example: minReadySeconds 10, a pod Ready since 95, now 100 -> 6.
    """
    waits = [rs_availability_requeue(rs, [p for p in pods_of(rs, pods) if is_active(p)], now)
             for rs in rss if rs.min_ready_seconds > 0]
    return min((w for w in waits if w is not None), default=None)
