"""Plugin results with the upstream status codes and reason texts.

A filter plugin answers for every node at once with a `FilterOutcome`: an integer array
`ids` (one entry per node) indexing a small table of `Status` values, where id 0 is
always Success. Reasons stay exactly as kube-scheduler words them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SUCCESS, UNSCHEDULABLE, UNRESOLVABLE = 0, 2, 3  # framework status codes
CODE_NAMES = {SUCCESS: "Success", UNSCHEDULABLE: "Unschedulable", UNRESOLVABLE: "UnschedulableAndUnresolvable"}


@dataclass(frozen=True, slots=True)
class Status:
    code: int
    reasons: tuple[str, ...] = ()

    @property
    def code_name(self) -> str:
        return CODE_NAMES[self.code]

    @property
    def ok(self) -> bool:
        return self.code == SUCCESS


PASS = Status(SUCCESS)


class FilterOutcome:
    """Per-node statuses of one filter plugin: node n has `statuses[ids[n]]`; `passed` is
    the mask of nodes with id 0. Outcomes are immutable and may be cached and shared.

    `FilterOutcome.deferred` builds one whose `ids` are computed on first use (most
    cycles only need `passed`); its `make_ids` must only read values that do not change
    afterwards. `FilterOutcome.lazy` defers the status table too (`make` returns both).

    `prefilter` marks a PreFilter rejection: the whole cycle failed before any Filter
    ran, so every node carries the status and kube-scheduler names this plugin for every
    node, ahead of the filter plugins (`FilterOutcome.everywhere`)."""

    __slots__ = ("_ids", "_make_ids", "_statuses", "passed", "prefilter")

    def __init__(self, ids: np.ndarray, statuses: tuple[Status, ...]) -> None:
        self._ids, self._make_ids = ids, None
        self._statuses = statuses
        self.passed = ids == 0
        self.prefilter = False

    @staticmethod
    def everywhere(node_count: int, status: Status) -> FilterOutcome:
        """A PreFilter rejection: `status` on every node."""
        outcome = FilterOutcome(np.ones(node_count, dtype=np.int64), (PASS, status))
        outcome.prefilter = True
        return outcome

    @staticmethod
    def deferred(passed: np.ndarray, make_ids: Callable[[], np.ndarray], statuses: tuple[Status, ...]) -> FilterOutcome:
        outcome = FilterOutcome.__new__(FilterOutcome)
        outcome._ids, outcome._make_ids = None, make_ids
        outcome._statuses, outcome.passed = statuses, passed
        outcome.prefilter = False
        return outcome

    @staticmethod
    def lazy(passed: np.ndarray, make: Callable[[], tuple[np.ndarray, tuple[Status, ...]]]) -> FilterOutcome:
        """`passed` now, `(ids, statuses)` from `make()` on first use of either (same rule
        as `deferred`: `make` reads only values that do not change afterwards)."""
        outcome = FilterOutcome.deferred(passed, None, None)  # type: ignore[arg-type]
        outcome._make_ids = make
        return outcome

    @property
    def ids(self) -> np.ndarray:
        if self._ids is None:
            self._build()
        return self._ids

    @property
    def statuses(self) -> tuple[Status, ...]:
        if self._statuses is None:
            self._build()
        return self._statuses

    def _build(self) -> None:
        if self._statuses is None:
            self._ids, self._statuses = self._make_ids()
        else:
            self._ids = self._make_ids()

    @staticmethod
    def from_failures(failed: np.ndarray, status: Status) -> FilterOutcome:
        """Nodes where `failed` is True get `status`, the others pass."""
        return FilterOutcome(failed.astype(np.int64), (PASS, status))

    def status_of(self, n: int) -> Status:
        return self.statuses[int(self.ids[n])]
