"""`PerNodeArray`: a value per node derived from that node's pods, recomputed only for the
nodes whose pods changed since the last read.

The view appends the index of every node whose pods change to a change log; each array
remembers how far into the log it has read. A score such as LeastAllocated for one
request size depends only on the node's own requests, so after binding one pod only that
node's entry is stale.

`compute(nodes)` must accept either an index array or a single int index (and then
return a scalar): a few stale nodes are refreshed one by one, where numpy's per-call
overhead would dominate, many at once in one vectorised call. Formulas written with
arithmetic operators only (no np.where) serve both.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

ONE_BY_ONE = 8  # refresh up to this many stale nodes with scalar arithmetic
LOG_LIMIT = 8192  # changes kept; an array that fell further behind recomputes everything


class ChangeLog:
    """Indices of nodes whose pods changed, in order; `start` counts dropped entries."""

    def __init__(self) -> None:
        self.entries: list[int] = []
        self.start = 0

    def append(self, n: int) -> None:
        self.entries.append(n)
        if len(self.entries) > LOG_LIMIT:
            drop = LOG_LIMIT // 2
            del self.entries[:drop]
            self.start += drop

    @property
    def end(self) -> int:
        return self.start + len(self.entries)

    def since(self, position: int) -> list[int] | None:
        """Nodes changed since `position`, or None when the log no longer reaches back."""
        if position < self.start:
            return None
        return self.entries[position - self.start:]


class PerNodeArray:
    """`compute` is given with each read, never kept: it usually holds the view that keeps
    this array, and a reference cycle would leave a dropped view (an autoscaler snapshot)
    to the cyclic garbage collector, which may run only much later."""

    def __init__(self, size: int, dtype=np.int64) -> None:
        self.values = np.zeros(size, dtype=dtype)
        self.position = -1  # nothing computed yet
        self.pending: list[int] = []  # nodes to refresh besides the log's (`carried`)

    def current(self, log: ChangeLog, compute: Callable) -> np.ndarray:
        """The up-to-date array (do not modify it; it is refreshed in place later)."""
        stale = log.since(self.position)
        if stale is not None and self.pending:
            stale, self.pending = self.pending + stale, []
        if stale is None:
            self.values[:] = compute(np.arange(len(self.values)))
        elif len(stale) > ONE_BY_ONE:
            nodes = np.unique(stale)
            self.values[nodes] = compute(nodes)
        else:
            for n in set(stale):
                self.values[n] = compute(n)
        self.position = log.end
        return self.values


def carried(cache: dict, log: ChangeLog, old_to_new: np.ndarray, size: int) -> dict:
    """The per-node arrays of `cache` (keys `("per-node", ...)`, read up to some point of
    `log`) for a new set of `size` nodes, old node i being new node `old_to_new[i]` (-1:
    removed) and the new nodes no old one maps to new: each keeps its values for the nodes
    that stay, and refreshes at its next read (with a new, empty log) the new nodes and
    those it had not caught up with (its pending ones included); an array the log no longer reaches back for is left
    out (computed afresh when next read). Sound because a value is a function of its own
    node and that node's pods, which a change to the other nodes leaves as they were."""
    kept = old_to_new >= 0
    fresh = np.ones(size, dtype=bool)
    fresh[old_to_new[kept]] = False
    out = {}
    for key, array in cache.items():
        stale = log.since(array.position) if isinstance(key, tuple) and key[:1] == ("per-node",) else None
        if stale is None:
            continue
        new = PerNodeArray(size, array.values.dtype)
        new.values[old_to_new[kept]] = array.values[kept]
        moved = old_to_new[np.asarray(array.pending + stale, dtype=np.int64)]
        new.pending = np.flatnonzero(fresh).tolist() + moved[moved >= 0].tolist()
        new.position = 0
        out[key] = new
    return out
