"""Scheduled image imports: the rules of openshift-controller-manager's scheduled image
stream controller (openshift/openshift-controller-manager at 26d20fea).

* defaults (`pkg/cmd/openshift-controller-manager/openshiftcontrolplane_config.go`):
  `MaxScheduledImageImportsPerMinute` 60, `ScheduledImageImportMinimumIntervalSeconds`
  900 (the resync), 4 default buckets;
* `pkg/image/controller/factory.go`: `Buckets()` doubles the bucket count for a resync
  over an hour and halves it under 10 minutes; `BucketsToQPS()` = buckets / resync
  seconds (the scheduler's bucket limiter, burst 1); `GetRateLimiter()`: a token bucket of
  `max/60` per second with a burst of `2 × max` (no limit when max <= 0);
* `pkg/image/controller/scheduler.go`: `newScheduler` makes buckets + 1 buckets; `Add`
  puts a stream in the emptiest bucket other than the current one (an empty one first,
  searching from the one before the current backwards); `RunOnce` handles the current
  bucket's streams one after the other (each moved to the bucket before, so it comes up
  again one round later), and when it is empty advances and waits for the bucket
  limiter: a stream is imported once per resync;
* `scheduled_image_controller.go` `syncTimed`: a stream the token bucket refuses
  (`TryAccept`) is skipped until its next turn.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_IMPORTS_PER_MINUTE = 60
MINIMUM_INTERVAL_SECONDS = 900.0
DEFAULT_BUCKETS = 4


def bucket_count(resync: float, default: int = DEFAULT_BUCKETS) -> int:
    """`ScheduledImageStreamControllerOptions.Buckets`."""
    if resync > 3600:
        return default * 2
    if resync < 600:
        return default // 2
    return default


def bucket_interval(resync: float, default: int = DEFAULT_BUCKETS) -> float:
    """Seconds between the scheduler's bucket advances: 1 / `BucketsToQPS()`."""
    return resync / bucket_count(resync, default)


@dataclass(frozen=True, slots=True)
class TokenBucketRule:
    """`GetRateLimiter`: rate and burst of the import token bucket."""

    rate: float
    burst: int

    @classmethod
    def of(cls, per_minute: int) -> TokenBucketRule | None:
        if per_minute <= 0:
            return None
        return cls(per_minute / 60.0, per_minute * 2)


class TokenBucket:
    """client-go `flowcontrol.NewTokenBucketRateLimiter`: starts full; `try_accept`
    takes a token if one is there."""

    __slots__ = ("rate", "burst", "tokens", "last")

    def __init__(self, rule: TokenBucketRule, now: float = 0.0) -> None:
        self.rate = rule.rate
        self.burst = rule.burst
        self.tokens = float(rule.burst)
        self.last = now

    def try_accept(self, now: float) -> bool:
        self.tokens = min(float(self.burst), self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Scheduler:
    """`scheduler.go`, with the streams as names: `add`, then `step()` gives the next
    stream to handle, or None when the scheduler advanced to the next bucket (the caller
    then waits `bucket_interval`)."""

    def __init__(self, buckets: int) -> None:
        self.buckets: list[list[str]] = [[] for _ in range(buckets + 1)]
        self.position = 0

    def at(self, inc: int) -> int:
        n = len(self.buckets)
        return (self.position + inc + n) % n

    def add(self, key: str) -> None:
        for bucket in self.buckets:
            if key in bucket:
                bucket.remove(key)
        n = len(self.buckets)
        target, least = 0, 0
        for i in range(n - 1, 0, -1):
            position = (self.position + n + i) % n
            size = len(self.buckets[position])
            if size == 0:
                target = position
                break
            if size < least or least == 0:
                target, least = position, size
        self.buckets[target].append(key)

    def step(self) -> str | None:
        current = self.buckets[self.position]
        if current:
            key = current.pop(0)  # Go's map order is random; the twin takes them in the order added
            self.buckets[self.at(-1)].append(key)
            return key
        self.position = self.at(1)
        return None
