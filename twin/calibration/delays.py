"""Per-kind delays (`traffic.service.delay`): the time a request takes in the registry that
is neither its CPU nor its storage calls — the Go scheduler handing the connection to a
goroutine, the access-log line, the file system around the storage calls. On a real
registry this floor is most of a small request's time: a manifest GET of 1 ms of which
0.35 ms is CPU and 0.02 ms storage (`docs/validation.md`).

Estimated per kind from the access log, at low load so that queueing adds nothing: the
median and 99th percentile of the kind's successful requests' durations in the quietest
intervals (those with at most the `QUIET` quantile of the window's requests per
interval), each less the kind's CPU demand and the medians of its storage operations (the twin's plan for the kind: what it
will draw; a kind whose storage operations the data does not time is not identified).
The intervals are percentile bootstraps. The p99 carries what makes small requests' tails
long at any load (garbage-collection pauses, the Go scheduler), which processor sharing
alone does not. A blob GET the
registry streams is left out: its floor is already in the `Reader` latency, the time to
its first byte (`calibrate.reader_latency`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.calibration.estimate import LEVEL, Estimate
from twin.model.registry.requests import Kind
from twin.model.registry.service import storage_ops

QUIET = 0.25
MIN_REQUESTS = 20
BOOTSTRAP = 400
ABSORBED = {"blob_get": "a streamed blob GET's floor is in the Reader latency (its time to first byte)"}


def fit_delays(requests: pd.DataFrame, interval: float, cpu: dict[str, Estimate],
               storage: dict[str, dict[str, Estimate]], seed: int = 0) -> dict[str, dict[str, Estimate] | Estimate]:
    """`delay.<kind>`: {"median", "p99"} for every kind with at least `MIN_REQUESTS`
    successful requests in the quiet intervals (and not in `ABSORBED`), or the Estimate
    that says why a kind's delay is not identified."""
    ok = requests[(requests["status"] // 100 == 2) & requests["kind"].isin([k.name.lower() for k in Kind])]
    if ok.empty:
        return {}
    quiet = ok[_quiet(requests, interval)[ok.index]]
    rng = np.random.default_rng(seed)
    out = {}
    for kind, group in quiet.groupby("kind", sort=True):
        if kind in ABSORBED or len(group) < MIN_REQUESTS:
            continue
        unknown = [op.name for op in storage_ops(Kind[kind.upper()], redirected=False) if op.name not in storage]
        if unknown:
            out[f"delay.{kind}"] = Estimate.unidentified(f"the latency of its storage operation(s) {', '.join(unknown)} "
                                                         f"is not in the data")
            continue
        spent = _cpu_of(kind, cpu) + _storage_of(Kind[kind.upper()], storage)
        out[f"delay.{kind}"] = _estimate(group["duration_seconds"].to_numpy(float), spent, rng)
    return out


def _quiet(requests: pd.DataFrame, interval: float) -> pd.Series:
    """Whether each request fell in one of the window's quietest intervals."""
    times = requests["time"].to_numpy(float)
    slot = np.floor((times - times.min()) / interval).astype(np.int64)
    counts = np.bincount(slot)
    busy = counts[counts > 0]
    threshold = np.quantile(busy, QUIET)
    return pd.Series(counts[slot] <= threshold, index=requests.index)


def _cpu_of(kind: str, cpu: dict[str, Estimate]) -> float:
    for name in (f"cpu.{kind}", "cpu_per_request"):
        e = cpu.get(name)
        if e is not None and e.identified:
            return float(e.value)
    return 0.0


def _storage_of(kind: Kind, storage: dict[str, dict[str, Estimate]]) -> float:
    """The calibrated medians of the storage operations the twin will draw for `kind`."""
    return sum(storage[op.name]["median"].value for op in storage_ops(kind, redirected=False))


def _estimate(durations: np.ndarray, spent: float, rng: np.random.Generator) -> dict[str, Estimate]:
    """The delay's median and p99: the durations' less `spent`, each with a bootstrap interval."""
    boots = rng.choice(durations, (BOOTSTRAP, len(durations)))
    how = (f"duration at low load ({len(durations)} requests) less CPU and storage medians ({spent * 1e3:.3g} ms)")
    median = _quantile(durations, boots, 0.5, spent, how + ", median")
    if median.value == 0.0:
        return {"median": median, "p99": median}
    p99 = _quantile(durations, boots, 0.99, spent, how + ", 99th percentile")
    if not p99.value > median.value:
        p99 = Estimate(median.value, median.low, median.high, how + ": no tail beyond the median, fixed")
    return {"median": median, "p99": p99}


def _quantile(durations: np.ndarray, boots: np.ndarray, q: float, spent: float, how: str) -> Estimate:
    value = float(np.quantile(durations, q)) - spent
    low, high = np.quantile(np.quantile(boots, q, axis=1), [(1 - LEVEL) / 2, (1 + LEVEL) / 2]) - spent
    if value <= 0:
        return Estimate(0.0, 0.0, max(float(high), 0.0), how + ": nothing beyond CPU and storage, fitted as 0")
    return Estimate(value, max(float(low), 0.0), float(high), how)
