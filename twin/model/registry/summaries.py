"""Prometheus summaries as client_golang computes them (`spec/registry-operator.md` §5), with
the quantile estimator swapped for DDSketch and every observation path vectorised.

What is reproduced exactly (client_golang `prometheus/summary.go`):

* the age buckets: MaxAge 10 min, AgeBuckets 5, so 5 streams of which one (the "head") is
  read at scrape time; every observation goes into all 5 streams; the head is reset and the
  next stream becomes head each time a `streamDuration` (MaxAge / AgeBuckets = 2 min)
  expires, counted from the child's creation (`newSummary`: `headStreamExpTime =
  now + streamDuration`; `swapBufs` + `maybeRotateStreams`). So the quantiles describe the
  observations of the last 8 to 10 minutes;
* `_sum` and `_count` are cumulative over the process lifetime;
* quantiles of an empty head stream are NaN (`summary.Write`).

What is approximated (fidelity limit): client_golang estimates quantiles with CKMS
(`perks/quantile`, objectives {0.5: 0.05, 0.9: 0.01, 0.99: 0.001}, a *rank* error). Here
each stream is a dense DDSketch store: `ddsketch.LogarithmicMapping` with 1 % relative
accuracy, so a quantile is within 1 % of the *value* of the true order statistic
`sorted[floor(q (n - 1))]` (DDSketch's `get_quantile_value`), not within a rank band.
Values from 1 ns-scale (1e-9) to 1e13 have their own bins; smaller positive values collapse
into the lowest bin and larger ones into the highest (DDSketch's collapsing stores do the
same), values <= `min_possible` (0 and negatives) count in the zero bin and read as 0.
Memory per child is fixed: 5 x `BINS` int64 counters (about 100 KiB).

Observations are binned with numpy (`bin_index`: the mapping's `key()` vectorised, tested
equal to `LogarithmicMapping.key`), grouped by child with one `np.bincount`, and added to
the streams as whole count vectors: no Python call per observation.
"""

from __future__ import annotations

import math

import numpy as np
from ddsketch.mapping import LogarithmicMapping

RELATIVE_ACCURACY = 0.01
MAX_AGE = 600.0  # client_golang DefMaxAge, 10 min
AGE_BUCKETS = 5  # client_golang DefAgeBuckets
OBJECTIVES = (0.5, 0.9, 0.99)  # IR prometheus.go; the error targets are CKMS-only (see module docstring)

MAPPING = LogarithmicMapping(RELATIVE_ACCURACY)
MIN_TRACKED, MAX_TRACKED = 1e-9, 1e13
KEY_LOW, KEY_HIGH = MAPPING.key(MIN_TRACKED), MAPPING.key(MAX_TRACKED)
BINS = KEY_HIGH - KEY_LOW + 2
"""Dense bins per stream: bin 0 counts zeros, bin i >= 1 holds mapping key KEY_LOW + i - 1."""
BIN_VALUES = np.array([0.0] + [MAPPING.value(k) for k in range(KEY_LOW, KEY_HIGH + 1)])
"""What a bin reads as: the library's `mapping.value(key)`, 0 for the zero bin."""

_LN2 = math.log(2)


def sketch_keys(values: np.ndarray) -> np.ndarray:
    """`LogarithmicMapping.key` for every value > `MAPPING.min_possible`, vectorised:
    `int(ceil(log(v, 2) * multiplier) + offset)`, where CPython's `math.log(v, 2)` is
    `log(v) / log(2)`. Values <= min_possible have no key (DDSketch counts them as zero)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.ceil(np.log(values) / _LN2 * MAPPING._multiplier) + MAPPING._offset
    return raw.astype(np.int64)


def bin_index(values: np.ndarray) -> np.ndarray:
    """The dense bin of each value: 0 for values <= min_possible (`BaseDDSketch.add`'s zero
    count), else its key clamped to [KEY_LOW, KEY_HIGH], shifted by one. NaN must be dropped
    before (it has no bin)."""
    values = np.asarray(values, dtype=np.float64)
    positive = values > MAPPING.min_possible
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.ceil(np.log(np.where(positive, values, 1.0)) / _LN2 * MAPPING._multiplier) + MAPPING._offset
    bins = np.clip(raw, KEY_LOW, KEY_HIGH).astype(np.int64) - (KEY_LOW - 1)
    return np.where(positive, bins, 0)


def grouped_bins(groups: np.ndarray, values: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bin counts (n_groups, BINS), value sums (n_groups,) and observation counts (n_groups,)
    of `values` split by `groups` (ints in [0, n_groups)), in three bincounts."""
    flat = groups.astype(np.int64) * BINS + bin_index(values)
    counts = np.bincount(flat, minlength=n_groups * BINS).reshape(n_groups, BINS)
    sums = np.bincount(groups, weights=values, minlength=n_groups)
    return counts, sums, counts.sum(axis=1)


