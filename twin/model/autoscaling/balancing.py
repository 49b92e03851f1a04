"""Similar node groups and balanced scale-ups (kubernetes/autoscaler
`cluster-autoscaler/processors/nodegroupset/`).

* `similar(a, b, ignored)`: `IsCloudProviderNodeInfoSimilar` (`compare_nodegroups.go`) with
  the Cluster API comparator's ignored labels (`clusterapi_nodegroups.go`
  `CreateClusterAPINodeInfoComparator`: `BasicIgnoredLabels` (hostname, zone and region,
  beta and stable), the cloud providers' labels, plus `--balancing-ignore-label`s) and the
  default difference ratios (`config/const.go`: memory capacity 1.5 %, allocatable and
  free 5 %). The twin's Node has no separate capacity: its allocatable stands in for both.
* `balance(groups, new_nodes)`: `BalanceScaleUpBetweenGroups` (`balancing_processor.go`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from twin.model.autoscaling.node_group import NodeGroup
from twin.model.objects import Node

BASIC_IGNORED_LABELS = (
    "kubernetes.io/hostname",
    "failure-domain.beta.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
    "beta.kubernetes.io/fluentd-ds-ready",
    "kops.k8s.io/instancegroup",
)
CLUSTER_API_IGNORED_LABELS = (
    "topology.diskplugin.csi.alibabacloud.com/zone",
    "alpha.eksctl.io/instance-id",
    "alpha.eksctl.io/nodegroup-name",
    "eks.amazonaws.com/nodegroup",
    "k8s.amazonaws.com/eniConfig",
    "lifecycle",
    "topology.ebs.csi.aws.com/zone",
    "topology.disk.csi.azure.com/zone",
    "agentpool",
    "kubernetes.azure.com/agentpool",
    "topology.gke.io/zone",
    "ibm-cloud.kubernetes.io/worker-id",
    "vpc-block-csi-driver-labels",
    "ibm-cloud.kubernetes.io/vpc-instance-id",
)
MAX_CAPACITY_MEMORY_DIFFERENCE_RATIO = 0.015
MAX_ALLOCATABLE_DIFFERENCE_RATIO = 0.05
MAX_FREE_DIFFERENCE_RATIO = 0.05


def ignored_labels(extra: Iterable[str] = ()) -> frozenset[str]:
    return frozenset(BASIC_IGNORED_LABELS) | frozenset(CLUSTER_API_IGNORED_LABELS) | frozenset(extra)


def within_tolerance(a: int, b: int, ratio: float) -> bool:
    """`resourceListWithinTolerance`: larger - smaller <= larger * ratio."""
    larger, smaller = max(a, b), min(a, b)
    return larger - smaller <= larger * ratio


def similar(n1: Node, n2: Node, ignored: frozenset[str], requested1: Mapping[str, int] | None = None,
            requested2: Mapping[str, int] | None = None) -> bool:
    """Two template nodes are similar: the same resources (memory within 1.5 %, others
    equal), allocatable and free within 5 %, and the same labels apart from `ignored`."""
    a, b = n1.allocatable, n2.allocatable
    if set(a) != set(b):
        return False
    for name in a:
        ratio = MAX_CAPACITY_MEMORY_DIFFERENCE_RATIO if name == "memory" else None
        if (a[name] != b[name]) if ratio is None else not within_tolerance(a[name], b[name], ratio):
            return False
    if not all(within_tolerance(a[name], b[name], MAX_ALLOCATABLE_DIFFERENCE_RATIO) for name in a):
        return False
    free1, free2 = _free(a, requested1), _free(b, requested2)
    if not all(within_tolerance(free1[name], free2[name], MAX_FREE_DIFFERENCE_RATIO) for name in free1):
        return False
    return _labels_match(n1.labels, n2.labels, ignored)


def _free(allocatable: Mapping[str, int], requested: Mapping[str, int] | None) -> dict[str, int]:
    requested = requested or {}
    return {name: allocatable[name] - requested.get(name, 0) for name in allocatable}


def _labels_match(l1: Mapping[str, str], l2: Mapping[str, str], ignored: frozenset[str]) -> bool:
    """`compareLabels`: every label not ignored is on both nodes with the same value."""
    keys = {k for k in l1 if k not in ignored} | {k for k in l2 if k not in ignored}
    return all(k in l1 and k in l2 and l1[k] == l2[k] for k in keys)


def similar_groups(group: NodeGroup, candidates: Sequence[NodeGroup], ignored: frozenset[str]) -> list[NodeGroup]:
    """`FindSimilarNodeGroups`: the other candidates whose template is similar, in id order."""
    return sorted((g for g in candidates if g.id != group.id and similar(group.template, g.template, ignored)),
                  key=lambda g: g.id)


def balance(groups: Sequence[NodeGroup], new_nodes: int) -> dict[str, int]:
    """`BalanceScaleUpBetweenGroups`: add nodes one at a time to the smallest group that is
    below its max, capped at the groups' free capacity; returns group id -> delta (groups
    left unchanged are absent). Groups of equal size are taken in id order (upstream's
    `sort.Slice` leaves their order unspecified)."""
    sizes = {g.id: g.target_size for g in groups if g.target_size < g.max_size}
    maxima = {g.id: g.max_size for g in groups}
    new_nodes = min(new_nodes, sum(maxima[i] - s for i, s in sizes.items()))
    grown = dict(sizes)
    for _ in range(max(new_nodes, 0)):
        open_ids = [i for i in grown if grown[i] < maxima[i]]
        smallest = min(open_ids, key=lambda i: (grown[i], i))
        grown[smallest] += 1
    return {i: grown[i] - sizes[i] for i in sorted(grown) if grown[i] != sizes[i]}
