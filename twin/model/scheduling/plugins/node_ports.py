"""NodePorts: a node is rejected when a host port the pod asks for is already in use
there (upstream `pkg/scheduler/framework/plugins/nodeports/node_ports.go`, Kubernetes
1.34; conflict rule `HostPortInfo.CheckConflict` in `pkg/scheduler/framework/types.go`).

* PreFilter: the pod's container ports with `hostPort` > 0 (regular containers only, as
  `getContainerPorts`); none -> Skip.
* Filter: Unschedulable "node(s) didn't have free ports for the requested pod ports" when
  some wanted (hostIP, protocol, hostPort) conflicts with a port used by a pod on the
  node. An empty hostIP is 0.0.0.0 and an empty protocol TCP; 0.0.0.0 conflicts with
  every address on the same protocol and port, any other address with itself and 0.0.0.0.
"""

from __future__ import annotations

import numpy as np

from twin.model.objects import ContainerPort, Pod
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.status import UNSCHEDULABLE, FilterOutcome, Status

NAME = "NodePorts"
REJECTED = Status(UNSCHEDULABLE, ("node(s) didn't have free ports for the requested pod ports",))
ALL_ADDRESSES = "0.0.0.0"

HostPort = tuple[str, str, int]  # (ip, protocol, port), sanitised


def host_ports(pod: Pod) -> list[HostPort]:
    return [_sanitise(p) for c in pod.containers for p in c.ports if p.host_port > 0]


def _sanitise(port: ContainerPort) -> HostPort:
    return (port.host_ip or ALL_ADDRESSES, port.protocol or "TCP", port.host_port)


def conflicts(used: set[HostPort], wanted: HostPort) -> bool:
    """`HostPortInfo.CheckConflict`."""
    ip, protocol, port = wanted
    if ip == ALL_ADDRESSES:
        return any(p == protocol and n == port for _, p, n in used)
    return (ALL_ADDRESSES, protocol, port) in used or wanted in used


def filter(ctx: CycleContext) -> FilterOutcome | None:
    wanted = host_ports(ctx.pod)
    if not wanted:
        return None
    failed = np.zeros(ctx.node_count, dtype=bool)
    for n in range(ctx.node_count):
        used = {port for pod in ctx.view.pods_on(n) for port in host_ports(pod)}
        failed[n] = bool(used) and any(conflicts(used, w) for w in wanted)
    return FilterOutcome.from_failures(failed, REJECTED)
