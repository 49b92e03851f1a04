"""The scheduler's queue and loop around the foundation's `Scheduler`.

Pending pods wait in the active queue, ordered by priority then arrival
(PrioritySort). A pod that does not fit goes to the unschedulable pool with its
diagnosis recorded; cluster events that may help (a node added or changed, a pod
deleted or terminating) move the pool back, through the back-off queue while the pod's
back-off (1 s doubling to 10 s) runs; pods left in the pool longer than 5 minutes are
retried anyway (podMaxInUnschedulablePodsDuration).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from twin.invariants.skew import spread_skews
from twin.model.registry.render import NAMESPACE as REGISTRY_NAMESPACE
from twin.model.scheduling import Scheduler, SchedulerConfig
from twin.model.workloads import PodRecord
from twin.sim.preemption import Preemptor
from twin.sim.world import World

INITIAL_BACKOFF, MAX_BACKOFF = 1.0, 10.0
MAX_IN_UNSCHEDULABLE = 300.0
SKEW_CHECKED_NAMESPACES = (REGISTRY_NAMESPACE,)  # brute force is O(pods): registry pods only


def diagnosis(result, last: dict[str, str] | None = None) -> dict[str, str]:
    """Per node, the failing plugin and its reasons, as kube-scheduler records them.
    `last`: the previous diagnosis, returned itself when equal, so that the records of
    the many failures that see the same cluster share one (read-only) dict."""
    texts = result.statuses().texts()
    if last is not None and len(last) == len(texts) and list(last.values()) == texts \
            and list(last) == result.node_names:
        return last
    return dict(zip(result.node_names, texts))


def backoff_seconds(attempts: int) -> float:
    """1, 2, 4, 8, 10, 10, ... seconds after the 1st, 2nd, ... failed attempt."""
    return BACKOFFS[attempts] if attempts < len(BACKOFFS) else MAX_BACKOFF


BACKOFFS = tuple(min(INITIAL_BACKOFF * 2 ** max(a - 1, 0), MAX_BACKOFF) for a in range(8))  # the formula, per attempt


@dataclass
class QueuedPod:
    key: str
    priority: int
    arrived: float
    attempts: int = 0
    failed_at: float = 0.0
    entered_pool: float = 0.0

    def ready_at(self) -> float:
        return self.failed_at + backoff_seconds(self.attempts) if self.attempts else 0.0


@dataclass
class SchedulingQueue:
    active: list = field(default_factory=list)  # heap of (-priority, arrived, seq, key)
    entries: dict[str, QueuedPod] = field(default_factory=dict)
    pool: dict[str, QueuedPod] = field(default_factory=dict)  # unschedulable
    waiting: dict[str, QueuedPod] = field(default_factory=dict)  # back-off
    seq: int = 0

    def push_active(self, entry: QueuedPod) -> None:
        self.seq += 1
        heapq.heappush(self.active, (-entry.priority, entry.arrived, self.seq, entry.key))

    def pop_active(self) -> QueuedPod | None:
        while self.active:
            _, _, _, key = heapq.heappop(self.active)
            entry = self.entries.get(key)
            if entry is not None and key not in self.pool and key not in self.waiting:
                return entry
        return None

    def forget(self, key: str) -> None:
        self.entries.pop(key, None)
        self.pool.pop(key, None)
        self.waiting.pop(key, None)


class SchedulerLoop:
    def __init__(self, world: World, config: SchedulerConfig | None = None) -> None:
        self.world = world
        self.scheduler = Scheduler(config, world.streams("scheduler"))
        self.preemption = Preemptor(world, self.scheduler.config)
        self.queue = SchedulingQueue()
        self.wake = world.env.event()
        self.last_diagnosis: dict[str, str] | None = None
        world.store.subscribe("Pod", self.on_pod)
        world.store.subscribe("Node", self.on_node)
        world.env.process(self.run())

    # ----- events -------------------------------------------------------------------
    def on_pod(self, old: PodRecord | None, new: PodRecord | None) -> None:
        if new is not None and new.pod.node_name is None and new.status.deleted is None:
            if new.key not in self.queue.entries:
                entry = QueuedPod(new.key, new.pod.priority or 0, self.world.now)
                self.queue.entries[new.key] = entry
                self.queue.push_active(entry)
                self.poke()
            return
        key = (new or old).key
        self.queue.forget(key)
        self.preemption.forget(key, new is None)
        if old is not None and old.pod.node_name and (new is None or (new.status.deleted and not old.status.deleted)):
            self.retry_pool("AssignedPodDelete")

    def on_node(self, old, new) -> None:
        self.retry_pool("NodeAdd" if old is None else "NodeUpdate")

    def retry_pool(self, event: str) -> None:
        """MoveAllToActiveOrBackoffQueue: unschedulable pods go back to be retried."""
        self.retry(list(self.queue.pool))
        self.poke()

    def retry(self, keys: list[str]) -> None:
        """These unschedulable pods (all of them, or those whose nomination preemption
        cleared) go back to be retried, through their back-off."""
        for key in keys:
            entry = self.queue.pool.pop(key, None)
            if entry is not None:
                self.queue.waiting[key] = entry
        if keys:
            self.poke()

    def poke(self) -> None:
        if not self.wake.triggered:
            self.wake.succeed()

    # ----- the loop --------------------------------------------------------------------
    def run(self):
        env = self.world.env
        while True:
            self.wake = env.event()
            self.release_due()
            entry = self.queue.pop_active()
            if entry is not None:
                while entry is not None:  # one scheduling cycle after another, each seeing the last
                    self.attempt(entry)
                    entry = self.queue.pop_active()
                yield env.timeout(0)
                continue
            due = self.next_due()
            yield self.wake if due is None else (self.wake | env.timeout(max(due - env.now, 0.0)))

    def release_due(self) -> None:
        now = self.world.now
        for key, entry in list(self.queue.waiting.items()):
            if entry.ready_at() <= now:
                del self.queue.waiting[key]
                self.queue.push_active(entry)
        for key, entry in list(self.queue.pool.items()):
            if entry.entered_pool + MAX_IN_UNSCHEDULABLE <= now:  # the very sum `next_due` waits for: with
                # `now - entered_pool >= MAX` rounding could keep the entry while `next_due` says it is due
                del self.queue.pool[key]
                self.queue.waiting[key] = entry

    def next_due(self) -> float | None:
        times = [e.ready_at() for e in self.queue.waiting.values()]
        times += [e.entered_pool + MAX_IN_UNSCHEDULABLE for e in self.queue.pool.values()]
        return min(times) if times else None

    def attempt(self, entry: QueuedPod) -> None:
        world = self.world
        record = world.pod(entry.key)
        if record is None or record.pod.node_name or record.status.deleted is not None:
            self.queue.forget(entry.key)
            return
        nominations = self.preemption.nominations
        result = self.scheduler.schedule(world.view, record.pod, nominated=self.preemption.nominated_pods() if nominations
                                         else None, nominated_node=nominations.get(entry.key))
        if result.selected is None:
            self.unschedulable(entry, result)
            self.retry(self.preemption.run(world.pod(entry.key), result))
            return
        self.queue.forget(entry.key)
        details = self.binding_details(record, result.selected_name)
        bound = PodRecord(record.pod.bound_to(result.selected_name), record.status)
        world.put_pod(bound)
        world.update_status(entry.key, scheduled=world.now)
        world.recorder.record("PodBound", entry.key, node=result.selected_name, attempts=entry.attempts + 1, **details)

    def binding_details(self, record: PodRecord, node: str) -> dict:
        """For the invariants: whether a DaemonSet owns the pod, and for registry pods the
        spread skews of the binding computed by brute force before it happens."""
        owner = record.pod.controller_owner()
        details = {"daemonset": owner is not None and owner.kind == "DaemonSet"}
        if record.pod.namespace in SKEW_CHECKED_NAMESPACES and record.pod.topology_spread_constraints:
            view = self.world.view
            details["spread"] = spread_skews(view.nodes, [p for p, _ in view.pods()], record.pod, node)
        return details

    def unschedulable(self, entry: QueuedPod, result) -> None:
        entry.attempts += 1
        entry.failed_at = entry.entered_pool = self.world.now
        self.queue.pool[entry.key] = entry
        reasons = dict(result.failure_reasons())
        self.last_diagnosis = diagnosis(result, self.last_diagnosis)
        self.world.recorder.record("SchedulingFailed", entry.key, message=result.fit_error(),
                                   reasons=reasons, attempts=entry.attempts, nodes=self.last_diagnosis)
