"""The per-zone, rate-limited NoExecute tainting queue, spec/lifecycle.md §b.1 and §b.3
(upstream `RateLimitedTimedQueue` in pkg/controller/nodelifecycle/scheduler/
rate_limited_queue.go, `processTaintBaseEviction`, `markNodeForTainting` and
`doNoExecuteTaintingPass` in node_lifecycle_controller.go).

The shell keeps one `NoExecuteQueue` per zone. Every monitor pass it calls
`process_taint_based_eviction` for every node (in name order, for determinism), and
every 100 ms it calls `drain` for every zone and applies the returned taint swaps.

Worked example: a Normal zone (0.1 qps, burst 1, bucket full) where three nodes go
Unknown in the same pass at t = 100 s: they are tainted at 100 s, 110 s and 120 s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from twin.model.controllers.node_config import EVICTION_RATE_LIMITER_BURST, NODE_EVICTION_RATE
from twin.model.controllers.node_health import FALSE, TRUE, UNKNOWN
from twin.model.controllers.node_taints import (
    NOT_READY_NO_EXECUTE,
    UNREACHABLE_NO_EXECUTE,
    has_taint,
    no_execute_taint,
    with_no_execute_taint,
    without_no_execute_taints,
)
from twin.model.objects import Taint

_TOKEN_SLACK = 1e-9  # Go counts time in integer nanoseconds; absorb float drift (10.3 - 0.3 < 10.0)
NO_CONDITION_RETRY = 0.05 + 1e-9  # a queued node without a Ready condition is retried 50 ms (+1 ns) later


@dataclass(frozen=True, slots=True)
class RateLimiter:
    """A token bucket as a value: `flowcontrol.NewTokenBucketRateLimiter(qps, burst)`
    over golang.org/x/time/rate. `tokens` is the fill at time `last`; the bucket refills
    at `qps` tokens per second up to `burst`.

    **qps 0 never admits** (upstream swaps in `NewFakeNeverRateLimiter` for qps <= 0).

    >>> ok, after = RateLimiter.full(0.1, now=0.0).try_take(0.0)
    >>> ok, after.try_take(9.9)[0], after.try_take(10.0)[0]
    (True, False, True)
    >>> RateLimiter(0.0).try_take(1e9)[0]
    False
    """

    qps: float
    burst: int = EVICTION_RATE_LIMITER_BURST
    tokens: float = float(EVICTION_RATE_LIMITER_BURST)
    last: float = 0.0

    @classmethod
    def full(cls, qps: float, now: float, burst: int = EVICTION_RATE_LIMITER_BURST) -> RateLimiter:
        """A new limiter: x/time/rate starts with a full bucket; qps <= 0 gives a never limiter."""
        return cls(qps, burst, float(burst) if qps > 0 else 0.0, now)

    def try_take(self, now: float) -> tuple[bool, RateLimiter]:
        """`TryAccept` at `now`: (admitted, limiter after). A refusal leaves the limiter
        unchanged, as x/time/rate does."""
        if self.qps <= 0:
            return False, self
        tokens = self.tokens_at(now)
        if tokens < 1 - _TOKEN_SLACK:
            return False, self
        return True, RateLimiter(self.qps, self.burst, max(tokens - 1, 0.0), now)

    def tokens_at(self, now: float) -> float:
        return min(float(self.burst), self.tokens + max(now - self.last, 0.0) * self.qps)

    def ready_at(self) -> float | None:
        """When the next token is there (None: never), so a shell may skip idle 100 ms ticks.

        >>> RateLimiter(0.1, tokens=0.0, last=5.0).ready_at()
        15.0
        """
        if self.qps <= 0:
            return None
        return self.last + max(1 - self.tokens, 0.0) / self.qps

    @property
    def reported_qps(self) -> float:
        """`QPS()`: the never limiter reports 1, as upstream's fakeNeverRateLimiter does."""
        return self.qps if self.qps > 0 else 1.0

    def with_rate(self, qps: float, now: float) -> RateLimiter:
        """`RateLimitedTimedQueue.SwapLimiter`: nothing changes if the qps is the same
        (compared in float32); qps <= 0 gives a never limiter; otherwise a fresh full
        bucket, drained at once if the old limiter could not admit at `now`.

        >>> RateLimiter.full(0.1, 0.0).try_take(0.0)[1].with_rate(0.01, 1.0).tokens
        0.0

        Upstream quirk kept: a never limiter reports qps 1, so swapping it to exactly
        1 qps is a no-op and the zone keeps never admitting.
        """
        if np.float32(self.reported_qps) == np.float32(qps):
            return self
        if qps <= 0:
            return RateLimiter(0.0, self.burst, 0.0, now)
        fresh = RateLimiter.full(qps, now, self.burst)
        old_admits, _ = self.try_take(now)
        return fresh if old_admits else fresh.try_take(now)[1]


@dataclass(frozen=True, slots=True)
class QueuedNode:
    name: str
    process_at: float


@dataclass(frozen=True, slots=True)
class TaintSwap:
    """Give `node` the NoExecute `taint` and remove the opposite one
    (`node_taints.with_no_execute_taint`)."""

    node: str
    taint: Taint


