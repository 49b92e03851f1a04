"""Columnar node data: one numpy array per resource, label values as integer ids.

Label columns encode each node's value for one label key as an integer id, with 0 meaning
"label absent"; predicates over label values are evaluated once per distinct value and
then broadcast to all nodes with one fancy-index (`table[ids]`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from twin.model.objects import Node

MISSING = 0


@dataclass(frozen=True)
class LabelColumn:  # not slotted: `absent` is a cached_property
    """`ids[n]` is node n's value id for the key; `values[id]` the value (None for absent)."""

    key: str
    ids: np.ndarray
    values: tuple[str | None, ...]
    lookup: dict[str, int]
    one_per_node: bool  # every node has its own value, in node order: ids == 1..n

    @staticmethod
    def build(key: str, nodes: Sequence[Node]) -> LabelColumn:
        index: dict[str, int] = {}
        ids = np.zeros(len(nodes), dtype=np.int64)
        for n, node in enumerate(nodes):
            value = node.labels.get(key)
            if value is not None:
                ids[n] = index.setdefault(value, len(index) + 1)
        one_per_node = bool(np.array_equal(ids, np.arange(1, len(nodes) + 1)))
        return LabelColumn(key, ids, (None, *index), index, one_per_node)

    @property
    def size(self) -> int:
        return len(self.values)

    def id_of(self, value: str) -> int:
        """The id of `value`, 0 when no node has it."""
        return self.lookup.get(value, MISSING)

    def present(self) -> np.ndarray:
        return self.ids != MISSING

    @cached_property
    def absent(self) -> np.ndarray:
        """Nodes without the label (do not modify)."""
        return self.ids == MISSING

    def broadcast(self, by_value: np.ndarray) -> np.ndarray:
        """`by_value[ids]`: a value per node from a value per id (a view when the column
        has one value per node)."""
        return by_value[1:] if self.one_per_node else by_value[self.ids]

    def where(self, predicate: Callable[[str | None], bool]) -> np.ndarray:
        """Boolean mask of the nodes whose value (None when absent) satisfies `predicate`."""
        table = np.fromiter((predicate(v) for v in self.values), dtype=bool, count=len(self.values))
        return table[self.ids]


class ResourceColumns:
    """Allocatable and requested amounts per node (the NodeInfo fields kube-scheduler uses)."""

    def __init__(self, nodes: Sequence[Node]) -> None:
        size = len(nodes)
        self.alloc = {r: _column(nodes, r) for r in ("cpu", "memory", "ephemeral-storage", "pods")}
        self.requested = {r: np.zeros(size, dtype=np.int64) for r in ("cpu", "memory", "ephemeral-storage")}
        self.nonzero = {r: np.zeros(size, dtype=np.int64) for r in ("cpu", "memory")}
        self.pod_count = np.zeros(size, dtype=np.int64)
        self.scalar_alloc = [_scalars(node.allocatable) for node in nodes]
        self.scalar_requested: list[dict[str, int]] = [{} for _ in nodes]

    def __len__(self) -> int:
        return len(self.pod_count)

    def extended(self, nodes: Sequence[Node]) -> ResourceColumns:
        """Columns for `nodes`, whose first `len(self)` are this one's nodes (their
        allocatable and requested amounts copied), the others new and empty."""
        k, added = len(self), nodes[len(self):]
        new = ResourceColumns.__new__(ResourceColumns)
        fresh = ResourceColumns(added)
        for name in ("alloc", "requested", "nonzero"):
            mine, theirs = getattr(self, name), getattr(fresh, name)
            setattr(new, name, {r: np.concatenate((mine[r], theirs[r])) for r in mine})
        new.pod_count = np.concatenate((self.pod_count, fresh.pod_count))
        new.scalar_alloc = self.scalar_alloc[:k] + fresh.scalar_alloc
        new.scalar_requested = [dict(held) for held in self.scalar_requested] + fresh.scalar_requested
        return new

    def without(self, n: int) -> ResourceColumns:
        """Columns without node n (the others' amounts as they are)."""
        new = ResourceColumns.__new__(ResourceColumns)
        for name in ("alloc", "requested", "nonzero"):
            setattr(new, name, {r: np.delete(column, n) for r, column in getattr(self, name).items()})
        new.pod_count = np.delete(self.pod_count, n)
        new.scalar_alloc = self.scalar_alloc[:n] + self.scalar_alloc[n + 1:]
        new.scalar_requested = self.scalar_requested[:n] + self.scalar_requested[n + 1:]
        return new

    def account(self, n: int, requests, nonzero, sign: int) -> None:
        """Add (sign=+1) or remove (sign=-1) one pod's requests on node n."""
        self.pod_count[n] += sign
        for name, column in self.requested.items():
            column[n] += sign * requests.get(name, 0)
        for name, column in self.nonzero.items():
            column[n] += sign * nonzero.get(name, 0)
        for name, amount in _scalars(requests).items():
            held = self.scalar_requested[n]
            held[name] = held.get(name, 0) + sign * amount


def _column(nodes: Sequence[Node], resource: str) -> np.ndarray:
    return np.fromiter((node.allocatable.get(resource, 0) for node in nodes), dtype=np.int64, count=len(nodes))


CORE_RESOURCES = ("cpu", "memory", "ephemeral-storage", "pods")


def _scalars(resources) -> dict[str, int]:
    return {name: amount for name, amount in resources.items() if name not in CORE_RESOURCES}
