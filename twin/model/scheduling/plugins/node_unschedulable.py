"""NodeUnschedulable: `spec.unschedulable` nodes are rejected unless the pod tolerates
the `node.kubernetes.io/unschedulable:NoSchedule` taint."""

from __future__ import annotations

import numpy as np

from twin.model.objects import NO_SCHEDULE, UNSCHEDULABLE_TAINT_KEY, Taint, tolerates_all
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.status import UNRESOLVABLE, FilterOutcome, Status

NAME = "NodeUnschedulable"
REJECTED = Status(UNRESOLVABLE, ("node(s) were unschedulable",))
_TAINT = Taint(UNSCHEDULABLE_TAINT_KEY, "", NO_SCHEDULE)


def filter(ctx: CycleContext) -> FilterOutcome:
    tolerated = tolerates_all(ctx.pod.tolerations, _TAINT)
    return ctx.view.cached((NAME, tolerated), lambda: _outcome(ctx, tolerated))


def _outcome(ctx: CycleContext, tolerated: bool) -> FilterOutcome:
    if tolerated:
        return FilterOutcome.from_failures(np.zeros(ctx.node_count, dtype=bool), REJECTED)
    failed = np.fromiter((n.unschedulable for n in ctx.view.nodes), dtype=bool, count=ctx.node_count)
    return FilterOutcome.from_failures(failed, REJECTED)