@dataclass(frozen=True, slots=True)
class NoExecuteQueue:
    """One zone's `RateLimitedTimedQueue`. `waiting` is ordered by process time, then by
    insertion. `members` is upstream's uniqueness set: the waiting nodes plus the nodes
    already tainted, which cannot be added again until `remove` (Ready back to True,
    or their taint went missing)."""

    limiter: RateLimiter
    waiting: tuple[QueuedNode, ...] = ()
    members: frozenset[str] = frozenset()

    @classmethod
    def new(cls, now: float, qps: float = NODE_EVICTION_RATE) -> NoExecuteQueue:
        """`addPodEvictorForNewZone`: a new zone's queue starts at the eviction rate, bucket full."""
        return cls(RateLimiter.full(qps, now))

    def add(self, name: str, now: float) -> NoExecuteQueue:
        if name in self.members:
            return self
        return NoExecuteQueue(self.limiter, _insert(self.waiting, QueuedNode(name, now)), self.members | {name})

    def remove(self, name: str) -> NoExecuteQueue:
        if name not in self.members:
            return self
        waiting = tuple(q for q in self.waiting if q.name != name)
        return NoExecuteQueue(self.limiter, waiting, self.members - {name})

    def with_rate(self, qps: float, now: float) -> NoExecuteQueue:
        return replace(self, limiter=self.limiter.with_rate(qps, now))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(q.name for q in self.waiting)


def _insert(waiting: tuple[QueuedNode, ...], item: QueuedNode) -> tuple[QueuedNode, ...]:
    at = next((i for i, q in enumerate(waiting) if q.process_at > item.process_at), len(waiting))
    return waiting[:at] + (item,) + waiting[at:]


def process_taint_based_eviction(
    queue: NoExecuteQueue, name: str, taints: tuple[Taint, ...], before: str | None, after: str | None, now: float
) -> tuple[NoExecuteQueue, tuple[Taint, ...]]:
    """`processTaintBaseEviction` for one node in one monitor pass: (zone queue after,
    node taints after). `before` / `after` are the node's Ready status at the start and
    the end of the pass (around `evaluate_health`).

    Upstream acts on the status it *observed* at the start of the pass, so a node that
    this pass turned Unknown is queued by the next pass, 5 s later; a kubelet-reported
    False is queued in the pass that first sees it. Rules:

    * Ready True: both NoExecute taints removed, node dropped from the queue;
    * False (Unknown) while the node carries the unreachable (not-ready) NoExecute
      taint: the taint key is swapped at once, without the queue;
    * otherwise the node is (re)queued; if it lacks the taint its Ready asks for, it is
      first removed, so a waiting node moves to the back on every pass;
    * no Ready condition after the pass: nothing; one that was absent before the pass
      and is now Unknown (NodeStatusNeverUpdated) counts as observed Unknown.

    >>> q, _ = process_taint_based_eviction(NoExecuteQueue.new(0.0), "n", (), "Unknown", "Unknown", 5.0)
    >>> q.names
    ('n',)
    """
    if after is None:
        return queue, taints
    observed = UNKNOWN if before is None else before
    if observed == TRUE:
        return queue.remove(name), without_no_execute_taints(taints)
    wanted = no_execute_taint(observed)
    opposite = UNREACHABLE_NO_EXECUTE if observed == FALSE else NOT_READY_NO_EXECUTE
    if has_taint(taints, opposite):
        return queue, with_no_execute_taint(taints, wanted)
    if not has_taint(taints, wanted):
        queue = queue.remove(name)
    return queue.add(name, now), taints


def drain(queue: NoExecuteQueue, now: float, ready: Mapping[str, str | None]) -> tuple[NoExecuteQueue, tuple[TaintSwap, ...]]:
    """`RateLimitedTimedQueue.Try` with `doNoExecuteTaintingPass`'s action for one zone
    at `now`: (queue after, taints to apply in order). `ready` maps every existing node
    to its current Ready status (None: no condition).

    Each head costs a token first (even if it is then skipped); the pass stops at the
    first refused token or at a head whose process time is still ahead. A head whose
    node is gone or Ready again leaves the queue without a taint; one without a Ready
    condition is retried 50 ms later; otherwise it gets the taint of its *current*
    status (not-ready for False, unreachable for Unknown). Processed nodes stay in
    `members`, as upstream's `RemoveFromQueue` keeps them in its set.

    >>> q = NoExecuteQueue.new(0.0).add("a", 0.0).add("b", 0.0)
    >>> q, swaps = drain(q, 0.0, {"a": "Unknown", "b": "Unknown"})
    >>> [s.node for s in swaps], q.names, [s.node for s in drain(q, 10.0, {"b": "False"})[1]]
    (['a'], ('b',), ['b'])
    """
    swaps: list[TaintSwap] = []
    while queue.waiting:
        admitted, limiter = queue.limiter.try_take(now)
        queue = replace(queue, limiter=limiter)
        head = queue.waiting[0]
        if not admitted or now < head.process_at:
            break
        queue, swap = _process_head(queue, head, now, ready)
        swaps.extend(swap)
    return queue, tuple(swaps)


def _process_head(queue: NoExecuteQueue, head: QueuedNode, now: float, ready: Mapping[str, str | None]):
    rest = queue.waiting[1:]
    if head.name in ready and ready[head.name] is None:
        retry = _insert(rest, QueuedNode(head.name, now + NO_CONDITION_RETRY))
        return replace(queue, waiting=retry), ()
    queue = replace(queue, waiting=rest)
    taint = no_execute_taint(ready.get(head.name, TRUE))  # a deleted node leaves like a Ready one
    return queue, ((TaintSwap(head.name, taint),) if taint else ())
