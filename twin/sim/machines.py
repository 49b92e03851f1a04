"""Machines in simulated time: one MachineSet per pool and zone keeps its target number
of machines, and implements the autoscaler's `CloudProvider`
(`twin/model/autoscaling/node_group.py`).

A new Machine (record `MachineCreated`) launches its instance and boots; after the
pool's provisioning delay (`model/machines/delays.py`, drawn from the seeded stream
"machines") its kubelet registers the Node (`NodeAdded` with pool, zone and machine):
NotReady, with the `node.kubernetes.io/not-ready:NoSchedule` taint the
TaintNodesByCondition admission plugin adds to every new Node (kubernetes
`plugin/pkg/admission/nodetaint/admission.go` `addNotReadyTaint`). Its kubelet reports
Ready after the node-ready delay (`NodeRuntime.ready_at`); the node-lifecycle controller
then turns Ready=True and lifts the not-ready taints, as for any node.

A zone under `zone_outage` provides no instances: a machine created there, or whose zone
goes down before it registers, fails (`MachineFailed`), counts in `failed_scale_ups` and is
deleted with its MachineSet's target lowered at once, as the autoscaler does at its next
scan with an instance whose creation failed (the clusterapi provider reports a machine
with a failure message as an instance creation error; `clusterstate`
`handleInstanceCreationErrors` backs the group off and `static_autoscaler.go`
`deleteCreatedNodesWithErrors` deletes it; ASSUMPTION: at once, not at the next scan, and
without an autoscaler too, where the Failed machine would stay). A machine
not registered `max_node_provision_time` (default 15 min, the cluster autoscaler's
`--max-node-provision-time`) after it was created is deleted and its MachineSet's target
lowered, as the autoscaler does with long-unregistered nodes (kubernetes/autoscaler
`clusterstate` `LongUnregistered`, `static_autoscaler.go` `removeOldUnregisteredNodes`,
which calls `NodeGroup.DeleteNodes`); it counts in `failed_scale_ups`. ASSUMPTION: the
same happens without an autoscaler (on a real cluster the Failed machine would stay).

Deleting a machine deletes its Node at once (ASSUMPTION: the instance's termination and
the drain the Machine controller would run are not modelled; `delete_nodes`' caller has
drained the nodes). Scaling a MachineSet down picks machines by OpenShift's `Random`
delete policy (`model/machines/delete_policy.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from twin.model.autoscaling.node_group import NodeGroup
from twin.model.controllers.node_taints import NOT_READY_TAINT_KEY
from twin.model.machines.delays import DEFAULT_NODE_READY, draw, provision_delay
from twin.model.machines.delete_policy import MachineView, machines_to_delete
from twin.model.machines.pools import MachinePool, MachineSetSpec, machine_name, machine_sets
from twin.model.objects import HOSTNAME_KEY, NO_SCHEDULE, Taint
from twin.sim.world import World

MAX_NODE_PROVISION_TIME = 900.0
"""Cluster autoscaler's `--max-node-provision-time` default, 15m (FAQ, `spec/openshift-cluster.md` §8)."""
MAX_NODE_STARTUP_TIME = 900.0
"""cluster-autoscaler `clusterstate.MaxNodeStartupTime` (15 min): a registered node not Ready
within it is Unready rather than NotStarted (still upcoming)."""
ZONE_UNAVAILABLE = "InsufficientInstanceCapacity"
"""The reason a machine in a zone under outage fails (EC2's error when a zone cannot provide the type)."""


@dataclass
class Machine:
    name: str
    group: str
    created: float
    registered: bool = False  # its Node was registered
    failed: str | None = None  # the error of a Failed machine
    registered_at: float = 0.0


@dataclass
class MachineSet:
    spec: MachineSetSpec
    target: int
    provision: tuple[float, float]
    node_ready: tuple[float, float]
    machines: dict[str, Machine] = field(default_factory=dict)  # in creation order
    next_index: int = 0
    failed: int = 0


