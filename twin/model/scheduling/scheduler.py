"""`Scheduler`: the small stateful part of kube-scheduler (its random stream and
nextStartNodeIndex) around the pure `schedule_one`."""

from __future__ import annotations

import numpy as np

from twin.model.cluster import ClusterView
from twin.model.objects import Pod
from twin.model.scheduling.config import SchedulerConfig
from twin.model.scheduling.framework import ScheduleResult, schedule_one, try_nominated_node
from twin.model.scheduling.nominated import Nominated
from twin.model.scheduling.reuse import FilterMemo


class Scheduler:
    def __init__(self, config: SchedulerConfig | None = None, rng: np.random.Generator | int = 0) -> None:
        self.config = config or SchedulerConfig()
        self.rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        self.next_start = 0
        self.memo = FilterMemo()  # reuse of the previous cycles' work (`reuse.py`): same results

    def schedule(self, view: ClusterView, pod: Pod, score_all: bool = False, nominated: Nominated | None = None,
                 nominated_node: str | None = None) -> ScheduleResult:
        """`nominated`: pods waiting for preemption victims, by node; `nominated_node`:
        the pod's own nomination, tried first (neither touches nextStartNodeIndex)."""
        if nominated_node is not None:
            result = try_nominated_node(view, pod, self.config, nominated_node, nominated)
            if result is not None:
                return result
        start = self.next_start % len(view.nodes) if view.nodes else 0
        result = schedule_one(view, pod, self.config, self.rng, start, score_all, nominated, self.memo)
        if view.nodes:
            self.next_start = (start + result.processed) % len(view.nodes)
        return result

    def place(self, view: ClusterView, pod: Pod) -> ScheduleResult:
        """Schedule and, when a node was found, bind the pod in the view (assume)."""
        result = self.schedule(view, pod)
        if result.selected is not None:
            view.add_pod(pod.bound_to(result.selected_name))
        return result
