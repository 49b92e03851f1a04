"""How many nodes of a group the pending pods need: upstream's First-Fit Decreasing
bin-packing (kubernetes/autoscaler `cluster-autoscaler/estimator/binpacking_estimator.go`
`BinpackingNodeEstimator.Estimate`, `tryToScheduleOnExistingNodes`,
`tryToScheduleOnNewNodes`; order from `decreasing_pod_orderer.go`).

Pods are taken largest first (cpu/allocatable + memory/allocatable of the template). Each
goes to the first node added so far that passes every Filter plugin; failing that, a new
template node is added (while the limiter allows: the group's room and the cluster's
max-nodes-total) and the pod is checked on it. When the last node added is still empty and
the pod does not fit it, no further node is added for it (upstream: "it wouldn't be able to
schedule on a new node either"). Nodes added but left empty are not counted.

ASSUMPTION: upstream groups identical pods into equivalence groups and stops a group at its
first misfit; the twin treats each pod as its own group (identical pods fail alike, so the
count is the same; only the work differs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from twin.model.cluster import ClusterView
from twin.model.objects import Node, Pod
from twin.model.autoscaling.simulation import check, fresh_node, place, snapshot


@dataclass(frozen=True)
class Estimate:
    node_count: int
    scheduled: tuple[Pod, ...]  # the pods the new nodes would hold, in placement order


def pod_score(pod: Pod, template: Node) -> float:
    """`DecreasingPodOrderer`: the pod's share of the template's cpu plus its share of memory."""
    score = 0.0
    for name in ("cpu", "memory"):
        allocatable = template.allocatable.get(name, 0)
        if allocatable:
            score += pod.requests.get(name, 0) / allocatable
    return score


def decreasing(pods: Sequence[Pod], template: Node) -> list[Pod]:
    return sorted(pods, key=lambda p: (-pod_score(p, template), p.key))


def estimate(view: ClusterView, pods: Sequence[Pod], template: Node, group_id: str, max_nodes: int) -> Estimate:
    """Nodes of `template` needed for `pods` on top of `view` (left untouched), adding at
    most `max_nodes` nodes."""
    work = snapshot(view)
    new: list[int] = []
    used: set[int] = set()
    scheduled: list[Pod] = []
    for pod in decreasing(pods, template):
        feasible, _ = check(work, pod)
        target = next((n for n in new if feasible[n]), None)
        if target is None:
            target = _on_new_node(work, pod, template, group_id, new, used, max_nodes)
        if target is not None:
            place(work, pod, target)
            used.add(target)
            scheduled.append(pod)
    return Estimate(len(used), tuple(scheduled))


def _on_new_node(work: ClusterView, pod: Pod, template: Node, group_id: str, new: list[int], used: set[int],
                 max_nodes: int) -> int | None:
    if new and new[-1] not in used:
        return None  # the last node added is empty and the pod did not fit it
    if len(new) >= max_nodes:
        return None  # the limiter: no permission to add a node
    work.add_node(fresh_node(template, f"template-{group_id}-e-{len(new)}"))
    new.append(len(work.nodes) - 1)
    feasible, _ = check(work, pod)
    return new[-1] if feasible[new[-1]] else None
