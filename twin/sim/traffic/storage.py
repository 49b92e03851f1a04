"""A request's storage phase in the data plane: the latencies of its storage-driver
operations and the S3 calls behind them, which the object store may throttle
(`resources/objectstore.py`). The calls of one request are checked against the bucket
in order, each at the time it would be made had the ones before it not been throttled
(one event per request, not per call: the bucket sees their times, shifted by at most
the request's own storage latency)."""

from __future__ import annotations

import math

import numpy as np

from twin.model.registry.requests import Kind
from twin.model.registry.resources.objectstore import READ, WRITE, ObjectStore
from twin.model.registry.service import S3_CALLS, ServiceParams, StorageOp, storage_ops

NORMALS_PER_DRAW = 1 << 15


class Draws:
    """Draws from a seeded stream (`standard_normal` or `random`), made in blocks and
    handed out one at a time."""

    __slots__ = ("draw", "values", "i")

    def __init__(self, rng: np.random.Generator, uniform: bool = False) -> None:
        self.draw = rng.random if uniform else rng.standard_normal
        self.values: list[float] = []
        self.i = 0

    def next(self) -> float:
        if self.i >= len(self.values):
            self.values = self.draw(NORMALS_PER_DRAW).tolist()
            self.i = 0
        self.i += 1
        return self.values[self.i - 1]

    def index(self, n: int) -> int:
        """A uniform pick among `n` (for uniform draws)."""
        return int(self.next() * n)


class StoragePhase:
    def __init__(self, params: ServiceParams, store: ObjectStore, rng: np.random.Generator) -> None:
        self.store = store
        self.normals = Draws(rng)
        self.plan = {(kind, redirected, cached): self._plan(params, kind, redirected, cached)
                     for kind in Kind for redirected in (False, True) for cached in (False, True)}
        reader = params.storage_latency[StorageOp.Reader]
        self.reader = (reader.median, reader.sigma)

    def first_byte(self) -> float:
        """A client's GET of a signed URL: the object store's first-byte latency (the
        driver's `Reader` latency, the same S3 GetObject)."""
        median, sigma = self.reader
        return median * math.exp(sigma * self.normals.next())

    @staticmethod
    def _plan(params: ServiceParams, kind: Kind, redirected: bool, cached: bool):
        """((op, median, sigma) per operation, S3 reads, S3 writes, whether the first
        operation is skipped: a blob's `Stat` answered by the descriptor cache)."""
        ops = tuple((int(op), params.storage_latency[op].median, params.storage_latency[op].sigma)
                    for op in storage_ops(kind, redirected))
        reads, writes = S3_CALLS[kind]
        if cached:
            ops, reads = ops[1:], 0
        if kind == Kind.BLOB_GET and not redirected:
            reads += 1  # GetObject for the body
        return ops, reads, writes, cached

    def serve(self, r, t: float, redirected: bool, chunk: int, cached: bool = False) -> float:
        """Seconds of the storage phase starting at `t`; sets `r.s1`, `r.s2` (the kind's
        first and second operation: a `Stat` answered by the cache leaves `s1` NaN) and,
        when an S3 call fails past the retries, `r.failed` to the failing operation."""
        ops, reads, writes, skipped = self.plan[(r.kind, redirected, cached)]
        if r.kind == Kind.UPLOAD_CHUNK:
            writes += max(1, -(-r.nbytes // chunk))  # UploadPart per chunk, the last flushed at Close
        normals = self.normals
        total = first = 0.0
        if ops:
            _, median, sigma = ops[0]
            total = first = median * math.exp(sigma * normals.next())
            if skipped:
                r.s2 = first  # the second operation; the cache answered the first
            else:
                r.s1 = first
            if len(ops) > 1:
                _, median, sigma = ops[1]
                r.s2 = median * math.exp(sigma * normals.next())
                total += r.s2
        store = self.store
        latency = first
        extra, failed = 0.0, False
        if reads and not store.take(t, READ, reads):
            extra, failed = self._calls(t, READ, reads, latency)
        if writes and not failed and not store.take(t + extra, WRITE, writes):
            more, failed = self._calls(t + extra, WRITE, writes, latency)
            extra += more
        if extra or failed:
            if failed:
                r.failed = ops[0][0] if ops else int(StorageOp.Stat)
            if ops and not skipped:
                r.s1 += extra
            elif ops:
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
