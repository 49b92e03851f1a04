"""Which spread constraints apply to a pod, normalised as kube-scheduler does
(`spec/scheduling.md` §2.1, §4): `filterTopologySpreadConstraints` and
`buildDefaultConstraints`."""

from __future__ import annotations

from dataclasses import dataclass

from twin.model.labels import IN, LabelSelector, Requirement, selector_matches
from twin.model.objects import (
    DO_NOT_SCHEDULE,
    HONOR,
    HOSTNAME_KEY,
    IGNORE,
    SCHEDULE_ANYWAY,
    ZONE_KEY,
    Pod,
    TopologySpreadConstraint,
)
from twin.model.scheduling.config import LIST
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.plugins.pod_topology_spread.defaults import default_selector

# plugin.go systemDefaultConstraints, unchanged since 1.19.
SYSTEM_DEFAULT_CONSTRAINTS = (
    TopologySpreadConstraint(3, HOSTNAME_KEY, SCHEDULE_ANYWAY),
    TopologySpreadConstraint(5, ZONE_KEY, SCHEDULE_ANYWAY),
)


@dataclass(frozen=True, slots=True)
class SpreadConstraint:
    """A constraint with defaults applied and matchLabelKeys merged into `selector`
    (None = the null selector, which matches nothing)."""

    max_skew: int
    topology_key: str
    selector: LabelSelector | None
    min_domains: int = 1
    node_affinity_policy: str = HONOR
    node_taints_policy: str = IGNORE

    def self_match(self, pod: Pod) -> int:
        return 1 if selector_matches(self.selector, pod.labels) else 0


def hard_constraints(ctx: CycleContext) -> list[SpreadConstraint]:
    return applicable(ctx, DO_NOT_SCHEDULE)


def soft_constraints(ctx: CycleContext) -> list[SpreadConstraint]:
    return applicable(ctx, SCHEDULE_ANYWAY)


def applicable(ctx: CycleContext, action: str) -> list[SpreadConstraint]:
    """The pod's own constraints with `whenUnsatisfiable == action` if it has any
    constraint at all; otherwise the cluster defaults with the computed default selector."""
    pod = ctx.pod
    if pod.topology_spread_constraints:
        return [_normalise(ctx, c, c.label_selector) for c in pod.topology_spread_constraints
                if c.when_unsatisfiable == action]
    return _defaults(ctx, action)


def _defaults(ctx: CycleContext, action: str) -> list[SpreadConstraint]:
    config = ctx.config
    source = config.default_constraints if config.spread_defaulting == LIST else SYSTEM_DEFAULT_CONSTRAINTS
    chosen = [c for c in source if c.when_unsatisfiable == action]
    if not chosen:
        return []
    selector = default_selector(ctx.view, ctx.pod)
    if selector.is_empty():
        return []
    return [_normalise(ctx, c, selector, merge_keys=False) for c in chosen]


def _normalise(ctx: CycleContext, c: TopologySpreadConstraint, selector, merge_keys: bool = True) -> SpreadConstraint:
    config = ctx.config
    if merge_keys and config.match_label_keys and c.match_label_keys:
        selector = merge_match_label_keys(selector, c.match_label_keys, ctx.pod)
    policies = (HONOR, IGNORE)
    if config.node_inclusion_policy:
        policies = (c.node_affinity_policy or HONOR, c.node_taints_policy or IGNORE)
    min_domains = c.min_domains if c.min_domains is not None else 1
    return SpreadConstraint(c.max_skew, c.topology_key, selector, min_domains, *policies)


def merge_match_label_keys(selector: LabelSelector | None, keys, pod: Pod) -> LabelSelector | None:
    """AND `key = <pod's value>` for each listed key the pod has; a null selector stays
    null; keys the pod lacks are dropped silently."""
    extra = tuple(Requirement(k, IN, (pod.labels[k],)) for k in keys if k in pod.labels)
    if selector is None or not extra:
        return selector
    return selector.and_requirements(extra)

