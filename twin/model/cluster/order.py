"""The order in which kube-scheduler visits nodes (`nodeTree.list()`).

Nodes are grouped by zone key (`region + ":\\x00:" + zone`, from the
failure-domain.beta.kubernetes.io labels if set, else topology.kubernetes.io; "" when
neither is set), zones in order of their first node, nodes in insertion order; the list
takes the first node of every zone, then the second of every zone, and so on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from twin.model.objects import REGION_KEY, ZONE_KEY, Node

LEGACY_ZONE_KEY = "failure-domain.beta.kubernetes.io/zone"
LEGACY_REGION_KEY = "failure-domain.beta.kubernetes.io/region"


def zone_key(node: Node) -> str:
    """`utilnode.GetZoneKey`: "" when the node has neither a zone nor a region label."""
    labels = node.labels
    zone = labels.get(LEGACY_ZONE_KEY) or labels.get(ZONE_KEY, "")
    region = labels.get(LEGACY_REGION_KEY) or labels.get(REGION_KEY, "")
    if not zone and not region:
        return ""
    return f"{region}:\x00:{zone}"


def node_tree_order(nodes: Sequence[Node]) -> np.ndarray:
    """Node indices in nodeTree order: round-robin over zones."""
    zones: dict[str, list[int]] = {}
    for n, node in enumerate(nodes):
        zones.setdefault(zone_key(node), []).append(n)
    order: list[int] = []
    depth = max((len(members) for members in zones.values()), default=0)
    for level in range(depth):
        order.extend(members[level] for members in zones.values() if level < len(members))
    return np.asarray(order, dtype=np.int64)
