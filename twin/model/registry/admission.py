"""The registry pod's read/write limiters (`spec/registry-operator.md` §4.2), as a pure
computation over batches of requests.

Each limiter is a FIFO multi-server queue with a bounded wait queue and a deterministic
patience. Because waiters are served first come first served (§4.2 step 5) and a waiter
that gives up never takes a slot, a request's fate is decided by the requests that came
before it: it starts at the earliest time a running slot frees (Kiefer–Wolfowitz), it is
rejected at once when the queue is full, and it is rejected at `arrival + maxWaitInQueue`
when that is earlier than its start. So the fate is computed when the request arrives,
with two small heaps per limiter (when each busy slot frees; when each waiter leaves the
queue) and no event per request.

Blob bytes the pod streams itself (`disableRedirect`, filesystem storage, pushes) take
time that depends on the pod's bandwidth share; the share is fixed when the transfer
starts, counting the transfers already known to be running then (a documented
approximation: a transfer does not speed up when others finish).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from twin.model.registry.settings import Limits, RegistrySettings

Transfer = Callable[[float, int], float]
"""Seconds to stream `bytes` when `n` transfers share the pod (this one included)."""


@dataclass(slots=True)
class LimiterQueue:
    """One limiter's state: `busy` holds when each occupied running slot frees,
    `waiting` when each queued request leaves the queue (admitted or given up). The
    admission rules themselves are `PodAdmission._admit_one_by_one`."""

    limits: Limits
    busy: list[float] = field(default_factory=list)
    waiting: list[float] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Fates:
    """Per request: `start` (nan when rejected with 429), `end` (response written, or the
    rejection time)."""

    start: np.ndarray
    end: np.ndarray

    @property
    def rejected(self) -> np.ndarray:
        return np.isnan(self.start)


class PodAdmission:
    """Both limiters of one registry pod and the transfers it is streaming."""

    def __init__(self, settings: RegistrySettings, transfer: Transfer | None = None) -> None:
        self.settings = settings
        self.queues = (LimiterQueue(settings.read), LimiterQueue(settings.write))
        self.transfer = transfer
        self.stream_ends: list[float] = []  # heap: when each streaming transfer ends
        self.last_arrival = -np.inf

    def admit(self, arrival: np.ndarray, limiter: np.ndarray, base: np.ndarray,
              stream_bytes: np.ndarray | None = None) -> Fates:
        """Fates of a batch sorted by arrival, all at or after earlier batches' arrivals.
        `base`: seconds of CPU and storage work; `stream_bytes`: bytes the pod streams."""
        n = len(arrival)
        if n and arrival[0] < self.last_arrival:
            raise ValueError("requests must be admitted in arrival order")
        if n:
            self.last_arrival = float(arrival[-1])
        streams = np.zeros(n) if stream_bytes is None else stream_bytes
        if self._no_limits() and not streams.any():
            return Fates(arrival.astype(float), arrival + base)
        return self._admit_one_by_one(arrival, limiter, base, streams)

    def _no_limits(self) -> bool:
        return self.settings.read.unlimited and self.settings.write.unlimited

    def _admit_one_by_one(self, arrival, limiter, base, streams) -> Fates:
        """`LimiterQueue.admit` for each request, unrolled: the hot loop of the twin."""
        start = np.empty(len(arrival))
        end = np.empty(len(arrival))
        state = [_unrolled(q) for q in self.queues]
        push, pop, replace_top = heapq.heappush, heapq.heappop, heapq.heapreplace
        nan = np.nan
        for i, (a, lim, b, nbytes) in enumerate(zip(arrival.tolist(), limiter.tolist(), base.tolist(), streams.tolist())):
            busy, waiting, running, room, patience = state[lim]
            if running <= 0:  # no limiter at all
                s, e = a, a + b + (self._stream(a + b, nbytes) if nbytes else 0.0)
            else:
                while busy and busy[0] <= a:
                    pop(busy)
                while waiting and waiting[0] <= a:
                    pop(waiting)
                if len(busy) < running:
                    s = a
                    e = a + b + (self._stream(a + b, nbytes) if nbytes else 0.0)
                    push(busy, e)
                elif len(waiting) >= room:
                    s, e = nan, a
                elif patience > 0 and busy[0] - a > patience:
                    s, e = nan, a + patience
                    push(waiting, e)
                else:
                    s = busy[0]
                    push(waiting, s)
                    e = s + b + (self._stream(s + b, nbytes) if nbytes else 0.0)
                    replace_top(busy, e)
            start[i] = s
            end[i] = e
        return Fates(start, end)

    def _stream(self, begin: float, nbytes: float) -> float:
        """Seconds of the transfer starting at `begin`, sharing the pod with the transfers known to run past `begin`; records
        it. A heap of end times keeps this O(log n) when an unlimited pod is overloaded
        and thousands of transfers overlap (transfers already decided to start after
        `begin` count too: starts are close to arrival order)."""
        if self.transfer is None:
            raise ValueError("streamed bytes need a transfer model")
        ends = self.stream_ends
        while ends and ends[0] <= begin:
            heapq.heappop(ends)
        seconds = self.transfer(nbytes, len(ends) + 1)
        heapq.heappush(ends, begin + seconds)
        return seconds


def _unrolled(queue: LimiterQueue) -> tuple:
    limits = queue.limits
    return queue.busy, queue.waiting, limits.max_running, limits.max_in_queue, limits.max_wait
