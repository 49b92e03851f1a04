"""One scheduling cycle: run every filter plugin on every node, sample the feasible nodes
as kube-scheduler would, score them, and pick the highest weighted total (ties broken by
a seeded random stream)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from twin.model.cluster import ClusterView
from twin.model.objects import Pod
from twin.model.scheduling.config import SchedulerConfig
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.node_statuses import NodeStatuses
from twin.model.scheduling.nominated import Nominated, apply_nominated
from twin.model.scheduling.profile import FILTER_PLUGINS, SCORE_PLUGINS
from twin.model.scheduling.reuse import FilterMemo
from twin.model.scheduling.sampling import num_feasible_nodes_to_find, sample
from twin.model.scheduling.status import PASS, Status


@dataclass
class ScheduleResult:
    """Everything one cycle decided, with the per-node diagnosis.

    `filters` holds the outcome of every filter plugin that ran (skipped plugins are
    absent); `candidates` are the node indices that were scored and `scores[plugin]` the
    normalised (0-100) scores of each score plugin that did not skip, aligned with
    `candidates`; `totals` the weighted sums."""

    pod: Pod
    node_names: list[str]
    filters: dict[str, object]
    feasible: np.ndarray
    candidates: np.ndarray
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    totals: np.ndarray | None = None
    selected: int | None = None
    processed: int = 0
    notices: list = field(default_factory=list)
    nominated_failures: Mapping | None = None  # node index -> (Status, plugin), nodes that failed with nominated pods
    _statuses: NodeStatuses | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def selected_name(self) -> str | None:
        return None if self.selected is None else self.node_names[self.selected]

    def node_status(self, n: int) -> tuple[Status, str | None]:
        """The node's status as kube-scheduler records it: a PreFilter rejection first
        (the cycle stopped there), else the first failing filter plugin in profile
        order, or Success; a node that failed only once the pods nominated to it were
        counted (`nominated.py`) has that status."""
        return self.statuses().of(n)

    def statuses(self) -> NodeStatuses:
        """Every node's status, computed once (`node_statuses.py`)."""
        if self._statuses is None:
            self._statuses = NodeStatuses(self.filters, len(self.node_names), self.nominated_failures)
        return self._statuses

    def share_statuses(self, other: ScheduleResult) -> None:
        """Take `other`'s statuses: the caller knows they are built from the same filter
        outcomes over the same nodes (`reuse.FilterMemo.share_statuses`)."""
        self._statuses = other.statuses()

    def fit_error(self) -> str:
        """kube-scheduler's FitError text: "0/6 nodes are available: 3 node(s) didn't match
        ..., 3 node(s) had untolerated taint(s)." (reasons sorted by text)."""
        parts = sorted(f"{count} {reason}" for reason, count in self.failure_reasons().items())
        return f"0/{len(self.node_names)} nodes are available: {', '.join(parts)}."

    def failure_reasons(self) -> Counter:
        """reason text -> number of nodes, as in "0/6 nodes are available: ..."."""
        return self.statuses().failure_reasons()


def filter_status(filters: dict, n: int) -> tuple[Status, str | None]:
    for name, outcome in filters.items():
        if outcome.prefilter:
            return outcome.status_of(n), name
    for name, outcome in filters.items():
        status = outcome.status_of(n)
        if not status.ok:
            return status, name
    return PASS, None


