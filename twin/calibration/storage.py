"""Storage-operation latencies: the twin's log-normal `storage_latency` per operation
({median, p99}) from the registry's own storage metrics, per action:

* the upstream registry's `registry_storage_action_seconds` histogram (`driver`,
  `action`; distribution `registry/storage/driver/base` instruments every `StorageDriver`
  call), whose `_sum / _count` is the exact mean and whose buckets give the p99
  (`histogram_quantile`, coarse: its first bucket ends at 5 ms);
* the OpenShift registry's `imageregistry_storage_duration_seconds` summary
  (`operation`), whose 0.5 and 0.99 quantiles are its own (over its last 10 minutes).

A log-normal with mean m and 99th percentile q has σ = z − √(z² − 2 ln(q/m)) (z = 2.326,
the smaller root) and median m·e^(−σ²/2); when the p99 is not above the mean or the
histogram cannot resolve it (the p99 falls in the first bucket), σ is the twin's default
ratio for that operation and the median follows from the mean. The mean's interval is
Student's t over the intervals' means (weighted equally), carried to the median.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from twin.calibration.estimate import LEVEL, Estimate
from twin.model.registry.service import DEFAULT_STORAGE_LATENCY, StorageOp
from twin.observed import rates

Z99 = 2.3263478740408408
HISTOGRAM = "registry_storage_action_seconds"
SUMMARY = "imageregistry_storage_duration_seconds"
FIRST_BUCKET = 0.005
MIN_OBSERVATIONS = 20


def fit_storage_latency(samples: pd.DataFrame) -> dict[str, dict[str, Estimate]]:
    """{operation: {"median": Estimate, "p99": Estimate}} for every twin operation the
    metrics observed; operations they never saw are absent (the caller names them)."""
    out: dict[str, dict[str, Estimate]] = {}
    means = rates.mean_durations(samples, (HISTOGRAM, SUMMARY))
    if means.empty:
        return out
    means["operation"] = [_operation(dict(labels)) for labels in means["labels"]]
    p99_samples = _summary_p99s(samples)
    p99s = _p99s(samples, p99_samples)
    for operation, rows in means.groupby("operation"):
        if operation not in StorageOp.__members__:
            continue
        rows = rows[rows["count"] > 0]
        count = float(rows["count"].sum())
        if count < MIN_OBSERVATIONS:
            continue
        mean = float((rows["mean_seconds"] * rows["count"]).sum() / count)
        low, high = _mean_interval(rows["mean_seconds"].to_numpy(), mean)
        sigma, how = _sigma(operation, mean, p99s.get(operation))
        shrink = math.exp(-sigma**2 / 2)
        low, high = _with_sigma_spread(low, high, mean, operation, p99_samples.get(operation), shrink)
        p99 = mean * shrink * math.exp(Z99 * sigma)
        out[operation] = {"median": Estimate(mean * shrink, _scaled(low, shrink), _scaled(high, shrink),
                                             f"mean from _sum/_count, σ {how}"),
                          "p99": Estimate(p99, _scaled(low, p99 / mean), _scaled(high, p99 / mean),
                                          f"log-normal with that median, σ {how}")}
    return out


def _summary_p99s(samples: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each scrape's own p99 of the OpenShift registry's summary, per operation."""
    summary_samples = samples[samples["metric"] == SUMMARY]
    if summary_samples.empty:
        return {}
    summary = rates.summary_quantiles(summary_samples)
    summary = summary[(summary["quantile"] == 0.99) & summary["value"].notna()]
    return {op: rows["value"].to_numpy() for op, rows in
            summary.assign(operation=[_operation(dict(l)) for l in summary["labels"]]).groupby("operation")}


def _with_sigma_spread(low, high, mean: float, operation: str, p99s: np.ndarray | None, shrink: float):
    """Widen the median's interval (on the mean's scale) by the σ the scrapes' own p99s
    imply, 2.5th to 97.5th percentile: the spread's uncertainty, not only the mean's."""
    if p99s is None or len(p99s) < 2 or low is None:
        return low, high
    implied = [math.exp(-_sigma(operation, mean, q)[0] ** 2 / 2) for q in np.quantile(p99s, [0.025, 0.975])]
    return min(low, mean * min(implied) / shrink), max(high, mean * max(implied) / shrink)


def _operation(labels: dict) -> str:
    return labels.get("action") or labels.get("operation", "").removeprefix("StorageDriver.")


def _p99s(samples: pd.DataFrame, summary_p99s: dict[str, np.ndarray]) -> dict[str, float]:
    """Per operation: the median of the summary's own p99s, or the histogram's p99 over
    the window when it resolves one."""
    out = {operation: float(np.median(values)) for operation, values in summary_p99s.items()}
    buckets = samples[samples["metric"] == HISTOGRAM + "_bucket"]
    if not buckets.empty:
        inc = rates.increases(buckets)
        inc["le"] = [float(dict(l)["le"]) for l in inc["labels"]]
        inc["operation"] = [_operation(dict(l)) for l in inc["labels"]]
        for operation, rows in inc.groupby("operation"):
            total = rows.groupby("le")["increase"].sum()
            value = rates.bucket_quantile(0.99, total.index.to_numpy(), total.to_numpy())
            if math.isfinite(value) and value > FIRST_BUCKET:
                out[operation] = value
    return out


def _sigma(operation: str, mean: float, p99: float | None) -> tuple[float, str]:
    if p99 is not None and p99 > mean:
        disc = Z99**2 - 2 * math.log(p99 / mean)
        if disc >= 0:
            return Z99 - math.sqrt(disc), "from the p99 and the mean"
    return default_sigma(operation), "the twin's default (the metrics do not resolve this operation's p99)"


def default_sigma(operation: str) -> float:
    default = DEFAULT_STORAGE_LATENCY[StorageOp[operation]]
    return math.log(default.p99 / default.median) / Z99


def _scaled(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def _mean_interval(means: np.ndarray, mean: float) -> tuple[float | None, float | None]:
    """None, None from a single interval: one mean has no spread to show."""
    means = means[np.isfinite(means)]
    if len(means) < 2:
        return None, None
    half = stats.t.ppf(0.5 + LEVEL / 2, len(means) - 1) * means.std(ddof=1) / math.sqrt(len(means))
    return max(mean - half, 0.0), mean + half
