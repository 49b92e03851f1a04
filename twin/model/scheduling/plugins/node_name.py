"""NodeName: a pod with `spec.nodeName` set fits only that node."""

from __future__ import annotations

import numpy as np

from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.status import UNRESOLVABLE, FilterOutcome, Status

NAME = "NodeName"
REJECTED = Status(UNRESOLVABLE, ("node(s) didn't match the requested node name",))


def filter(ctx: CycleContext) -> FilterOutcome:
    return ctx.view.cached((NAME, ctx.pod.node_name), lambda: _outcome(ctx, ctx.pod.node_name))


def _outcome(ctx: CycleContext, wanted: str | None) -> FilterOutcome:
    failed = np.zeros(ctx.node_count, dtype=bool)
    if wanted:
        failed[:] = True
        n = ctx.view.node_index.get(wanted)
        if n is not None:
            failed[n] = False
    return FilterOutcome.from_failures(failed, REJECTED)
