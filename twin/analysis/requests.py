"""Request-level figures of a run (the twin's own KPIs, not the registry's metrics):
outcomes by class and client, latency quantiles by kind, image pull times at pod start,
queue peaks, the 429 peak, and the frames behind them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from twin.invariants.requests import workload_recovery_seconds
from twin.invariants.series import faults
from twin.model.registry.batch import Client
from twin.model.registry.requests import Kind
from twin.sim.traffic.stats import CODE_CLASSES, SERIES_COLUMNS, RequestStats

CODE_CLASS = {"ok": range(200, 300), "redirect": range(300, 400), "not_allowed": (405,), "too_many": (429,),
              "unavailable": (503,)}


def request_kpis(records: Sequence, stats: RequestStats, duration: float) -> dict:
    totals = stats.totals()
    return {
        "issued": int(stats.issued_counts.sum()),
        "open_at_end": sum(totals["open"].values()),
        "outcomes": _by_class(totals["outcomes"]),
        "by_client": {c.name.lower(): _by_class({k: n for k, n in totals["outcomes"].items()
                                                 if k.startswith(c.name.lower() + "/")}) for c in Client},
        "rejected_429_fraction": _fraction(totals["outcomes"], "too_many"),
        "peak_429_per_second": _peak_rate(stats, "too_many"),
        "latency_seconds": _latency(stats),
        "phases": phases(stats, duration),
        "max_queued": _series_peak(stats, ("read_queued_peak", "write_queued_peak")),
        "max_running": _series_peak(stats, ("read_running_peak", "write_running_peak")),
        "pulls": pull_kpis(records),
        "workloads_recovery_seconds": _workload_recovery(records),
    }


def _series_peak(stats: RequestStats, columns: tuple[str, ...]) -> dict[str, int]:
    """The highest value per limiter over the run, from the per-interval peaks."""
    index = [SERIES_COLUMNS.index(c) for c in columns]
    return {c.split("_")[0]: max((row[i] for row in stats.series), default=0) for c, i in zip(columns, index)}


def pull_kpis(records: Sequence) -> dict:
    """Image pulls from the registry at pod start: first attempt to success."""
    times = np.array([r.details["seconds"] for r in records if r.kind == "ImagePulled"])
    failed = [r for r in records if r.kind == "ImagePullFailed"]
    figures = {"pulls": len(times), "failed_attempts": len(failed),
               "bytes": int(sum(r.details["bytes"] for r in records if r.kind == "ImagePulled"))}
    if len(times):
        figures.update({f"p{int(q * 100)}_seconds": round(float(np.quantile(times, q)), 3) for q in (0.5, 0.99)})
        figures["max_seconds"] = round(float(times.max()), 3)
    return figures


def phases(stats: RequestStats, duration: float) -> list[dict]:
    """The run cut at its faults: per phase, outcomes by class and the p50/p99 of the
    answered requests by kind (to compare before, during and after a change)."""
    edges = [0.0, *stats.phase_edges.tolist(), float(duration)]
    out = []
    for i, (start, end) in enumerate(zip(edges, edges[1:])):
        latency = {}
        for kind in Kind:
            counts = stats.phase_latency[i, kind]
            if counts.sum():
                p50, p99 = stats.quantiles_of(counts, (0.5, 0.99))
                latency[kind.name.lower()] = {"requests": int(counts.sum()), "p50": round(p50, 6), "p99": round(p99, 6)}
        outcomes = dict(zip(CODE_CLASSES, stats.phase_outcomes[i].tolist()))
        out.append({"from": start, "to": end, "outcomes": outcomes, "latency_seconds": latency})
    return out


def _by_class(outcomes: dict[str, int]) -> dict[str, int]:
    counts = dict.fromkeys((*CODE_CLASS, "failed"), 0)
    for key, n in outcomes.items():
        code = int(key.rsplit("/", 1)[1])
        name = next((c for c, codes in CODE_CLASS.items() if code in codes), "failed")
        counts[name] += n
    return counts


def _fraction(outcomes: dict[str, int], klass: str) -> float:
    total = sum(outcomes.values())
    return round(_by_class(outcomes)[klass] / total, 6) if total else 0.0


def _peak_rate(stats: RequestStats, klass: str) -> float:
    column = CODE_CLASSES.index(klass)
    peak = max((row[column] for row in stats.per_interval.values()), default=0)
    return round(float(peak) / stats.series_every, 3)


def _latency(stats: RequestStats) -> dict:
    """Client-seen p50/p99 (arrival to response, queueing included) by kind, over the
    requests answered 2xx or 3xx."""
    out = {}
    for kind in Kind:
        counts = sum(stats.latency[c * len(Kind) + kind] for c in Client)
        if counts.sum():
            p50, p99 = stats.quantiles_of(counts, (0.5, 0.99))
            out[kind.name.lower()] = {"requests": int(counts.sum()), "p50": round(p50, 6), "p99": round(p99, 6)}
    return out


def _workload_recovery(records: Sequence) -> float | None:
    outages = faults(records, "zone_outage")
    if not outages or not any(r.kind == "WorkloadReady" for r in records):
        return None
    seconds = workload_recovery_seconds(records, outages[0].time)
    return None if seconds is None else round(seconds, 3)


def timeline_frame(stats: RequestStats) -> pd.DataFrame:
    """Requests finished per interval (`series_every` seconds, by end time), by class."""
    rows = [(i * stats.series_every, *row.tolist()) for i, row in sorted(stats.per_interval.items())]
    return pd.DataFrame(rows, columns=["time", *CODE_CLASSES])


def queue_frame(stats: RequestStats) -> pd.DataFrame:
    """Each registry pod's admitted and queued requests sampled every `series_every`, and
    each limiter's peaks over the interval before the sample."""
    return pd.DataFrame(stats.series, columns=list(SERIES_COLUMNS))


def latency_frame(stats: RequestStats) -> pd.DataFrame:
    """Client-seen latency of the answered (2xx/3xx) requests per `latency_every` window of
    their end time and kind: how many, p50 and p99 (DDSketch, as `latency_seconds`)."""
    frame = pd.DataFrame(stats.latency_series((0.5, 0.99)), columns=["time", "kind", "requests", "p50", "p99"])
    return frame.astype({"time": "float64", "kind": "str", "requests": "int64", "p50": "float64", "p99": "float64"})


def metrics_frame(samples: list) -> pd.DataFrame:
    """Every scraped sample: time, pod, metric, labels, value."""
    rows = [(s.time, pod, s.metric, s.labels, s.value) for pod, s in samples]
    return pd.DataFrame(rows, columns=["time", "pod", "metric", "labels", "value"])
