"""PodTopologySpread PreFilter and Filter for DoNotSchedule constraints
(`spec/scheduling.md` §2.2–§2.3).

PreFilter counting is served by the view's live `CountIndex`es: for each constraint, the
matching, non-terminating pods of the pod's namespace per domain, over the *eligible*
nodes: nodes that carry every hard constraint's key (the all-keys rule) and pass the
constraint's inclusion policies (nodeAffinityPolicy Honor: the pod's nodeSelector and
required node affinity; nodeTaintsPolicy Honor: no untolerated NoSchedule/NoExecute taint).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.model.cluster.counting import CountIndex, CountKey
from twin.model.objects import HONOR
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.nodemasks import affinity_signature, has_keys_mask, required_affinity_mask, untolerated_mask
from twin.model.scheduling.plugins.pod_topology_spread.constraints import SpreadConstraint, hard_constraints
from twin.model.scheduling.status import PASS, UNRESOLVABLE, UNSCHEDULABLE, FilterOutcome, Status

MISSING_LABEL = Status(UNRESOLVABLE, ("node(s) didn't match pod topology spread constraints (missing required label)",))
SKEW_EXCEEDED = Status(UNSCHEDULABLE, ("node(s) didn't match pod topology spread constraints",))
STATUSES = (PASS, MISSING_LABEL, SKEW_EXCEEDED)


@dataclass(frozen=True)
class PreFilterState:
    """The hard constraints and, for each, its live count index."""

    constraints: tuple[SpreadConstraint, ...]
    counts: tuple[CountIndex, ...]

    def domain_counts(self, ctx: CycleContext) -> list[dict[str, int]]:
        """Per constraint, {domain value: matching pods} over eligible domains."""
        return [index.as_dict(ctx.view.column(c.topology_key).values) for c, index in zip(self.constraints, self.counts)]


def prefilter(ctx: CycleContext) -> PreFilterState | None:
    """None means Skip: the pod has no hard constraint. The state is kept in the view
    per pod shape (its count indexes stay live as pods change)."""
    pod = ctx.pod
    shape = ("spread-prefilter", pod.namespace, pod.topology_spread_constraints, tuple(pod.labels.items()),
             affinity_signature(pod), pod.tolerations, ctx.config)
    return ctx.view.cached(shape, lambda: _prefilter(ctx))


def _prefilter(ctx: CycleContext) -> PreFilterState | None:
    constraints = hard_constraints(ctx)
    if not constraints:
        return None
    keys = frozenset(c.topology_key for c in constraints)
    counts = tuple(count_index(ctx, c, keys, *inclusion(ctx, c)) for c in constraints)
    return PreFilterState(tuple(constraints), counts)


def inclusion(ctx: CycleContext, c: SpreadConstraint) -> tuple[bool, bool]:
    """(honour required node affinity, honour taints) for counting constraint `c`. With the
    NodeInclusionPolicy gate off, affinity is always honoured and taints never are."""
    if not ctx.config.node_inclusion_policy:
        return True, False
    return c.node_affinity_policy == HONOR, c.node_taints_policy == HONOR


def count_index(
    ctx: CycleContext, c: SpreadConstraint, required_keys, honor_affinity: bool, honor_taints: bool,
    per_node: bool = False,
) -> CountIndex:
    """The live count index for constraint `c` over the nodes that have `required_keys`
    (None: no key requirement), pass the pod's required node affinity if `honor_affinity`
    and have no untolerated NoSchedule/NoExecute taint if `honor_taints`; per domain of
    `c.topology_key`, or per node when `per_node`."""
    signature = (
        required_keys,
        affinity_signature(ctx.pod) if honor_affinity else None,
        ctx.pod.tolerations if honor_taints else None,
    )

    def eligible() -> np.ndarray:
        mask = np.ones(ctx.node_count, dtype=bool)
        if required_keys:
            mask &= has_keys_mask(ctx.view, required_keys)
        if honor_affinity:
            mask &= required_affinity_mask(ctx.view, ctx.pod)
        if honor_taints:
            mask &= ~untolerated_mask(ctx.view, ctx.pod.tolerations)
        return mask

    topology_key = None if per_node else c.topology_key
    key = CountKey(ctx.pod.namespace, c.selector, topology_key, signature, ctx.config.empty_selector_counts_zero)
    return ctx.view.count_index(key, eligible)


def filter(ctx: CycleContext) -> FilterOutcome | None:
    state = prefilter(ctx)
    if state is None:
        return None
    ctx.state["PodTopologySpread/prefilter"] = state
    verdicts = [_domain_failures(ctx, c, index) for c, index in zip(state.constraints, state.counts)]
    failed = None
    for fails, column in verdicts:
        bad = _node_failures(fails, column)
        failed = bad if failed is None else failed | bad
    return FilterOutcome.deferred(~failed, lambda: _first_failures(verdicts), STATUSES)


def _domain_failures(ctx: CycleContext, c: SpreadConstraint, index: CountIndex):
    """For one constraint, which domain ids fail (`matchNum + selfMatch − globalMin >
    maxSkew`; id 0, a missing label, always fails) and the constraint's label column."""
    limit = c.max_skew - c.self_match(ctx.pod) + global_min(index, c.min_domains)
    fails = index.counts > limit
    fails[0] = True
    return fails, ctx.view.column(c.topology_key)


def _node_failures(fails: np.ndarray, column) -> np.ndarray:
    if not column.one_per_node and not fails[1:].any():
        return column.absent  # only nodes without the key fail
    return column.broadcast(fails)


def _first_failures(verdicts) -> np.ndarray:
    """Per node: 0 pass, 1 missing label, 2 skew exceeded, from the first constraint that
    fails it (upstream returns at the first failing constraint)."""
    ids = None
    for fails, column in verdicts:
        codes = fails * 2
        codes[0] = 1
        verdict = column.broadcast(codes)
        ids = verdict if ids is None else np.where(ids == 0, verdict, ids)
    return ids


def global_min(index: CountIndex, min_domains: int) -> int:
    """Minimum count over eligible domains; 0 when there are fewer than minDomains."""
    if index.domain_count < min_domains or index.domain_count == 0:
        return 0
    return index.minimum()
