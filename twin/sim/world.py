"""`World`: the SimPy environment with the store, the scheduler's cluster view, the
recorder, the random streams and the physical state of nodes (which the API objects only
learn about through heartbeats)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import simpy

from twin.model.cluster import ClusterView
from twin.model.controllers.latency_profile import latency_settings
from twin.model.controllers.taint_eviction import with_default_tolerations
from twin.model.objects import Node
from twin.model.scheduling.priority import PriorityClasses
from twin.model.workloads import PodRecord
from twin.sim.mirror import ViewMirror
from twin.sim.recorder import Recorder
from twin.sim.store import Store
from twin.sim.streams import RandomStreams

HEARTBEAT_PERIOD = 10.0  # kubelet Lease renewal: 25 % of a 40 s lease


@dataclass
class NodeRuntime:
    """What is physically true of a node. `alive`: kubelet and containers run;
    `connected`: it can reach the API server. `heartbeat_phase` offsets its 10 s lease
    renewals (and its status syncs); `silent_since` is when heartbeats stopped reaching
    the API server."""

    name: str
    heartbeat_phase: float
    alive: bool = True
    connected: bool = True
    silent_since: float | None = None
    silent_from: float | None = None  # the last silence's start, once it is over
    back_since: float | None = None  # when the last silence ended
    images: set[str] = field(default_factory=set)
    layers: set[int] = field(default_factory=set)  # blob ids in the node's layer cache
    ready_at: float = 0.0  # a new machine's kubelet reports Ready=False before this (`sim/machines.py`)

    def reports_ready(self, at: float) -> bool:
        """The Ready status the kubelet posts at `at`: False until its network is up."""
        return at >= self.ready_at

    def last_heartbeat(self, now: float) -> float:
        """The latest lease renewal the API server has seen."""
        return self.last_tick(now, HEARTBEAT_PERIOD)

    def last_status(self, now: float, period: float) -> float:
        """The latest node status the kubelet posted, syncing every `period` s (its
        node-status-update-frequency) on the same phase as its lease renewals."""
        return self.last_tick(now, period)

    def last_tick(self, now: float, period: float) -> float:
        """The latest tick of a `period` grid that reached the API server: none while the
        node is silent, and after a silence none of the ticks that fell inside it."""
        if self.silent_since is not None:
            return self._tick(self.silent_since, period)
        latest = self._tick(now, period)
        if self.back_since is not None and self.silent_from is not None and latest < self.back_since:
            return self._tick(self.silent_from, period)
        return latest

    def _tick(self, until: float, period: float) -> float:
        ticks = (until - self.heartbeat_phase) // period
        return max(self.heartbeat_phase + ticks * period, 0.0)

    def silent(self, now: float) -> None:
        if self.silent_since is None:  # a crash during a partition: silent since the partition
            self.silent_since = now

    def heard_again(self, now: float) -> None:
        if self.silent_since is not None:
            self.silent_from, self.back_since = self.silent_since, now
        self.silent_since = None


@dataclass(frozen=True)
class WorldParams:
    kubernetes_minor: int = 36
    container_start_seconds: float = 1.0
    shutdown_seconds: float = 1.0
    default_pull_seconds: float = 10.0
    pull_seconds: dict = field(default_factory=dict)  # image -> seconds
    latency_profile: str | None = None  # OpenShift's worker latency profile; None: unset

    def pull_time(self, images: list[str]) -> float:
        return sum(self.pull_seconds.get(image, self.default_pull_seconds) for image in images)


class World:
    def __init__(self, seed: int = 0, params: WorldParams | None = None) -> None:
        self.env = simpy.Environment()
        self.params = params or WorldParams()
        self.latency = latency_settings(self.params.latency_profile, self.params.kubernetes_minor)
        self.store = Store(self.env)
        self.recorder = Recorder(lambda: self.env.now)
        self.streams = RandomStreams(seed)
        self.view = ClusterView()
        self.runtime: dict[str, NodeRuntime] = {}
        self.priority_classes = PriorityClasses()  # the system classes; `build_world` adds the scenario's
        mirror = ViewMirror(self.view)
        self.store.subscribe("Pod", mirror.on_pod)
        self.store.subscribe("Node", mirror.on_node)

    @property
    def now(self) -> float:
        return self.env.now

    def add_node(self, node: Node, ready_at: float = 0.0, **details) -> None:
        """`ready_at`: when its kubelet starts to report Ready; `details` go on the record."""
        phase = float(self.streams("heartbeats").uniform(0, HEARTBEAT_PERIOD))
        self.runtime[node.name] = NodeRuntime(node.name, phase, ready_at=ready_at)
        self.store.put("Node", node.name, node)
        self.recorder.record("NodeAdded", node.name, **details)

    def put_node(self, node: Node) -> bool:
        return self.store.put("Node", node.name, node)

    def node(self, name: str) -> Node | None:
        return self.store.get("Node", name)

    def pod(self, key: str) -> PodRecord | None:
        return self.store.get("Pod", key)

    def put_pod(self, record: PodRecord) -> bool:
        return self.store.put("Pod", record.key, record)

    def create_pod(self, record: PodRecord) -> None:
        """Admission adds the not-ready/unreachable tolerations (DefaultTolerationSeconds:
        300 s, or the worker latency profile's) and resolves the pod's priority from its
        PriorityClass (the Priority plugin) before the pod is stored."""
        latency = self.latency
        pod = with_default_tolerations(self.priority_classes.admit(record.pod), latency.not_ready_toleration_seconds,
                                       latency.unreachable_toleration_seconds)
        self.put_pod(PodRecord(pod, replace(record.status, created=self.now)))
        self.recorder.record("PodCreated", record.key, owner=_owner(record))

    def update_status(self, key: str, **changes) -> PodRecord | None:
        record = self.pod(key)
        if record is None:
            return None
        updated = replace(record, status=replace(record.status, **changes))
        self.put_pod(updated)
        return updated

    def delete_pod(self, key: str, reason: str, grace_seconds: int | None = None) -> None:
        """Graceful deletion: set the deletionTimestamp (unbound pods go at once)."""
        record = self.pod(key)
        if record is None or record.status.deleted is not None:
            return
        grace = record.pod.termination_grace_period_seconds if grace_seconds is None else grace_seconds
        self.recorder.record("PodTerminating", key, reason=reason, node=record.pod.node_name, grace=grace)
        if record.pod.node_name is None:
            self.remove_pod(key)
            return
        pod = replace(record.pod, deletion_timestamp=f"t+{self.now:.3f}s")
        self.put_pod(PodRecord(pod, replace(record.status, deleted=self.now, grace_seconds=grace)))

    def remove_pod(self, key: str) -> None:
        if self.store.delete("Pod", key) is not None:
            self.recorder.record("PodDeleted", key)

    def pods_on(self, node_name: str) -> list[PodRecord]:
        """Pods bound to a node (from the view's per-node index)."""
        n = self.view.node_index.get(node_name)
        return [] if n is None else [self.pod(p.key) for p in list(self.view.pods_on(n))]

    def run(self, until: float) -> None:
        self.env.run(until=until)


def _owner(record: PodRecord) -> str | None:
    owner = record.pod.controller_owner()
    return owner.name if owner else None
