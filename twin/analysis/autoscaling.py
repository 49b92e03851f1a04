"""The cluster autoscaler's key figures, from its records (`twin/sim/autoscaler.py`): in
the run summary only when an autoscaler ran."""

from __future__ import annotations

from collections.abc import Sequence


def autoscaler_kpis(records: Sequence) -> dict | None:
    """Scale-ups and the nodes they asked for, nodes that registered after the first
    scale-up, nodes the autoscaler deleted, failures, and for the pods a scale-up was for
    and that were bound to such a new node: seconds from creation (Pending) to Ready."""
    if not any(r.kind == "AutoscalerStarted" for r in records):
        return None
    ups = [r for r in records if r.kind == "ScaleUp"]
    first_up = ups[0].time if ups else None
    new_nodes = {r.subject for r in records if r.kind == "NodeAdded" and first_up is not None and r.time >= first_up}
    waits = pending_to_ready(records, {p for r in ups for p in r.details["pods"]}, new_nodes)
    return {
        "scale_ups": len(ups),
        "nodes_requested": sum(r.details["delta"] for r in ups),
        "nodes_added": len(new_nodes),
        "nodes_removed": sum(r.kind == "NodeDeletedByAutoscaler" for r in records),
        "scale_up_failures": sum(r.kind == "ScaleUpFailed" for r in records),
        "scale_down_failures": sum(r.kind == "ScaleDownFailed" for r in records),
        "pods_ready_on_new_nodes": len(waits),
        "pending_to_ready_mean_seconds": round(sum(waits) / len(waits), 3) if waits else None,
        "pending_to_ready_max_seconds": round(max(waits), 3) if waits else None,
    }


def pending_to_ready(records: Sequence, helped: set[str], new_nodes: set[str]) -> list[float]:
    created, on_new, waits = {}, set(), []
    for r in records:
        if r.subject not in helped:
            continue
        if r.kind == "PodCreated":
            created.setdefault(r.subject, r.time)
        elif r.kind == "PodBound" and r.details.get("node") in new_nodes:
            on_new.add(r.subject)
        elif r.kind == "PodReady" and r.subject in on_new and r.subject in created:
            waits.append(r.time - created.pop(r.subject))
    return waits
