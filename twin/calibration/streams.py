"""How fast one streamed blob goes: the durations of successful blob GETs the registry
served itself (no redirect) against their bytes, duration = a + bytes / B, fitted by the
Theil–Sen estimator (the median of pairwise slopes: robust to the slow outliers a busy
moment leaves in a log), with its confidence interval (`scipy.stats.theilslopes`); at most
`SAMPLE` blobs, drawn with a seeded generator. `B` is the twin's `storage_stream_bandwidth`
(one stream's ceiling: the storage read, the pod's copy and the client's read together);
`a` the time before the first byte: the storage `Reader` call and the request's CPU
before it (the caller takes the CPU out).

Not identified when fewer than `MIN_BLOBS` were streamed, when they are all about one
size (no slope to see), or when durations do not grow with the bytes.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from twin.calibration.estimate import LEVEL, Estimate

MIN_BLOBS = 30
SAMPLE = 2000


def fit_stream_bandwidth(nbytes: np.ndarray, seconds: np.ndarray, seed: int = 0) -> Estimate:
    return fit_streams(nbytes, seconds, seed)[0]


def fit_streams(nbytes: np.ndarray, seconds: np.ndarray, seed: int = 0) -> tuple[Estimate, Estimate]:
    """(bandwidth B in bytes/s, first byte a in seconds): duration = a + bytes / B."""
    nbytes, seconds = np.asarray(nbytes, float), np.asarray(seconds, float)
    keep = (nbytes > 0) & np.isfinite(seconds) & (seconds > 0)
    nbytes, seconds = nbytes[keep], seconds[keep]
    if len(nbytes) < MIN_BLOBS:
        why = f"{len(nbytes)} streamed blob GET(s) with a duration, at least {MIN_BLOBS} needed"
        return Estimate.unidentified(why), Estimate.unidentified(why)
    if np.ptp(np.log(nbytes)) < np.log(4):
        why = "the streamed blobs are all about one size: no slope of time against bytes"
        return Estimate.unidentified(why), Estimate.unidentified(why)
    if len(nbytes) > SAMPLE:
        pick = np.random.default_rng(seed).choice(len(nbytes), SAMPLE, replace=False)
        nbytes, seconds = nbytes[pick], seconds[pick]
    slope, _, low, high = stats.theilslopes(seconds, nbytes, alpha=LEVEL)
    first = _first_byte(nbytes, seconds, slope)
    if not low > 0:
        return Estimate.unidentified("durations do not clearly grow with the bytes: the transfer time is below what "
                                     "the log resolves"), first
    return Estimate(float(1 / slope), float(1 / high), float(1 / low), "Theil-Sen slope of duration on bytes"), first


def _first_byte(nbytes: np.ndarray, seconds: np.ndarray, slope: float) -> Estimate:
    """The median residual (a robust intercept), with the distribution-free interval of a
    median from its order statistics."""
    return residual_quantile(np.sort(seconds - slope * nbytes), 0.5,
                             "median of duration less bytes over the Theil-Sen bandwidth (time before the first byte), "
                             "order-statistic interval")


def first_byte_p99(nbytes: np.ndarray, seconds: np.ndarray, bandwidth: Estimate) -> Estimate:
    """The 99th percentile of the time before the first byte (durations less the transfer
    at the fitted bandwidth), with its order-statistic interval."""
    nbytes, seconds = np.asarray(nbytes, float), np.asarray(seconds, float)
    keep = (nbytes > 0) & np.isfinite(seconds) & (seconds > 0)
    if not bandwidth.identified or keep.sum() < 100:
        return Estimate.unidentified("fewer than 100 streamed blob GETs: no 99th percentile to read")
    residuals = np.sort(seconds[keep] - nbytes[keep] / bandwidth.value)
    return residual_quantile(residuals, 0.99, "99th percentile of duration less the transfer, order-statistic interval")


def residual_quantile(residuals: np.ndarray, q: float, method: str) -> Estimate:
    """Quantile `q` of sorted values with the distribution-free interval of ranks
    n·q ± 1.96·√(n·q·(1 − q))."""
    n = len(residuals)
    half = 1.96 * np.sqrt(n * q * (1 - q))
    low, high = residuals[max(int(n * q - half), 0)], residuals[min(int(np.ceil(n * q + half)), n - 1)]
    value = float(np.quantile(residuals, q))
    return Estimate(max(value, 0.0), max(float(low), 0.0), max(float(high), 0.0), method)
