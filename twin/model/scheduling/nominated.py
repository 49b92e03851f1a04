"""Nominated pods: a pod that preempted others waits for its victims with
`status.nominatedNodeName`; while it waits, other pods filtered against that node see it
as if it were already there when its priority is at least theirs.

Source: kubernetes `pkg/scheduler/framework/runtime/framework.go`
`RunFilterPluginsWithNominatedPods` and `addNominatedPods`: for a node with such pods the
filters run twice, with them added (only pods of priority >= the pod's, never the pod
itself) and without them; the node passes only if it passes both. The twin runs the
filters once over every node (`framework.run_filters`), then again for each node that
has nominated pods, with that node's nominated pods added to the view (the view's
`trial` undoes the additions exactly).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from twin.model.cluster import ClusterView
from twin.model.objects import Pod
from twin.model.scheduling.priority import pod_priority
from twin.model.scheduling.status import Status

Nominated = Mapping[str, Sequence[Pod]]
"""node name -> the pods nominated to it (pending, not in the view)."""


def nominated_for(nominated: Nominated, node: str, pod: Pod) -> list[Pod]:
    """`addNominatedPods`: the node's nominated pods of priority >= the pod's, without the
    pod itself (same key or same non-empty uid)."""
    wanted = pod_priority(pod)
    return [p for p in nominated.get(node, ()) if pod_priority(p) >= wanted and p.key != pod.key
            and not (pod.uid and p.uid == pod.uid)]


def with_nominated(view: ClusterView, n: int, pods: list[Pod], run) -> tuple[bool, Status, str | None]:
    """Run `run()` (-> (feasible mask, status of node n, plugin)) with `pods` placed on
    node n; the view is as before afterwards."""
    with view.trial(n):
        for pod in pods:
            view.add_pod(pod.bound_to(view.node_names[n]))
        feasible, status, plugin = run()
    return bool(feasible[n]), status, plugin


def apply_nominated(view: ClusterView, pod: Pod, nominated: Nominated, feasible: np.ndarray, run
                    ) -> dict[int, tuple[Status, str | None]]:
    """For every feasible node with nominated pods that count, filter again with them in
    place; nodes that then fail are cleared in `feasible` and returned with the status
    they failed with."""
    failed: dict[int, tuple[Status, str | None]] = {}
    for node in sorted(nominated):
        n = view.node_index.get(node)
        pods = nominated_for(nominated, node, pod) if n is not None and feasible[n] else []
        if pods:
            ok, status, plugin = with_nominated(view, n, pods, lambda n=n: run(n))
            if not ok:
                feasible[n] = False
                failed[n] = (status, plugin)
    return failed


__all__ = ["Nominated", "apply_nominated", "nominated_for", "with_nominated"]
