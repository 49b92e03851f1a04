"""How full a limiter was, recomputed from the requests' own times, independently of the
admission heaps: the evidence for the limiter invariants (`spec/registry-operator.md` §8).

Intervals are half-open `[begin, end)`: a slot freed at t is free for an arrival at t.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.model.registry.overlap import LimiterTimes


SMALL = 16
"""Inputs of at most this many intervals are read in plain Python (`overlap.LimiterTimes`,
what the data plane's flushes use): numpy's per-call cost dominates them."""


def max_overlap(begin: np.ndarray, end: np.ndarray) -> int:
    """The most intervals open at one instant.

    >>> max_overlap(np.array([0.0, 1.0, 0.5]), np.array([1.0, 2.0, 1.5]))
    2
    """
    if len(begin) == 0:
        return 0
    times = np.concatenate([end, begin])
    steps = np.concatenate([-np.ones(len(end), np.int64), np.ones(len(begin), np.int64)])
    order = np.lexsort((steps, times))  # at equal times, closings first
    return int(np.cumsum(steps[order]).max(initial=0))


@dataclass(frozen=True, slots=True)
class Occupancy:
    """Peaks of one limiter over a stretch of time."""

    running: int = 0
    queued: int = 0
    longest_wait: float = 0.0

    def merge(self, other: Occupancy) -> Occupancy:
        """The larger of each peak (no new object when one side holds every larger value:
        merges run at every flush and sample)."""
        if other.running <= self.running and other.queued <= self.queued and other.longest_wait <= self.longest_wait:
            return self
        if self.running <= other.running and self.queued <= other.queued and self.longest_wait <= other.longest_wait:
            return other
        return Occupancy(max(self.running, other.running), max(self.queued, other.queued),
                         max(self.longest_wait, other.longest_wait))


def occupancy(arrival: np.ndarray, start: np.ndarray, end: np.ndarray) -> Occupancy:
    """Requests that went through one limiter: `start` nan for rejected ones (whose `end`
    is the rejection time). A request waits from arrival until it starts or gives up."""
    if len(arrival) <= SMALL:
        times = LimiterTimes()
        for a, s, e in zip(arrival.tolist(), start.tolist(), end.tolist()):
            times.add(a, s, e)
        if not times.nan:  # (Python's ordering of NaN is not numpy's: a NaN time takes numpy's path)
            return Occupancy(*times.peaks())
    admitted = ~np.isnan(start)
    leave = np.where(admitted, start, end)
    waited = leave > arrival
    return Occupancy(
        running=max_overlap(start[admitted], end[admitted]),
        queued=max_overlap(arrival[waited], leave[waited]),
        longest_wait=float((leave - arrival).max(initial=0.0)),
    )
