"""Key figures of a run, computed from its records."""

from __future__ import annotations

from collections.abc import Sequence

from twin.invariants.checks import recovery_seconds
from twin.invariants.series import faults, ready_minimum, registry_ready


def kpis(records: Sequence, duration: float) -> dict:
    steps = registry_ready(records)
    desired = max((r.details["replicas"] or 0 for r in records if r.kind == "RegistryDesired"), default=0)
    start = next((at for at, v in steps if v >= min(desired, 1)), 0.0) if desired else 0.0
    outages = faults(records, "zone_outage") + faults(records, "node_crash")
    pending = pending_seconds(records, duration)
    return {
        "registry_recovery_seconds": recovery_seconds(records, outages[0]) if outages else None,
        "min_ready_replicas": ready_minimum(steps, start, duration)[0] if desired else 0,
        "pending_pod_seconds": round(sum(pending.values()), 3),
        "max_pending_seconds": round(max(pending.values(), default=0.0), 3),
        "scheduling_failures": sum(r.kind == "SchedulingFailed" for r in records),
        "evictions": sum(r.kind == "Eviction" and r.details["code"] == 200 for r in records),
        "evictions_refused": sum(r.kind == "Eviction" and r.details["code"] == 429 for r in records),
        "pods_deleted_by_taint_manager": sum(r.kind == "PodTerminating" and r.details.get("reason") == "DeletionByTaintManager"
                                             for r in records),
        "rollouts": sum(r.kind == "OperandApplied" for r in records),
    }


def pending_seconds(records: Sequence, end: float) -> dict[str, float]:
    """Per pod, the time between its creation and its binding (or deletion, or the end)."""
    created, spent = {}, {}
    for r in records:
        if r.kind == "PodCreated":
            created[r.subject] = r.time
        elif r.kind in ("PodBound", "PodDeleted") and r.subject in created:
            spent[r.subject] = r.time - created.pop(r.subject)
    for pod, since in created.items():
        spent[pod] = end - since
    return spent
