"""Handing ended requests from the data plane to the statistics and the pods' metrics, in
batches (per-batch numpy work dominates small ones), and sampling what the pods and links
are doing at the statistics interval."""

from __future__ import annotations

from operator import attrgetter

import numpy as np

from twin.model.registry.batch import Served
from twin.model.registry.metrics import Completed

_FLOATS = ("time", "start", "end", "cpu", "transfer")
_INTS = (("kind", np.int8), ("nbytes", np.int64), ("client", np.int8), ("attempt", np.int8), ("tag", np.int64),
         ("code", np.int16), ("req_bytes", np.int64), ("resp_bytes", np.int64), ("failed", np.int8))


def served(rows: list, full: bool = True) -> Served:
    """Ended requests (`exchange.Req`) as columns; without `full` only those the
    statistics read (time, kind, client, start, end, code), the others zero."""
    n = len(rows)

    def column(name, dtype=float):
        return np.fromiter(map(attrgetter(name), rows), dtype, n)

    def maybe(name, dtype=float):
        return column(name, dtype) if full else np.zeros(n, dtype)

    storage = np.column_stack([column("s1"), column("s2")]) if n and full else np.full((n, 2), np.nan)
    return Served(column("time"), column("kind", np.int8), maybe("nbytes", np.int64), column("client", np.int8),
                  maybe("attempt", np.int8), maybe("tag", np.int64), column("start"), column("end"),
                  column("code", np.int16), maybe("cpu"), storage, maybe("transfer"), maybe("req_bytes", np.int64),
                  maybe("resp_bytes", np.int64), column("failed", np.int8) if full else np.full(n, -1, np.int8))


def completed(done: Served) -> Completed:
    return Completed(kind=done.kind, code=done.code, start=done.start, end=done.end, cpu=done.cpu, storage=done.storage,
                     transfer=done.transfer, request_bytes=done.request_bytes, response_bytes=done.response_bytes,
                     storage_error=done.storage_error)


class Flusher:
    def __init__(self, engine) -> None:
        self.engine = engine

    def flush(self) -> None:
        engine = self.engine
        plane, stats = engine.plane, engine.stats
        stats.issued_counts[:] = plane.issued
        for server in sorted([*plane.servers.values(), *plane.retired], key=lambda s: s.key):
            rows, server.done = server.done, []
            server.note_peaks(rows, plane.now)
            stats.keep_peaks(server.key, server)
            if not rows:
                continue
            done = served(rows, full=engine.observe_metrics)
            settings = engine.settings_of.get(server.key)
            stats.finished(done, server.key, read_only=settings is not None and settings.read_only)
            metrics = engine.metrics.get(server.key)
            if engine.observe_metrics and metrics is not None and server.alive:
                metrics.observe(plane.now, completed(done))
        plane.retired = []
        stats.bin_sessions()
        if plane.unrouted:
            rows, plane.unrouted = plane.unrouted, []
            stats.finished(served(rows, full=False), None)
        plane.finished_rows = 0

    def sample(self, t: float) -> None:
        """Every `series_every` seconds: each pod's running and queued requests and its
        limiter peaks since the last sample, and the resources the pods and links used."""
        engine = self.engine
        engine.stats.sample(t, engine.plane.servers)
        engine.usage.sample(t, engine.plane.servers, engine.plane.links)

    def close(self, t: float) -> None:
        """Requests still open at the end of the run."""
        plane = self.engine.plane
        still = [r for s in plane.servers.values() for r in (*s.open.values(), *s.waiting())]
        still += [subject for _, _, event, subject in plane.heap if _is_unanswered(event, subject)]
        self.engine.stats.count_open(still)
        self.engine.usage.sample(t, plane.servers, plane.links)


def _is_unanswered(event: int, subject) -> bool:
    from twin.sim.traffic.exchange import ANSWER, Req
    return event == ANSWER and isinstance(subject, Req)
