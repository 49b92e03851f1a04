"""RemoveDuplicates: on each node, pods of the same owner with the same images beyond an
even share of the nodes they could run on.

Source: kubernetes-sigs/descheduler@7d2b28bf `pkg/framework/plugins/removeduplicates/
removeduplicates.go` (`Balance`, `getTargetNodes`), the same in the openshift/descheduler
fork the operator vendors. A pod is a duplicate of an earlier pod on the same node when
both have the same list of namespace/kind/name/image keys (every owner reference times
every container image). Per owner key, `upperAvg = ceil(occurrences / target nodes)`
where the target nodes are those some duplicate tolerates and matches (NoSchedule and
NoExecute taints, nodeSelector and required node affinity), counted only when at least
two; a node holding more than `upperAvg` such pods gives up the extra ones.

Go iterates owner keys and nodes from maps; the twin takes them by name.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from twin.model.descheduler.nodefit import Snapshot, matches_node_affinity, untolerated
from twin.model.objects import Node, Pod

PLUGIN = "RemoveDuplicates"


@dataclass(frozen=True)
class DuplicatesArgs:
    """RemoveDuplicatesArgs: `excludeOwnerKinds` (the operator sets none)."""

    exclude_owner_kinds: frozenset[str] = frozenset()


def duplicate_candidates(snapshot: Snapshot, args: DuplicatesArgs, listed: Callable[[Pod], bool]) -> list[Pod]:
    """The pods to evict, owner key by owner key, node by node."""
    duplicates: dict[tuple, dict[str, list[Pod]]] = {}
    occurrences: dict[tuple, int] = {}
    for node in snapshot.nodes:
        seen: dict[str, list[list[str]]] = {}
        for pod in (p for p in snapshot.on(node.name) if listed(p)):
            owners = pod.owner_references
            if not owners or any(o.kind in args.exclude_owner_kinds for o in owners):
                continue
            images = sorted(c.image for c in pod.containers)
            keys_of = [_owner_key(pod, o, images) for o in owners]
            for key in keys_of:
                occurrences[key] = occurrences.get(key, 0) + 1
            keys = sorted(f"{pod.namespace}/{o.kind}/{o.name}/{image}" for o in owners for image in images)
            if keys in seen.get(keys[0], []):
                for key in keys_of:
                    duplicates.setdefault(key, {}).setdefault(node.name, []).append(pod)
            else:
                seen.setdefault(keys[0], []).append(keys)
    return [pod for key in sorted(duplicates) for pod in _extra(duplicates[key], occurrences[key], snapshot.nodes)]


def _owner_key(pod: Pod, owner, images: list[str]) -> tuple:
    return (pod.namespace, owner.kind, owner.name, "#".join(images))


def _extra(pod_nodes: dict[str, list[Pod]], occurrences: int, nodes: tuple[Node, ...]) -> list[Pod]:
    targets = target_nodes(pod_nodes, nodes)
    if len(targets) < 2:
        return []
    upper = math.ceil(occurrences / len(targets))
    # the lists hold the duplicates only, not the first pod of each kind on the node
    return [pod for name in sorted(pod_nodes) if len(pod_nodes[name]) + 1 > upper for pod in pod_nodes[name][upper - 1:]]


def target_nodes(pod_nodes: dict[str, list[Pod]], nodes: tuple[Node, ...]) -> set[str]:
    """`getTargetNodes`: for each duplicate distinct in tolerations, nodeSelector and
    required node affinity, the nodes it could land on, when more than one."""
    distinct: list[Pod] = []
    for pods in pod_nodes.values():
        for pod in pods:
            if not any(_same_placement(pod, d) for d in distinct):
                distinct.append(pod)
    found: set[str] = set()
    for pod in distinct:
        matching = {n.name for n in nodes if not untolerated(pod.tolerations, n.taints) and matches_node_affinity(pod, n)}
        if len(matching) > 1:
            found |= matching
    return found


def _same_placement(a: Pod, b: Pod) -> bool:
    na, nb = a.affinity.node_affinity, b.affinity.node_affinity
    return (set(a.tolerations) == set(b.tolerations) and (na and na.required) == (nb and nb.required)
            and dict(a.node_selector) == dict(b.node_selector))
