"""Generated cluster topologies shaped like a ROSA cluster: workers spread over zones of
one region, control-plane nodes tainted NoSchedule (one per zone, round-robin)."""

from __future__ import annotations

from dataclasses import dataclass

from twin.model.objects import HOSTNAME_KEY, NO_SCHEDULE, REGION_KEY, WORKER_ROLE_KEY, ZONE_KEY, Node, Taint

MASTER_ROLE_KEY = "node-role.kubernetes.io/master"
CONTROL_PLANE_ROLE_KEY = "node-role.kubernetes.io/control-plane"


@dataclass(frozen=True)
class ClusterShape:
    """Defaults: 3 zones of us-east-1, 2 m5.xlarge workers per zone (allocatable 3500m
    CPU, 15Gi memory, 250 pods) and 3 m5.2xlarge control-plane nodes."""

    zones: int = 3
    workers_per_zone: int = 2
    control_plane: int = 3
    region: str = "us-east-1"
    worker_cpu_millis: int = 3500
    worker_memory: int = 15 << 30
    control_plane_cpu_millis: int = 7500
    control_plane_memory: int = 30 << 30
    max_pods: int = 250
    worker_labels: tuple[tuple[str, str], ...] = ()
    worker_taints: tuple[Taint, ...] = ()
    worker_instance_type: str = "m5.xlarge"

    def zone_names(self) -> list[str]:
        return [f"{self.region}{chr(ord('a') + i)}" for i in range(self.zones)]


def generate_cluster(shape: ClusterShape = ClusterShape()) -> list[Node]:
    """Control-plane nodes first, then workers zone by zone."""
    zones = shape.zone_names()
    masters = [_master(shape, i, zones[i % len(zones)]) for i in range(shape.control_plane)]
    workers = [_worker(shape, zone, i) for zone in zones for i in range(shape.workers_per_zone)]
    return masters + workers


def _labels(shape: ClusterShape, name: str, zone: str, instance_type: str) -> dict[str, str]:
    return {
        HOSTNAME_KEY: name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": instance_type,
        REGION_KEY: shape.region,
        ZONE_KEY: zone,
    }


def _worker(shape: ClusterShape, zone: str, index: int) -> Node:
    name = f"worker-{zone}-{index}"
    labels = {**_labels(shape, name, zone, shape.worker_instance_type), WORKER_ROLE_KEY: "", **dict(shape.worker_labels)}
    allocatable = {"cpu": shape.worker_cpu_millis, "memory": shape.worker_memory, "pods": shape.max_pods}
    return Node(name, labels, shape.worker_taints, allocatable)


def _master(shape: ClusterShape, index: int, zone: str) -> Node:
    name = f"master-{index}"
    labels = {**_labels(shape, name, zone, "m5.2xlarge"), MASTER_ROLE_KEY: "", CONTROL_PLANE_ROLE_KEY: ""}
    allocatable = {"cpu": shape.control_plane_cpu_millis, "memory": shape.control_plane_memory, "pods": shape.max_pods}
    return Node(name, labels, (Taint(MASTER_ROLE_KEY, "", NO_SCHEDULE),), allocatable)
