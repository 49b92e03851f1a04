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

    def current(self, log: ChangeLog, compute: Callable) -> np.ndarray:
        """The up-to-date array (do not modify it; it is refreshed in place later)."""
        stale = log.since(self.position)
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
