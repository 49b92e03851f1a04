"""PodDisruptionBudgets in simulated time: the disruption controller keeps each PDB's
status, the Eviction API decides against it, and `kubectl drain` cordons a node and
evicts its pods, retrying every 5 s on 429."""

from __future__ import annotations

from dataclasses import replace

from twin.model.controllers.actions import Reconciled
from twin.model.controllers.disruption import (
    DRAIN_RETRY_SECONDS,
    disruption_recheck_after,
    drain_plan,
    evict,
    matching_pdbs,
    pdb_status,
)
from twin.model.labels import selector_matches
from twin.model.objects import NO_SCHEDULE, UNSCHEDULABLE_TAINT_KEY, Taint
from twin.model.workloads import PodDisruptionBudget, PodDisruptionBudgetStatus, PodRecord
from twin.sim.loops import WorkQueue, run_controller
from twin.sim.world import World

STATUS_KIND = "PDBStatus"


class DisruptionController:
    def __init__(self, world: World) -> None:
        self.world = world
        self.queue = WorkQueue(world)
        world.store.subscribe("PodDisruptionBudget", lambda old, new: self.queue.add((new or old).key))
        world.store.subscribe("Pod", self.on_pod)
        world.env.process(run_controller(world, "disruption-controller", self.queue, self.reconcile))

    def on_pod(self, old: PodRecord | None, new: PodRecord | None) -> None:
        record = new or old
        for pdb in self.world.store.list("PodDisruptionBudget"):
            if pdb.namespace == record.pod.namespace and selector_matches(pdb.selector, record.pod.labels):
                self.queue.add(pdb.key)

    def pods_of(self, pdb: PodDisruptionBudget) -> list[PodRecord]:
        return [r for r in self.world.store.list("Pod")
                if r.pod.namespace == pdb.namespace and selector_matches(pdb.selector, r.pod.labels)]

    def status(self, pdb: PodDisruptionBudget) -> PodDisruptionBudgetStatus:
        return self.world.store.get(STATUS_KIND, pdb.key) or PodDisruptionBudgetStatus()

    def reconcile(self, key: str, now: float):
        pdb = self.world.store.get("PodDisruptionBudget", key)
        if pdb is None:
            self.world.store.delete(STATUS_KIND, key)
            return None
        previous = dict(self.status(pdb).disrupted_pods)
        status = pdb_status(pdb, self.pods_of(pdb), self.controller_scales(pdb), previous, now)
        self.world.store.put(STATUS_KIND, key, status)
        return Reconciled((), disruption_recheck_after(status, now))

    def controller_scales(self, pdb: PodDisruptionBudget) -> dict[str, int]:
        """Owning controllers' scale (Deployment replicas through their ReplicaSets)."""
        scales: dict[str, int] = {}
        for record in self.pods_of(pdb):
            owner = record.pod.controller_owner()
            rs = self.world.store.get("ReplicaSet", f"{pdb.namespace}/{owner.name}") if owner else None
            if rs is not None and rs.owner:
                deployment = self.world.store.get("Deployment", f"{pdb.namespace}/{rs.owner}")
                if deployment is not None:
                    scales[deployment.key] = deployment.spec.replicas
        return scales

    # ----- the Eviction API ------------------------------------------------------------
    def evict(self, key: str, now: float) -> int:
        """POST pods/eviction: returns the HTTP code; a 200 deletes the pod gracefully."""
        record = self.world.pod(key)
        if record is None:
            return 404
        pdbs = self.world.store.list("PodDisruptionBudget")
        pairs = [(p, self.status(p)) for p in matching_pdbs(record, pdbs)]
        decision = evict(record, pairs, now)
        self.world.recorder.record("Eviction", key, code=decision.code, reason=decision.reason, ready=record.status.ready,
                                   healthy_before=[s.current_healthy for _, s in pairs],
                                   desired_healthy=[s.desired_healthy for _, s in pairs])
        if decision.status is not None:
            self.world.store.put(STATUS_KIND, pairs[0][0].key, decision.status)
        if decision.allowed:
            self.world.delete_pod(key, "Evicted")
        return decision.code


def cordon(world: World, name: str, on: bool = True) -> None:
    """spec.unschedulable, with the node.kubernetes.io/unschedulable:NoSchedule taint the
    node lifecycle controller adds for it (TaintNodesByCondition)."""
    node = world.node(name)
    taint = Taint(UNSCHEDULABLE_TAINT_KEY, "", NO_SCHEDULE)
    taints = tuple(t for t in node.taints if t.key != UNSCHEDULABLE_TAINT_KEY) + ((taint,) if on else ())
    if world.put_node(replace(node, unschedulable=on, taints=taints)):
        world.recorder.record("NodeCordoned" if on else "NodeUncordoned", name)


def drain(world: World, disruption: DisruptionController, name: str):
    """`kubectl drain --ignore-daemonsets --delete-emptydir-data --force` (no timeout)."""
    cordon(world, name)
    world.recorder.record("DrainStarted", name)
    pending = {r.key for r in drain_plan(world.pods_on(name))[0]}
    while pending:
        for key in sorted(pending):
            record = world.pod(key)
            if record is None or record.status.deleted is not None or disruption.evict(key, world.now) in (200, 404):
                pending.discard(key)
        if pending:
            yield world.env.timeout(DRAIN_RETRY_SECONDS)
    while any(world.pod(r.key) is not None for r in drain_plan(world.pods_on(name))[0]):
        yield world.env.timeout(1.0)
    world.recorder.record("DrainCompleted", name)
