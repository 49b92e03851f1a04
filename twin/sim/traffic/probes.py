"""The storage health gate and the probes that follow it (`spec/registry-operator.md`
§4.5, §2.3).

Each registry container checks its storage every `REGISTRY_HEALTH_STORAGEDRIVER_INTERVAL`
(10 s, threshold 1) from the moment it starts; while the last check failed, the gate
answers every request 503, `/healthz` included. The kubelet probes `/healthz` (readiness
from 15 s, liveness from 5 s, every 10 s, 3 failures): the pod turns NotReady, and leaves
the endpoints, after three failed readiness probes; three failed liveness probes restart
the container after the crash-loop back-off (at once, then 10 s doubling to 300 s). The first
readiness success after start-up is the kubelet's start-up timeline; this loop only
takes readiness away and gives it back.

Simplification: a liveness kill stops the container at once (the preStop sleep of a
container the gate already answers 503 for changes nothing that is measured).
"""

from __future__ import annotations

import math

from twin.model.objects import Probe
from twin.sim.world import World

HEALTH_INTERVAL = 10.0


class StorageHealth:
    """Whether the object store answers; every registry container's gate follows it."""

    def __init__(self, world: World, kubelets, engine) -> None:
        self.world = world
        self.kubelets = kubelets
        self.engine = engine
        self.healthy = True
        self.changed = world.env.event()  # fires when the storage turns healthy or unhealthy

    def set_healthy(self, healthy: bool) -> None:
        self.healthy = healthy
        self.world.recorder.record("StorageHealth", "storage", healthy=healthy)
        changed, self.changed = self.changed, self.world.env.event()
        changed.succeed()

    def quiet(self, key: str, failures: dict) -> bool:
        """Healthy storage, an open gate, no failed probe, and a pod that is Ready or still
        starting: every check and probe would pass, so the loop may sleep."""
        record = self.world.pod(key)
        starting = record.status.started is None or not record.status.ready and record.status.restarts == 0
        return (self.healthy and self.engine.gate_open(key) and not any(failures.values())
                and (record.status.ready or starting))

    def container_started(self, key: str) -> None:
        token = self.kubelets.incarnation.get(key)
        self.world.env.process(self.watch(key, token))

    def watch(self, key: str, token: int):
        """The container's health checks and probes, until it stops."""
        world = self.world
        pod = world.pod(key).pod
        container = next((c for c in pod.containers if c.name == "registry"), pod.containers[0])
        clocks = _Clocks(world.now, container.readiness, container.liveness)
        failures = {"readiness": 0, "liveness": 0}
        while True:
            if self.quiet(key, failures):  # nothing can change until the storage does
                yield self.changed
                if self.kubelets.incarnation.get(key) != token or world.pod(key) is None:
                    return
                clocks.skip_to(world.now)
                continue
            what, at = clocks.next()
            yield world.env.timeout(at - world.now)
            if self.kubelets.incarnation.get(key) != token or world.pod(key) is None:
                return
            if what == "health":
                self.engine.set_gate(key, self.healthy)
                continue
            ok = self.engine.gate_open(key)
            failures[what] = 0 if ok else failures[what] + 1
            if what == "readiness":
                self.readiness(key, ok, failures[what], clocks.readiness)
            elif failures[what] >= clocks.liveness.failure_threshold:
                self.restart(key)
                return

    def readiness(self, key: str, ok: bool, failed: int, probe: Probe) -> None:
        record = self.world.pod(key)
        if not ok and record.status.ready and failed >= probe.failure_threshold:
            self.kubelets.post(key, ready=False, ready_since=self.world.now)
            self.world.recorder.record("PodNotReady", key, reason="readiness probe failed: HTTP 503")
        elif ok and not record.status.ready and record.status.phase == "Running" and self.started_up(record, probe):
            self.kubelets.post(key, ready=True, ready_since=self.world.now)
            self.world.recorder.record("PodReady", key, node=record.pod.node_name)

    def started_up(self, record, probe: Probe) -> bool:
        started = record.status.started
        return started is not None and self.world.now >= started + probe.initial_delay_seconds

    def restart(self, key: str) -> None:
        """Liveness failed: the kubelet kills the container now and starts it again after
        the crash-loop back-off (`model/kubelet.py` `crash_restart`)."""
        self.kubelets.container_died(key, self.world.now, "liveness probe failed: HTTP 503")


class _Clocks:
    """When the next health check, readiness probe and liveness probe run."""

    def __init__(self, started: float, readiness: Probe | None, liveness: Probe | None) -> None:
        self.readiness = readiness or Probe(15, 10)
        self.liveness = liveness or Probe(5, 10)
        self.due = {
            "health": started + HEALTH_INTERVAL,
            "readiness": started + self.readiness.initial_delay_seconds,
            "liveness": started + self.liveness.initial_delay_seconds,
        }
        self.period = {"health": HEALTH_INTERVAL, "readiness": float(self.readiness.period_seconds),
                       "liveness": float(self.liveness.period_seconds)}

    def skip_to(self, now: float) -> None:
        """Move every timer to its first tick at or after `now`, keeping its phase."""
        for what, due in self.due.items():
            if due < now:
                self.due[what] = due + math.ceil((now - due) / self.period[what]) * self.period[what]

    def next(self) -> tuple[str, float]:
        what = min(self.due, key=lambda k: (self.due[k], k))
        at = self.due[what]
        self.due[what] = at + self.period[what]
        return what, at
