"""The Deployment controller in simulated time: a work queue of Deployment keys fed by
Deployment, ReplicaSet and pod changes. ReplicaSets whose Deployment is gone are
garbage-collected (and with them, by the ReplicaSet controller, their pods)."""

from __future__ import annotations

from twin.model.controllers.actions import Delete, Reconciled
from twin.model.controllers.deployment import reconcile_deployment
from twin.model.workloads import Deployment, PodRecord, ReplicaSet
from twin.sim.indexes import PodsByOwner
from twin.sim.loops import WorkQueue, run_controller
from twin.sim.world import World


class DeploymentController:
    def __init__(self, world: World, pods: PodsByOwner) -> None:
        self.world = world
        self.pods = pods
        self.queue = WorkQueue(world)
        world.store.subscribe("Deployment", self.on_deployment)
        world.store.subscribe("ReplicaSet", self.on_replicaset)
        world.store.subscribe("Pod", self.on_pod)
        world.env.process(run_controller(world, "deployment-controller", self.queue, self.reconcile))

    def on_deployment(self, old: Deployment | None, new: Deployment | None) -> None:
        self.queue.add((new or old).key)

    def on_replicaset(self, old: ReplicaSet | None, new: ReplicaSet | None) -> None:
        rs = new or old
        if rs.owner:
            self.queue.add(f"{rs.namespace}/{rs.owner}")

    def on_pod(self, old: PodRecord | None, new: PodRecord | None) -> None:
        record = new or old
        owner = record.pod.controller_owner()
        if owner is None or owner.kind != "ReplicaSet":
            return
        rs = self.world.store.get("ReplicaSet", f"{record.pod.namespace}/{owner.name}")
        if rs is not None and rs.owner:
            self.queue.add(f"{rs.namespace}/{rs.owner}")

    def owned(self, namespace: str, name: str) -> list[ReplicaSet]:
        return [rs for rs in self.world.store.list("ReplicaSet") if rs.namespace == namespace and rs.owner == name]

    def reconcile(self, key: str, now: float) -> Reconciled | None:
        namespace, name = key.split("/", 1)
        replicasets = self.owned(namespace, name)
        deployment = self.world.store.get("Deployment", key)
        if deployment is None:
            return Reconciled(tuple(Delete("ReplicaSet", rs.key) for rs in replicasets))
        pods = [p for rs in replicasets for p in self.pods.pods(rs.key)]
        return reconcile_deployment(deployment, replicasets, pods, now)
