"""Strategies for nodes and whole clusters (nodes plus the pods bound to them)."""

from __future__ import annotations

from twin.model.objects import (
    HOSTNAME_KEY,
    NO_SCHEDULE,
    REGION_KEY,
    UNSCHEDULABLE_TAINT_KEY,
    WORKER_ROLE_KEY,
    ZONE_KEY,
    Node,
    Taint,
)
from twin.strategies.base import (
    MASTER_ROLE_KEY,
    NAMESPACES,
    ZONES,
    GeneratedCluster,
    Gi,
    _chance,
    _int,
    _pick,
    _some,
    _strategy,
    _unique,
)
from twin.strategies.labels import _draw_taints
from twin.strategies.pods import _draw_existing_pods

# --- nodes and clusters -----------------------------------------------------------


def _draw_allocatables(draw) -> dict[str, int]:
    """Node allocatable: cpu 2-16 cores (millicores, 250m steps), memory 4-64Gi,
    pods 10-110, ephemeral-storage 20-200Gi."""
    return {
        "cpu": _int(draw, 8, 64) * 250, "memory": _int(draw, 4, 64) * Gi,
        "pods": _int(draw, 10, 110), "ephemeral-storage": _int(draw, 20, 200) * Gi,
    }


def _draw_nodes(draw, name: str = "node-a-0", zone: str | None = "zone-a", region: str | None = "region-1",
                control_plane: bool = False, max_taints: int = 2) -> Node:
    """One node. Labels: hostname = `name`, zone and region when not None, the worker
    role, or for a control plane the master role plus its NoSchedule taint. Up to
    `max_taints` random taints; cordoned one time in six (usually with the
    unschedulable taint); Ready mostly "True", sometimes "False", "Unknown" or absent."""
    labels = {HOSTNAME_KEY: name, "kubernetes.io/os": "linux"}
    labels.update({k: v for k, v in ((ZONE_KEY, zone), (REGION_KEY, region)) if v is not None})
    labels[MASTER_ROLE_KEY if control_plane else WORKER_ROLE_KEY] = ""
    node_taints = [Taint(MASTER_ROLE_KEY, "", NO_SCHEDULE)] if control_plane else []
    node_taints += _some(draw, _draw_taints, max_taints)
    unschedulable = _chance(draw, 6)
    if unschedulable and not _chance(draw, 4):
        node_taints.append(Taint(UNSCHEDULABLE_TAINT_KEY, "", NO_SCHEDULE))
    ready = _pick(draw, ("True", "True", "True", "True", "False", "Unknown", None))
    node_taints = _unique(node_taints, key=lambda t: (t.key, t.effect))
    return Node(name, labels, tuple(node_taints), _draw_allocatables(draw), unschedulable, ready)


def _draw_clusters(draw, min_zones: int = 1, max_zones: int = 4, min_nodes_per_zone: int = 1,
                   max_nodes_per_zone: int = 8, missing_zone_labels: bool = True, control_planes: bool = True,
                   max_pods_per_node: int = 3, namespaces=NAMESPACES) -> GeneratedCluster:
    """A `GeneratedCluster`: zones `zone-a`, ... (the first two in `region-1`, the rest
    in `region-2`) of nodes `node-<zone letter>-<i>`. With `missing_zone_labels` about
    one node in six lacks the zone label; with `control_planes` the first node of a zone
    is a tainted master one time in four. Each node holds 0..`max_pods_per_node` bound
    pods (`existing_pods`), named `pod-0`, `pod-1`, ... across the cluster."""
    node_list = []
    for z in range(_int(draw, min_zones, max_zones)):
        zone, region = ZONES[z], "region-1" if z < 2 else "region-2"
        for i in range(_int(draw, min_nodes_per_zone, max_nodes_per_zone)):
            labelled = not (missing_zone_labels and _chance(draw, 6))
            master = control_planes and i == 0 and _chance(draw, 4)
            node_list.append(_draw_nodes(draw, f"node-{zone[-1]}-{i}", zone if labelled else None, region, master))
    pod_list = []
    for node in node_list:
        for _ in range(_int(draw, 0, max_pods_per_node)):
            pod_list.append(_draw_existing_pods(draw, f"pod-{len(pod_list)}", node.name, namespaces))
    return GeneratedCluster(tuple(node_list), tuple(pod_list))


allocatables = _strategy(_draw_allocatables)
nodes = _strategy(_draw_nodes)
clusters = _strategy(_draw_clusters)


