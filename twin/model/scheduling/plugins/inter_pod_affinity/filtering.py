"""InterPodAffinity Filter, checked in upstream order for each node:

1. the incoming pod's required affinity: the node must carry every term's key, and each
   term's (key, value) must hold an existing pod that matches *all* terms, unless no pod
   in the cluster matches and the pod matches its own terms (the first of a group);
   otherwise UnschedulableAndUnresolvable "node(s) didn't match pod affinity rules";
2. the incoming pod's required anti-affinity: no matching pod in the node's domain of any
   term (a node without the key passes); Unschedulable "...pod anti-affinity rules";
3. existing pods' required anti-affinity terms that match the incoming pod: the node must
   not share a (key, value) with such a pod; Unschedulable "...existing pods
   anti-affinity rules".

Terminating pods count here (upstream does not skip them, unlike PodTopologySpread).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.plugins.inter_pod_affinity.terms import (
    add_pair,
    matches_all,
    pairs_mask,
    required_terms,
    term_matches,
)
from twin.model.scheduling.status import PASS, UNRESOLVABLE, UNSCHEDULABLE, FilterOutcome, Status

AFFINITY = Status(UNRESOLVABLE, ("node(s) didn't match pod affinity rules",))
ANTI_AFFINITY = Status(UNSCHEDULABLE, ("node(s) didn't match pod anti-affinity rules",))
EXISTING_ANTI_AFFINITY = Status(UNSCHEDULABLE, ("node(s) didn't satisfy existing pods anti-affinity rules",))
STATUSES = (PASS, AFFINITY, ANTI_AFFINITY, EXISTING_ANTI_AFFINITY)


def filter(ctx: CycleContext) -> FilterOutcome | None:
    pod, view = ctx.pod, ctx.view
    affinity = required_terms(pod.affinity.pod_affinity)
    anti = required_terms(pod.affinity.pod_anti_affinity)
    existing = _existing_anti_affinity_pairs(ctx)
    if not existing and not affinity and not anti:
        return None  # PreFilter Skip
    ids = np.zeros(len(view.nodes), dtype=np.int64)
    failed_existing = pairs_mask(view, existing)
    ids[failed_existing] = 3
    if anti:
        ids[_anti_affinity_failures(ctx, anti)] = 2
    if affinity:
        ids[_affinity_failures(ctx, affinity)] = 1
    return FilterOutcome(ids, STATUSES)


def _existing_anti_affinity_pairs(ctx: CycleContext) -> Counter:
    pairs: Counter = Counter()
    labels_of = ctx.view.namespace_labels
    for other, n in ctx.view.pods_with_affinity():
        for term in required_terms(other.affinity.pod_anti_affinity):
            if term_matches(term, other.namespace, ctx.pod, labels_of):
                add_pair(pairs, ctx.view, n, term.topology_key)
    return pairs


def _anti_affinity_failures(ctx: CycleContext, terms) -> np.ndarray:
    view, pod = ctx.view, ctx.pod
    failed = np.zeros(len(view.nodes), dtype=bool)
    for term in terms:
        pairs: Counter = Counter()
        for other, n in view.pods():
            if term_matches(term, pod.namespace, other, view.namespace_labels):
                add_pair(pairs, view, n, term.topology_key)
        failed |= pairs_mask(view, pairs)
    return failed


def _affinity_failures(ctx: CycleContext, terms) -> np.ndarray:
    view, pod = ctx.view, ctx.pod
    counts: Counter = Counter()
    for other, n in view.pods():
        if matches_all(terms, pod.namespace, other, view.namespace_labels):
            for term in terms:
                add_pair(counts, view, n, term.topology_key)
    has_keys = np.ones(len(view.nodes), dtype=bool)
    satisfied = np.ones(len(view.nodes), dtype=bool)
    for term in terms:
        column = view.column(term.topology_key)
        has_keys &= column.present()
        satisfied &= pairs_mask(view, [p for p in counts if p[0] == term.topology_key])
    if not counts and matches_all(terms, pod.namespace, pod, view.namespace_labels):
        return ~has_keys  # first pod of a group that has affinity to itself
    return ~(has_keys & satisfied)
