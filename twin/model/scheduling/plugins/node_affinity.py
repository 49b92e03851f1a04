"""NodeAffinity.

Filter: the pod's nodeSelector and required node affinity must match.
Score: sum of the weights of the matching preferred terms, normalised with
`DefaultNormalizeScore`; Skip when the pod has no preferred terms.
"""

from __future__ import annotations

import numpy as np

from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.nodemasks import affinity_signature, required_affinity_mask, term_mask
from twin.model.scheduling.normalize import default_normalize
from twin.model.scheduling.status import UNRESOLVABLE, FilterOutcome, Status

NAME = "NodeAffinity"
REJECTED = Status(UNRESOLVABLE, ("node(s) didn't match Pod's node affinity/selector",))


def filter(ctx: CycleContext) -> FilterOutcome:
    return ctx.view.cached(
        (NAME, affinity_signature(ctx.pod)),
        lambda: FilterOutcome.from_failures(~required_affinity_mask(ctx.view, ctx.pod), REJECTED),
    )


def score(ctx: CycleContext, candidates: np.ndarray) -> np.ndarray | None:
    node_affinity = ctx.pod.affinity.node_affinity
    preferred = [p for p in (node_affinity.preferred if node_affinity else ()) if p.weight != 0]
    if not preferred:
        return None
    raw = np.zeros(len(candidates), dtype=np.int64)
    for term in preferred:
        raw += term.weight * term_mask(ctx.view, term.preference)[candidates]
    return default_normalize(raw, reverse=False)
