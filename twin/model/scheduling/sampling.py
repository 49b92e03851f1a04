"""Which feasible nodes get scored (`numFeasibleNodesToFind`, `findNodesThatPassFilters`).

kube-scheduler stops filtering once it has found enough feasible nodes, starting where
the previous cycle stopped (`nextStartNodeIndex`) in nodeTree order. The twin evaluates
filters on every node (so explanations are complete) and then takes the same first
feasible nodes a sequential scan from the start index would find.
"""

from __future__ import annotations

import numpy as np

MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5


def num_feasible_nodes_to_find(num_all: int, percentage: int) -> int:
    """Examples: 50 nodes -> 50; 1,000 nodes -> 420 (42 %); 5,000 nodes -> 500 (10 %);
    20,000 nodes -> 1,000 (the 5 % floor)."""
    if num_all < MIN_FEASIBLE_NODES_TO_FIND:
        return num_all
    if percentage <= 0:
        percentage = max(50 - num_all // 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    return max(num_all * percentage // 100, MIN_FEASIBLE_NODES_TO_FIND)


def sample(feasible: np.ndarray, order: np.ndarray, start: int, wanted: int) -> tuple[np.ndarray, int]:
    """The first `wanted` feasible nodes scanning `order` from position `start` (wrapping),
    and how many nodes that scan examined. `order` may also be given doubled (the order
    twice over, as `ClusterView.tree_order_twice` keeps it) to avoid a copy."""
    total = len(feasible)
    if total == 0:
        return np.zeros(0, dtype=np.int64), 0
    if len(order) == 2 * total:
        rotated = order[start:start + total]
    else:
        rotated = np.concatenate((order[start:], order[:start])) if start else order
    positions = np.flatnonzero(feasible[rotated])
    if len(positions) > wanted:
        return rotated[positions[:wanted]], int(positions[wanted - 1]) + 1
    return rotated[positions], total
