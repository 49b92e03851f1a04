"""TaintToleration.

Filter: a node with a NoSchedule or NoExecute taint the pod does not tolerate is
rejected. The reason text is the one since Kubernetes 1.35 (kubernetes#134740, also in
1.34 patch releases), which no longer names the taint.

Score: the number of PreferNoSchedule taints not tolerated by the pod's tolerations with
effect PreferNoSchedule or empty, normalised in reverse (`DefaultNormalizeScore`).
"""

from __future__ import annotations

import numpy as np

from twin.model.objects import PREFER_NO_SCHEDULE, tolerates_all
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.nodemasks import untolerated_mask
from twin.model.scheduling.normalize import default_normalize
from twin.model.scheduling.status import UNRESOLVABLE, FilterOutcome, Status

NAME = "TaintToleration"
REJECTED = Status(UNRESOLVABLE, ("node(s) had untolerated taint(s)",))


def filter(ctx: CycleContext) -> FilterOutcome:
    tolerations = ctx.pod.tolerations
    return ctx.view.cached(
        (NAME, tolerations), lambda: FilterOutcome.from_failures(untolerated_mask(ctx.view, tolerations), REJECTED)
    )


def score(ctx: CycleContext, candidates: np.ndarray) -> np.ndarray:
    soft = tuple(t for t in ctx.pod.tolerations if t.effect in ("", PREFER_NO_SCHEDULE))
    raw = ctx.view.cached(("intolerable-prefer-no-schedule", soft), lambda: _intolerable_counts(ctx, soft))
    return default_normalize(raw[candidates], reverse=True)


def _intolerable_counts(ctx: CycleContext, tolerations) -> np.ndarray:
    nodes = ctx.view.nodes
    return np.fromiter((_intolerable(n.taints, tolerations) for n in nodes), dtype=np.int64, count=len(nodes))


def _intolerable(taints, tolerations) -> int:
    return sum(1 for t in taints if t.effect == PREFER_NO_SCHEDULE and not tolerates_all(tolerations, t))
