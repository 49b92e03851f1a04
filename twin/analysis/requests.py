"""Request-level figures of a run (the twin's own KPIs, not the registry's metrics):
outcomes by class and client, latency quantiles by kind, image pull times at pod start,
queue peaks, the 429 peak, and the frames behind them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from twin.invariants.requests import workload_recovery_seconds
from twin.invariants.series import faults
from twin.model.registry.batch import Client
from twin.model.registry.requests import CLASS_OF_CODE, CODE_CLASSES, Kind
from twin.sim.traffic.stats import SERIES_COLUMNS, RequestStats

if TYPE_CHECKING:
    import pandas as pd


def request_kpis(records: Sequence, stats: RequestStats, duration: float) -> dict:
    totals = stats.totals()
    return {
        "issued": int(stats.issued_counts.sum()),
        "open_at_end": sum(totals["open"].values()),
        "outcomes": _by_class(totals["outcomes"]),
        "by_client": _by_client(totals["outcomes"]),
        "rejected_429_fraction": _fraction(totals["outcomes"], "too_many"),
        "peak_429_per_second": _peak_rate(stats, "too_many"),
        "latency_seconds": _latency(stats),
        "phases": phases(stats, duration),
        "max_queued": _series_peak(stats, ("read_queued_peak", "write_queued_peak")),
        "max_running": _series_peak(stats, ("read_running_peak", "write_running_peak")),
        "pulls": pull_kpis(records),
        "sessions": session_kpis(stats),
        "latency_knee": latency_knee(stats),
        "workloads_recovery_seconds": _workload_recovery(records),
    }


def _by_client(outcomes: dict[str, int]) -> dict:
    """Outcomes by class per client; the pruner only when it sent something (a run without
    the pruner reports the clients it always had)."""
    out = {}
    for c in Client:
        mine = {k: n for k, n in outcomes.items() if k.startswith(c.name.lower() + "/")}
        if mine or c != Client.PRUNE:
            out[c.name.lower()] = _by_class(mine)
    return out


def session_kpis(stats: RequestStats) -> dict:
    """Per client, its image pulls or pushes (one image each): how many succeeded and
    failed, and the p50/p99 seconds of the successful ones, as the client saw them."""
    stats.bin_sessions()
    out = {}
    for client in Client:
        ok, failed = stats.sessions.get((client, "ok"), 0), stats.sessions.get((client, "failed"), 0)
        if ok + failed == 0:
            continue
        figures = {"ok": ok, "failed": failed}
        if ok:
            p50, p99 = stats.quantiles_of(stats.session_seconds[client], (0.5, 0.99))
            figures.update({"p50_seconds": round(p50, 3), "p99_seconds": round(p99, 3)})
        out[client.name.lower()] = figures
    return out


KNEE_KIND, KNEE_FACTOR, KNEE_BASELINE_WINDOWS = "manifest_get", 2.0, 5


def latency_knee(stats: RequestStats) -> dict | None:
    """Where latency bends: the first `latency_every` window whose p99 manifest GET is
    more than twice the median p99 of the first five windows with traffic, with the
    requests answered per second then (None when it never bends)."""
    rows = stats.latency_series((0.99,))
    manifest = [(t, n, p99) for t, kind, n, p99 in rows if kind == KNEE_KIND]
    if len(manifest) <= KNEE_BASELINE_WINDOWS:
        return None
    baseline = float(np.median([p99 for _, _, p99 in manifest[:KNEE_BASELINE_WINDOWS]]))
    answered: dict[float, int] = {}
    for t, _, n, _ in rows:
        answered[t] = answered.get(t, 0) + n
    for t, _, p99 in manifest[KNEE_BASELINE_WINDOWS:]:
        if p99 > KNEE_FACTOR * baseline:
            return {"kind": KNEE_KIND, "at_seconds": t, "p99_seconds": round(p99, 6), "baseline_p99_seconds": round(baseline, 6),
                    "answered_per_second": round(answered[t] / stats.latency_every, 3)}
    return None


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
    counts = dict.fromkeys(CODE_CLASSES, 0)
    for key, n in outcomes.items():
        counts[CODE_CLASSES[CLASS_OF_CODE[int(key.rsplit("/", 1)[1])]]] += n
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
    import pandas as pd

    rows = [(i * stats.series_every, *row.tolist()) for i, row in sorted(stats.per_interval.items())]
    return pd.DataFrame(rows, columns=["time", *CODE_CLASSES])


def queue_frame(stats: RequestStats) -> pd.DataFrame:
    """Each registry pod's admitted and queued requests sampled every `series_every`, and
    each limiter's peaks over the interval before the sample."""
    import pandas as pd

    return pd.DataFrame(stats.series, columns=list(SERIES_COLUMNS))


def latency_frame(stats: RequestStats) -> pd.DataFrame:
    """Client-seen latency of the answered (2xx/3xx) requests per `latency_every` window of
    their end time and kind: how many, p50 and p99 (DDSketch, as `latency_seconds`)."""
    import pandas as pd

    frame = pd.DataFrame(stats.latency_series((0.5, 0.99)), columns=["time", "kind", "requests", "p50", "p99"])
    return frame.astype({"time": "float64", "kind": "str", "requests": "int64", "p50": "float64", "p99": "float64"})


def metrics_frame(samples: list) -> pd.DataFrame:
    """Every scraped sample: time, pod, metric, labels, value."""
    import pandas as pd

    rows = [(s.time, pod, s.metric, s.labels, s.value) for pod, s in samples]
    return pd.DataFrame(rows, columns=["time", "pod", "metric", "labels", "value"])
