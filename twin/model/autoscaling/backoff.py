"""Node group backoff after failed scale-ups, as upstream's `exponentialBackoff`
(kubernetes/autoscaler `cluster-autoscaler/utils/backoff/exponential_backoff.go`:
`Backoff`, `IsBackedOff`, `RemoveBackoff`, `RemoveStaleBackoffData`), keyed by group id.

Frozen values: each call returns the new state. With the defaults (5 min initial, 30 min
maximum, reset 3 h after the last failure): failures at 0, 6 and 20 min back the group off
until 5, 16 and 40 min.

>>> s = Backoffs()
>>> s = s.backoff("a", 0.0, 300.0, 1800.0); s.until("a")
300.0
>>> s = s.backoff("a", 360.0, 300.0, 1800.0); s.until("a")
960.0
>>> s.backed_off("a", 959.0), s.backed_off("a", 960.0)
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BackoffInfo:
    duration: float
    backoff_until: float
    last_failed: float


@dataclass(frozen=True)
class Backoffs:
    entries: tuple[tuple[str, BackoffInfo], ...] = ()

    def _get(self, group: str) -> BackoffInfo | None:
        return next((info for key, info in self.entries if key == group), None)

    def _put(self, group: str, info: BackoffInfo | None) -> Backoffs:
        kept = [(k, v) for k, v in self.entries if k != group]
        if info is not None:
            kept.append((group, info))
        return Backoffs(tuple(sorted(kept, key=lambda kv: kv[0])))

    def backoff(self, group: str, now: float, initial: float, maximum: float) -> Backoffs:
        """`Backoff`: the first failure backs off `initial`; a failure after the backoff
        ran out doubles the last duration (up to `maximum`); a failure during a backoff
        ("multiple concurrent scale-ups failing shouldn't cause backoff duration to
        increase") starts over from `initial`, as the source does."""
        duration = initial
        info = self._get(group)
        if info is not None and info.backoff_until < now:
            duration = min(2 * info.duration, maximum)
        return self._put(group, BackoffInfo(duration, now + duration, now))

    def backed_off(self, group: str, now: float) -> bool:
        """`IsBackedOff`: `backoffUntil.After(now)`."""
        info = self._get(group)
        return info is not None and info.backoff_until > now

    def until(self, group: str) -> float | None:
        info = self._get(group)
        return None if info is None else info.backoff_until

    def remove(self, group: str) -> Backoffs:
        """`RemoveBackoff`: a scale-up of the group finished (no upcoming nodes left)."""
        return self._put(group, None)

    def remove_stale(self, now: float, reset: float) -> Backoffs:
        """`RemoveStaleBackoffData`: forget groups whose last failure is more than `reset` ago."""
        return Backoffs(tuple((k, v) for k, v in self.entries if not v.last_failed + reset < now))