def quantile_values(counts: np.ndarray, quantiles: tuple[float, ...] = OBJECTIVES) -> tuple[float, ...]:
    """DDSketch's `get_quantile_value` over a dense store: rank q (n - 1), the first bin whose
    cumulative count exceeds it, read through `mapping.value`. NaN for an empty store."""
    cumulative = np.cumsum(counts)
    total = int(cumulative[-1])
    if total == 0:
        return tuple(math.nan for _ in quantiles)
    ranks = np.asarray(quantiles, dtype=np.float64) * (total - 1)
    return tuple(float(v) for v in BIN_VALUES[np.searchsorted(cumulative, ranks, side="right")])


class AgedSummary:
    """One summary child (one label set) with client_golang's age buckets.

    Time is simulated seconds and must not go backwards. `created` is when the child came
    to be: a `SummaryVec` creates a child at its first `WithLabelValues`, i.e. at its first
    observation, and the first stream expires `streamDuration` later.
    """

    __slots__ = ("created", "count", "sum", "_duration", "_streams", "_head", "_expiries")

    def __init__(self, created: float, *, max_age: float = MAX_AGE, age_buckets: int = AGE_BUCKETS):
        self.created = created
        self.count = 0
        self.sum = 0.0
        self._duration = max_age / age_buckets
        self._streams = np.zeros((age_buckets, BINS), dtype=np.int64)
        self._head = 0
        self._expiries = 1  # headStreamExpTime = created + _expiries * streamDuration

    def _expiry(self, k: int) -> float:
        return self.created + k * self._duration

    def _rotate(self, now: float) -> None:
        """`swapBufs(now)`: `for now.After(hotBufExpTime) { hotBufExpTime += streamDuration }`,
        then `maybeRotateStreams`: until headStreamExpTime catches up, reset the head stream,
        make the next one head and add streamDuration. Steps beyond one full turn only reset
        streams already empty, so at most `age_buckets` resets are done."""
        target = max(self._expiries, math.ceil((now - self.created) / self._duration))
        while now > self._expiry(target):
            target += 1
        while target > self._expiries and now <= self._expiry(target - 1):
            target -= 1
        steps, n = target - self._expiries, len(self._streams)
        for i in range(min(steps, n)):
            self._streams[(self._head + i) % n] = 0
        self._head = (self._head + steps) % n
        self._expiries = target

    def add(self, now: float, counts: np.ndarray, total: float, n: int) -> None:
        """Observe a batch at `now` given as its bin counts, value sum and size: into every
        stream (`flushColdBuf`), after the rotation due at `now`."""
        self._rotate(now)
        self._streams += counts
        self.count += int(n)
        self.sum += float(total)

    def observe(self, now: float, values: np.ndarray) -> None:
        """Observe raw values at `now` (NaN excluded by the caller)."""
        values = np.asarray(values, dtype=np.float64)
        self.add(now, np.bincount(bin_index(values), minlength=BINS), float(values.sum()), values.size)

    def quantiles(self, now: float, quantiles: tuple[float, ...] = OBJECTIVES) -> tuple[float, ...]:
        """The head stream's quantiles at `now` (`summary.Write`: rotate, then query the head)."""
        self._rotate(now)
        return quantile_values(self._streams[self._head], quantiles)
