"""The traffic engine: background requests, routing through the Service's endpoints,
each registry pod's server, retries, and the bookkeeping of every request's outcome.

Time model: requests are decided in batches. `advance(t)` generates the background
arrivals of `[done_until, t)`, routes them with the endpoints of that stretch, lets each
pod's server decide their fates and commits whatever finished by `t`. Anything that
changes routing or serving (endpoints, a container starting or stopping, the storage
gate) calls `advance(now)` first, so every arrival meets the cluster as it was when it
arrived. A ticker advances at least every `tick` seconds, no longer than the shortest
`Retry-After`, so a retry always lands after the stretch that produced it.
"""

from __future__ import annotations

import numpy as np

from twin.model.registry.batch import Arrivals, Client, Served
from twin.model.registry.catalogue import Catalogue
from twin.model.registry.metrics import Completed, RegistryMetrics
from twin.model.registry.requests import Kind, Outcome
from twin.model.registry.server import RegistryServer
from twin.model.registry.service import sample_service
from twin.model.registry.settings import RegistrySettings
from twin.model.registry.traffic import TrafficParams, background_requests
from twin.model.registry.versions import OpenShiftVersion
from twin.model.workloads import PodRecord
from twin.sim.observers import is_registry_pod
from twin.sim.traffic.routing import Unreachable, failure_delay
from twin.sim.traffic.stats import RequestStats
from twin.sim.traffic.totals import leave_records
from twin.sim.world import World

PUSH_KINDS = np.array([k in (Kind.BLOB_HEAD, Kind.UPLOAD_START, Kind.UPLOAD_CHUNK, Kind.UPLOAD_COMMIT, Kind.MANIFEST_PUT)
                       for k in Kind])
FLUSH_ROWS = 100_000
GENERATE_AHEAD = 10.0
"""Seconds of background load generated at once (fewer, larger numpy batches)."""
RETRIED = np.array([Outcome.TOO_MANY, *Unreachable], dtype=np.int16)
"""Clients retry a 429 (`Retry-After: 1`) and a connection that failed; not 405 or 503."""


