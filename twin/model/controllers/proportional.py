"""Proportional scaling of a Deployment's ReplicaSets (`scale` in upstream sync.go), used
on a scaling event mid-rollout and while paused: spec/lifecycle.md §a.5.

All pure: `proportional_scale` returns the `ScaleStep`s the controller would write.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from twin.model.controllers.rollout import ScaleStep, active, by_age, max_surge, spec_total
from twin.model.workloads import (
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    ROLLING_UPDATE,
    DeploymentSpec,
    ReplicaSet,
)

_GO_INT = re.compile(r"[+-]?[0-9]+")


def go_round(value: float) -> int:
    """Go's `math.Round`: half away from zero (Python's `round` rounds half to even).

    >>> go_round(2.5), go_round(-2.5), go_round(0.49999999999999994), round(2.5)
    (3, -3, 0, 2)
    """
    whole = math.trunc(value)
    if abs(value - whole) >= 0.5:
        whole += 1 if value > 0 else -1
    return int(whole)


def annotation_int(rs: ReplicaSet, key: str) -> int | None:
    """An integer annotation as `strconv.Atoi` reads it; None when absent or invalid."""
    text = rs.annotation(key)
    if text is None or not _GO_INT.fullmatch(text):
        return None
    return int(text)


def is_scaling_event(spec: DeploymentSpec, rss: Sequence[ReplicaSet]) -> bool:
    """`isScalingEvent`, spec/lifecycle.md §a.5: some active RS's desired-replicas
    annotation differs from spec.replicas (RSs without a readable annotation are skipped).

    Example: replicas 5, active RSs annotated "3" and "5" -> True; annotated "5" and
    unannotated -> False.
    """
    desired = (annotation_int(rs, DESIRED_REPLICAS_ANNOTATION) for rs in active(rss))
    return any(d is not None and d != spec.replicas for d in desired)


def is_saturated(replicas: int, rs: ReplicaSet | None) -> bool:
    """`IsSaturated`, spec/lifecycle.md §a.5 step 2: spec == replicas, desired-replicas
    annotation == replicas and availableReplicas == replicas.

    Example: replicas 2, RS spec 2 annotated "2" with 0 available -> False ("saturated
    but broken"); with 2 available -> True.
    """
    if rs is None:
        return False
    desired = annotation_int(rs, DESIRED_REPLICAS_ANNOTATION)
    return rs.replicas == replicas and desired == replicas and rs.status.available_replicas == replicas


def replicaset_fraction(rs: ReplicaSet, spec: DeploymentSpec, status_replicas: int) -> int:
    """`getReplicaSetFraction`, spec/lifecycle.md §a.5: round(spec * (replicas + maxSurge)
    / max-replicas annotation) - spec, rounded half away from zero.

    A missing, invalid or zero annotation falls back to the Deployment's status.replicas;
    if that is 0 too the fraction is 0. With replicas 0 the fraction is -spec.

    Upstream TestGetReplicaSetFraction: replicas 120, RS 50, annotation "100" -> 10;
    replicas 120 + surge 10, annotation "110" -> 9; replicas 10, RS 6, "12" -> -1;
    replicas 100 + surge 10, RS 50, "130" -> -8; annotation missing, status.replicas 0 -> 0.
    """
    if spec.replicas == 0:
        return -rs.replicas
    annotated = annotation_int(rs, MAX_REPLICAS_ANNOTATION) or status_replicas
    if annotated == 0:
        return 0
    return go_round(rs.replicas * (spec.replicas + max_surge(spec)) / annotated) - rs.replicas


def proportion(rs: ReplicaSet, spec: DeploymentSpec, status_replicas: int, to_add: int, added: int) -> int:
    """`GetProportion`: the RS's fraction clamped to what is left to distribute (min when
    scaling up, max when scaling down); 0 for an empty RS or when nothing is left."""
    if rs.replicas == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = replicaset_fraction(rs, spec, status_replicas)
    left = to_add - added
    return min(fraction, left) if to_add > 0 else max(fraction, left)


def find_active_or_latest(new_rs: ReplicaSet | None, old_rss: Sequence[ReplicaSet]) -> ReplicaSet | None:
    """`FindActiveOrLatest`, §a.5 step 1: the only active RS; with none active the new RS,
    else the newest old RS; None when several are active (or there are no RSs)."""
    candidates = active([*old_rss, *([new_rs] if new_rs else [])])
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        return None
    return new_rs or (by_age(old_rss)[-1] if old_rss else None)


def proportional_scale(
    spec: DeploymentSpec, new_rs: ReplicaSet | None, old_rss: Sequence[ReplicaSet], status_replicas: int
) -> tuple[ScaleStep, ...]:
    """`scale`, spec/lifecycle.md §a.5. `status_replicas` is the Deployment's stored
    status.replicas (the fallback for a missing max-replicas annotation).

    1. One candidate (find_active_or_latest): scale it to replicas (no step if equal).
    2. Saturated new RS: every active old RS to 0.
    3. RollingUpdate: distribute toAdd = (replicas + maxSurge, or 0 when replicas is 0)
       - Σspec(active) proportionally, then the leftover to the first RS (floored at 0).
       Every active RS gets a step here, even at its current size, because upstream
       rewrites the desired/max-replicas annotations of each.

    Upstream TestScale: 7 -> 10 with 2/3/2 => 3/4/3; 13 -> 8 with 2/8/3 => 1/5/2;
    surge 2, 10 -> 20 with 6/6 => 11/11; "saturated but broken": nothing changes.
    """
    single = find_active_or_latest(new_rs, old_rss)
    if single is not None:
        return (ScaleStep(single, spec.replicas),) if single.replicas != spec.replicas else ()
    if is_saturated(spec.replicas, new_rs):
        return tuple(ScaleStep(rs, 0) for rs in active(old_rss))
    if spec.strategy != ROLLING_UPDATE:
        return ()
    return _distribute(spec, active([*old_rss, *([new_rs] if new_rs else [])]), status_replicas)


def _distribute(spec: DeploymentSpec, rss: list[ReplicaSet], status_replicas: int) -> tuple[ScaleStep, ...]:
    allowed = spec.replicas + max_surge(spec) if spec.replicas > 0 else 0
    to_add = allowed - spec_total(rss)
    ordered = scaling_order(rss, to_add)
    sizes, added = [], 0
    for rs in ordered:
        share = proportion(rs, spec, status_replicas, to_add, added)
        sizes.append(rs.replicas + share)
        added += share
    if to_add and sizes:
        sizes[0] = max(0, sizes[0] + to_add - added)
    return tuple(ScaleStep(rs, size) for rs, size in zip(ordered, sizes))


def scaling_order(rss: list[ReplicaSet], to_add: int) -> list[ReplicaSet]:
    """Largest first; ties newer first when scaling up (`ReplicaSetsBySizeNewer`), older
    first when scaling down (`ReplicaSetsBySizeOlder`); unchanged order when toAdd is 0.

    Example: sizes 2 (oldest), 3, 2 (newest): up -> 3, newest 2, oldest 2; down -> 3,
    oldest 2, newest 2.
    """
    if to_add == 0:
        return list(rss)
    ages = by_age(rss) if to_add < 0 else by_age(rss)[::-1]
    return sorted(ages, key=lambda rs: -rs.replicas)
