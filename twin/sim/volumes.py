"""The registry's PersistentVolumeClaim in simulated time: a zonal EBS volume that one
node at a time may have attached (ReadWriteOnce), and the out-of-service taint's pod
garbage collection.

- **Provisioning**: the operator's claim `image-registry-storage` (or the one the Config
  names) is of ROSA's default class `gp3-csi` (`ebs.csi.aws.com`, WaitForFirstConsumer:
  openshift/aws-ebs-csi-driver-operator `assets/storageclass_gp3.yaml`). The scheduler
  (VolumeBinding) lets the first registry pod go anywhere; the volume is then made in its
  node's zone and the claim bound, so every later registry pod fits only that zone
  (VolumeBinding's PV node affinity; the key is `topology.kubernetes.io/zone` —
  [inferred]: the EBS CSI driver reports it beside its own `topology.ebs.csi.aws.com/zone`).
- **Attach and detach** (`model/controllers/attach_detach.py`): a pod's container cannot
  start until the volume is attached to its node; while it is attached elsewhere the pod
  waits (the kubelet's Multi-Attach error). A Terminating pod on a dead node keeps it
  attached until the node returns or the pod is force-deleted.
"""

from __future__ import annotations

from dataclasses import replace

from twin.model.controllers.attach_detach import (ATTACH_SECONDS, DETACH_SECONDS, OUT_OF_SERVICE_TAINT,
                                                  POD_GC_PERIOD, force_detach_at, gc_deletes_terminating, may_detach)
from twin.model.labels import IN, NodeSelectorTerm, Requirement
from twin.model.objects import NO_EXECUTE, ZONE_KEY, Claim, Node, Taint
from twin.model.storage import (BIND_COMPLETED_ANNOTATION, WAIT_FOR_FIRST_CONSUMER, PersistentVolume, StorageClass,
                                StorageObjects)
from twin.model.workloads import PodRecord
from twin.sim.world import World

CLASS = StorageClass("gp3-csi", "ebs.csi.aws.com", WAIT_FOR_FIRST_CONSUMER)
RWO = "ReadWriteOnce"
VOLUME = "pvc-image-registry-storage"


def uses_claim(record: PodRecord, claim: str) -> bool:
    return any(v.kind == "persistentVolumeClaim" and v.claim_name == claim for v in record.pod.volumes)


def out_of_service(node: Node | None) -> bool:
    return node is not None and any(t.key == OUT_OF_SERVICE_TAINT for t in node.taints)


