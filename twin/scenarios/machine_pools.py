"""A scenario's machine pools as values (`model/machines/pools.py`), and the nodes their
machines have at time 0; every rule `rosa` applies is checked here, where the field path
can name the exact entry (`machine_pools_spec.py` is the schema).

The generated cluster's workers are the default pool `worker`: one MachineSet
`worker-<zone>` per zone holding `worker-<zone>-<i>`, fixed (not autoscaled), so their
names and everything about them stay as they were. A pool named `worker` in
`cluster.machine_pools` replaces it (its nodes keep that naming). A cluster read from a
node file has no default pool; its pools use the zones its nodes are labelled with.
"""

from __future__ import annotations

from dataclasses import replace

from twin.errors import InputError
from twin.model.bounds import MAX_NODES
from twin.model.machines.pools import (DEFAULT_POOL, MachinePool, bounds_problem, machine_name, machine_set_name,
                                       machine_sets, replicas_problem)
from twin.model.objects import HOSTNAME_KEY, REGION_KEY, ZONE_KEY, Node, Taint
from twin.model.registry.resources.nodes import DEFAULT_INSTANCE_TYPE, allocatable
from twin.scenarios.checks import refuse_labels
from twin.scenarios.clusters import ClusterShape, _worker
from twin.scenarios.machine_pools_spec import MachinePoolSpec

PATH = "cluster.machine_pools"


def overrides_default(pools: list[MachinePoolSpec]) -> bool:
    return any(p.name == DEFAULT_POOL for p in pools)


def default_pool(shape: ClusterShape) -> MachinePool:
    """The generated workers as the pool `worker` (fixed at `workers_per_zone` per zone)."""
    zones = tuple(shape.zone_names())
    templates = tuple(_named(_worker(shape, zone, 0), machine_set_name(DEFAULT_POOL, zone)) for zone in zones)
    return MachinePool(DEFAULT_POOL, shape.worker_instance_type, zones, shape.workers_per_zone * len(zones), templates)


def scenario_pools(specs: list[MachinePoolSpec], zones: list[str], regions: dict[str, str], source: str
                   ) -> list[MachinePool]:
    """The scenario's pools, checked against each other and the cluster's zones; a pool
    `worker` of its own first (where the generated workers would be), the rest in order."""
    pools: list[MachinePool] = []
    for i, spec in enumerate(specs):
        where = f"{PATH}[{i}]"
        if any(p.name == spec.name for p in pools):
            raise InputError(source, f"{where}.name", f"expected machine pool names unique in the cluster, got a "
                                                      f"second {spec.name!r}")
        pool_zones = _pool_zones(spec, zones, where, source)
        _check_counts(spec, len(pool_zones), where, source)
        _check_taints(spec, where, source)
        refuse_labels(source, f"{where}.labels", spec.labels)
        pools.append(_pool(spec, pool_zones, regions))
    return sorted(pools, key=lambda p: p.name != DEFAULT_POOL)  # stable


def _check_taints(spec: MachinePoolSpec, where: str, source: str) -> None:
    for i, taint in enumerate(spec.taints):
        if any((t.key, t.effect) == (taint.key, taint.effect) for t in spec.taints[:i]):
            raise InputError(source, f"{where}.taints[{i}]", f"expected taints unique by key and effect, got a second "
                                                             f"{taint.key}:{taint.effect}")


def initial_nodes(pools: list[MachinePool]) -> list[Node]:
    """The machines each pool has at time 0 (Ready, as the generated workers), MachineSet
    by MachineSet in zone order."""
    return [_named(s.template, machine_name(s.id, i)) for pool in pools for s in machine_sets(pool)
            for i in range(s.replicas)]


def check_size(nodes: int, pools: list[MachinePool], source: str) -> None:
    total = nodes + sum(p.max_replicas if p.autoscaled else p.replicas for p in pools)
    if total > MAX_NODES:
        raise InputError(source, PATH, f"expected at most {MAX_NODES:,} nodes, Kubernetes' largest supported cluster, "
                                       f"with every pool at its largest, got {total:,}")


def node_zones(nodes: list[Node]) -> tuple[list[str], dict[str, str]]:
    """The zones nodes are labelled with (sorted) and each zone's region."""
    regions: dict[str, str] = {}
    for node in nodes:
        zone = node.labels.get(ZONE_KEY)
        if zone and zone not in regions:
            regions[zone] = node.labels.get(REGION_KEY, "")
    return sorted(regions), regions


def _pool_zones(spec: MachinePoolSpec, zones: list[str], where: str, source: str) -> tuple[str, ...]:
    """All the cluster's zones (Multi-AZ) or the one zone asked for (Single-AZ)."""
    if not zones:
        raise InputError(source, where, f"expected a cluster whose nodes are labelled with {ZONE_KEY} (a pool makes "
                                        f"one MachineSet per zone)")
    if spec.zones is None:
        return tuple(zones)
    for j, zone in enumerate(spec.zones):
        if zone not in zones:
            raise InputError(source, f"{where}.zones[{j}]", f"expected one of the cluster's zones ({', '.join(zones)}) "
                             f"(rosa: availability zone {zone!r} doesn't belong to the cluster's availability zones)")
    if len(spec.zones) == 1 or sorted(set(spec.zones)) == zones and len(spec.zones) == len(zones):
        return tuple(spec.zones) if len(spec.zones) == 1 else tuple(zones)
    raise InputError(source, f"{where}.zones", f"expected one zone (a Single-AZ pool) or all the cluster's zones "
                     f"({', '.join(zones)}; a Multi-AZ pool, as when zones is left out), got {', '.join(spec.zones)}")