class TrafficEngine:
    def __init__(self, world: World, params: TrafficParams, catalogue: Catalogue, version: OpenShiftVersion,
                 warm_up: float = 0.0, series_every: float = 10.0, phase_edges: tuple[float, ...] = ()) -> None:
        self.world = world
        self.params = params
        self.catalogue = catalogue
        self.version = version
        self.warm_up = warm_up
        self.servers: dict[str, RegistryServer] = {}
        self.settings_of: dict[str, RegistrySettings] = {}  # every registry container that ran
        self.metrics: dict[str, RegistryMetrics] = {}
        self.endpoints: list[str] = []
        self.done_until = 0.0
        self.retries: list[Arrivals] = []
        self.unobserved: dict[str | None, list[Served]] = {}  # finished, not yet in stats and metrics
        self.unobserved_rows = 0
        self.future = Arrivals.empty()  # background requests generated but not yet due
        self.generated_until = 0.0
        self.unanswered = Served.empty()  # connection failures, until their end
        self.stats = RequestStats(series_every, phase_edges)
        self.watchers: dict[int, object] = {}
        self.next_tag = 0
        self.on_start: list = []  # called with the pod key when a registry container starts
        load = params.background
        self.has_background = not (_idle(load.pulls) and _idle(load.pushes))
        self.rng = {name: world.streams(f"traffic.{name}") for name in ("background", "routing", "service")}
        world.store.subscribe("Pod", self.on_pod)
        world.env.process(self.ticker())

    @property
    def tick(self) -> float:
        c = self.params.clients
        return min(1.0, c.pull.retry_after, c.push.retry_after)

    def ticker(self):
        """Advance every `tick` while requests flow; when nothing is open, due or coming
        (no background load), only at the series interval."""
        while True:
            yield self.world.env.timeout(self.tick if self.busy() else self.stats.series_every)
            self.advance(self.world.now)
            if self.stats.due(self.world.now):
                self.flush()
                self.stats.sample(self.world.now, self.servers)

    def busy(self) -> bool:
        return (self.has_background or bool(self.retries) or len(self.future) > 0 or len(self.unanswered) > 0
                or any(len(s.pending) for s in self.servers.values()))

    # ----- the Service's endpoints and the pods' servers ------------------------------------
    def on_pod(self, old: PodRecord | None, new: PodRecord | None) -> None:
        record = new or old
        if not is_registry_pod(record):
            return
        if new is None:
            self.container_stopped(record.key)  # force-deleted with its node
        member = new is not None and new.status.ready and new.status.deleted is None and bool(new.pod.node_name)
        if member == (record.key in self.endpoints):
            return
        self.advance(self.world.now)
        keys = set(self.endpoints) ^ {record.key}
        self.endpoints = sorted(keys)

    def container_started(self, record: PodRecord) -> None:
        if not is_registry_pod(record):
            return
        self.advance(self.world.now)
        params = self.params.service
        pod_bw, stream_bw = params.pod_bandwidth_bytes_per_second, params.storage_read_bytes_per_second
        settings = RegistrySettings.of_pod(record.pod)
        self.settings_of[record.key] = settings
        self.servers[record.key] = RegistryServer(record.key, settings, lambda nbytes, n: nbytes / min(stream_bw, pod_bw / n))
        self.metrics[record.key] = RegistryMetrics(major="4", minor=self.version.name.split(".")[1],
                                                   git_commit="0000000", git_version=f"v{self.version.name}.0")
        for hook in self.on_start:
            hook(record.key)

    def container_stopped(self, key: str) -> None:
        """The container died or was killed: open requests break."""
        server = self.servers.pop(key, None)
        if server is None:
            return
        self.advance(self.world.now)
        self.account(server.kill(self.world.now), key)
        self.flush()
        self.stats.keep_peaks(key, server)
        self.metrics.pop(key, None)

    def busy_until(self, key: str) -> float | None:
        """When the pod's last open request finishes; None when it serves nothing."""
        server = self.servers.get(key)
        if server is None:
            return None
        self.advance(self.world.now)
        return max(server.busy_until(), self.world.now)

    def gate_open(self, key: str) -> bool:
        """What `/healthz` answers: 200 unless the gate is closed or nothing listens."""
        server = self.servers.get(key)
        return server is not None and server.gate_open

    def set_gate(self, key: str, open_: bool) -> None:
        server = self.servers.get(key)
        if server is not None and server.gate_open != open_:
            self.advance(self.world.now)
            server.gate_open = open_

    # ----- moving time ------------------------------------------------------------------------
    def advance(self, t: float) -> None:
        if t <= self.done_until:
            return
        batch = Arrivals.concat([self.due_background(t), *self.due_retries(t)]).sorted()
        if len(batch):
            self.dispatch(batch)
        self.done_until = t
        self.commit(t)

    def due_background(self, t: float) -> Arrivals:
        """Background requests arriving before `t`, generated `GENERATE_AHEAD` seconds at a
        time (generation does not depend on the cluster; routing happens when they are due)."""
        while self.has_background and self.generated_until < t:
            t0 = max(self.generated_until, self.warm_up)
            t1 = max(t0, self.generated_until + GENERATE_AHEAD)
            r = background_requests(self.params.background, self.catalogue, t0, t1, self.rng["background"])
            self.future = Arrivals.concat([self.future, _arrivals(r)]).sorted()
            self.generated_until = t1
        cut = int(np.searchsorted(self.future.time, t, side="left"))
        due, self.future = self.future.take(slice(0, cut)), self.future.take(slice(cut, None))
        return due

    def due_retries(self, t: float) -> list[Arrivals]:
        if not self.retries:
            return []
        pool = Arrivals.concat(self.retries)
        due = pool.time < t
        self.retries = [pool.take(~due)] if (~due).any() else []
        return [pool.take(due)] if due.any() else []

    def dispatch(self, a: Arrivals) -> list[Served]:
        """Route a batch sorted by arrival; returns the fates, per pod."""
        self.stats.issued(a)
        if not self.endpoints:
            return [self.fail(a, Unreachable.NO_ENDPOINTS)]
        choice = self.rng["routing"].integers(len(self.endpoints), size=len(a))
        out = []
        for j, key in enumerate(self.endpoints):
            rows = np.flatnonzero(choice == j)
            if len(rows):
                out.append(self.deliver(key, a.take(rows)))
        return out

    def deliver(self, key: str, a: Arrivals) -> Served:
        server = self.servers.get(key)
        node = self.world.runtime.get(self.world.pod(key).pod.node_name) if self.world.pod(key) else None
        if node is None or not node.alive or not node.connected:
            return self.fail(a, Unreachable.TIMED_OUT)
        if server is None:
            return self.fail(a, Unreachable.REFUSED)
        demand = sample_service(a.kind, a.nbytes, self.params.service, server.settings.redirect, self.rng["service"])
        return server.serve(a, demand)

    def fail(self, a: Arrivals, code: Unreachable) -> Served:
        n = len(a)
        nan = np.full(n, np.nan)
        failed = Served(a.time, a.kind, a.nbytes, a.client, a.attempt, a.tag, nan, a.time + failure_delay(code),
                        np.full(n, code, np.int16), np.zeros(n), np.full((n, 2), np.nan), np.zeros(n),
                        np.zeros(n, np.int64), np.zeros(n, np.int64))
        self.unanswered = Served.concat([self.unanswered, failed])
        return failed

    def commit(self, t: float) -> None:
        for key in sorted(self.servers):
            done = self.servers[key].commit(t)
            if len(done):
                self.account(done, key)
        if len(self.unanswered):
            finished = self.unanswered.end <= t
            self.account(self.unanswered.take(finished), None)
            self.unanswered = self.unanswered.take(~finished)

    def account(self, done: Served, key: str | None) -> None:
        if not len(done):
            return
        self.unobserved.setdefault(key, []).append(done)
        self.unobserved_rows += len(done)
        if self.unobserved_rows >= FLUSH_ROWS:
            self.flush()
        self.schedule_retries(done)
        self.notify(done)

    def flush(self) -> None:
        """Hand finished requests to the statistics and the pods' metrics, in larger
        batches than the ticks produce (per-batch numpy overhead dominates small ones)."""
        for key, parts in sorted(self.unobserved.items(), key=lambda item: item[0] or ""):
            done = Served.concat(parts) if len(parts) > 1 else parts[0]
            settings = self.settings_of.get(key)
            self.stats.finished(done, key, read_only=settings is not None and settings.read_only)
            if key is not None and key in self.metrics:
                self.metrics[key].observe(self.world.now, _completed(done))
        self.unobserved.clear()
        self.unobserved_rows = 0

    def schedule_retries(self, done: Served) -> None:
        clients = self.params.clients
        limit = np.array([clients.pull.retries, clients.push.retries, 0, 0])[done.client]
        delay = np.array([clients.pull.retry_after, clients.push.retry_after, 0, 0])[done.client]
        again = np.isin(done.code, RETRIED) & (done.tag < 0) & (done.attempt < limit)
        if again.any():
            r = done.take(again)
            when = np.maximum(r.end + delay[again], self.done_until)
            self.retries.append(Arrivals(when, r.kind, r.nbytes, r.client, (r.attempt + 1).astype(np.int8), r.tag))

    # ----- requests a client waits for ----------------------------------------------------------
    def request(self, kind: Kind, nbytes: int, client: Client, pod: str | None = None) -> tuple[int, Served]:
        """Send one request now, through the Service or straight to `pod` (as Prometheus
        does); returns its tag and its fate as decided on arrival."""
        self.advance(self.world.now)
        tag = self.next_tag
        self.next_tag += 1
        arrival = Arrivals.of([self.world.now], [kind], [nbytes], client, tag=tag)
        if pod is not None:
            self.stats.issued(arrival)
            return tag, self.deliver(pod, arrival)
        return tag, next(p for p in self.dispatch(arrival) if len(p))

    def watch(self, tag: int):
        """An event that fires if the request's connection breaks before its planned end."""
        event = self.world.env.event()
        self.watchers[tag] = event
        return event

    def unwatch(self, tag: int) -> None:
        self.watchers.pop(tag, None)

    def notify(self, done: Served) -> None:
        if not self.watchers:
            return
        for tag, code in zip(done.tag[done.tag >= 0].tolist(), done.code[done.tag >= 0].tolist()):
            event = self.watchers.pop(tag, None)
            if event is not None and code == Unreachable.BROKEN and not event.triggered:
                event.succeed(self.world.now)

    def finish(self) -> None:
        """At the end of the run: commit what finished, count the rest as open, and leave
        the totals, limiter peaks and read-only writes as records for the invariants."""
        self.advance(self.world.now)
        self.flush()
        self.stats.close(self.world.now, self.servers, self.unanswered, self.retries)
        leave_records(self.world.recorder, self.stats, self.settings_of)


def _idle(profile) -> bool:
    """A profile that never sends anything (a constant 0)."""
    return getattr(profile, "value", None) == 0.0


def _arrivals(r) -> Arrivals:
    client = np.where(PUSH_KINDS[r.kind], Client.PUSH, Client.PULL).astype(np.int8)
    n = len(r)
    return Arrivals(r.time, r.kind, r.bytes, client, np.zeros(n, np.int8), np.full(n, -1, np.int64))


def _completed(done: Served) -> Completed:
    return Completed(kind=done.kind, code=done.code, start=done.start, end=done.end, cpu=done.cpu, storage=done.storage,
                     transfer=done.transfer, request_bytes=done.request_bytes, response_bytes=done.response_bytes)


