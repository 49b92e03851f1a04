"""Default preemption: PostFilter for a pod no node fits (`evaluator.py`, `victims.py`),
and `post_filter`, which wires it to a `ScheduleResult` and the twin's filters."""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence

import numpy as np

from twin.model.cluster import ClusterView
from twin.model.objects import Pod
from twin.model.scheduling.config import SchedulerConfig
from twin.model.scheduling.framework import ScheduleResult, filter_node
from twin.model.scheduling.nominated import Nominated, nominated_for, with_nominated
from twin.model.scheduling.preemption.evaluator import (
    Candidate,
    Preemption,
    PreemptionArgs,
    eligible_to_preempt,
    num_candidates,
    pick_one,
    preempt,
)
from twin.model.scheduling.preemption.victims import Budget, Victims, importance_key, select_victims_on_node
from twin.model.scheduling.status import Status

__all__ = ["Candidate", "Preemption", "PreemptionArgs", "Victims", "fit_check", "num_candidates", "pick_one", "post_filter",
           "select_victims_on_node"]


def fit_check(view: ClusterView, pod: Pod, config: SchedulerConfig, nominated: Nominated | None
              ) -> Callable[[int], tuple[Status, str | None]]:
    """`RunFilterPluginsWithNominatedPods` for one node: the twin's filters on the view as
    it is now, then again with the node's nominated pods in place."""
    def fits(n: int) -> tuple[Status, str | None]:
        feasible, status, plugin = filter_node(view, pod, config, n)
        pods = nominated_for(nominated or {}, view.node_names[n], pod) if feasible[n] else []
        if pods:
            _, status, plugin = with_nominated(view, n, pods, lambda: filter_node(view, pod, config, n))
        return status, plugin
    return fits


def post_filter(view: ClusterView, result: ScheduleResult, config: SchedulerConfig, *, nominated: Nominated | None = None,
                nominated_node: str | None = None, budgets: Sequence[Budget] = (), preempted: Container[str] = (),
                start_time: Callable[[Pod], float | None] = lambda pod: None, now: float = 0.0,
                rng: np.random.Generator | None = None, args: PreemptionArgs = PreemptionArgs()) -> Preemption:
    """DefaultPreemption's PostFilter for `result.pod`, which fitted no node. The view is
    left as it was; nothing is evicted (the caller acts on `chosen`)."""
    pod = result.pod
    n = view.node_index.get(nominated_node) if nominated_node else None
    nominated_status = result.node_status(n)[0] if n is not None else None
    ok, reason = eligible_to_preempt(view, pod, nominated_node, nominated_status, preempted)
    if not ok:
        return Preemption(False, reason)
    return preempt(view, pod, result.statuses().unschedulable(), fit_check(view, pod, config, nominated), budgets,
                   importance_key(start_time, now), start_time, now, rng or np.random.default_rng(0), args)
