"""The ReplicaSet controller (`pkg/controller/replicaset/replica_set.go`) as a pure
reconciler: count the active pods, create or delete the difference, publish the status.

* **Active** pods are neither terminal (Succeeded / Failed) nor terminating
  (`controller.FilterActivePods`). Terminating pods are invisible: the replacement is
  created at once, while the old pod still drains (`spec/lifecycle.md` §a.3).
* **Scale-down victims** follow `controller.ActivePodsWithRanks` (§a.7), see `victim_order`.
* **Status** is computed from the pods as they were when the sync started: pods created
  or deleted by this sync show up in the next one, as upstream (§a.2).

The twin applies actions at once, so upstream's create/delete *expectations* (which
hold a sync back until the informer has seen earlier writes) have no counterpart here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cmp_to_key

from twin.model.controllers.actions import DeletePod, Put, Reconciled
from twin.model.objects import OwnerReference
from twin.model.workloads import PodRecord, PodStatus, ReplicaSet, ReplicaSetStatus

BURST_REPLICAS = 500  # kube-controller-manager --replicaset burstReplicas: at most this many creates/deletes per sync
SCALE_DOWN_REASON = "ReplicaSetScaleDown"
POD_DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost"
AVAILABILITY_RECHECK_SLACK = 1.0  # upstream enqueues minReadySeconds + 1 s after a pod turns Ready
_PHASE_ORDER = {"Pending": 0, "Unknown": 1, "Running": 2}  # podPhaseToOrdinal; other phases count as 0


def is_terminal(record: PodRecord) -> bool:
    return record.status.phase in ("Succeeded", "Failed")


def is_active(record: PodRecord) -> bool:
    """`controller.IsPodActive`: not Succeeded/Failed and no deletionTimestamp."""
    return not is_terminal(record) and record.status.deleted is None


def is_terminating(record: PodRecord) -> bool:
    """Has a deletionTimestamp but has not reached a terminal phase (status.terminatingReplicas)."""
    return record.status.deleted is not None and not is_terminal(record)


def reconcile_replicaset(
    rs: ReplicaSet,
    pods: list[PodRecord],
    now: float,
    pod_name: Callable[[], str],
    related: list[PodRecord] | None = None,
) -> Reconciled:
    """One `syncReplicaSet`: manage replicas (unless the RS is being deleted), then Put the
    RS if its status changed; requeue for the next pod to become available.

    `pods` are the pods this RS owns, terminating ones included. `related` are the pods of
    every ReplicaSet of the same Deployment (upstream `getIndirectlyRelatedPods`), used only
    to rank co-location; default `pods`.

    Worked example (§a.3): 3 wanted, 1 Running + 1 terminating pod: 2 pods are created,
    because the terminating one is invisible.
    """
    active = [p for p in pods if is_active(p)]
    actions: list = [] if rs.deleting else manage_replicas(rs, active, related or pods, now, pod_name)
    status = replicaset_status(rs, pods, now)
    if status != rs.status:
        actions.append(Put(replace(rs, status=status)))
    return Reconciled(tuple(actions), availability_requeue(rs, active, now))


def manage_replicas(
    rs: ReplicaSet, active: list[PodRecord], related: list[PodRecord], now: float, pod_name: Callable[[], str]
) -> list:
    """`manageReplicas`: create `replicas − active` pods, or delete the surplus in victim
    order; at most BURST_REPLICAS either way.

    Worked example (§a.7 rule 5): replicas 2, three Running Ready pods on nodes a, a, b:
    the victim is one of the two on a.
    """
    diff = len(active) - rs.replicas
    if diff < 0:
        return [Put(new_pod(rs, pod_name(), now)) for _ in range(min(-diff, BURST_REPLICAS))]
    if diff == 0:
        return []
    victims = victim_order(active, pods_per_node(related), now)[: min(diff, BURST_REPLICAS)]
    return [DeletePod(v.key, SCALE_DOWN_REASON) for v in victims]


def new_pod(rs: ReplicaSet, name: str, now: float) -> PodRecord:
    """A pod from the RS template (`CreatePods`): the template's labels (which carry
    pod-template-hash), the RS's namespace, the RS as controller, unscheduled, Pending."""
    pod = replace(
        rs.template,
        name=name,
        namespace=rs.namespace,
        labels=dict(rs.template.labels),
        node_name=None,
        owner_references=(OwnerReference("ReplicaSet", rs.name),),
        deletion_timestamp=None,
        phase="Pending",
    )
    return PodRecord(pod, PodStatus(phase="Pending", created=now))


