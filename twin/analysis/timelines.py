"""Time series a run report plots, rebuilt from the records: Ready registry replicas per
zone, the fault windows, and the Pending pods with the scheduler's reasons."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import pandas as pd

from twin.analysis.cluster import POD_KINDS, PodReplay, added_zones, is_registry_pod, node_zones
from twin.model.topology import NO_ZONE

WINDOWS = {"zone_outage": "zone_recovery", "node_crash": "node_recovery", "network_partition": "partition_heal",
           "cordon": "uncordon", "storage_outage": "storage_recovery"}
"""A fault that opens a window, and the fault that closes it (on the same target)."""
CLOSERS = {end: start for start, end in WINDOWS.items()}
NOT_TRIED = "not yet tried by the scheduler"
PATCH_CHARS = 60  # a config_edit's patch in its label


def ready_by_zone(records: Sequence, cluster: dict | None) -> pd.DataFrame:
    """(time, zone, ready): the Ready, non-terminating registry replicas in each zone at 0 s
    and whenever that count changes (the last record of an instant wins). The zones are
    the cluster's (all of them, from 0); without `cluster.json` every pod is in NO_ZONE."""
    replay, counter = PodReplay(cluster), _ZoneCounter({**added_zones(records), **node_zones(cluster)})
    for key, pod in replay.pods.items():
        counter.update(0.0, key, pod)
    for r in records:
        if r.kind in POD_KINDS and is_registry_pod(r.subject):
            counter.update(r.time, r.subject, replay.apply(r))
    frame = pd.DataFrame([(t, z, n) for (t, z), n in counter.rows.items()], columns=["time", "zone", "ready"])
    return frame.sort_values(["zone", "time"], kind="stable").reset_index(drop=True)


class _ZoneCounter:
    def __init__(self, zones: dict[str, str]) -> None:
        self.zones = zones
        self.counts = dict.fromkeys(sorted(set(zones.values())) or [NO_ZONE], 0)
        self.rows = {(0.0, zone): 0 for zone in self.counts}
        self.serving: dict[str, str] = {}  # registry pod -> the zone it serves in

    def update(self, time: float, key: str, pod) -> None:
        before = self.serving.pop(key, None)
        now = self.zones.get(pod.node, NO_ZONE) if pod is not None and is_registry_pod(key) and pod.serving else None
        if now is not None:
            self.serving[key] = now
        if before == now:
            return
        for zone, step in ((before, -1), (now, 1)):
            if zone is not None:
                self.counts[zone] = self.counts.get(zone, 0) + step
                self.rows[(time, zone)] = self.counts[zone]


def desired_replicas(records: Sequence) -> list[tuple[float, int]]:
    """(time, the Config's replicas) at every RegistryDesired record (Removed counts 0)."""
    return [(r.time, r.details["replicas"] or 0) for r in records if r.kind == "RegistryDesired"]


def fault_marks(records: Sequence, end: float) -> pd.DataFrame:
    """(start, end, kind, label): a window from each fault that opens one (zone_outage,
    node_crash, network_partition, cordon, storage_outage) to the fault that closes it on
    the same target, or to the end of the run; other faults (drain, config_edit,
    add_node, remove_node, a closer without an opener) are instants, `end` NaN."""
    rows, open_ = [], {}
    for r in records:
        if r.kind != "Fault":
            continue
        target = _target(r.details)
        label = f"{r.subject} {target}".strip()
        if r.subject in WINDOWS:
            open_.setdefault((r.subject, target), len(rows))
            rows.append([r.time, end, r.subject, label])
        elif (CLOSERS.get(r.subject), target) in open_:
            rows[open_.pop((CLOSERS[r.subject], target))][1] = r.time
        else:
            rows.append([r.time, math.nan, r.subject, label])
    return pd.DataFrame(rows, columns=["start", "end", "kind", "label"])


def _target(details: dict) -> str:
    """What a fault hit: its zone, node or new node's name, or a config_edit's patch."""
    for key in ("zone", "node", "name"):
        if key in details:
            return str(details[key])
    patch = json.dumps(details.get("patch", ""), sort_keys=True, separators=(",", ":")) if "patch" in details else ""
    return patch if len(patch) <= PATCH_CHARS else patch[:PATCH_CHARS - 1] + "…"


def first_fault(records: Sequence) -> float | None:
    return next((r.time for r in records if r.kind == "Fault"), None)


def pending_pods(records: Sequence) -> pd.DataFrame:
    """(time, reason, pods): how many pods are Pending (created, not yet bound or
    deleted) under each reason, at every change. A pod's reason is the message of its
    latest SchedulingFailed record (kube-scheduler's FitError text), NOT_TRIED before
    any; the last record of an instant wins."""
    reason_of: dict[str, str] = {}
    counts: dict[str, int] = {}
    rows: dict[tuple[float, str], int] = {}
    for r in records:
        before = reason_of.get(r.subject)
        if r.kind == "PodCreated":
            after = NOT_TRIED
        elif r.kind == "SchedulingFailed" and before is not None:
            after = r.details["message"]
        elif r.kind in ("PodBound", "PodDeleted") and before is not None:
            after = None
        else:
            continue
        _move(counts, rows, r.time, before, after)
        reason_of[r.subject] = after
    frame = pd.DataFrame([(t, reason, n) for (t, reason), n in rows.items()], columns=["time", "reason", "pods"])
    return frame.sort_values(["time"], kind="stable").reset_index(drop=True)


def _move(counts: dict, rows: dict, time: float, before: str | None, after: str | None) -> None:
    if before == after:
        return
    for reason, step in ((before, -1), (after, 1)):
        if reason is not None:
            counts[reason] = counts.get(reason, 0) + step
            rows[(time, reason)] = counts[reason]


def pending_table(frame: pd.DataFrame, end: float) -> pd.DataFrame:
    """Per reason: the most pods Pending under it at once, the pod-seconds spent under it
    and when it was first and last in force (from `pending_pods`)."""
    rows = []
    for reason, part in frame.groupby("reason", sort=False):
        times = [*part["time"].tolist(), end]
        seconds = sum(n * (b - a) for n, a, b in zip(part["pods"].tolist(), times, times[1:]))
        if seconds > 0:
            held = part[part["pods"] > 0]["time"]
            rows.append((reason, int(part["pods"].max()), round(seconds, 3), held.min(), _last_in_force(part, end)))
    columns = ["reason", "max_pods", "pod_seconds", "first", "last"]
    return pd.DataFrame(rows, columns=columns).sort_values("first", kind="stable").reset_index(drop=True)


def _last_in_force(part: pd.DataFrame, end: float) -> float:
    """When the reason last stopped holding any pod (the end of the run if it still does)."""
    return end if part["pods"].iloc[-1] > 0 else float(part["time"].iloc[-1])
