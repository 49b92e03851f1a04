"""The node-ca DaemonSet (`spec/registry-operator.md` §2.5): one pod per linux node,
tolerating every taint, placed by the scheduler through a required node affinity on the
node's name (as the DaemonSet controller does since Kubernetes 1.12); its status feeds
the operator's NodeCADaemon conditions. It is managed whatever the registry's
managementState."""

from __future__ import annotations

from dataclasses import dataclass

from twin.model.labels import IN, NodeSelectorTerm, Requirement
from twin.model.objects import Affinity, Container, NodeAffinity, OwnerReference, Pod, Toleration
from twin.model.registry.cluster_operator import node_ca_conditions
from twin.model.registry.render import NAMESPACE
from twin.model.workloads import Condition, PodRecord
from twin.sim.indexes import PodsByOwner
from twin.sim.loops import WorkQueue, run_controller
from twin.sim.world import World

NAME = "node-ca"
LABELS = {"name": "node-ca"}


@dataclass(frozen=True)
class NodeCAStatus:
    desired: int
    available: int
    conditions: tuple[Condition, ...]
    key: str = NAME


def node_ca_pod(node: str) -> Pod:
    """10m CPU / 10Mi, system-cluster-critical, tolerates all taints (§2.5)."""
    term = NodeSelectorTerm(match_fields=(Requirement("metadata.name", IN, (node,)),))
    return Pod(
        f"{NAME}-{node}", NAMESPACE, dict(LABELS),
        containers=(Container("node-ca", {"cpu": 10, "memory": 10 << 20}, image="node-ca"),),
        tolerations=(Toleration(operator="Exists"),),
        affinity=Affinity(node_affinity=NodeAffinity(required=(term,))),
        owner_references=(OwnerReference("DaemonSet", NAME),),
        priority_class_name="system-cluster-critical", priority=2_000_000_000,
    )


class NodeCADaemonSet:
    def __init__(self, world: World, pods: PodsByOwner) -> None:
        self.world = world
        self.index = pods
        self.queue = WorkQueue(world)
        world.store.subscribe("Node", lambda old, new: self.queue.add(NAME))
        world.store.subscribe("Pod", self.on_pod)
        world.env.process(run_controller(world, "daemonset-controller", self.queue, self.reconcile))
        self.queue.add(NAME)  # the informer's initial list

    def on_pod(self, old: PodRecord | None, new: PodRecord | None) -> None:
        owner = (new or old).pod.controller_owner()
        if owner is not None and owner.kind == "DaemonSet" and owner.name == NAME:
            self.queue.add(NAME)

    def reconcile(self, key: str, now: float):
        nodes = [n for n in self.world.store.list("Node") if n.labels.get("kubernetes.io/os", "linux") == "linux"]
        wanted = {f"{NAMESPACE}/{NAME}-{n.name}": n.name for n in nodes}
        for record in self.pods():
            if record.key not in wanted:
                self.world.delete_pod(record.key, "DaemonSetNodeGone")
        for pod_key, node in wanted.items():
            if self.world.pod(pod_key) is None:
                self.world.create_pod(PodRecord(node_ca_pod(node)))
        available = sum(r.status.ready and r.status.deleted is None for r in self.pods())
        status = NodeCAStatus(len(wanted), available, node_ca_conditions(len(wanted), available, len(wanted), 0))
        self.world.store.put("NodeCAStatus", NAME, status)
        return None

    def pods(self) -> list[PodRecord]:
        return self.index.pods(f"{NAMESPACE}/{NAME}")
