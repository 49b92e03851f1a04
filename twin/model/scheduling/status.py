"""Plugin results with the upstream status codes and reason texts.

A filter plugin answers for every node at once with a `FilterOutcome`: an integer array
`ids` (one entry per node) indexing a small table of `Status` values, where id 0 is
always Success. Reasons stay exactly as kube-scheduler words them.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class FilterOutcome:
    """Per-node statuses of one filter plugin: node n has `statuses[ids[n]]`."""

    ids: np.ndarray
    statuses: tuple[Status, ...]

    @staticmethod
    def from_failures(failed: np.ndarray, status: Status) -> FilterOutcome:
        """Nodes where `failed` is True get `status`, the others pass."""
        return FilterOutcome(failed.astype(np.int64), (PASS, status))

    def passed(self) -> np.ndarray:
        return self.ids == 0

    def status_of(self, n: int) -> Status:
        return self.statuses[int(self.ids[n])]