class Machines:
    """The MachineSets of every pool; a `CloudProvider`."""

    def __init__(self, world: World, pools: tuple[MachinePool, ...] | list[MachinePool],
                 max_node_provision_time: float = MAX_NODE_PROVISION_TIME) -> None:
        self.world = world
        self.max_node_provision_time = max_node_provision_time
        self.sets: dict[str, MachineSet] = {}
        self.by_pool: dict[str, list[str]] = {}
        self.owner: dict[str, str] = {}  # machine (= node) name -> MachineSet id
        self.zones_down: set[str] = set()
        for pool in pools:
            self.by_pool[pool.name] = [self._adopt(pool, s) for s in machine_sets(pool)]

    def _adopt(self, pool: MachinePool, spec: MachineSetSpec) -> str:
        """A MachineSet whose first `replicas` machines run already (their nodes are the
        scenario's)."""
        state = MachineSet(spec, spec.replicas, pool.provision or provision_delay(pool.instance_type),
                           pool.node_ready or DEFAULT_NODE_READY, next_index=spec.replicas)
        for i in range(spec.replicas):
            name = machine_name(spec.id, i)
            state.machines[name] = Machine(name, spec.id, 0.0, registered=True, registered_at=-MAX_NODE_STARTUP_TIME)
            self.owner[name] = spec.id
        self.sets[spec.id] = state
        return spec.id

    # ----- CloudProvider ---------------------------------------------------------------------
    def node_groups(self) -> list[NodeGroup]:
        return [self.node_group(name) for name in sorted(self.sets)]

    def node_group(self, group_id: str) -> NodeGroup:
        state = self.sets[group_id]
        s = state.spec
        registered = [m for m in state.machines.values() if m.registered and self.world.node(m.name) is not None]
        nodes = tuple(sorted(m.name for m in registered))
        return NodeGroup(s.id, s.pool, s.zone, s.min_size, s.max_size, state.target, s.template, s.instance_type,
                         nodes, s.autoscaled, sum(self.not_started(m) for m in registered))

    def not_started(self, machine: Machine) -> bool:
        """Registered, not Ready yet, and registered less than MaxNodeStartupTime ago
        (cluster-autoscaler `clusterstate.updateReadinessStats`: NotStarted)."""
        node = self.world.node(machine.name)
        return node.ready != "True" and machine.registered_at + MAX_NODE_STARTUP_TIME > self.world.now

    def node_group_for(self, node_name: str) -> str | None:
        return self.owner.get(node_name)

    def increase_size(self, group_id: str, delta: int) -> None:
        state = self.sets[group_id]
        if delta <= 0 or state.target + delta > state.spec.max_size:
            raise ValueError(f"size increase of {group_id} must be positive and at most "
                             f"{state.spec.max_size - state.target}, got {delta}")
        state.target += delta
        self.reconcile(state)

    def delete_nodes(self, group_id: str, node_names: list[str]) -> None:
        """Upstream clusterapi `DeleteNodes` refuses to go below the group's min size."""
        state = self.sets[group_id]
        strangers = [n for n in node_names if n not in state.machines]
        if strangers:
            raise ValueError(f"{', '.join(strangers)} do not belong to {group_id}")
        if state.target - len(node_names) < state.spec.min_size:
            raise ValueError(f"unable to delete {len(node_names)} machines in {group_id}: replicas are "
                             f"{state.target}, min size is {state.spec.min_size}")
        for name in node_names:
            self.delete(state, state.machines[name], "ScaleDown")
            state.target -= 1

    def failed_scale_ups(self, group_id: str) -> int:
        return self.sets[group_id].failed

    # ----- manual scaling and zones ----------------------------------------------------------------
    def scale_pool(self, pool: str, replicas: int) -> None:
        """`rosa edit machinepool --replicas`: the pool's replicas split evenly over its
        MachineSets (`model/machines/pools.py`)."""
        ids = self.by_pool[pool]
        for group_id in ids:
            state = self.sets[group_id]
            state.target = replicas // len(ids)
            self.reconcile(state)

    def zone_down(self, zone: str, down: bool) -> None:
        (self.zones_down.add if down else self.zones_down.discard)(zone)

    # ----- the MachineSet controller ------------------------------------------------------------------
    def reconcile(self, state: MachineSet) -> None:
        """Create machines up to the target, or delete the excess by the delete policy."""
        missing = state.target - len(state.machines)
        for _ in range(missing):
            self.create(state)
        if missing < 0:
            machines = list(state.machines.values())
            views = [MachineView(m.name, m.failed is not None, m.registered) for m in machines]
            ties = [int(i) for i in self.world.streams("machines").permutation(len(machines))]
            for name in machines_to_delete(views, -missing, ties):
                self.delete(state, state.machines[name], "ScaleDown")

    def create(self, state: MachineSet) -> None:
        s = state.spec
        machine = Machine(machine_name(s.id, state.next_index), s.id, self.world.now)
        state.next_index += 1
        state.machines[machine.name] = machine
        self.owner[machine.name] = s.id
        self.world.recorder.record("MachineCreated", machine.name, pool=s.pool, zone=s.zone, group=s.id)
        rng = self.world.streams("machines")
        register_after, ready_after = draw(rng, *state.provision), draw(rng, *state.node_ready)
        self.world.env.process(self.provision(state, machine, register_after, ready_after))
        self.world.env.process(self.deadline(state, machine))

    def provision(self, state: MachineSet, machine: Machine, register_after: float, ready_after: float):
        if self.launch_fails(state, machine):
            return
        yield self.world.env.timeout(register_after)
        if state.machines.get(machine.name) is not machine or self.launch_fails(state, machine):
            return
        self.register(state, machine, ready_after)

    def launch_fails(self, state: MachineSet, machine: Machine) -> bool:
        if state.spec.zone not in self.zones_down:
            return False
        machine.failed = ZONE_UNAVAILABLE
        self.world.recorder.record("MachineFailed", machine.name, pool=state.spec.pool, zone=state.spec.zone,
                                   group=state.spec.id, reason=ZONE_UNAVAILABLE)
        state.failed += 1
        self.delete(state, machine, ZONE_UNAVAILABLE)
        state.target -= 1
        return True

    def register(self, state: MachineSet, machine: Machine, ready_after: float) -> None:
        """The kubelet registers its Node: NotReady, tainted not-ready:NoSchedule."""
        s = state.spec
        template = s.template
        node = replace(template, name=machine.name, labels={**template.labels, HOSTNAME_KEY: machine.name},
                       ready="False", taints=(*template.taints, Taint(NOT_READY_TAINT_KEY, "", NO_SCHEDULE)))
        machine.registered, machine.registered_at = True, self.world.now
        self.world.add_node(node, ready_at=self.world.now + ready_after, pool=s.pool, zone=s.zone, machine=machine.name,
                            ready="False")

    def deadline(self, state: MachineSet, machine: Machine):
        """Not registered within max-node-provision-time: deleted, the target lowered."""
        yield self.world.env.timeout(self.max_node_provision_time)
        if state.machines.get(machine.name) is machine and not machine.registered:
            state.failed += 1
            self.delete(state, machine, "NotRegistered")
            state.target -= 1

    def delete(self, state: MachineSet, machine: Machine, reason: str) -> None:
        del state.machines[machine.name]
        self.owner.pop(machine.name, None)
        s = state.spec
        if machine.registered:
            self.remove_node(machine.name)
        self.world.recorder.record("MachineDeleted", machine.name, pool=s.pool, zone=s.zone, group=s.id,
                                   reason=reason, registered=machine.registered)

    def remove_node(self, name: str) -> None:
        """The Node goes with its machine; pods still bound to it are removed (as the pod
        garbage collector would, as the `remove_node` fault does)."""
        world = self.world
        if world.node(name) is None:
            return
        for record in world.pods_on(name):
            world.remove_pod(record.key)
        world.store.delete("Node", name)
        world.runtime.pop(name, None)
        world.recorder.record("NodeRemoved", name)