@dataclass(frozen=True, slots=True)
class PodCounts:
    """A ReplicaSet's pods counted the way `replicaset_status` counts them: active, active
    and Ready, terminating. Kept incrementally by the shell (`add`/`remove` a pod)."""

    active: int = 0
    ready: int = 0
    terminating: int = 0

    @staticmethod
    def of(record: PodRecord) -> PodCounts:
        active = is_active(record)
        return PodCounts(int(active), int(active and record.status.ready), int(is_terminating(record)))

    def plus(self, other: PodCounts, sign: int = 1) -> PodCounts:
        return PodCounts(self.active + sign * other.active, self.ready + sign * other.ready,
                         self.terminating + sign * other.terminating)


def settled(rs: ReplicaSet, counts: PodCounts) -> Reconciled | None:
    """The answer of `reconcile_replicaset` from counts alone, when they suffice: the RS
    has exactly its replicas and no minReadySeconds (then available = Ready); None when
    the pods must be looked at. Equal to the full reconcile in that case (a property
    test checks it)."""
    if rs.deleting or rs.min_ready_seconds > 0 or counts.active != rs.replicas:
        return None
    status = ReplicaSetStatus(counts.active, counts.ready, counts.ready, rs.generation, counts.terminating)
    return Reconciled(() if status == rs.status else (Put(replace(rs, status=status)),))


def replicaset_status(rs: ReplicaSet, pods: list[PodRecord], now: float) -> ReplicaSetStatus:
    """`calculateStatus` over the RS's pods (§a.2): replicas = active pods, ready = active and
    Ready, available = Ready for longer than minReadySeconds (`PodRecord.available`),
    terminatingReplicas = terminating, not yet terminal pods.

    Worked example: minReadySeconds 10, pods Ready since t=0 and t=5, now t=12:
    replicas 2, ready 2, available 1 (0 + 10 < 12, but 5 + 10 ≥ 12).
    """
    active = [p for p in pods if is_active(p)]
    return ReplicaSetStatus(
        replicas=len(active),
        ready_replicas=sum(p.status.ready for p in active),
        available_replicas=sum(p.available(rs.min_ready_seconds, now) for p in active),
        observed_generation=rs.generation,
        terminating_replicas=sum(is_terminating(p) for p in pods),
    )


def availability_requeue(rs: ReplicaSet, active: Iterable[PodRecord], now: float) -> float | None:
    """Seconds until the earliest Ready-but-not-yet-available pod can be counted available,
    or None. Upstream enqueues the RS minReadySeconds + 1 s after a pod turns Ready
    (`updatePod`, "add a second to avoid milliseconds skew"); the extra second also makes
    the strict test `readySince + minReadySeconds < now` pass at the requeue time.

    Worked example: minReadySeconds 10, a pod Ready since t=5, now t=8: requeue after
    5 + 10 + 1 − 8 = 8 s.
    """
    if rs.min_ready_seconds <= 0:
        return None
    due = [
        p.status.ready_since + rs.min_ready_seconds + AVAILABILITY_RECHECK_SLACK - now
        for p in active
        if p.status.ready and p.status.ready_since is not None and not p.available(rs.min_ready_seconds, now)
    ]
    return max(0.0, min(due)) if due else None


def pods_per_node(pods: Iterable[PodRecord]) -> Counter:
    """Active pods per node name (None: unassigned), the rank of rule 5 of `victim_order`."""
    return Counter(p.pod.node_name for p in pods if is_active(p))


