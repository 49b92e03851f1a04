"""Faults and changes on a timeline: node crash / recovery, network partition / heal,
zone outage / recovery, cordon / uncordon, drain, node added / removed, edits of the
registry Config (a JSON merge patch), the object store's outage, a client's role granted
or revoked, the API server unreachable for the registry's auth reviews, a new version
of an image pushed, the out-of-service taint on a node that is down, a remote registry's
outage and recovery, a new image on a remote, a one-off import (`oc import-image`), and a
machine pool scaled (`rosa edit machinepool --replicas`)."""

from __future__ import annotations

from twin.model.objects import WORKER_ROLE_KEY, ZONE_KEY
from twin.model.registry import parse_registry_config
from twin.scenarios.checks import merge_patch
from twin.scenarios.spec import Fault
from twin.sim.disruption import DisruptionController, cordon, drain
from twin.sim.kubelet import Kubelets
from twin.sim.volumes import taint_out_of_service
from twin.sim.world import World

REGISTRY_ZONE = REGISTRY_NODE = "registry"  # the zone / node of a running registry replica
RECOVERIES = ("node_recovery", "partition_heal", "uncordon", "out_of_service", "remove_node")
"""Faults that follow an earlier one: "registry" means the node that one took."""


class NoRegistryTarget(LookupError):
    """A fault aimed at "registry" found no registry replica to aim at."""


