"""Scale-up (pure): which node groups grow, by how much, for which pending pods, and why
the other groups were not used. After kubernetes/autoscaler `cluster-autoscaler`:

1. `core/podlistprocessor/filter_out_expendable.go`: pods with a priority below
   `expendable-pods-priority-cutoff` never cause a scale-up (no priority: not expendable);
2. upcoming nodes (target size above the registered nodes) join the snapshot as template
   copies (`static_autoscaler.go` `addUpcomingNodesToClusterSnapshot`), and
   `filter_out_schedulable.go` drops the pods that fit existing or upcoming nodes, taken
   highest priority first, each placed pod taking room;
3. `core/scaleup/orchestrator/orchestrator.go` `ScaleUp`: groups not autoscaled, at their
   max size, or backed off are skipped; each other group's template is checked against
   the pods (`SchedulablePodGroups`), the estimator counts the nodes (capped by the group's
   room, its similar groups' when balancing, and max-nodes-total), the expander chain picks
   an option, the node count is capped by max-nodes-total and, with
   balance-similar-node-groups, spread over the similar groups that fit the same pods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from twin.model.autoscaling.backoff import Backoffs
from twin.model.autoscaling.balancing import balance, ignored_labels, similar_groups
from twin.model.autoscaling.estimator import estimate
from twin.model.autoscaling.expanders import Option, best_option
from twin.model.autoscaling.node_group import NodeGroup
from twin.model.autoscaling.settings import AutoscalerSettings
from twin.model.autoscaling.simulation import check, first_fit, fresh_node, place, reason, snapshot
from twin.model.cluster import ClusterView
from twin.model.objects import Pod
from twin.model.scheduling.reuse import FilterMemo


@dataclass(frozen=True)
class ScaleUpPlan:
    """`deltas`: group id -> nodes to add; `helped`: keys of the pods the new nodes are for;
    `rejected`: group id -> why it was not used; `skipped`: pod key -> why it was left out
    (expendable, fits an existing or upcoming node); `unhelped`: pods no group can take."""

    deltas: tuple[tuple[str, int], ...] = ()
    helped: tuple[str, ...] = ()
    rejected: tuple[tuple[str, str], ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    unhelped: tuple[str, ...] = ()
    chosen: str | None = None

    @property
    def scaled(self) -> bool:
        return bool(self.deltas)


@dataclass
class _Round:
    groups: list[NodeGroup]
    settings: AutoscalerSettings
    rejected: dict[str, str] = field(default_factory=dict)
    fits: dict[str, list[Pod]] = field(default_factory=dict)


def upcoming(groups: Sequence[NodeGroup]) -> dict[str, int]:
    """Machines asked for but not registered yet, and registered ones not started yet, per
    group (`clusterstate.GetUpcomingNodes`: target - (ready + unready + long-unregistered))."""
    return {g.id: max(g.target_size - (len(g.nodes) - g.not_started), 0) for g in groups}


def expendable(pod: Pod, cutoff: int) -> bool:
    """`IsExpendablePod` for scale-up: priority below the cutoff (None: not expendable)."""
    return pod.priority is not None and pod.priority < cutoff


def plan_scale_up(view: ClusterView, pending: Sequence[Pod], groups: Sequence[NodeGroup], settings: AutoscalerSettings,
                  backoffs: Backoffs, now: float, rng: np.random.Generator) -> ScaleUpPlan:
    """The scale-up for the unschedulable `pending` pods. `view`: the scheduler's view of
    the registered nodes and bound pods; `groups`: every node group, in id order."""
    skipped = {p.key: "expendable: priority below the cutoff" for p in pending
               if expendable(p, settings.expendable_pods_priority_cutoff)}
    base, remaining = _filter_out_schedulable(view, [p for p in pending if p.key not in skipped], groups, skipped)
    if not remaining:
        return ScaleUpPlan(skipped=tuple(sorted(skipped.items())))
    total = len(view.nodes) + sum(upcoming(groups).values())
    round_ = _Round(list(groups), settings)
    if settings.max_nodes_total and total >= settings.max_nodes_total:
        rejected = tuple((g.id, "max-nodes-total reached") for g in groups)
        return ScaleUpPlan(rejected=rejected, skipped=tuple(sorted(skipped.items())),
                           unhelped=tuple(p.key for p in remaining))
    options = _options(base, remaining, round_, backoffs, now, total)
    best = best_option(options, settings.expanders, settings.priorities, rng)
    deltas = _deltas(best, options, round_, total) if best is not None else {}
    helped = tuple(p.key for p in best.pods) if best is not None and deltas else ()
    return ScaleUpPlan(tuple(sorted(deltas.items())), helped, tuple(sorted(round_.rejected.items())),
                       tuple(sorted(skipped.items())), tuple(p.key for p in remaining if p.key not in helped),
                       best.group.id if best is not None and deltas else None)


def _filter_out_schedulable(view: ClusterView, pods: list[Pod], groups: Sequence[NodeGroup],
                            skipped: dict[str, str]) -> tuple[ClusterView, list[Pod]]:
    coming = upcoming(groups)
    extra = [fresh_node(g.template, f"upcoming-{g.id}-{i}") for g in groups for i in range(coming[g.id])]
    base = snapshot(view, extra)
    remaining = []
    memo = FilterMemo()
    for pod in sorted(pods, key=lambda p: (-(p.priority or 0), p.key)):
        n = first_fit(base, pod, memo)
        if n is None:
            remaining.append(pod)
            continue
        place(base, pod, n)
        upcoming_node = n >= len(view.nodes)
        skipped[pod.key] = "fits an upcoming node" if upcoming_node else "fits an existing node"
    return base, remaining


def _options(base: ClusterView, pods: list[Pod], round_: _Round, backoffs: Backoffs, now: float,
             total: int) -> list[Option]:
    candidates = [g for g in round_.groups if _usable(g, backoffs, now, round_.rejected)]
    for group in candidates:
        round_.fits[group.id] = _fitting(base, pods, group, round_.rejected)
    ignored = ignored_labels(round_.settings.balancing_ignored_labels)
    options = []
    for group in candidates:
        if not round_.fits[group.id]:
            continue
        room = group.room()
        if round_.settings.balance_similar_node_groups:
            room += sum(g.room() for g in similar_groups(group, candidates, ignored))
        cluster_room = round_.settings.max_nodes_total - total if round_.settings.max_nodes_total else room
        found = estimate(base, round_.fits[group.id], group.template, group.id, min(room, cluster_room))
        if found.node_count == 0:
            round_.rejected[group.id] = "the estimator placed no pod on new nodes"
            continue
        options.append(Option(group, found.node_count, found.scheduled))
    return options


def _usable(group: NodeGroup, backoffs: Backoffs, now: float, rejected: dict[str, str]) -> bool:
    if not group.autoscaled:
        rejected[group.id] = "not autoscaled"
    elif group.target_size >= group.max_size:
        rejected[group.id] = f"max size reached ({group.max_size})"
    elif backoffs.backed_off(group.id, now):
        rejected[group.id] = f"backed off until t={backoffs.until(group.id):.0f}s after a failed scale-up"
    else:
        return True
    return False


def _fitting(base: ClusterView, pods: list[Pod], group: NodeGroup, rejected: dict[str, str]) -> list[Pod]:
    """The pods that pass every filter on a fresh template node of the group."""
    work = snapshot(base, [fresh_node(group.template, f"template-{group.id}")])
    n = len(work.nodes) - 1
    fitting, why = [], ""
    memo = FilterMemo()
    for pod in pods:
        feasible, filters = check(work, pod, memo=memo)
        if feasible[n]:
            fitting.append(pod)
        elif not why:
            why = f"{pod.key} does not fit its template: {reason(filters, n)}"
    if not fitting:
        rejected[group.id] = why
    return fitting


def _deltas(best: Option, options: list[Option], round_: _Round, total: int) -> dict[str, int]:
    settings = round_.settings
    new_nodes = best.node_count
    if settings.max_nodes_total and total + new_nodes > settings.max_nodes_total:
        new_nodes = settings.max_nodes_total - total
    for option in options:
        if option.group.id != best.group.id:
            round_.rejected.setdefault(option.group.id, f"the expanders chose {best.group.id}")
    if not settings.balance_similar_node_groups:
        return {best.group.id: new_nodes} if new_nodes > 0 else {}
    keys = {p.key for p in best.pods}
    able = [g for g in round_.groups if keys <= {p.key for p in round_.fits.get(g.id, ())}]
    similar = similar_groups(best.group, able, ignored_labels(settings.balancing_ignored_labels))
    for group in similar:
        round_.rejected.pop(group.id, None)
    return balance([best.group, *similar], new_nodes)
