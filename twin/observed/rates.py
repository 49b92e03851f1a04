"""Per-interval series a calibration fits, derived from a metrics frame (`samples.py`,
from `exposition.read_scrapes` or `queryrange.read_query_range`). Intervals are between
consecutive samples of the same series (scrape to scrape, or query_range steps).

Counters (`…_total`, `…_count`, `…_sum`, `…_bucket`): the increase over an interval is
`v1 - v0`, or `v1` when the value fell (a counter reset: the container restarted). This is
PromQL's correction in `rate()`/`increase()` (prometheus `promql/functions.go`
`extrapolatedRate`: "if the value decreased, add the value before the reset"); between two
samples it leaves exactly `v1`. `rate()` also extrapolates to its window's edges; here the
interval is the samples' own, so there is nothing to extrapolate.

Histogram quantiles: Prometheus' `histogram_quantile` (prometheus `promql/quantile.go`
`bucketQuantile`) on each interval's bucket increases: buckets sorted by `le`, equal
bounds merged, counts made monotonic; NaN without a `+Inf` bucket, with fewer than two
buckets or no observation; the rank `q × count(+Inf)`; a rank in the `+Inf` bucket gives
the highest finite bound; a rank in the first bucket interpolates from 0 (or returns its
bound if that is ≤ 0); otherwise linear interpolation inside the bucket holding the rank.

Summaries (the OpenShift registry has no histograms, `spec/registry-operator.md` §5):
their quantiles are client-side over the last 10 minutes, passed through as sampled
(`summary_quantiles`); their `_sum`/`_count` give the interval's mean (`mean_durations`).

Kinds: the upstream registry labels requests by route (`handler`), so each gets a kind
(`routes.HANDLER_KIND`); the OpenShift registry's `imageregistry_http_*` carry only
`method` (and `code`): their `kind` is "" and per-kind figures must come from the access
log.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from twin.observed import routes

REQUESTS = ("registry_http_requests_total", "imageregistry_http_requests_total")
DURATIONS = ("registry_http_request_duration_seconds", "registry_storage_action_seconds",
             "imageregistry_http_request_duration_seconds", "imageregistry_storage_duration_seconds",
             "imageregistry_request_duration_seconds")
IN_FLIGHT = ("registry_http_in_flight_requests", "imageregistry_http_in_flight_requests")
CPU = ("process_cpu_seconds_total", "container_cpu_usage_seconds_total")
MEMORY = ("process_resident_memory_bytes", "container_memory_working_set_bytes")


def increases(frame: pd.DataFrame, metrics=None) -> pd.DataFrame:
    """One row per interval of every counter series (of `metrics` if given): pod, metric,
    labels, start, end, increase (reset-corrected), reset."""
    df = frame if metrics is None else frame[frame["metric"].isin(metrics)]
    if df.empty:
        return pd.DataFrame(columns=["pod", "metric", "labels", "start", "end", "increase", "reset"])
    series = df.groupby(["pod", "metric", "labels"], sort=False).ngroup().to_numpy()
    order = np.lexsort((df["time"].to_numpy(), series))
    sid, time, value = series[order], df["time"].to_numpy()[order], df["value"].to_numpy()[order]
    same = np.r_[False, sid[1:] == sid[:-1]]
    prev = np.r_[np.nan, value[:-1]]
    reset = same & (value < prev)
    out = df.iloc[order][["pod", "metric", "labels"]].assign(
        start=np.r_[np.nan, time[:-1]], end=time, increase=np.where(reset, value, value - prev), reset=reset)
    return out[same].reset_index(drop=True)


def _label_columns(df: pd.DataFrame, names) -> pd.DataFrame:
    for name in names:
        df[name] = [dict(labels).get(name, "") for labels in df["labels"]]
    return df


def request_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Requests per second per interval and (pod, handler, method, code): start, end, pod,
    metric, handler ("" for the OpenShift registry), method, code, kind, increase, rate."""
    df = _label_columns(increases(frame, REQUESTS), ("handler", "method", "code"))
    df["kind"] = [routes.handler_kind(h, m) if h else "" for h, m in zip(df["handler"], df["method"])]
    df["rate"] = df["increase"] / (df["end"] - df["start"])
    return df.drop(columns=["labels", "reset"])


def mean_durations(frame: pd.DataFrame, families=DURATIONS) -> pd.DataFrame:
    """Per interval and child of a histogram or summary: count (observations in the
    interval), rate (per second), mean_seconds (Δsum / Δcount; NaN without observations),
    the child's labels as `labels` and `kind` for upstream requests."""
    names = [f + "_sum" for f in families] + [f + "_count" for f in families]
    inc = increases(frame, names)
    if inc.empty:
        return pd.DataFrame(columns=["start", "end", "pod", "family", "labels", "kind", "count", "rate", "mean_seconds"])
    inc["family"] = inc["metric"].str.replace(r"_(sum|count)$", "", regex=True)
    inc["part"] = np.where(inc["metric"].str.endswith("_sum"), "sum", "count")
    wide = inc.pivot_table(index=["start", "end", "pod", "family", "labels"], columns="part", values="increase",
                           aggfunc="first", observed=True).reset_index()
    wide["rate"] = wide["count"] / (wide["end"] - wide["start"])
    wide["mean_seconds"] = np.where(wide["count"] > 0, wide["sum"] / wide["count"].where(wide["count"] > 0), np.nan)
    wide["kind"] = [_kind_of(f, dict(l)) for f, l in zip(wide["family"], wide["labels"])]
    return wide[["start", "end", "pod", "family", "labels", "kind", "count", "rate", "mean_seconds"]]