def schedule_one(
    view: ClusterView,
    pod: Pod,
    config: SchedulerConfig,
    rng: np.random.Generator,
    start: int = 0,
    score_all: bool = False,
    nominated: Nominated | None = None,
    memo: FilterMemo | None = None,
) -> ScheduleResult:
    """Schedule `pod` against `view` without changing it. `start` is nextStartNodeIndex;
    `score_all` scores every feasible node (and a single one) for explanations;
    `nominated` the pods waiting for preemption victims, by node (`nominated.py`);
    `memo` the previous cycles' reusable work (`reuse.py`), same result."""
    ctx = CycleContext(view, pod, config)
    filters, feasible = run_filters(ctx, memo)
    overrides = apply_nominated(view, pod, nominated, feasible, lambda n: filter_node(view, pod, config, n)) \
        if nominated else None
    wanted = len(view.nodes) if score_all else num_feasible_nodes_to_find(len(view.nodes), config.percentage_of_nodes_to_score)
    candidates, processed = sample(feasible, view.tree_order_twice(), start, wanted)
    result = ScheduleResult(pod, view.node_names, filters, feasible, candidates, processed=processed,
                            notices=ctx.notices, nominated_failures=overrides)
    if memo is not None:
        memo.share_statuses(view, result, feasible)
    if len(candidates) == 1 and not score_all:
        result.selected = int(candidates[0])
    elif len(candidates) > 0:
        result.scores, result.totals = run_scores(ctx, candidates)
        result.selected = select(candidates, result.totals, rng)
    return result


def run_filters(ctx: CycleContext, memo: FilterMemo | None = None) -> tuple[dict, np.ndarray]:
    """Every filter plugin in profile order; those `memo` has an outcome for (same view,
    same pod fields: `reuse.py`) are not run again."""
    reused = memo.outcomes(ctx) if memo is not None else None
    filters = {}
    feasible = np.ones(ctx.node_count, dtype=bool)
    for plugin in FILTER_PLUGINS:
        outcome = reused[plugin.NAME] if reused is not None and plugin.NAME in reused else plugin.filter(ctx)
        if outcome is not None:
            filters[plugin.NAME] = outcome
            feasible &= outcome.passed
    if memo is not None and reused is None:
        memo.remember(ctx, {plugin.NAME: filters.get(plugin.NAME) for plugin in FILTER_PLUGINS})
    return filters, feasible


def try_nominated_node(view: ClusterView, pod: Pod, config: SchedulerConfig, node: str,
                       nominated: Nominated | None = None) -> ScheduleResult | None:
    """`evaluateNominatedNode` (schedule_one.go `findNodesThatFitPod`): a pod with a
    nominated node (it preempted there) is filtered against that node first and, if it
    passes, goes there without scoring; None otherwise (a full cycle follows)."""
    n = view.node_index.get(node)
    if n is None:
        return None
    ctx = CycleContext(view, pod, config)
    filters, feasible = run_filters(ctx)
    overrides = apply_nominated(view, pod, nominated, feasible, lambda i: filter_node(view, pod, config, i)) \
        if nominated else {}
    if not feasible[n]:
        return None
    chosen = np.array([n], dtype=np.int64)
    return ScheduleResult(pod, view.node_names, filters, feasible, chosen, selected=n, notices=ctx.notices,
                          nominated_failures=overrides)


def filter_node(view: ClusterView, pod: Pod, config: SchedulerConfig, n: int) -> tuple[np.ndarray, Status, str | None]:
    """One filter pass over the view as it is now: the feasible mask and node n's status."""
    filters, feasible = run_filters(CycleContext(view, pod, config))
    status, plugin = filter_status(filters, n)
    return feasible, status, plugin


def run_scores(ctx: CycleContext, candidates: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    scores = {}
    totals = np.zeros(len(candidates), dtype=np.int64)
    for plugin in SCORE_PLUGINS:
        normalised = plugin.score(ctx, candidates)
        if normalised is not None:
            scores[plugin.NAME] = normalised
            totals += ctx.config.weight(plugin.NAME) * normalised
    return scores, totals


def select(candidates: np.ndarray, totals: np.ndarray, rng: np.random.Generator) -> int:
    """The highest total; among equal totals one chosen uniformly by `rng` (drawn only
    when there is a tie, so untied decisions consume no randomness)."""
    best = np.flatnonzero(totals == totals.max())
    if len(best) == 1:
        return int(candidates[best[0]])
    return int(candidates[best[rng.integers(len(best))]])
