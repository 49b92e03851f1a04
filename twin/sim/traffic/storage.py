"""A request's storage phase in the data plane: the latencies of its storage-driver
operations and the S3 calls behind them, which the object store may throttle
(`resources/objectstore.py`). `URLFor` makes no call: the S3 driver signs the URL
locally, so its time is the pod's CPU, not a wait (it is still observed as the
operation's duration, as the registry's storage-driver metrics time it). The calls of one request are checked against the bucket
in order, each at the time it would be made had the ones before it not been throttled
(one event per request, not per call: the bucket sees their times, shifted by at most
the request's own storage latency)."""

from __future__ import annotations

from typing import Final

import math
from collections.abc import Mapping

import numpy as np
from mypy_extensions import i64

from twin.model.registry.requests import Kind
from twin.model.registry.resources.objectstore import READ, WRITE, ObjectStore
from twin.model.registry.service import S3_CALLS, Latency, ServiceParams, StorageOp, storage_ops
from twin.sim.traffic.exchange import Req

UPLOAD_CHUNK: Final = int(Kind.UPLOAD_CHUNK)

NORMALS_PER_DRAW: Final = 1 << 15
OWN_BLOCK: Final = 1 << 10
"""The block of a stream that only its `Draws` reads (the data plane's own): small, so
its values are still in the cache when they are read. A stream's values are the same
whatever the blocks it is drawn in (numpy draws them one after the other), so the block
may change only for a stream nothing else draws from: with another reader (the
background clients' stream) the block decides what that reader gets."""


class Draws:
    """Draws from a seeded stream (`standard_normal` or `random`), made in blocks and
    handed out one at a time."""

    __slots__ = ("draw", "values", "i", "n", "block")

    def __init__(self, rng: np.random.Generator, uniform: bool = False, block: int = NORMALS_PER_DRAW) -> None:
        self.draw = rng.random if uniform else rng.standard_normal
        self.values: list[float] = []
        self.i: i64 = 0
        self.n: i64 = 0  # len(values)
        self.block = block

    def next(self) -> float:
        i = self.i
        if i >= self.n:
            self.values = self.draw(self.block).tolist()
            self.n = len(self.values)
            i = 0
        self.i = i + 1
        return self.values[i]

    def index(self, n: int) -> int:
        """A uniform pick among `n` (for uniform draws)."""
        return int(self.next() * n)


class Op:
    """One storage operation of a plan: its code, log-normal latency and whether it runs
    locally (no storage call: its time is CPU)."""

    __slots__ = ("code", "median", "sigma", "local")

    def __init__(self, code: int, median: float, sigma: float, local: bool) -> None:
        self.code = code
        self.median = median
        self.sigma = sigma
        self.local = local


class Plan:
    """What a request of one kind does in storage: its operations (the first skipped when
    the descriptor cache answered it: `skipped`) and its S3 reads and writes."""

    __slots__ = ("ops", "reads", "writes", "skipped")

    def __init__(self, ops: list[Op], reads: int, writes: int, skipped: bool) -> None:
        self.ops = ops
        self.reads = reads
        self.writes = writes
        self.skipped = skipped


class StoragePhase:
    def __init__(self, params: ServiceParams, store: ObjectStore, rng: np.random.Generator) -> None:
        self.store = store
        self.normals = Draws(rng, block=OWN_BLOCK)  # (the service stream is the plane's alone)
        self.plans: list[Plan] = [self._plan(params.storage_latency, Kind(i // 4), bool(i & 2), bool(i & 1))
                                  for i in range(4 * len(Kind))]
        self.file_plans: list[Plan] = [self._plan(params.filesystem_latency, Kind(i // 4), bool(i & 2), bool(i & 1))
                                       for i in range(4 * len(Kind))]
        reader = params.storage_latency[StorageOp.Reader]
        self.reader_median: float = reader.median
        self.reader_sigma: float = reader.sigma

    def first_byte(self) -> float:
        """A client's GET of a signed URL: the object store's first-byte latency (the
        driver's `Reader` latency, the same S3 GetObject)."""
        return self.reader_median * math.exp(self.reader_sigma * self.normals.next())

    @staticmethod
    def _plan(latency: Mapping[StorageOp, Latency], kind: Kind, redirected: bool, cached: bool) -> Plan:
        """Indexed by kind * 4 + redirected * 2 + cached."""
        ops = [Op(int(op), latency[op].median, latency[op].sigma, op == StorageOp.URLFor)
               for op in storage_ops(kind, redirected)]
        reads, writes = S3_CALLS[kind]
        if cached:
            ops, reads = ops[1:], 0
        if kind == Kind.BLOB_GET and not redirected:
            reads += 1  # GetObject for the body
        return Plan(ops, reads, writes, cached)

    def serve(self, r: Req, t: float, redirected: bool, chunk: int, cached: bool = False,
              object_store: bool = True) -> float:
        """Seconds of the storage phase starting at `t` (0 when the request makes no
        storage call); sets `r.s1`, `r.s2` (the kind's first and second operation: a `Stat`
        answered by the cache leaves `s1` NaN), adds a local operation's time to `r.cpu`,
        and when an S3 call fails past the retries sets `r.failed` to the failing operation.
        Without an `object_store` (filesystem storage: emptyDir, a PVC) no call meets the
        store's request-rate ceilings, and none is counted."""
        plans = self.plans if object_store else self.file_plans
        plan = plans[r.kind * 4 + (2 if redirected else 0) + (1 if cached else 0)]
        reads, writes, skipped = plan.reads, plan.writes, plan.skipped
        if r.kind == UPLOAD_CHUNK:
            writes += max(1, -(-r.nbytes // chunk))  # UploadPart per chunk, the last flushed at Close
        total = first = 0.0
        ops = plan.ops
        for j in range(len(ops)):
            op = ops[j]
            seconds = op.median * math.exp(op.sigma * self.normals.next())
            if j == 0:
                first = seconds
            if j == 0 and not skipped:
                r.s1 = seconds
            else:
                r.s2 = seconds
            if op.local:
                r.cpu += seconds
            else:
                total += seconds
        if not object_store or (not reads and not writes):
            return total
        store = self.store
        extra, failed = 0.0, False
        if reads and not store.take(t, READ, reads):
            extra, failed = self._calls(t, READ, reads, first)
        if writes and not failed and not store.take(t + extra, WRITE, writes):
            more, failed = self._calls(t + extra, WRITE, writes, first)
            extra += more
        if extra or failed:
            if failed:
                r.failed = plan.ops[0].code if plan.ops else int(StorageOp.Stat)
            if plan.ops and not skipped:
                r.s1 += extra
            elif plan.ops:
                r.s2 += extra
            total += extra
        return total

    def _calls(self, t: float, klass: int, count: int, latency: float) -> tuple[float, bool]:
        """`count` calls of one class made one by one from `t`: the seconds throttling
        adds, and whether a call failed for good (the request stops there)."""
        store, extra = self.store, 0.0
        for _ in range(count):
            if store.call(t + extra, klass):
                continue
            waited, ok = store.after_throttle(t + extra, klass, latency)
            extra += waited
            if not ok:
                return extra, True
        return extra, False
