"""What the autoscaler sees of the cluster's machine pools, and what it may ask of them.

Shaped after upstream cluster-autoscaler's `cloudprovider.NodeGroup` interface
(kubernetes/autoscaler `cluster-autoscaler/cloudprovider/cloud_provider.go`: `Id`,
`MinSize`, `MaxSize`, `TargetSize`, `IncreaseSize`, `DeleteNodes`, `TemplateNodeInfo`,
`Nodes`) as the Cluster API provider implements it for OpenShift MachineSets
(`cloudprovider/clusterapi/clusterapi_nodegroup.go`; min/max from the annotations
`machine.openshift.io/cluster-api-autoscaler-node-group-{min,max}-size` that a
MachineAutoscaler writes, `spec/openshift-cluster.md` §8).

One node group is one MachineSet: one machine pool in one zone. The values here are
frozen snapshots the pure decisions read; the simulation's machine controller
(`twin/sim/machines.py`) implements `CloudProvider` and applies what the autoscaler asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from twin.model.objects import Node


@dataclass(frozen=True, slots=True)
class NodeGroup:
    """One MachineSet as the autoscaler sees it.

    `id`: the MachineSet's name (`<pool>-<zone>`); `pool`: the machine pool it belongs to;
    `zone`: its availability zone; `min_size`/`max_size`: the autoscaling bounds (equal to
    `target_size` for a pool that does not autoscale: `autoscaled` False, never touched);
    `target_size`: the MachineSet's `spec.replicas` (machines asked for, including those
    still provisioning); `template`: a Node as a new machine of this group would register
    (labels, taints, allocatable), named after the group; `instance_type`: its EC2 type;
    `nodes`: names of the Nodes that belong to it now (registered, in name order);
    `not_started`: how many of them registered less than 15 min ago and are not Ready yet
    (upstream readiness category NotStarted, still counted as upcoming)."""

    id: str
    pool: str
    zone: str
    min_size: int
    max_size: int
    target_size: int
    template: Node
    instance_type: str
    nodes: tuple[str, ...] = ()
    autoscaled: bool = True
    not_started: int = 0

    def room(self) -> int:
        """How many nodes it may still grow by."""
        return max(self.max_size - self.target_size, 0)


class CloudProvider(Protocol):
    """What the autoscaler loop may call (upstream: `CloudProvider.NodeGroups`,
    `NodeGroupForNode`, `NodeGroup.IncreaseSize`, `NodeGroup.DeleteNodes`)."""

    def node_groups(self) -> list[NodeGroup]:
        """Every MachineSet, in name order."""
        ...

    def node_group_for(self, node_name: str) -> str | None:
        """The id of the group a node belongs to; None for a node no group owns (control
        plane, nodes from a manifest)."""
        ...

    def increase_size(self, group_id: str, delta: int) -> None:
        """Ask for `delta` > 0 more machines (target_size + delta <= max_size)."""
        ...

    def delete_nodes(self, group_id: str, node_names: list[str]) -> None:
        """Remove these nodes' machines and lower the target size by as many (the nodes
        have been drained by the caller)."""
        ...

    def failed_scale_ups(self, group_id: str) -> int:
        """How many machines of this group failed to provision so far (a zone that cannot
        provide instances, or max-node-provision-time passed): the autoscaler backs off."""
        ...
