"""The kubelets: start pods bound to their node, make them Ready, run their termination,
and follow the node's physical state (crash, recovery, network partition).

A kubelet that cannot reach the API server keeps its pods' state locally and posts it
when the connection returns; a crashed node's containers are gone, and its pods restart
(restart count + 1) when it comes back. Pods deleted while their node was unreachable
stay Terminating until then.
"""

from __future__ import annotations

from twin.model.kubelet import CrashBackOff, crash_restart, images_to_pull, startup_timeline, termination_timeline
from twin.model.workloads import PodRecord
from twin.sim.world import World

SHUTDOWN_TIMEOUT = 29.0
"""The registry's `http.Server.Shutdown` timeout after SIGTERM (`spec/registry-operator.md` §2.3)."""


class Kubelets:
    def __init__(self, world: World) -> None:
        self.world = world
        self.incarnation: dict[str, int] = {}
        self.local: dict[str, dict] = {}  # the kubelet's own view of each pod's status
        self.traffic = None  # the traffic engine, told when registry containers start and stop
        self.puller = None  # pulls images from the integrated registry request by request
        self.volume = None  # the registry's ReadWriteOnce volume, when its storage is a PVC (`sim/volumes.py`)
        self.backoffs: dict[str, CrashBackOff] = {}  # crash-loop back-off per pod (one container each)
        world.store.subscribe("Pod", self.on_pod)

    def on_pod(self, old: PodRecord | None, new: PodRecord | None) -> None:
        if new is None:
            self.incarnation.pop(old.key, None)
            self.local.pop(old.key, None)
            return
        if new.pod.node_name and (old is None or not old.pod.node_name):
            self.start(new.key)
        if new.status.deleted is not None and (old is None or old.status.deleted is None):
            self.world.env.process(self.terminate(new.key))

    def runtime_of(self, record: PodRecord):
        return self.world.runtime.get(record.pod.node_name)

    # ----- start-up ----------------------------------------------------------------
    def start(self, key: str) -> None:
        token = self.incarnation.get(key, 0) + 1
        self.incarnation[key] = token
        self.world.env.process(self.startup(key, token))

    def startup(self, key: str, token: int):
        world = self.world
        record = world.pod(key)
        node = self.runtime_of(record)
        if node is None or not node.alive:
            return  # started when the node comes back
        if self.volume is not None and self.volume.uses(record):  # attach and mount come before the images
            attached = yield from self.volume.attach(key, record.pod.node_name, lambda: self.current(key, token))
            if not attached:
                return
        missing = images_to_pull(record.pod, node.images)
        begun = world.now
        if self.puller is not None:
            for image in [m for m in missing if self.puller.wants(m)]:
                pulled = yield from self.puller.pull(key, node, image, lambda: self.current(key, token))
                if not self.current(key, token):
                    return
                begun = pulled if pulled is not None else world.now  # the pull's exact end (the engine ticks after it)
            missing = [m for m in missing if not self.puller.wants(m)]
        plan = startup_timeline(record.pod, world.params.pull_time(missing), world.params.container_start_seconds)
        yield world.env.timeout(max(0.0, begun + plan.started - world.now))
        if not self.current(key, token):
            return
        node.images.update(missing)
        self.post(key, phase="Running", started=world.now)
        if self.traffic is not None:
            self.traffic.container_started(world.pod(key))
        yield world.env.timeout(max(0.0, begun + plan.ready - world.now))
        if self.current(key, token) and self.probe_passes(key):
            self.post(key, ready=True, ready_since=world.now)
            world.recorder.record("PodReady", key, node=record.pod.node_name)

    def probe_passes(self, key: str) -> bool:
        """The readiness probe's answer: a registry behind a closed storage gate answers
        503 (its probe loop makes it Ready once the gate opens)."""
        return self.traffic is None or key not in self.traffic.servers or self.traffic.gate_open(key)

    def current(self, key: str, token: int) -> bool:
        """The pod still exists, is not terminating, its node runs, and no newer start
        superseded this one."""
        record = self.world.pod(key)
        if record is None or record.status.deleted is not None or self.incarnation.get(key) != token:
            return False
        node = self.runtime_of(record)
        return node is not None and node.alive

    def post(self, key: str, **changes) -> None:
        """Remember a status change and post it if the node can reach the API server
        (otherwise it is posted when the connection returns)."""
        self.local.setdefault(key, {}).update(changes)
        record = self.world.pod(key)
        node = self.runtime_of(record)
        if node is not None and node.connected:
            self.world.update_status(key, **changes)

    # ----- termination ----------------------------------------------------------------
    def terminate(self, key: str):
        world = self.world
        record = world.pod(key)
        node = self.runtime_of(record)
        if node is None or not node.alive or not node.connected:
            return  # stays Terminating until the node returns
        grace = record.status.grace_seconds or 0
        plan = termination_timeline(record.pod, grace, world.params.shutdown_seconds)
        self.incarnation[key] = self.incarnation.get(key, 0) + 1  # stop a start-up in progress
        if self.serving(key):
            yield world.env.timeout(plan.sigterm)
            yield from self.drain(key, min(SHUTDOWN_TIMEOUT, max(0.0, grace - plan.sigterm)))
        else:
            yield world.env.timeout(plan.exited)
        if node.alive and node.connected:
            self.stopped(key)
            world.remove_pod(key)

    def serving(self, key: str) -> bool:
        return self.traffic is not None and key in self.traffic.servers

    def drain(self, key: str, timeout: float):
        """SIGTERM to a serving registry: `http.Server.Shutdown` stops taking requests and
        returns when the open ones are done, at most `SHUTDOWN_TIMEOUT` later; the kubelet
        kills the container at the grace period (§2.3)."""
        if not self.serving(key):
            return
        self.traffic.begin_shutdown(key)
        yield self.traffic.drained(key) | self.world.env.timeout(timeout)

    def stopped(self, key: str) -> None:
        if self.traffic is not None:
            self.traffic.container_stopped(key)

    def container_died(self, key: str, finished: float, reason: str) -> None:
        """The container exited at `finished` (a failed liveness probe, an OOM kill): the
        pod turns NotReady and the container starts again after the crash-loop back-off
        (`model/kubelet.py` `crash_restart`: at once, then 10 s doubling to 300 s)."""
        record = self.world.pod(key)
        if record is None or record.status.deleted is not None:
            return
        now = self.world.now
        delay, self.backoffs[key] = crash_restart(self.backoffs.get(key, CrashBackOff()), finished)
        at = max(now, finished + delay)
        self.incarnation[key] = self.incarnation.get(key, 0) + 1
        self.stopped(key)
        self.post(key, ready=False, ready_since=now, restarts=record.status.restarts + 1)
        self.world.recorder.record("ContainerRestart", key, reason=reason, exited=round(finished, 6),
                                   backoff=delay)
        self.world.env.process(self.start_after(key, self.incarnation[key], at - now))

    def start_after(self, key: str, token: int, delay: float):
        yield self.world.env.timeout(delay)
        if self.incarnation.get(key) == token and self.current(key, token):
            self.start(key)

    # ----- the node's physical state ---------------------------------------------------
    def node_changed(self, name: str) -> None:
        if self.traffic is not None:
            self.traffic.node_changed(name)

    def node_crashed(self, name: str) -> None:
        node = self.world.runtime[name]
        node.alive = node.connected = False
        node.silent(self.world.now)
        self.node_changed(name)
        for record in self.world.pods_on(name):
            self.incarnation[record.key] = self.incarnation.get(record.key, 0) + 1  # containers die
            self.stopped(record.key)

    def node_partitioned(self, name: str) -> None:
        node = self.world.runtime[name]
        node.connected = False
        node.silent(self.world.now)
        self.node_changed(name)

    def node_back(self, name: str) -> None:
        """Recovery from a crash or a partition: heartbeats resume; deleted pods finish
        terminating at once (their grace period has run on the API side); after a crash
        the other pods restart with one more restart."""
        node = self.world.runtime[name]
        crashed = not node.alive
        node.alive = node.connected = True
        node.heard_again(self.world.now)
        self.node_changed(name)
        for record in self.world.pods_on(name):
            if record.status.deleted is not None:
                self.world.remove_pod(record.key)
            elif crashed:
                self.local.pop(record.key, None)
                restarts = record.status.restarts + 1
                self.world.update_status(record.key, ready=False, ready_since=self.world.now, restarts=restarts)
                self.start(record.key)
            elif self.local.get(record.key):
                self.world.update_status(record.key, **self.local[record.key])
