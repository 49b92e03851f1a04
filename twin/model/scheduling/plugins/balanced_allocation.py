"""NodeResourcesBalancedAllocation: favours nodes whose cpu and memory would be equally
used. Per resource with non-zero allocatable, fraction = (requested + pod request) /
allocatable capped at 1, using real requests (no 100m/200Mi defaults); with two
fractions std = |f0 − f1| / 2; score = int((1 − std) · 100). Skip when the pod requests
neither cpu nor memory (Kubernetes 1.33+). Kept per node like NodeResourcesFit's score."""

from __future__ import annotations

from functools import partial

import numpy as np

from twin.model.cluster import ClusterView
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.normalize import MAX_NODE_SCORE

NAME = "NodeResourcesBalancedAllocation"
RESOURCES = ("cpu", "memory")


def score(ctx: CycleContext, candidates: np.ndarray) -> np.ndarray | None:
    wanted = tuple(ctx.pod.requests.get(name, 0) for name in RESOURCES)
    if not any(wanted):
        return None
    return ctx.view.per_node((NAME, wanted), partial(_balanced, ctx.view, wanted))[candidates]


def _balanced(view: ClusterView, wanted: tuple[int, int], nodes) -> np.ndarray:
    """Arithmetic only, so `nodes` may be an index array or one index."""
    res = view.resources
    fractions, usable = [], []
    for name, want in zip(RESOURCES, wanted):
        alloc = res.alloc[name][nodes]
        fraction = (res.requested[name][nodes] + want) / (alloc + (alloc == 0))
        fractions.append(fraction * (fraction <= 1) + (fraction > 1))
        usable.append(alloc != 0)
    std = abs(fractions[0] - fractions[1]) / 2 * (usable[0] & usable[1])
    return ((1 - std) * MAX_NODE_SCORE).astype(np.int64)
