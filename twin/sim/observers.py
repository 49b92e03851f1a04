"""Observers: record facts the invariants and KPIs read, without changing anything."""

from __future__ import annotations

from twin.model.registry.render import NAMESPACE
from twin.model.workloads import PodRecord
from twin.sim.world import World


def is_registry_pod(record: PodRecord) -> bool:
    return record.pod.namespace == NAMESPACE and record.pod.labels.get("docker-registry") == "default"


def count_ready(ready: set[str], key: str, new: PodRecord | None) -> bool:
    """Keep `ready` the set of Ready, non-terminating pods; True when its size changed."""
    before = len(ready)
    if new is not None and new.status.ready and new.status.deleted is None:
        ready.add(key)
    else:
        ready.discard(key)
    return len(ready) != before


class RegistryWatch:
    """Records `RegistryReady` (Ready, non-terminating registry pods) whenever the count
    changes, and `RegistryDesired` whenever the Config's replicas change."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.ready: set[str] = set()
        self.desired: int | None = None
        world.store.subscribe("Pod", self.on_pod)
        world.store.subscribe("Config", self.on_config)

    def on_pod(self, old: PodRecord | None, new: PodRecord | None) -> None:
        record = new or old
        if is_registry_pod(record) and count_ready(self.ready, record.key, new):
            self.world.recorder.record("RegistryReady", "image-registry", ready=len(self.ready))

    def on_config(self, old, new) -> None:
        replicas = None if new is None else (new.replicas if new.management_state != "Removed" else 0)
        if replicas != self.desired:
            self.desired = replicas
            self.world.recorder.record("RegistryDesired", "image-registry", replicas=replicas)


class DeploymentWatch:
    """Records `DeploymentProgressing` whenever a Deployment's Progressing condition
    changes status or reason, and `DeploymentTerminating` whenever its
    status.terminatingReplicas changes (Kubernetes 1.35+: `status_fields.py`)."""

    def __init__(self, world: World) -> None:
        self.world = world
        world.store.subscribe("Deployment", self.on_deployment)

    def on_deployment(self, old, new) -> None:
        if new is None:
            return
        before = old.status.condition("Progressing") if old else None
        after = new.status.condition("Progressing")
        if after is not None and (before is None or (before.status, before.reason) != (after.status, after.reason)):
            self.world.recorder.record("DeploymentProgressing", new.key, status=after.status, reason=after.reason,
                                       generation=new.generation)
        terminating = new.status.terminating_replicas
        if terminating is not None and terminating != (old.status.terminating_replicas if old else None):
            self.world.recorder.record("DeploymentTerminating", new.key, terminating=terminating)


class WorkloadWatch:
    """Records `WorkloadReady` (Ready, non-terminating pods of the scenario's workloads:
    neither the registry nor DaemonSet pods) whenever the count changes."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.ready: set[str] = set()
        world.store.subscribe("Pod", self.on_pod)

    def on_pod(self, old: PodRecord | None, new: PodRecord | None) -> None:
        record = new or old
        owner = record.pod.controller_owner()
        if is_registry_pod(record) or owner is None or owner.kind != "ReplicaSet":
            return
        if count_ready(self.ready, record.key, new):
            self.world.recorder.record("WorkloadReady", "workloads", ready=len(self.ready))
