"""The object store's request-rate ceilings and the storage driver's retries.

Amazon S3 supports "at least 3,500 PUT/COPY/POST/DELETE or 5,500 GET/HEAD requests per
second per partitioned Amazon S3 prefix"; above that it answers `503 Slow Down` while
it scales to the new rate (AWS S3 User Guide, "Best practices design patterns:
optimizing Amazon S3 performance"; `spec/capacity.md` §5). The twin keeps one token
bucket per request class (reads: GET, HEAD and LIST; writes: PUT, COPY, POST, DELETE)
holding one second of the class's rate times the bucket's partitions. A request finding
the bucket empty is throttled. While throttling lasts, S3 scales: after `split_after`
seconds of it the partitions double (up to `max_partitions`), so a step up in load
costs a transient burst of 503s rather than a permanent ceiling. AWS publishes neither
the scaling delay nor how far a bucket splits by itself: both are parameters.

The registry's S3 driver (aws-sdk-go v1, `spec/capacity.md` §4) retries a throttled
request up to `DefaultRetryerMaxNumRetries` = 3 times, sleeping `2^k x 500 ms` with
jitter in `[d, 2d)` (`aws/client/default_retryer.go`: `DefaultMinThrottleDelay` 500 ms,
a 503 counts as a throttle); after the fourth 503 the operation fails and the registry
answers the client with an error (`imageregistry_storage_errors_total` counts it).

What each storage-driver operation asks of S3 (`driver/s3-aws/s3.go`): `Stat` one
`ListObjectsV2`, `GetContent` and `Reader` one `GetObject`, `PutContent` one
`PutObject`, `Writer` a `CreateMultipartUpload` or an `UploadPart` per chunk, `Move` a
`CopyObject` and a `DeleteObject`, `URLFor` nothing (it signs locally).
"""

from __future__ import annotations

from typing import Final

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

READ: Final = 0
WRITE: Final = 1
QUIET: Final = 60.0
"""Seconds without a throttle that end a spell of throttling (and restart the count to a split)."""


class S3Request(IntEnum):
    """The class of each S3 API call a driver operation makes (READ or WRITE)."""

    GET = READ
    PUT = WRITE


@dataclass(frozen=True, slots=True)
class ObjectStoreParams:
    read_rate: float = 5500.0  # GET/HEAD/LIST per second per partition
    write_rate: float = 3500.0  # PUT/COPY/POST/DELETE per second per partition
    partitions: int = 1  # partitions at the start (a bucket S3 has not split yet)
    max_partitions: int = 256  # the blob keys spread over 256 two-hex-digit prefixes
    split_after: float = 300.0  # seconds of sustained throttling before S3 doubles the partitions
    max_retries: int = 3  # aws-sdk-go DefaultRetryerMaxNumRetries
    throttle_delay: float = 0.5  # aws-sdk-go DefaultMinThrottleDelay
    max_delay: float = 300.0  # aws-sdk-go DefaultMaxThrottleDelay

    def __post_init__(self):
        if not (self.read_rate > 0 and self.write_rate > 0):
            raise ValueError("expected positive request rates")
        if not 1 <= self.partitions <= self.max_partitions:
            raise ValueError(f"partitions: expected 1 <= partitions <= max_partitions, got {self.partitions!r}")
        if self.split_after < 0 or self.max_retries < 0 or self.throttle_delay < 0:
            raise ValueError("split_after, max_retries and throttle_delay: expected values >= 0")


class TokenBucket:
    """`rate` tokens per second, holding at most one second's worth."""

    __slots__ = ("rate", "tokens", "clock")

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = rate
        self.clock = 0.0

    def take(self, t: float) -> bool:
        if t > self.clock:
            self.tokens = min(self.rate, self.tokens + (t - self.clock) * self.rate)
            self.clock = t
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def rescale(self, rate: float) -> None:
        self.tokens *= rate / self.rate
        self.rate = rate


class ObjectStore:
    """The bucket every registry pod and client shares."""

    def __init__(self, params: ObjectStoreParams, rng: np.random.Generator) -> None:
        self.params = params
        self.partitions = params.partitions
        self.buckets = (TokenBucket(params.read_rate * self.partitions), TokenBucket(params.write_rate * self.partitions))
        self.rng = rng
        self.requests = [0, 0]  # S3 calls made, by class
        self.throttled = [0, 0]  # of which answered 503 Slow Down
        self.throttled_since: float | None = None
        self.last_throttle = -np.inf
        self.splits: list[tuple[float, int]] = []  # (time, partitions after the split)
        self.first_throttle: float | None = None

    def take(self, t: float, klass: int, n: int) -> bool:
        """`n` calls at `t` if the bucket holds them all (the common case, no throttling);
        False, taking nothing, otherwise (then make them one by one with `call`)."""
        bucket = self.buckets[klass]
        if t > bucket.clock:
            tokens = bucket.tokens + (t - bucket.clock) * bucket.rate
            bucket.tokens = tokens if tokens < bucket.rate else bucket.rate
            bucket.clock = t
        if bucket.tokens >= n:
            bucket.tokens -= n
            self.requests[klass] += n
            return True
        return False

    def call(self, t: float, klass: int) -> bool:
        """One S3 call at `t`: True if served, False if answered 503 Slow Down."""
        self.requests[klass] += 1
        if self.buckets[klass].take(t):
            return True
        self.throttled[klass] += 1
        self._note_throttle(t)
        return False

    def _note_throttle(self, t: float) -> None:
        p = self.params
        if self.first_throttle is None:
            self.first_throttle = t
        if self.throttled_since is None or t - self.last_throttle > QUIET:
            self.throttled_since = t
        self.last_throttle = max(self.last_throttle, t)
        if t - self.throttled_since >= p.split_after and self.partitions < p.max_partitions:
            self.partitions = min(self.partitions * 2, p.max_partitions)
            for bucket, rate in zip(self.buckets, (p.read_rate, p.write_rate)):
                bucket.rescale(rate * self.partitions)
            self.splits.append((t, self.partitions))
            self.throttled_since = t

    def with_retries(self, t: float, klass: int, latency: float) -> tuple[float, bool]:
        """An S3 call as the driver's SDK makes it, from `t`: (seconds until it succeeded
        or was given up, whether it succeeded)."""
        if self.call(t, klass):
            return 0.0, True
        return self.after_throttle(t, klass, latency)

    def after_throttle(self, t: float, klass: int, latency: float) -> tuple[float, bool]:
        """The retries after a first attempt at `t` was throttled: each throttled attempt
        costs `latency` (the 503's round trip) and the retryer's sleep."""
        elapsed = latency
        for retry in range(self.params.max_retries):
            elapsed += self.retry_delay(retry)
            if self.call(t + elapsed, klass):
                return elapsed, True
            elapsed += latency
        return elapsed, False

    def retry_delay(self, retry: int) -> float:
        """aws-sdk-go `DefaultRetryer.RetryRules` for a throttle: 2^retry x 500 ms with jitter in [d, 2d), capped."""
        p = self.params
        d = p.throttle_delay * (1 << retry)
        if d > p.max_delay:
            d = p.max_delay / 2
        return d + float(self.rng.random()) * d
