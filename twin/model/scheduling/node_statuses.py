"""Every node's status in one scheduling cycle, computed once and vectorised.

kube-scheduler records per node the status of the first filter plugin that rejected it
(`framework.NodeToStatus`, filled by `findNodesThatPassFilters`; a PreFilter rejection
names its plugin for every node, `schedule_one.go` `findNodesThatFitPod`). The failure
path needs it three times per failed pod (the FitError text, the diagnosis and the
preemption's potential nodes, `preemption.go` `nodesWherePreemptionMightHelp`); here it is
built once per `ScheduleResult` with numpy over the filter outcomes' status ids and
shared: node n has `table[codes[n]]`, a (Status, plugin name) pair, entry 0 being
(Success, None). Same answers as asking `filter_status` node by node.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np

from twin.model.scheduling.status import PASS, UNSCHEDULABLE, Status


class NodeStatuses:
    __slots__ = ("codes", "table", "_texts", "_reasons")

    def __init__(self, filters: dict, node_count: int, overrides: Mapping | None = None) -> None:
        self.table: list[tuple[Status, str | None]] = [(PASS, None)]
        self.codes = np.zeros(node_count, dtype=np.int64)
        self._texts: list[str] | None = None
        self._reasons: Counter | None = None
        prefilter = next(((name, o) for name, o in filters.items() if o.prefilter), None)
        if prefilter is not None:
            self._take(*prefilter, np.ones(node_count, dtype=bool), everything=True)
        else:
            open_ = np.ones(node_count, dtype=bool)
            for name, outcome in filters.items():
                if not open_.any():
                    break
                ok = np.fromiter((s.ok for s in outcome.statuses), dtype=bool, count=len(outcome.statuses))
                failed = open_ & ~ok[np.asarray(outcome.ids)]
                if failed.any():
                    self._take(name, outcome, failed)
                    open_ &= ~failed
        for n, pair in (overrides or {}).items():  # nodes that failed with nominated pods counted
            self.codes[n] = len(self.table)
            self.table.append(pair)

    def _take(self, name: str, outcome, nodes: np.ndarray, everything: bool = False) -> None:
        """Nodes in the mask get `outcome`'s status there (its Success too for a PreFilter)."""
        ids = np.asarray(outcome.ids)
        used = np.unique(ids[nodes])
        lookup = np.zeros(int(used.max()) + 1, dtype=np.int64)
        for i in used:
            if i == 0 and not everything:
                continue
            lookup[i] = len(self.table)
            self.table.append((outcome.statuses[int(i)], name))
        self.codes[nodes] = lookup[ids[nodes]]

    def of(self, n: int) -> tuple[Status, str | None]:
        return self.table[int(self.codes[n])]

    def failure_reasons(self) -> Counter:
        """reason text -> number of nodes, with the keys in the order a node-by-node pass
        meets them (the distinct statuses taken in order of their first node). A new
        Counter each time, counted once."""
        if self._reasons is None:
            self._reasons = self._count_reasons()
        return Counter(self._reasons)

    def _count_reasons(self) -> Counter:
        counts = np.bincount(self.codes, minlength=len(self.table))
        _, first = np.unique(self.codes, return_index=True)
        reasons: Counter = Counter()
        for code in self.codes[np.sort(first)]:
            count = int(counts[code])
            for reason in self.table[code][0].reasons:
                reasons[reason] += count
        return reasons

    def texts(self) -> list[str]:
        """Per node, "Plugin: reason; reason" or "Success" (one shared string per status)."""
        if self._texts is None:
            words = [f"{plugin}: {'; '.join(status.reasons)}" if plugin else "Success" for status, plugin in self.table]
            self._texts = [words[c] for c in self.codes.tolist()]
        return self._texts

    def unschedulable(self) -> np.ndarray:
        """Mask of the nodes whose status code is Unschedulable (preemption might help)."""
        codes = np.fromiter((status.code for status, _ in self.table), dtype=np.int64, count=len(self.table))
        return codes[self.codes] == UNSCHEDULABLE
