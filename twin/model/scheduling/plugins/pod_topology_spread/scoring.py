"""PodTopologySpread PreScore, Score and NormalizeScore for ScheduleAnyway constraints
(`spec/scheduling.md` §3).

Domains are discovered among the candidates (nodes that passed every filter); each
constraint weighs `ln(size + 2)`; counts come from all nodes; a candidate's raw score is
`Σ cnt · w + (maxSkew − 1)` over the constraints whose key it has, rounded half away
from zero; normalisation gives 100 to the least loaded candidates.
"""

from __future__ import annotations

import math

import numpy as np

from twin.model.objects import HOSTNAME_KEY
from twin.model.scheduling.config import SYSTEM
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.nodemasks import has_keys_mask
from twin.model.scheduling.normalize import MAX_NODE_SCORE
from twin.model.scheduling.plugins.pod_topology_spread.constraints import SpreadConstraint, soft_constraints
from twin.model.scheduling.plugins.pod_topology_spread.filtering import count_index, inclusion


def score(ctx: CycleContext, candidates: np.ndarray) -> np.ndarray | None:
    constraints = soft_constraints(ctx)
    if not constraints:
        return None
    require_all = bool(ctx.pod.topology_spread_constraints) or ctx.config.spread_defaulting != SYSTEM
    keys = frozenset(c.topology_key for c in constraints)
    ignored = ~has_keys_mask(ctx.view, keys)[candidates] if require_all else np.zeros(len(candidates), dtype=bool)
    kept = candidates[~ignored]
    raw = np.zeros(len(candidates), dtype=np.float64)
    for c in constraints:
        raw += _constraint_score(ctx, c, candidates, kept, keys if require_all else None)
    return normalise(go_round(raw), ignored)


def go_round(x: np.ndarray) -> np.ndarray:
    """Go's math.Round for non-negative values: halves away from zero, exactly
    (`floor(x + 0.5)` would round 0.49999999999999994 up)."""
    whole = np.trunc(x)
    return (whole + (x - whole >= 0.5)).astype(np.int64)


def _constraint_score(ctx: CycleContext, c: SpreadConstraint, candidates, kept, required_keys) -> np.ndarray:
    column = ctx.view.column(c.topology_key)
    values = column.ids[candidates]
    if c.topology_key == HOSTNAME_KEY:
        size = len(kept)
        counts = count_index(ctx, c, None, False, False, per_node=True).counts[candidates + 1]
    else:
        size = _domain_count(column, kept)
        index = count_index(ctx, c, required_keys, *inclusion(ctx, c))
        counts = _domain_counts(index, column, values)
    weight = math.log(size + 2)
    return np.where(values != 0, counts * weight + (c.max_skew - 1), 0.0)


def _domain_count(column, kept: np.ndarray) -> int:
    """Distinct values among the kept candidates; a missing label reads as "" upstream."""
    empty = column.id_of("")
    ids = column.ids[kept]
    return len(np.unique(np.where(ids == 0, empty, ids)))


def _domain_counts(index, column, values: np.ndarray) -> np.ndarray:
    """Counts for each candidate's domain. Upstream reads a missing label as "", so nodes
    without the key add to the count of a domain whose value is literally ""."""
    counts = index.counts[values]
    empty = column.id_of("")
    if empty:
        counts = counts + np.where(values == empty, index.counts[0], 0)
    return counts


def normalise(raw: np.ndarray, ignored: np.ndarray) -> np.ndarray:
    """Ignored candidates get 0; if the highest raw score is 0 everyone gets 100;
    otherwise `100 · (max + min − s) // max`."""
    considered = raw[~ignored]
    if len(considered) == 0:
        return np.zeros(len(raw), dtype=np.int64)
    low, high = int(considered.min()), int(considered.max())
    if high == 0:
        scores = np.full(len(raw), MAX_NODE_SCORE, dtype=np.int64)
    else:
        scores = MAX_NODE_SCORE * (high + low - raw) // high
    return np.where(ignored, 0, scores)