def _check_counts(spec: MachinePoolSpec, zones: int, where: str, source: str) -> None:
    if spec.autoscaling is None:
        checks = [("replicas", spec.replicas)]
    else:
        problem = bounds_problem(spec.autoscaling.min, spec.autoscaling.max)
        if problem:
            raise InputError(source, f"{where}.autoscaling.max", problem.removeprefix("max: "))
        checks = [("autoscaling.min", spec.autoscaling.min), ("autoscaling.max", spec.autoscaling.max)]
    for field, count in checks:
        problem = replicas_problem(count, zones)
        if problem:
            raise InputError(source, f"{where}.{field}", problem)


def _pool(spec: MachinePoolSpec, zones: tuple[str, ...], regions: dict[str, str]) -> MachinePool:
    templates = tuple(_named(_worker(_shape(spec, regions[zone]), zone, 0), machine_set_name(spec.name, zone))
                      for zone in zones)
    auto = spec.autoscaling
    return MachinePool(spec.name, spec.instance_type, zones, auto.min if auto else spec.replicas, templates,
                       auto.min if auto else None, auto.max if auto else None,
                       spec.provision.pair() if spec.provision else None,
                       spec.node_ready.pair() if spec.node_ready else None)


def _shape(spec: MachinePoolSpec, region: str) -> ClusterShape:
    """A pool's node as a generated worker of its type: allocatable 3500m / 15Gi on ROSA's
    default m5.xlarge (as `cluster.generate` gives), otherwise what OpenShift's kubelet
    leaves on the type (`resources/nodes.py` `allocatable`, as `load.cluster_shape`)."""
    shape = ClusterShape(region=region, worker_instance_type=spec.instance_type,
                         worker_labels=tuple(sorted(spec.labels.items())),
                         worker_taints=tuple(Taint(t.key, t.value, t.effect) for t in spec.taints))
    if spec.instance_type == DEFAULT_INSTANCE_TYPE:
        return shape
    cpu, memory = allocatable(spec.instance_type)
    return replace(shape, worker_cpu_millis=cpu, worker_memory=memory)


def _named(node: Node, name: str) -> Node:
    return replace(node, name=name, labels={**node.labels, HOSTNAME_KEY: name})


def without_default_workers(shape: ClusterShape, cluster, source: str) -> ClusterShape:
    """The generated cluster's shape when a pool named `worker` replaces its workers:
    control-plane nodes only (and `generate` may then not describe workers)."""
    if not overrides_default(cluster.machine_pools):
        return shape
    for field in ("workers_per_zone", "worker"):
        if field in cluster.generate.model_fields_set:
            raise InputError(source, f"cluster.generate.{field}", f"expected no {field} when {PATH} has a pool named "
                                                                  f"{DEFAULT_POOL} (it replaces the generated workers)")
    return replace(shape, workers_per_zone=0)


def machine_pool_objects(cluster, shape: ClusterShape | None, nodes: list[Node], source: str
                         ) -> tuple[list[Node], list[MachinePool]]:
    """The cluster's nodes with the pools' machines added, and the pools (the default
    pool first, then the scenario's in order, a `worker` of its own first)."""
    if shape is not None:
        zones, regions = shape.zone_names(), {zone: shape.region for zone in shape.zone_names()}
    else:
        zones, regions = node_zones(nodes)
    added = scenario_pools(list(cluster.machine_pools), zones, regions, source)
    check_size(len(nodes), added, source)
    extra = initial_nodes(added)
    taken = {n.name for n in nodes}
    for node in extra:
        if node.name in taken:
            raise InputError(source, PATH, f"expected machine names free in the cluster, got the node {node.name!r} "
                                           f"twice (a machine is named <pool>-<zone>-<index>)")
    default = [default_pool(shape)] if shape is not None and not overrides_default(cluster.machine_pools) else []
    return nodes + extra, default + added


def check_pool_faults(faults, pools: list[MachinePool], source: str) -> None:
    """`scale_pool` faults name a pool of the cluster that does not autoscale, with a
    replica count `rosa edit machinepool --replicas` accepts."""
    by_name = {p.name: p for p in pools}
    for i, fault in enumerate(faults):
        if fault.kind != "scale_pool":
            continue
        where, target = f"faults[{i}].scale_pool", fault.target
        pool = by_name.get(target.pool)
        if pool is None:
            known = ", ".join(by_name) or "none: the cluster has no machine pools"
            raise InputError(source, f"{where}.pool", f"expected a machine pool of the cluster ({known}), got "
                                                      f"{target.pool!r}")
        if pool.autoscaled:
            raise InputError(source, f"{where}.pool", f"expected a pool that does not autoscale (rosa: autoscaling "
                                                      f"enabled on machine pool '{pool.name}'. can't set replicas)")
        problem = replicas_problem(target.replicas, len(pool.zones))
        if problem:
            raise InputError(source, f"{where}.replicas", problem)
