"""Handing ended requests from the data plane to the statistics and the pods' metrics, in
batches (per-batch numpy work dominates small ones), and sampling what the pods and links
are doing at the statistics interval."""

from __future__ import annotations

import numpy as np

from twin.model.registry.batch import Served
from twin.model.registry.metrics import Completed
from twin.model.registry.requests import Kind
from twin.sim.traffic.accesslog import lines as access_lines
from twin.sim.traffic.exchange import GONE, full_columns, light_columns, outcome_columns


def served(rows: list) -> Served:
    """Ended requests (`exchange.Req`) as columns (what the pods' metrics read)."""
    n = len(rows)

    def array(values: list, dtype) -> np.ndarray:
        return np.fromiter(values, dtype, n)

    time, kind, client, start, end, code = light_columns(rows)
    nbytes, attempt, tag, cpu, s1, s2, transfer, req_bytes, resp_bytes, failed = full_columns(rows)
    storage = np.column_stack([array(s1, float), array(s2, float)]) if n else np.empty((0, 2))
    return Served(array(time, float), array(kind, np.int8), array(nbytes, np.int64), array(client, np.int8),
                  array(attempt, np.int8), array(tag, np.int64), array(start, float), array(end, float),
                  array(code, np.int16), array(cpu, float), storage, array(transfer, float),
                  array(req_bytes, np.int64), array(resp_bytes, np.int64), array(failed, np.int8))


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
            unheard, server.unheard = server.unheard, []  # the router answered their clients (504)
            at_pod = rows + unheard if unheard else rows
            if engine.access_log is not None and at_pod:
                engine.access_log.write(access_lines(at_pod, server.key.split("/")[-1]))
            server.note_peaks(at_pod, plane.now)
            if plane.pullthrough is not None:  # remote calls, fed at once (their counters need no request rows)
                metrics = engine.metrics.get(server.key)
                plane.pullthrough.feed(server.key, metrics if engine.observe_metrics and server.alive else None,
                                       plane.now)
            stats.keep_peaks(server.key, server)
            if not at_pod:
                continue
            if rows:
                settings = engine.settings_of.get(server.key)
                stats.take(outcome_columns(rows, len(Kind)), server.key,
                           read_only=settings is not None and settings.read_only)
            metrics = engine.metrics.get(server.key)
            if engine.observe_metrics and metrics is not None and server.alive:
                metrics.observe(plane.now, completed(served(at_pod)))
        plane.retired = []
        stats.bin_sessions()
        if plane.unrouted:
            rows, plane.unrouted = plane.unrouted, []
            stats.take(outcome_columns(rows, len(Kind)), None)
        plane.finished_rows = 0

    def sample(self, t: float) -> None:
        """Every `series_every` seconds: each pod's running and queued requests and its
        limiter peaks since the last sample, and the resources the pods and links used."""
        engine = self.engine
        engine.stats.sample(t, engine.plane.servers)
        engine.usage.sample(t, engine.plane.servers, engine.plane.links)

    def close(self, t: float) -> None:
        """Requests still open at the end of the run; the statistics settled (`RequestStats.settle`)."""
        plane = self.engine.plane
        still = [r for s in plane.servers.values() for r in (*s.open.values(), *s.waiting()) if r.hop != GONE]
        still += [subject for _, _, event, subject in plane.events() if _is_unanswered(event, subject)]
        self.engine.stats.count_open(still)
        self.engine.stats.settle()
        self.engine.usage.sample(t, plane.servers, plane.links)


def _is_unanswered(event: int, subject) -> bool:
    from twin.sim.traffic.exchange import ANSWER, Req
    return event == ANSWER and isinstance(subject, Req)
