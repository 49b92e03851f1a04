"""NodeResourcesBalancedAllocation: favours nodes whose cpu and memory would be equally
used. Per resource with non-zero allocatable, fraction = (requested + pod request) /
allocatable capped at 1, using real requests (no 100m/200Mi defaults); with two
fractions std = |f0 − f1| / 2; score = int((1 − std) · 100). Skip when the pod requests
neither cpu nor memory (Kubernetes 1.33+)."""

from __future__ import annotations

import numpy as np

from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.normalize import MAX_NODE_SCORE

NAME = "NodeResourcesBalancedAllocation"
RESOURCES = ("cpu", "memory")


def score(ctx: CycleContext, candidates: np.ndarray) -> np.ndarray | None:
    requests = ctx.pod.requests
    if all(requests.get(name, 0) == 0 for name in RESOURCES):
        return None
    res = ctx.view.resources
    fractions, usable = [], []
    for name in RESOURCES:
        alloc = res.alloc[name][candidates]
        requested = res.requested[name][candidates] + requests.get(name, 0)
        fractions.append(np.minimum(requested / np.where(alloc != 0, alloc, 1), 1.0))
        usable.append(alloc != 0)
    f0, f1 = fractions
    both = usable[0] & usable[1]
    std = np.where(both, np.abs((f0 - f1) / 2), 0.0)
    return ((1 - std) * MAX_NODE_SCORE).astype(np.int64)