def _kind_of(family: str, labels: dict) -> str:
    if family == "registry_http_request_duration_seconds":
        return routes.handler_kind(labels.get("handler", ""), labels.get("method", ""))
    return ""


def bucket_quantile(q: float, bounds, counts) -> float:
    """Prometheus `bucketQuantile` on cumulative bucket counts with upper bounds `bounds`
    (`math.inf` for `+Inf`)."""
    if math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    buckets = sorted(zip(map(float, bounds), map(float, counts)))
    if not buckets or not math.isinf(buckets[-1][0]):
        return math.nan
    merged: list[list[float]] = []
    for bound, count in buckets:  # coalesceBuckets: equal bounds add up
        if merged and merged[-1][0] == bound:
            merged[-1][1] += count
        else:
            merged.append([bound, count])
    for i in range(1, len(merged)):  # ensureMonotonic
        merged[i][1] = max(merged[i][1], merged[i - 1][1])
    if len(merged) < 2 or merged[-1][1] == 0:
        return math.nan
    rank = q * merged[-1][1]
    b = next((i for i in range(len(merged) - 1) if merged[i][1] >= rank), len(merged) - 1)  # sort.Search
    if b == len(merged) - 1:
        return merged[-2][0]
    if b == 0 and merged[0][0] <= 0:
        return merged[0][0]
    start, end, count = 0.0, merged[b][0], merged[b][1]
    if b > 0:
        start = merged[b - 1][0]
        count -= merged[b - 1][1]
        rank -= merged[b - 1][1]
    return start + (end - start) * (rank / count)


def histogram_quantiles(frame: pd.DataFrame, quantiles=(0.5, 0.9, 0.99)) -> pd.DataFrame:
    """Per interval and histogram child: the quantiles of the observations made in the
    interval, from the bucket increases (`histogram_quantile(q, increase(…_bucket))`)."""
    inc = increases(frame, [m for m in frame["metric"].unique() if m.endswith("_bucket")])
    if inc.empty:
        return pd.DataFrame(columns=["start", "end", "pod", "family", "labels", "kind", "count", "quantile", "value"])
    inc["family"] = inc["metric"].str.removesuffix("_bucket")
    inc["le"] = [float(dict(l)["le"]) for l in inc["labels"]]
    inc["labels"] = [tuple(p for p in l if p[0] != "le") for l in inc["labels"]]
    rows = []
    for (start, end, pod, family, labels), g in inc.groupby(["start", "end", "pod", "family", "labels"], sort=True):
        bounds, counts = g["le"].to_numpy(), g["increase"].to_numpy()
        total = counts[np.isinf(bounds)].sum() if np.isinf(bounds).any() else math.nan
        kind = _kind_of(family, dict(labels))
        for q in quantiles:
            rows.append((start, end, pod, family, labels, kind, total, q, bucket_quantile(q, bounds, counts)))
    return pd.DataFrame(rows, columns=["start", "end", "pod", "family", "labels", "kind", "count", "quantile", "value"])


def summary_quantiles(frame: pd.DataFrame) -> pd.DataFrame:
    """The summaries' own quantile samples: time, pod, family, labels (without quantile),
    quantile, value."""
    has_q = [any(k == "quantile" for k, _ in l) for l in frame["labels"]]
    df = frame[has_q].copy()
    df["quantile"] = [float(dict(l)["quantile"]) for l in df["labels"]]
    df["labels"] = [tuple(p for p in l if p[0] != "quantile") for l in df["labels"]]
    return df.rename(columns={"metric": "family"})[["time", "pod", "family", "labels", "quantile", "value"]]


def in_flight(frame: pd.DataFrame) -> pd.DataFrame:
    """Requests in flight per (time, pod), summed over the upstream's handlers."""
    df = frame[frame["metric"].isin(IN_FLIGHT)]
    return df.groupby(["time", "pod"], as_index=False)["value"].sum().rename(columns={"value": "in_flight"})


def cpu_cores(frame: pd.DataFrame) -> pd.DataFrame:
    """CPU cores used per interval and pod: the rate of process_cpu_seconds_total (a
    scrape) or container_cpu_usage_seconds_total (cAdvisor, a query_range export)."""
    df = increases(frame, CPU)
    df["cores"] = df["increase"] / (df["end"] - df["start"])
    return df[["start", "end", "pod", "metric", "cores"]]


def memory(frame: pd.DataFrame) -> pd.DataFrame:
    """Memory per (time, pod): process_resident_memory_bytes or
    container_memory_working_set_bytes."""
    df = frame[frame["metric"].isin(MEMORY)]
    return df[["time", "pod", "metric", "value"]].rename(columns={"value": "bytes"}).reset_index(drop=True)
