"""NodeResourcesFit.

Filter (`fitsRequest`): "Too many pods" when the node is at its allocatable pod count;
then, for each resource the pod requests (> 0), "Insufficient <resource>" when the
request exceeds allocatable minus what bound pods request. All failing reasons are
reported together. A node read without status (capacity unknown) has no allocatable:
it is rejected, and a warning names it. The status is UnschedulableAndUnresolvable when some request exceeds
the node's whole allocatable (preemption cannot help; Kubernetes 1.34+), else
Unschedulable.

Score (LeastAllocated, cpu and memory with weight 1): per resource
`(allocatable − requested) · 100 // allocatable` (0 when over), averaged over resources
with non-zero allocatable; "requested" counts 100m / 200Mi for containers that state no
request (`schedutil.GetNonzeroRequests`).

Both are kept per node and request size in the view and refreshed only on nodes whose
pods changed (`ClusterView.per_node`).
"""

from __future__ import annotations

from functools import lru_cache, partial

import numpy as np

from twin.model.cluster import ClusterView
from twin.model.cluster.columns import CORE_RESOURCES
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.normalize import MAX_NODE_SCORE
from twin.model.scheduling.status import PASS, UNRESOLVABLE, UNSCHEDULABLE, FilterOutcome, Status

NAME = "NodeResourcesFit"
FIXED = ("cpu", "memory", "ephemeral-storage")
MAX_BINCOUNT_CODE = 1 << 16


def filter(ctx: CycleContext) -> FilterOutcome:
    """Codes per node: bit i set when check i fails, bit 0 of the code = unresolvable."""
    for name in ctx.view.cached((NAME, "capacity unknown"), lambda: _capacity_unknown(ctx.view)):
        ctx.warn(NAME, f"node {name} has no status.allocatable or status.capacity (a trimmed export?): its capacity "
                       "is unknown, so it is taken as having none and cannot host the pod (Too many pods); "
                       "export the nodes with their status")
    checks = _check_list(ctx.pod.requests)
    codes = ctx.view.per_node((NAME, checks), partial(_codes, ctx.view, checks))
    if not codes.any():
        return ctx.view.cached((NAME, "all pass"), lambda: FilterOutcome(np.zeros(ctx.node_count, dtype=np.int64), (PASS,)))
    return FilterOutcome.lazy(codes == 0, partial(_table, codes.copy(), checks))  # `codes` is refreshed in place later


def _table(codes: np.ndarray, checks) -> tuple[np.ndarray, tuple[Status, ...]]:
    """(ids, statuses): the distinct codes in increasing order, each one status, id 0
    Success even when no node passes (what `np.unique(codes, return_inverse=True)` gives,
    counted with `bincount` over the few small codes)."""
    if int(codes.max()) > MAX_BINCOUNT_CODE:  # many extended resources: codes too wide to count
        combos, ids = np.unique(codes, return_inverse=True)
        shift = 0 if combos[0] == 0 else 1
        return ids.reshape(-1) + shift, ((PASS,) if shift else ()) + tuple(_status(int(c), checks) for c in combos)
    present = np.bincount(codes)
    combos = np.flatnonzero(present)
    lookup = np.zeros(len(present), dtype=np.int64)
    shift = 0 if combos[0] == 0 else 1  # id 0 stays Success even when no node passes
    lookup[combos] = np.arange(shift, len(combos) + shift)
    statuses = ((PASS,) if shift else ()) + tuple(_status(int(c), checks) for c in combos.tolist())
    return lookup[codes], statuses


def _capacity_unknown(view: ClusterView) -> list[str]:
    return [node.name for node in view.nodes if not node.capacity_known]


def _check_list(requests) -> tuple[tuple[str, int], ...]:
    """(resource, requested amount) per check, in upstream order; ("pods", 1) first."""
    checks = [("pods", 1)]
    if any(amount > 0 for amount in requests.values()):
        checks += [(name, requests[name]) for name in FIXED if requests.get(name, 0) > 0]
        checks += [(name, requests[name]) for name in sorted(requests)
                   if name not in CORE_RESOURCES and requests[name] > 0]
    return tuple(checks)


def _codes(view: ClusterView, checks, nodes) -> np.ndarray:
    """`nodes` is an index array or one index (see `PerNodeArray`)."""
    codes = 0
    unresolvable = False
    for bit, (name, want) in enumerate(checks, start=1):
        alloc, used = _alloc_and_used(view, name, nodes)
        failed = used > alloc - want
        codes = codes | (failed.astype(np.int64) << bit)
        if name != "pods":
            unresolvable = unresolvable | (failed & (want > alloc))
    return codes | unresolvable


def _alloc_and_used(view: ClusterView, name: str, nodes):
    res = view.resources
    if name == "pods":
        return res.alloc["pods"][nodes], res.pod_count[nodes]
    if name in FIXED:
        return res.alloc[name][nodes], res.requested[name][nodes]
    alloc = np.array([a.get(name, 0) for a in res.scalar_alloc], dtype=np.int64)
    used = np.array([r.get(name, 0) for r in res.scalar_requested], dtype=np.int64)
    return alloc[nodes], used[nodes]


@lru_cache(maxsize=4096)
def _status(code: int, checks) -> Status:
    if code == 0:
        return PASS
    reasons = tuple(_reason(name) for bit, (name, _) in enumerate(checks, start=1) if code >> bit & 1)
    return Status(UNRESOLVABLE if code & 1 else UNSCHEDULABLE, reasons)


def _reason(resource: str) -> str:
    return "Too many pods" if resource == "pods" else f"Insufficient {resource}"


def score(ctx: CycleContext, candidates: np.ndarray) -> np.ndarray:
    nonzero = (ctx.pod.nonzero_requests["cpu"], ctx.pod.nonzero_requests["memory"])
    scores = ctx.view.per_node(("LeastAllocated", nonzero), partial(_least_allocated, ctx.view, nonzero))
    return scores[candidates]


def _least_allocated(view: ClusterView, pod_nonzero: tuple[int, int], nodes) -> np.ndarray:
    """Arithmetic only, so `nodes` may be an index array or one index."""
    res = view.resources
    total = weights = 0
    for name, want in zip(("cpu", "memory"), pod_nonzero):
        alloc = res.alloc[name][nodes]
        requested = res.nonzero[name][nodes] + want
        usable = alloc != 0
        free = (alloc - requested) * MAX_NODE_SCORE // (alloc + (alloc == 0)) * (requested <= alloc)
        total = total + free * usable
        weights = weights + usable
    return total // (weights + (weights == 0))
