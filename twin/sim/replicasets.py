"""The ReplicaSet controller in simulated time: a work queue of ReplicaSet keys fed by
ReplicaSet and pod changes."""

from __future__ import annotations

from twin.model.controllers.replicaset import reconcile_replicaset, settled
from twin.model.hashing import SAFE_ALPHANUMS
from twin.model.workloads import PodRecord, ReplicaSet
from twin.sim.indexes import PodsByOwner
from twin.sim.loops import WorkQueue, run_controller
from twin.sim.world import World


class ReplicaSetController:
    def __init__(self, world: World, pods: PodsByOwner) -> None:
        self.world = world
        self.pods = pods
        self.queue = WorkQueue(world)
        self.names = world.streams("pod-names")
        world.store.subscribe("ReplicaSet", self.on_replicaset)
        world.store.subscribe("Pod", self.on_pod)
        world.env.process(run_controller(world, "replicaset-controller", self.queue, self.reconcile))

    def on_replicaset(self, old: ReplicaSet | None, new: ReplicaSet | None) -> None:
        self.queue.add((new or old).key)

    def on_pod(self, old: PodRecord | None, new: PodRecord | None) -> None:
        record = new or old
        owner = record.pod.controller_owner()
        if owner is not None and owner.kind == "ReplicaSet":
            self.queue.add(f"{record.pod.namespace}/{owner.name}")

    def reconcile(self, key: str, now: float):
        rs = self.world.store.get("ReplicaSet", key)
        if rs is None:
            return self.orphans(key)
        quick = settled(rs, self.pods.counts(key))
        if quick is not None:
            return quick
        return reconcile_replicaset(rs, self.pods.pods(key), now, lambda: self.pod_name(rs))

    def orphans(self, key: str):
        """Pods of a deleted ReplicaSet are garbage-collected (background propagation)."""
        for record in self.pods.pods(key):
            self.world.delete_pod(record.key, "GarbageCollected")
        return None

    def pod_name(self, rs: ReplicaSet) -> str:
        while True:
            suffix = "".join(SAFE_ALPHANUMS[i] for i in self.names.integers(len(SAFE_ALPHANUMS), size=5))
            name = f"{rs.name}-{suffix}"
            if self.world.pod(f"{rs.namespace}/{name}") is None:
                return name
