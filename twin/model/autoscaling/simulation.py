"""The autoscaler's cluster snapshot: a working copy of the scheduler's view that
simulations add template nodes and pods to, and the predicate checks over it, which run
the twin's own scheduler Filter plugins (`twin/model/scheduling/profile.py`), as upstream's
`simulator/clustersnapshot` and `PredicateChecker` run kube-scheduler's.

Upstream forks and reverts one snapshot; the twin copies the view per simulation
(`ClusterView.copy`: its arrays and indexes, no pass over the pods' requests).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from twin.model.cluster import ClusterView
from twin.model.objects import HOSTNAME_KEY, Node, Pod
from twin.model.scheduling import SchedulerConfig
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.framework import run_filters
from twin.model.scheduling.reuse import FilterMemo

DEFAULT_CONFIG = SchedulerConfig()


def snapshot(view: ClusterView, extra_nodes: Iterable[Node] = ()) -> ClusterView:
    """A copy of `view` (its nodes, bound pods and the objects plugins read) with
    `extra_nodes` appended."""
    return view.copy(extra_nodes)


def fresh_node(template: Node, name: str) -> Node:
    """`FreshNodeInfoFromTemplateNodeInfo`: the template renamed (hostname label included)."""
    return replace(template, name=name, labels={**template.labels, HOSTNAME_KEY: name})


def check(view: ClusterView, pod: Pod, config: SchedulerConfig = DEFAULT_CONFIG,
          memo: FilterMemo | None = None) -> tuple[np.ndarray, dict]:
    """Every Filter plugin for `pod` over every node: (feasible mask, outcomes by plugin).
    `memo`: outcomes of the previous check on the same view to reuse (`reuse.py`), same
    answer; one memo serves one config."""
    filters, feasible = run_filters(CycleContext(view, pod, config), memo)
    return feasible, filters


def reason(filters: dict, n: int) -> str:
    """Why node `n` failed, as the scheduler's diagnosis words it ("" when it passed)."""
    for name, outcome in filters.items():
        if outcome.prefilter:
            status = outcome.status_of(n)
            return f"{name}: {'; '.join(status.reasons)}"
    for name, outcome in filters.items():
        status = outcome.status_of(n)
        if not status.ok:
            return f"{name}: {'; '.join(status.reasons)}"
    return ""


def first_fit(view: ClusterView, pod: Pod, memo: FilterMemo | None = None) -> int | None:
    """The first node in node order the pod passes every filter on
    (`SchedulePodOnAnyNodeMatching`), or None."""
    feasible, _ = check(view, pod, memo=memo)
    hits = np.flatnonzero(feasible)
    return int(hits[0]) if len(hits) else None


def first_fit_where(view: ClusterView, pod: Pod, allowed: np.ndarray) -> int | None:
    """`first_fit` over the nodes of the mask `allowed`, in node order."""
    feasible, _ = check(view, pod)
    hits = np.flatnonzero(feasible & allowed)
    return int(hits[0]) if len(hits) else None


def place(view: ClusterView, pod: Pod, n: int) -> Pod:
    """Bind `pod` to node `n` in the working view (`ClusterSnapshot.AddPod`)."""
    bound = pod.bound_to(view.node_names[n])
    view.add_pod(bound)
    return bound
