"""Rolling-update arithmetic of the Deployment controller as small pure helpers
(spec/lifecycle.md §a.1, §a.3, §a.8). They work on ints and ReplicaSet values and
return numbers or `ScaleStep`s; `twin.model.controllers.deployment` turns steps into
actions. Proportional scaling lives in `proportional.py`, conditions in `progress.py`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from twin.model.workloads import RECREATE, REVISION_ANNOTATION, ROLLING_UPDATE, DeploymentSpec, IntOrPercent, ReplicaSet

MAX_INT32 = 2**31 - 1  # progressDeadlineSeconds / revisionHistoryLimit "none" (spec/lifecycle.md §0)


@dataclass(frozen=True, slots=True)
class ScaleStep:
    """Set `rs` (the ReplicaSet as read before this step) to `replicas`."""

    rs: ReplicaSet
    replicas: int


@dataclass(frozen=True, slots=True)
class Cleanup:
    """What cleanupUnhealthyReplicas did: the steps taken, oldest RS first, and whether
    it stopped on a negative count (upstream returns an error there)."""

    steps: tuple[ScaleStep, ...] = ()
    failed: bool = False

    @property
    def scaled(self) -> int:
        return sum(s.rs.replicas - s.replicas for s in self.steps)


# ---- ReplicaSet lists ----------------------------------------------------------------


def by_age(rss: Iterable[ReplicaSet]) -> list[ReplicaSet]:
    """Oldest first: creation time, then name (`ReplicaSetsByCreationTimestamp`, §a.7)."""
    return sorted(rss, key=lambda rs: (rs.created, rs.name))


def active(rss: Iterable[ReplicaSet]) -> list[ReplicaSet]:
    """ReplicaSets with spec.replicas > 0 (`FilterActiveReplicaSets`)."""
    return [rs for rs in rss if rs.replicas > 0]


def spec_total(rss: Iterable[ReplicaSet]) -> int:
    return sum(rs.replicas for rs in rss)


def terminating_total(rss: Iterable[ReplicaSet]) -> int | None:
    """`GetTerminatingReplicaCountForReplicaSets` (k/k `deployment/util/deployment_util.go`,
    1.33+): the sum of the RSs' terminatingReplicas, None as soon as one RS has none (the
    API server dropped it: the gate is off, or the RS was not synced yet).

    >>> terminating_total([])
    0
    """
    total = 0
    for rs in rss:
        if rs.status.terminating_replicas is None:
            return None
        total += rs.status.terminating_replicas
    return total


def available_total(rss: Iterable[ReplicaSet]) -> int:
    return sum(rs.status.available_replicas for rs in rss)


def revision(rs: ReplicaSet) -> int | None:
    """The revision annotation: 0 when absent, None when it is not an integer."""
    text = rs.annotation(REVISION_ANNOTATION)
    if text is None:
        return 0
    try:
        return int(text)
    except ValueError:
        return None


def max_revision(rss: Iterable[ReplicaSet]) -> int:
    """Highest parsable revision, 0 if none (`MaxRevision`); e.g. revisions 1, "x", 3 -> 3."""
    return max((r for r in map(revision, rss) if r is not None), default=0)


# ---- §a.1 maxSurge / maxUnavailable --------------------------------------------------


def resolve_value(value: IntOrPercent | None, total: int, round_up: bool) -> int:
    """One IntOrString against `total` (`GetValueFromIntOrPercent`), spec/lifecycle.md §a.1.

    None counts as 0; an int is itself; "NN%" is NN*total/100 in float maths, then ceil
    (`round_up`) or floor. A string without % is an error.

    >>> resolve_value("25%", 6, True), resolve_value("25%", 6, False), resolve_value(3, 6, True)
    (2, 1, 3)
    """
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    if not value.endswith("%"):
        raise ValueError(f"invalid value for IntOrString: {value!r} is not an integer or a percentage")
    scaled = float(int(value[:-1])) * total / 100
    return math.ceil(scaled) if round_up else math.floor(scaled)


def resolve_fenceposts(max_surge: IntOrPercent | None, max_unavailable: IntOrPercent | None, replicas: int) -> tuple[int, int]:
    """(surge, unavailable) for `replicas` (`ResolveFenceposts`, spec/lifecycle.md §a.1).

    Surge rounds up, unavailable rounds down; if both come out 0, unavailable becomes 1.

    >>> resolve_fenceposts("0%", "0%", 0), resolve_fenceposts("39%", "39%", 10)
    ((0, 1), (4, 3))
    >>> resolve_fenceposts("0%", "1%", 10), resolve_fenceposts("25%", 5, 6)
    ((0, 1), (2, 5))
    """
    surge = resolve_value(max_surge, replicas, round_up=True)
    unavailable = resolve_value(max_unavailable, replicas, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_unavailable(spec: DeploymentSpec) -> int:
    """`MaxUnavailable(d)`, spec/lifecycle.md §a.1: 0 unless RollingUpdate with replicas > 0,
    else the resolved value clamped to replicas.

    Examples: 10 of 5 -> 5; "100%" of 5 -> 5; "25%" of 2 -> 0 (surge "25%" is 1, so no
    fencepost); Recreate -> 0.
    """
    if spec.strategy != ROLLING_UPDATE or spec.replicas == 0:
        return 0
    _, unavailable = resolve_fenceposts(spec.max_surge, spec.max_unavailable, spec.replicas)
    return min(unavailable, spec.replicas)


def max_surge(spec: DeploymentSpec) -> int:
    """`MaxSurge(d)`, spec/lifecycle.md §a.1: the resolved surge, 0 unless RollingUpdate.

    Examples: "25%" of 3 -> 1; "25%" of 6 -> 2; Recreate -> 0.
    """
    if spec.strategy != ROLLING_UPDATE:
        return 0
    surge, _ = resolve_fenceposts(spec.max_surge, spec.max_unavailable, spec.replicas)
    return surge


def min_available(spec: DeploymentSpec) -> int:
    """`MinAvailable(d)` = replicas - MaxUnavailable(d), 0 for Recreate (§a.1).

    Examples: 10 replicas, "60%" -> 4; 10 replicas, "100%" -> 0; Recreate -> 0.
    Note: the Available condition uses replicas - MaxUnavailable, which for Recreate is
    all replicas (§a.4), not this value.
    """
    if spec.strategy != ROLLING_UPDATE:
        return 0
    return spec.replicas - max_unavailable(spec)


# ---- §a.3 one rolling sync -------------------------------------------------------------


def new_rs_new_replicas(spec: DeploymentSpec, all_rs_spec_total: int, new_rs_spec: int) -> int:
    """The new RS's target size (`NewRSNewReplicas`), spec/lifecycle.md §a.3 step 2.

    RollingUpdate: maxTotal = replicas + maxSurge; at or above it keep the current size,
    else grow by min(maxTotal - current, replicas - newRS.spec). Recreate: replicas.

    Examples (replicas 3, surge 1, so maxTotal 4): old 3 + new 0 -> 1; old 3 + new 1 -> 1
    (already at 4); old 1 + new 1 -> 1 + min(4 - 2, 3 - 1) = 3; Recreate -> 3.
    """
    if spec.strategy == RECREATE:
        return spec.replicas
    max_total = spec.replicas + max_surge(spec)
    if all_rs_spec_total >= max_total:
        return new_rs_spec
    return new_rs_spec + min(max_total - all_rs_spec_total, spec.replicas - new_rs_spec)


def reconcile_new_replicas(spec: DeploymentSpec, all_rs_spec_total: int, new_rs_spec: int) -> int:
    """The size reconcileNewReplicaSet gives the new RS, spec/lifecycle.md §a.3 step 2:
    unchanged at spec.replicas, scaled down to replicas when above, else NewRSNewReplicas.

    Examples (replicas 3, surge 1): new 5 -> 3; new 3 -> 3; new 1 with 4 in total -> 1.
    """
    if new_rs_spec >= spec.replicas:
        return spec.replicas
    return new_rs_new_replicas(spec, all_rs_spec_total, new_rs_spec)


def max_scaled_down(all_rs_spec_total: int, min_available: int, new_rs_spec: int, new_rs_available: int) -> int:
    """The scale-down budget of reconcileOldReplicaSets, spec/lifecycle.md §a.3 step 3:
    Σspec(all) - (replicas - maxUnavailable) - (newRS.spec - newRS.available).

    Derived case: 10 replicas, maxUnavailable 2, new RS 5 pods none available, old RS 8:
    13 - 8 - 5 = 0, so nothing is scaled down even when an old pod fails.

    >>> max_scaled_down(13, 8, 5, 0), max_scaled_down(13, 8, 5, 4)
    (0, 4)
    """
    return all_rs_spec_total - min_available - (new_rs_spec - new_rs_available)


def cleanup_unhealthy_replicas(old_rss: Sequence[ReplicaSet], budget: int) -> Cleanup:
    """`cleanupUnhealthyReplicas`, spec/lifecycle.md §a.3: oldest old RS first, skip those
    with spec 0 or spec == available, remove min(budget left, spec - available) from each
    until the budget is used.

    Example: budget 3, old RSs (oldest first) spec/available 4/2 and 3/1 -> 4->2, then 3->2.

    A stale status with available > spec gives a negative count: upstream returns an error
    that its caller swallows ("not scaled", the stall of §a.3). Steps already taken for
    older RSs in this walk were written to the API before the error, so they are kept
    here too and `failed` is set.
    """
    steps: list[ScaleStep] = []
    used = 0
    for rs in by_age(old_rss):
        if used >= budget:
            break
        if rs.replicas == 0 or rs.replicas == rs.status.available_replicas:
            continue
        count = min(budget - used, rs.replicas - rs.status.available_replicas)
        if count < 0:
            return Cleanup(tuple(steps), failed=True)
        steps.append(ScaleStep(rs, rs.replicas - count))
        used += count
    return Cleanup(tuple(steps))


def scale_down_old_for_rolling_update(available: int, min_available: int, old_rss: Sequence[ReplicaSet]) -> tuple[ScaleStep, ...]:
    """`scaleDownOldReplicaSetsForRollingUpdate`, spec/lifecycle.md §a.3: with `available`
    = Σ status.availableReplicas over all RSs (not reduced by the clean-up just done),
    remove available - minAvailable replicas, oldest RS first, each down to at most 0.

    Example: available 4, minAvailable 1, old RSs spec 2 and 3 (oldest first) -> 2->0, 3->2.
    available <= minAvailable -> no step.
    """
    want = available - min_available
    steps: list[ScaleStep] = []
    for rs in by_age(old_rss):
        if want <= 0:
            break
        if rs.replicas == 0:
            continue
        count = min(rs.replicas, want)
        steps.append(ScaleStep(rs, rs.replicas - count))
        want -= count
    return tuple(steps)


# ---- §a.8 revision history -------------------------------------------------------------


def history_to_delete(old_rss: Iterable[ReplicaSet], limit: int | None) -> list[ReplicaSet]:
    """`cleanupDeployment`, spec/lifecycle.md §a.8: old RSs to delete beyond `limit`.

    Among non-deleting old RSs, walk the first (count - limit) by revision (ties and
    unparsable revisions by age); delete those with spec 0, status.replicas 0 and status
    observed (generation <= observedGeneration). Non-empty ones are skipped, not replaced.
    None or MaxInt32 means unlimited.

    Example: limit 1, revisions 1, 2, 3 all empty -> delete revisions 1 and 2; limit 0,
    revisions 1 (empty) and 2 (spec 1) -> delete revision 1 only.
    """
    if limit is None or limit == MAX_INT32:
        return []
    alive = [rs for rs in old_rss if not rs.deleting]
    walk = sorted(alive, key=lambda rs: (revision(rs) or 0, rs.created, rs.name))[: max(0, len(alive) - limit)]
    return [rs for rs in walk if _empty_and_observed(rs)]


def _empty_and_observed(rs: ReplicaSet) -> bool:
    return rs.replicas == 0 and rs.status.replicas == 0 and rs.generation <= rs.status.observed_generation
