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

import numpy as np
import pandas as pd

from twin.sim.traffic.usage import COLUMNS

SATURATED = 0.95
"""Busy this fraction of an interval counts as saturated."""


def resource_frame(usage) -> pd.DataFrame:
    """Per sampling interval and registry pod (and node links without one): cores, cores
    used, CPU saturation, memory peak and limit, link bytes/s, capacity and saturation."""
    frame = pd.DataFrame(usage.rows, columns=list(COLUMNS))
    return frame.astype({"time": "float64", "pod": "str", "node": "str", "cpu_cores": "float64", "cpu_used": "float64",
                         "cpu_saturation": "float64", "memory_peak": "int64", "memory_limit": "float64",
                         "memory_limited": "bool",
                         "network_bytes_per_second": "float64", "network_capacity": "float64",
                         "network_saturation": "float64"})


def resource_kpis(records: Sequence, usage, store, first_429: float | None) -> dict:
    frame = resource_frame(usage)
    pods = frame[frame["pod"] != ""]
    kills = [r for r in records if r.kind == "ContainerRestart" and r.details.get("reason") == "OOMKilled"]
    return {
        "pods": _per_pod(pods, kills),
        "network_saturation": {node: round(float(v), 6) for node, v in
                               frame.groupby("node")["network_saturation"].max().sort_index().items() if v > 0},
        "object_store": _object_store(records),
        "oom_kills": len(kills),
        "first_saturated": first_saturated(frame, records, first_429, kills),
    }


def _per_pod(pods: pd.DataFrame, kills: list) -> dict:
    out = {}
    for pod, rows in pods.groupby("pod", sort=True):
        limit = rows["memory_limit"].iloc[-1]
        busiest = rows.loc[rows["cpu_saturation"].idxmax()]
        out[pod] = {"cpu_cores": round(float(busiest["cpu_cores"]), 6),  # at its busiest interval
                    "cpu_saturation": round(float(busiest["cpu_saturation"]), 6),
                    "memory_peak_bytes": int(rows["memory_peak"].max()),
                    "memory_limit_bytes": None if np.isnan(limit) else int(limit),
                    "memory_limited": bool(rows["memory_limited"].iloc[-1]),
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


def first_saturated(frame: pd.DataFrame, records: Sequence, first_429: float | None, kills: list) -> dict:
    """When each resource first saturated (the start of the interval, seconds; None if
    never) and which came first."""
    def first(rows: pd.DataFrame) -> float | None:
        return None if rows.empty else round(float(rows["time"].min()) - _interval(frame), 3)

    pods = frame[frame["pod"] != ""]
    memory = pods[pods["memory_limit"].notna() & (pods["memory_peak"] >= 0.95 * pods["memory_limit"])]  # limit or node
    calls = [r for r in records if r.kind == "ObjectStoreCalls"]
    times = {
        "cpu": first(pods[pods["cpu_saturation"] >= SATURATED]),
        "network": first(frame[frame["network_saturation"] >= SATURATED]),
        "memory": first(memory) if not kills else round(min(r.details["exited"] for r in kills), 3),
        "object_store": calls[-1].details.get("first_throttle") if calls else None,
        "limiter": None if first_429 is None else round(first_429, 3),
    }
    seen = {k: v for k, v in times.items() if v is not None}
    return {**times, "first": min(seen, key=lambda k: (seen[k], k)) if seen else None}


def _interval(frame: pd.DataFrame) -> float:
    times = np.unique(frame["time"].to_numpy())
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
