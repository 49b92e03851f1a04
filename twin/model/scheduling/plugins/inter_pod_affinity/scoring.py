"""InterPodAffinity PreScore, Score and NormalizeScore.

For each existing pod (all pods when the incoming pod has preferred terms, otherwise only
pods with affinity), contributions are added to the (key, value) of the existing pod's
node: the incoming pod's preferred affinity terms that match it (+weight) and preferred
anti-affinity terms (−weight); the existing pod's required affinity terms matching the
incoming pod (+hardPodAffinityWeight), its preferred affinity (+weight) and preferred
anti-affinity (−weight) terms. A candidate scores the sum over its label pairs;
normalisation is `int(100 · (s − min) / (max − min))`, all 0 when max == min. Skip when
nothing was accumulated.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from twin.model.objects import Pod
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.normalize import MAX_NODE_SCORE
from twin.model.scheduling.plugins.inter_pod_affinity.terms import (
    add_pair,
    preferred_terms,
    required_terms,
    term_matches,
)


def score(ctx: CycleContext, candidates: np.ndarray) -> np.ndarray | None:
    pod, view = ctx.pod, ctx.view
    has_preferred = bool(preferred_terms(pod.affinity.pod_affinity) or preferred_terms(pod.affinity.pod_anti_affinity))
    others = view.pods() if has_preferred else view.pods_with_affinity()
    topology: Counter = Counter()
    touched = False
    for other, n in others:
        touched |= _accumulate(ctx, other, n, topology)
    if not touched:
        return None
    raw = np.zeros(len(candidates), dtype=np.int64)
    for (key, value), amount in topology.items():
        column = view.column(key)
        found = column.id_of(value)
        if found:
            raw += amount * (column.ids[candidates] == found)
    return _normalise(raw)


def _accumulate(ctx: CycleContext, other: Pod, n: int, topology: Counter) -> bool:
    """Add `other`'s contributions; True when some term matched on a labelled node."""
    pod, view = ctx.pod, ctx.view
    if not view.nodes[n].labels:
        return False
    contributions = []
    for sign, affinity in ((1, pod.affinity.pod_affinity), (-1, pod.affinity.pod_anti_affinity)):
        contributions += [(w.term, sign * w.weight, pod.namespace, other) for w in preferred_terms(affinity)]
    if ctx.config.hard_pod_affinity_weight > 0:
        contributions += [(t, ctx.config.hard_pod_affinity_weight, other.namespace, pod)
                          for t in required_terms(other.affinity.pod_affinity)]
    for sign, affinity in ((1, other.affinity.pod_affinity), (-1, other.affinity.pod_anti_affinity)):
        contributions += [(w.term, sign * w.weight, other.namespace, pod) for w in preferred_terms(affinity)]
    matched = False
    for term, weight, owner_ns, target in contributions:
        if term_matches(term, owner_ns, target, view.namespace_labels) and term.topology_key in view.nodes[n].labels:
            add_pair(topology, view, n, term.topology_key, weight)
            matched = True
    return matched


def _normalise(raw: np.ndarray) -> np.ndarray:
    low, high = int(raw.min()), int(raw.max())
    if high == low:
        return np.zeros(len(raw), dtype=np.int64)
    return np.array([int(MAX_NODE_SCORE * ((int(s) - low) / (high - low))) for s in raw], dtype=np.int64)