class RegistryVolume:
    def __init__(self, world: World, namespace: str, claim: str) -> None:
        self.world = world
        self.namespace = namespace
        self.claim = claim
        self.zone: str | None = None
        self.attached: str | None = None  # the node it is attached to
        self.detaching = False
        self.detach_requested: float | None = None
        self.changed = world.env.event()  # fires when anything that may let it move changes
        self.publish()
        world.store.subscribe("Pod", self.on_pod)
        world.store.subscribe("Node", self.on_node)
        world.env.process(self.detacher())

    # ----- the claim and its volume as the scheduler sees them -------------------------------------
    def publish(self) -> None:
        bound = self.zone is not None
        claim = Claim(self.claim, self.namespace, (RWO,), CLASS.name, VOLUME if bound else "",
                      {BIND_COMPLETED_ANNOTATION: "yes"} if bound else {})
        volumes = []
        if bound:
            term = NodeSelectorTerm((Requirement(ZONE_KEY, IN, (self.zone,)),))
            volumes.append(PersistentVolume(VOLUME, {}, CLASS.name, (RWO,), 100 * 2**30, (term,), CLASS.provisioner,
                                            f"vol-{self.zone}", f"{self.namespace}/{self.claim}", "Bound"))
        self.world.view.storage = StorageObjects.of([claim], volumes, [CLASS])

    def on_pod(self, old: PodRecord | None, new: PodRecord | None) -> None:
        record = new or old
        if not uses_claim(record, self.claim):
            return
        if new is not None and new.pod.node_name and (old is None or not old.pod.node_name) and self.zone is None:
            self.provision(new.pod.node_name)
        self.wake()

    def on_node(self, old: Node | None, new: Node | None) -> None:
        if (new or old).name == self.attached:
            self.wake()

    def wake(self) -> None:
        if not self.changed.triggered:
            self.changed.succeed()

    def provision(self, node_name: str) -> None:
        """WaitForFirstConsumer: made in the zone of the node the first pod was bound to."""
        self.zone = self.world.node(node_name).labels.get(ZONE_KEY, "")
        self.publish()
        self.world.recorder.record("VolumeProvisioned", f"{self.namespace}/{self.claim}", zone=self.zone,
                                   node=node_name)

    def uses(self, record: PodRecord) -> bool:
        return uses_claim(record, self.claim)

    # ----- the kubelet waits for the volume ----------------------------------------------------------
    def attach(self, key: str, node: str, current):
        """Yield until the volume is attached to `node` (returns False if the pod gave up:
        `current()` turned false while waiting)."""
        waited = False
        while self.attached != node:
            if not current():
                return False
            if self.attached is None and not self.detaching:
                yield self.world.env.timeout(ATTACH_SECONDS)
                if self.attached is None and not self.detaching:
                    self.attached = node
                    self.world.recorder.record("VolumeAttached", key, node=node)
                    self.wake()
                continue
            if not waited:
                waited = True
                self.world.recorder.record("VolumeMultiAttach", key, node=node, attached_to=self.attached)
            yield self.changed
            self.changed = self.world.env.event() if self.changed.triggered else self.changed
        return current()

    # ----- the attach/detach controller --------------------------------------------------------------
    def detacher(self):
        world = self.world
        while True:
            deadline = self.step()
            waits = [self.changed] + ([world.env.timeout(deadline - world.now)] if deadline is not None else [])
            yield world.env.any_of(waits)
            if self.changed.triggered:
                self.changed = world.env.event()

    def step(self) -> float | None:
        """Detach when allowed; returns when to look again for a force detach (or None)."""
        node_name = self.attached
        if node_name is None or self.detaching:
            self.detach_requested = None
            return None
        if any(uses_claim(r, self.claim) for r in self.world.pods_on(node_name) if r is not None):
            self.detach_requested = None
            return None
        now = self.world.now
        if self.detach_requested is None:
            self.detach_requested = now
        node = self.world.node(node_name)
        runtime = self.world.runtime.get(node_name)
        healthy = node is not None and node.ready == "True"
        mounted = runtime is None or not runtime.alive or not runtime.connected  # a live node unmounted it
        if may_detach(mounted, healthy, now - self.detach_requested, out_of_service(node)):
            self.world.env.process(self.detach(node_name, forced=mounted))
            return None
        return force_detach_at(self.detach_requested, healthy)

    def detach(self, node_name: str, forced: bool):
        self.detaching = True
        yield self.world.env.timeout(DETACH_SECONDS)
        self.detaching = False
        self.attached = None
        self.detach_requested = None
        self.world.recorder.record("VolumeDetached", f"{self.namespace}/{self.claim}", node=node_name, forced=forced)
        self.wake()


class PodGarbageCollector:
    """`gcTerminating`, every 20 s: force-deletes the terminating pods of NotReady nodes
    with the out-of-service taint (`model/controllers/attach_detach.py`)."""

    def __init__(self, world: World) -> None:
        self.world = world
        world.env.process(self.loop())

    def loop(self):
        while True:
            yield self.world.env.timeout(POD_GC_PERIOD)
            for node in self.world.store.list("Node"):
                if gc_deletes_terminating(node.ready == "True", out_of_service(node)):
                    for record in self.world.pods_on(node.name):
                        if record is not None and record.status.deleted is not None:
                            self.world.recorder.record("PodGarbageCollected", record.key, node=node.name,
                                                       reason="out-of-service")
                            self.world.remove_pod(record.key)


def taint_out_of_service(world: World, name: str) -> None:
    """An administrator's `kubectl taint node NAME node.kubernetes.io/out-of-service=nodeshutdown:NoExecute`."""
    node = world.node(name)
    if node is not None and not out_of_service(node):
        world.put_node(replace(node, taints=node.taints + (Taint(OUT_OF_SERVICE_TAINT, "nodeshutdown", NO_EXECUTE),)))
        world.recorder.record("NodeTainted", name, taint=OUT_OF_SERVICE_TAINT)