class FaultTimeline:
    def __init__(self, world: World, kubelets: Kubelets, disruption: DisruptionController, config_body: dict,
                 new_node) -> None:
        self.world = world
        self.kubelets = kubelets
        self.disruption = disruption
        self.config_body = config_body
        self.new_node = new_node  # (name, zone, labels) -> Node
        self.storage = None  # the storage health the registry pods check, when traffic runs
        self.traffic = None  # the traffic engine (roles, the API server's reachability), when traffic runs
        self.images = None  # the image stream controller, when a scenario has pushes, triggers or builds
        self.imports = None  # remote registries and the import controllers, when a scenario has remotes
        self.pruner = None  # the image pruner, when a scenario sets registry.pruner
        self.machines = None  # the MachineSets (`sim/machines.py`), when a scenario has machine pools
        self.registry_zone: str | None = None
        self.registry_node: str | None = None

    def run(self, faults: list[Fault]):
        for fault in faults:
            yield self.world.env.timeout(max(fault.at - self.world.now, 0.0))
            self.apply(fault)

    def apply(self, fault: Fault) -> None:
        try:
            self.apply_resolved(fault)
        except NoRegistryTarget as exc:
            self.world.recorder.record("FaultSkipped", fault.kind, reason=str(exc))

    def apply_resolved(self, fault: Fault) -> None:
        target = fault.target
        details = target.model_dump()
        if fault.kind in ("zone_outage", "zone_recovery"):
            details["zone"] = self.zone(target.zone, fault.kind == "zone_outage")
        if getattr(target, "node", None) == REGISTRY_NODE:
            target = target.model_copy(update={"node": self.registry_node_for(fault.kind)})
            details["node"] = target.node
        self.world.recorder.record("Fault", fault.kind, **details)
        getattr(self, "import_" if fault.kind == "import" else fault.kind)(target, details)

    # ----- nodes and zones ---------------------------------------------------------------
    def node_crash(self, target, details) -> None:
        self.kubelets.node_crashed(target.node)

    def node_recovery(self, target, details) -> None:
        self.kubelets.node_back(target.node)

    def network_partition(self, target, details) -> None:
        self.kubelets.node_partitioned(target.node)

    def partition_heal(self, target, details) -> None:
        self.kubelets.node_back(target.node)

    def zone_outage(self, target, details) -> None:
        for name in self.zone_nodes(details["zone"]):
            self.kubelets.node_crashed(name)
        if self.machines is not None:  # nor does the zone provide new instances
            self.machines.zone_down(details["zone"], True)

    def zone_recovery(self, target, details) -> None:
        for name in self.zone_nodes(details["zone"]):
            self.kubelets.node_back(name)
        if self.machines is not None:
            self.machines.zone_down(details["zone"], False)

    def scale_pool(self, target, details) -> None:
        """`rosa edit machinepool --replicas` (`sim/machines.py`)."""
        if self.machines is not None:
            self.machines.scale_pool(target.pool, target.replicas)

    def zone(self, name: str, outage: bool) -> str:
        """A zone by name; "registry" is the zone of the first running registry replica at
        the outage (and the same zone at the recovery)."""
        if name != REGISTRY_ZONE:
            return name
        if outage or self.registry_zone is None:
            self.registry_zone = self.zone_of_registry()
        return self.registry_zone

    def registry_node_for(self, kind: str) -> str:
        """"registry" as a node: a recovery (node_recovery, partition_heal, uncordon), the
        out-of-service taint or a removal means the node the last fault took (a fresh
        pick when none did); anything else picks a registry node anew."""
        if kind in RECOVERIES and self.registry_node is not None:
            return self.registry_node
        self.registry_node = self.node_of_registry()
        return self.registry_node

    def zone_of_registry(self) -> str:
        return self.world.node(self.node_of_registry()).labels.get(ZONE_KEY, "")

    def node_of_registry(self) -> str:
        """The node of the first Ready registry replica (by pod name) whose node is not
        cordoned, so that two `drain: {node: registry}` in a row drain two nodes."""
        pods = sorted((r for r in self.world.store.list("Pod")
                       if r.pod.labels.get("docker-registry") == "default" and r.pod.node_name and r.status.deleted is None
                       and r.status.ready and not self.world.node(r.pod.node_name).unschedulable), key=lambda r: r.key)
        if not pods:
            raise NoRegistryTarget("no Ready registry replica on a schedulable node")
        return pods[0].pod.node_name

    def zone_nodes(self, zone: str) -> list[str]:
        return [n.name for n in self.world.store.list("Node") if n.labels.get(ZONE_KEY) == zone]

    def out_of_service(self, target, details) -> None:
        """The administrator's out-of-service taint on a node that is down (non-graceful
        node shutdown, `sim/volumes.py`): its pods are evicted at once and, once Terminating,
        force-deleted by the pod garbage collector, and its volumes detached."""
        taint_out_of_service(self.world, target.node)

    def cordon(self, target, details) -> None:
        cordon(self.world, target.node)

    def uncordon(self, target, details) -> None:
        cordon(self.world, target.node, on=False)

    def drain(self, target, details) -> None:
        self.world.env.process(drain(self.world, self.disruption, target.node))

    def add_node(self, target, details) -> None:
        labels = {WORKER_ROLE_KEY: "", **target.labels}
        self.world.add_node(self.new_node(target.name, target.zone, labels))

    def remove_node(self, target, details) -> None:
        """The Node object is deleted; pod garbage collection then force-deletes its pods."""
        for record in self.world.pods_on(target.node):
            self.world.remove_pod(record.key)
        self.world.store.delete("Node", target.node)
        self.world.runtime.pop(target.node, None)
        self.world.recorder.record("NodeRemoved", target.node)

    # ----- the registry Config -------------------------------------------------------------
    def config_edit(self, target, details) -> None:
        self.config_body = merge_patch(self.config_body, target.patch)
        self.world.store.put("Config", "cluster", parse_registry_config(self.config_body, "config_edit"))

    # ----- the registry's storage -------------------------------------------------------------
    def storage_outage(self, target, details) -> None:
        if self.storage is not None:
            self.storage.set_healthy(False)

    def storage_recovery(self, target, details) -> None:
        if self.storage is not None:
            self.storage.set_healthy(True)

    # ----- authentication: roles and the API server ---------------------------------------------
    def role_grant(self, target, details) -> None:
        if self.traffic is not None:
            self.traffic.change_role(target.client, target.role, granted=True)

    def role_revoke(self, target, details) -> None:
        if self.traffic is not None:
            self.traffic.change_role(target.client, target.role, granted=False)

    def api_outage(self, target, details) -> None:
        if self.traffic is not None:
            self.traffic.set_api_reachable(False)

    def api_recovery(self, target, details) -> None:
        if self.traffic is not None:
            self.traffic.set_api_reachable(True)

    # ----- remote registries and imports (`sim/imports.py`) ---------------------------------------------
    def remote_outage(self, target, details) -> None:
        if self.imports is not None:
            self.imports.set_remote_up(target.host, False)

    def remote_recovery(self, target, details) -> None:
        if self.imports is not None:
            self.imports.set_remote_up(target.host, True)

    def remote_push(self, target, details) -> None:
        if self.imports is not None:
            self.imports.remote_push(target.image, target.changed_layers)

    def import_(self, target, details) -> None:
        """`oc import-image`: ImageStreamImport of the tag(s) now."""
        if self.imports is not None:
            self.imports.import_now(target.image)

    # ----- images ------------------------------------------------------------------------------------
    def prune(self, target, details) -> None:
        """A pruner Job started now (`sim/pruner.py`)."""
        if self.pruner is not None:
            self.pruner.start("fault")

    def push(self, target, details) -> None:
        """A new version of an image pushed from outside the cluster (`sim/images.py`)."""
        if self.images is not None:
            self.world.env.process(self.images.push(target.image, target.changed_layers))