def victim_order(pods: list[PodRecord], rs_pods_per_node: Mapping[str | None, int], now: float | None = None) -> list[PodRecord]:
    """Pods in the order the ReplicaSet controller deletes them (`ActivePodsWithRanks.Less`,
    `spec/lifecycle.md` §a.7), first victim first:

    1. unassigned before assigned;
    2. Pending, then Unknown, then Running;
    3. not Ready before Ready;
    4. lower pod-deletion-cost first. The twin's Pod carries no annotations, so every
       pod costs 0 and this rule never decides;
    5. more active pods of the ReplicaSet (or of its Deployment, see `related`) on the
       same node first (`rs_pods_per_node`);
    6. both Ready: Ready for a shorter time first (an unknown Ready time first);
    7. more container restarts first;
    8. newer pods first.

    With `now` (what the controller passes), rules 6 and 8 compare times on the
    LogarithmicScaleDown scale (on by default since 1.22, locked on since 1.31):
    `floor(log2(age in ns))`. Equal buckets with different times end the comparison with
    upstream's UID tie-break; the twin uses the pod key instead, for determinism. With
    `now=None` times are compared exactly (upstream's behaviour when Now is zero).

    Worked examples: Ready for 10 s vs 1000 s is bucket 33 vs 39, so the 10 s pod goes
    first; Ready for 100 s vs 120 s is bucket 36 for both, so the lower pod key goes first
    and rules 7–8 are not consulted.
    """
    by_key = sorted(pods, key=lambda p: p.key)
    return sorted(by_key, key=cmp_to_key(lambda a, b: _compare(a, b, rs_pods_per_node, now)))


def _compare(a: PodRecord, b: PodRecord, per_node: Mapping[str | None, int], now: float | None) -> int:
    head_a, head_b = _static_rank(a, per_node), _static_rank(b, per_node)
    if head_a != head_b:
        return -1 if head_a < head_b else 1
    if a.status.ready and a.status.ready_since != b.status.ready_since:
        return _newer_first(a, b, a.status.ready_since, b.status.ready_since, now)
    if a.status.restarts != b.status.restarts:
        return -1 if a.status.restarts > b.status.restarts else 1
    if a.status.created != b.status.created:
        return _newer_first(a, b, a.status.created, b.status.created, now)
    return 0


def _static_rank(record: PodRecord, per_node: Mapping[str | None, int]) -> tuple:
    """Rules 1–5 as an ascending key."""
    assigned = record.pod.node_name is not None
    phase = _PHASE_ORDER.get(record.status.phase, 0)
    colocated = per_node.get(record.pod.node_name, 0)
    return (assigned, phase, record.status.ready, deletion_cost(record), -colocated)


def deletion_cost(record: PodRecord) -> int:
    """The pod's `controller.kubernetes.io/pod-deletion-cost` annotation; the twin's Pod
    has no annotations, so always 0 (the upstream default for a missing annotation)."""
    return 0


def _newer_first(a: PodRecord, b: PodRecord, t_a: float | None, t_b: float | None, now: float | None) -> int:
    """`afterOrZero` / `logarithmicRankDiff` for two different times: the unknown (None)
    or more recent time first; on the log scale an equal bucket falls to the key."""
    if t_a is None or t_b is None or now is None:
        return -1 if _after_or_zero(t_a, t_b) else 1
    diff = log_rank(now - t_a) - log_rank(now - t_b)
    if diff == 0:
        return -1 if a.key < b.key else 1
    return -1 if diff < 0 else 1


def _after_or_zero(t_a: float | None, t_b: float | None) -> bool:
    """`afterOrZero`: an unknown time sorts first, otherwise the later time."""
    if t_a is None or t_b is None:
        return t_a is None
    return t_a > t_b


def log_rank(age_seconds: float) -> int:
    """`int64(math.Log2(float64(d)))` for a duration d in nanoseconds, −1 when d ≤ 0.

    >>> log_rank(10.0), log_rank(100.0), log_rank(120.0), log_rank(0.0)
    (33, 36, 36, -1)
    """
    nanos = int(age_seconds * 1e9)
    return int(math.log2(nanos)) if nanos > 0 else -1
