"""What the registry's resources did in a run (issue: capacity physics): per pod its CPU
saturation and memory peak, per node its link's saturation, the object store's calls
and throttling, OOM kills, and which resource saturated first and when.

A resource counts as saturated in a sampling interval (10 s) when it was busy at least
`SATURATED` of the time: every core of a pod (`cpu_saturation`), a node's link
(`network_saturation`), or a pod's memory within 5 % of its limit. The limiter saturates
at its first 429, the object store at its first 503 Slow Down.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from twin.sim.traffic.usage import COLUMNS

if TYPE_CHECKING:
    import pandas as pd

SATURATED = 0.95
"""Busy this fraction of an interval counts as saturated."""
TIME, POD, NODE, CORES, USED, CPU_SATURATION, MEMORY_PEAK, MEMORY_LIMIT, MEMORY_LIMITED = range(9)
NETWORK_SATURATION = COLUMNS.index("network_saturation")
"""Positions in a `usage.ResourceUsage` row (`COLUMNS`)."""


def resource_frame(usage) -> pd.DataFrame:
    """Per sampling interval and registry pod (and node links without one): cores, cores
    used, CPU saturation, memory peak and limit, link bytes/s, capacity and saturation
    (resources.parquet, notebooks; the KPIs below read the rows without pandas)."""
    import pandas as pd

    frame = pd.DataFrame(usage.rows, columns=list(COLUMNS))
    return frame.astype({"time": "float64", "pod": "str", "node": "str", "cpu_cores": "float64", "cpu_used": "float64",
                         "cpu_saturation": "float64", "memory_peak": "int64", "memory_limit": "float64",
                         "memory_limited": "bool",
                         "network_bytes_per_second": "float64", "network_capacity": "float64",
                         "network_saturation": "float64"})


def resource_kpis(records: Sequence, usage, store, first_429: float | None) -> dict:
    rows = usage.rows
    pods = [row for row in rows if row[POD] != ""]
    kills = [r for r in records if r.kind == "ContainerRestart" and r.details.get("reason") == "OOMKilled"]
    links: dict[str, float] = {}
    for row in rows:  # each node link's busiest interval
        links[row[NODE]] = max(links.get(row[NODE], row[NETWORK_SATURATION]), row[NETWORK_SATURATION])
    return {
        "pods": _per_pod(pods, kills),
        "network_saturation": {node: round(float(links[node]), 6) for node in sorted(links) if links[node] > 0},
        "object_store": _object_store(records),
        "oom_kills": len(kills),
        "first_saturated": first_saturated(rows, pods, records, first_429, kills),
    }


def _per_pod(pods: list[tuple], kills: list) -> dict:
    """Per pod (by key): its busiest interval's cores and CPU saturation (the first of
    equal ones), its memory peak, and its last interval's memory limit."""
    by_pod: dict[str, list[tuple]] = {}
    for row in pods:
        by_pod.setdefault(row[POD], []).append(row)
    out = {}
    for pod in sorted(by_pod):
        rows = by_pod[pod]
        busiest = max(rows, key=lambda row: row[CPU_SATURATION])  # (max keeps the first of equal ones)
        limit = rows[-1][MEMORY_LIMIT]
        out[pod] = {"cpu_cores": round(float(busiest[CORES]), 6),  # at its busiest interval
                    "cpu_saturation": round(float(busiest[CPU_SATURATION]), 6),
                    "memory_peak_bytes": int(max(row[MEMORY_PEAK] for row in rows)),
                    "memory_limit_bytes": None if limit is None else int(float(limit)),
                    "memory_limited": bool(rows[-1][MEMORY_LIMITED]),
                    "oom_kills": sum(1 for r in kills if r.subject == pod)}
    return out


def _object_store(records: Sequence) -> dict:
    calls = [r for r in records if r.kind == "ObjectStoreCalls"]
    if not calls:
        return {}
    d = calls[-1].details
    return {"reads": d["reads"], "writes": d["writes"], "throttled_reads": d["throttled_reads"],
            "throttled_writes": d["throttled_writes"], "partitions": d["partitions"], "splits": d["splits"],
            "first_throttle_seconds": d.get("first_throttle")}


def first_saturated(rows: list[tuple], pods: list[tuple], records: Sequence, first_429: float | None,
                    kills: list) -> dict:
    """When each resource first saturated (the start of the interval, seconds; None if
    never) and which came first. `rows`: `usage.ResourceUsage.rows`; `pods`: those of a
    registry pod (the others are node links')."""
    interval = _interval(rows)

    def first(times: list[float]) -> float | None:
        return None if not times else round(float(min(times)) - interval, 3)

    memory = [row[TIME] for row in pods  # against its limit, or what its node has left
              if row[MEMORY_LIMIT] is not None and row[MEMORY_PEAK] >= 0.95 * float(row[MEMORY_LIMIT])]
    calls = [r for r in records if r.kind == "ObjectStoreCalls"]
    times = {
        "cpu": first([row[TIME] for row in pods if row[CPU_SATURATION] >= SATURATED]),
        "network": first([row[TIME] for row in rows if row[NETWORK_SATURATION] >= SATURATED]),
        "memory": first(memory) if not kills else round(min(r.details["exited"] for r in kills), 3),
        "object_store": calls[-1].details.get("first_throttle") if calls else None,
        "limiter": None if first_429 is None else round(first_429, 3),
    }
    seen = {k: v for k, v in times.items() if v is not None}
    return {**times, "first": min(seen, key=lambda k: (seen[k], k)) if seen else None}


def _interval(rows: list[tuple]) -> float:
    """The sampling interval: the shortest step between the rows' distinct times."""
    times = np.unique(np.array([row[TIME] for row in rows], dtype=np.float64))
    return float(np.diff(times).min()) if len(times) > 1 else 0.0


def resource_lines(r: dict) -> list[str]:
    """The resource figures a planner reads first, as lines of the run's text summary."""
    return [f"  {label}: {text}" for label, text in resource_rows(r)]


def resource_rows(r: dict) -> list[tuple[str, str]]:
    """The resource figures a planner reads first, as (what, figures) rows (the text
    summary and the report's resource table)."""
    rows = []
    for pod, p in r["pods"].items():
        mib = None if p["memory_limit_bytes"] is None else p["memory_limit_bytes"] / 2**20
        limit = (f"limit {mib:,.0f} MiB" if p["memory_limited"] else
                 "no limit" if mib is None else f"no limit, {mib:,.0f} MiB left on its node")
        rows.append((pod.split("/")[-1], f"CPU peak {p['cpu_saturation']:.0%} of {p['cpu_cores']:g} cores, memory peak "
                                         f"{p['memory_peak_bytes'] / 2**20:,.0f} MiB ({limit}), {p['oom_kills']} OOM kill(s)"))
    if r["network_saturation"]:
        node, peak = max(r["network_saturation"].items(), key=lambda item: (item[1], item[0]))
        rows.append(("busiest node link", f"{node} at {peak:.0%}"))
    else:
        rows.append(("busiest node link", "none carried bytes (no streamed blob, upload or kubelet download)"))
    store = r["object_store"]
    if store:
        rows.append(("object store", f"{store['reads']:,} reads, {store['writes']:,} writes, "
                                     f"{store['throttled_reads'] + store['throttled_writes']:,} throttled (503 Slow Down), "
                                     f"{store['partitions']} partition(s)"))
    first = r["first_saturated"]
    order = sorted((v, k) for k, v in first.items() if k != "first" and v is not None)
    rows.append(("saturated first", ", then ".join(f"{k} at {v / 60:.1f} min" for v, k in order) if order else "nothing"))
    return rows
