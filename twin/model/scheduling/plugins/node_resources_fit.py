"""NodeResourcesFit.

Filter (`fitsRequest`): "Too many pods" when the node is at its allocatable pod count;
then, for each resource the pod requests (> 0), "Insufficient <resource>" when the
request exceeds allocatable minus what bound pods request. All failing reasons are
reported together. The status is UnschedulableAndUnresolvable when some request exceeds
the node's whole allocatable (preemption cannot help; Kubernetes 1.34+), else
Unschedulable.

Score (LeastAllocated, cpu and memory with weight 1): per resource
`(allocatable − requested) · 100 // allocatable` (0 when over), averaged over resources
with non-zero allocatable; "requested" counts 100m / 200Mi for containers that state no
request (`schedutil.GetNonzeroRequests`).
"""

from __future__ import annotations

import numpy as np

from twin.model.cluster.columns import CORE_RESOURCES
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.normalize import MAX_NODE_SCORE
from twin.model.scheduling.status import PASS, UNRESOLVABLE, UNSCHEDULABLE, FilterOutcome, Status

NAME = "NodeResourcesFit"
FIXED = ("cpu", "memory", "ephemeral-storage")


def filter(ctx: CycleContext) -> FilterOutcome:
    res, requests = ctx.view.resources, ctx.pod.requests
    checks = [("Too many pods", res.pod_count + 1 > res.alloc["pods"], None)]
    if any(amount > 0 for amount in requests.values()):
        for name in FIXED:
            want = requests.get(name, 0)
            if want > 0:
                free = res.alloc[name] - res.requested[name]
                checks.append((f"Insufficient {name}", want > free, want > res.alloc[name]))
        checks.extend(_scalar_checks(ctx))
    return _combine(checks, ctx.node_count)


def _scalar_checks(ctx: CycleContext):
    res = ctx.view.resources
    for name in sorted(ctx.pod.requests):
        want = ctx.pod.requests[name]
        if name in CORE_RESOURCES or want <= 0:
            continue
        alloc = np.fromiter((a.get(name, 0) for a in res.scalar_alloc), dtype=np.int64, count=ctx.node_count)
        used = np.fromiter((r.get(name, 0) for r in res.scalar_requested), dtype=np.int64, count=ctx.node_count)
        yield f"Insufficient {name}", want > alloc - used, want > alloc


def _combine(checks, size: int) -> FilterOutcome:
    """One status per distinct combination of failing checks (bit i = check i failed)."""
    bits = np.zeros(size, dtype=np.int64)
    unresolvable = np.zeros(size, dtype=bool)
    for i, (_, failed, over) in enumerate(checks):
        bits |= failed.astype(np.int64) << i
        if over is not None:
            unresolvable |= failed & over
    if not bits.any():
        return FilterOutcome(bits, (PASS,))
    codes = bits * 2 + unresolvable
    combos, ids = np.unique(codes, return_inverse=True)
    statuses = [_status(int(c), checks) for c in combos]
    if int(combos[0]) != 0:  # keep id 0 for Success even when no node passes
        statuses.insert(0, PASS)
        ids = ids + 1
    return FilterOutcome(ids.reshape(-1), tuple(statuses))


def _status(code: int, checks) -> Status:
    bits, unresolvable = code >> 1, code & 1
    if bits == 0:
        return PASS
    reasons = tuple(text for i, (text, _, _) in enumerate(checks) if bits >> i & 1)
    return Status(UNRESOLVABLE if unresolvable else UNSCHEDULABLE, reasons)


def score(ctx: CycleContext, candidates: np.ndarray) -> np.ndarray:
    res, pod = ctx.view.resources, ctx.pod
    total = np.zeros(len(candidates), dtype=np.int64)
    weights = np.zeros(len(candidates), dtype=np.int64)
    for name in ("cpu", "memory"):
        alloc = res.alloc[name][candidates]
        requested = res.nonzero[name][candidates] + pod.nonzero_requests[name]
        usable = alloc != 0
        safe = np.where(usable, alloc, 1)
        free = np.where(requested <= alloc, (alloc - requested) * MAX_NODE_SCORE // safe, 0)
        total += np.where(usable, free, 0)
        weights += usable
    return np.where(weights > 0, total // np.maximum(weights, 1), 0)
