"""Reusing the previous scheduling cycle's work when nothing it depended on changed.

The simulation retries every pending pod on each node event and every 5 minutes; the
retries run back to back, each failing on the same cluster, mostly for pods of different
Deployments with the same requests (`bench/scenarios/autoscaled-500.yaml`: 30,336
failures, 99 % right after a failure on the same view). Three things are reused, each
only where the plain computation would give the very same value:

* `FilterMemo.outcomes`: the outcomes of the filter plugins that read nothing of the pod
  but `filter_key` (every plugin except `LIVE`, which read its labels or owner and run in
  every cycle), when the view's `generation` is the one they were computed on (every
  change to a view takes a new generation, `ClusterView`), the pod's `filter_key` is equal
  and that cycle raised no notice (its plugins raise none for this pod either).
  `tests/model/scheduling/test_reuse.py` records which pod fields each plugin reads: a
  plugin that starts reading another field fails it until `filter_key` follows.
* `FilterMemo.share_statuses`: a failed cycle whose filter outcomes are the very objects
  of the previous failed cycle's (same view, no nominated pods in play) has the same
  per-node statuses, so the same `NodeStatuses` (FitError, diagnosis, potential nodes).
* `PreemptionMemo`: DefaultPreemption's verdict, when the pod has no nominated node, its
  priority and preemption policy are the previous pod's, the view is the same and the
  statuses are the same object, and that verdict depended on nothing else
  (`Preemption.offset_range` set: no node where preemption might help, or none holding a
  pod of lower priority). The offset is drawn again from the same stream, as the plain
  path draws it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from twin.model.cluster import ClusterView
from twin.model.objects import Pod
from twin.model.scheduling.plugins import inter_pod_affinity, pod_topology_spread
from twin.model.scheduling.priority import pod_priority

if TYPE_CHECKING:
    import numpy as np

    from twin.model.scheduling.context import CycleContext
    from twin.model.scheduling.framework import ScheduleResult
    from twin.model.scheduling.preemption.evaluator import Preemption

LIVE = frozenset({pod_topology_spread.NAME, inter_pod_affinity.NAME})
"""Plugins that read the pod's labels or owner: never reused."""

FILTER_KEY_FIELDS = ("namespace", "node_name", "tolerations", "node_selector", "affinity", "requests", "volumes")
"""The pod fields the other filter plugins read, besides the containers' ports."""


def filter_key(pod: Pod) -> tuple:
    """What the filter plugins outside `LIVE` read of the pod (compared with ==)."""
    return (*(getattr(pod, name) for name in FILTER_KEY_FIELDS), tuple(c.ports for c in pod.containers))


class FilterMemo:
    """The last cycle's reusable filter outcomes and the last failed cycle (one scheduler)."""

    __slots__ = ("_generation", "_key", "_outcomes", "_failed")

    def __init__(self) -> None:
        self._generation: int | None = None
        self._key: tuple | None = None
        self._outcomes: dict[str, object] = {}
        self._failed: ScheduleResult | None = None

    def outcomes(self, ctx: CycleContext) -> dict[str, object] | None:
        """Plugin name -> outcome (None: skipped) for the plugins outside `LIVE`, or None
        when they must run."""
        if self._generation != ctx.view.generation or self._key is None:
            return None
        key = filter_key(ctx.pod)
        return self._outcomes if key == self._key else None

    def remember(self, ctx: CycleContext, outcomes: dict[str, object]) -> None:
        """A cycle ran every plugin: keep the outcomes of those outside `LIVE` (none when
        the cycle raised a notice)."""
        if ctx.notices:
            self._generation = self._key = None
            return
        self._generation, self._key = ctx.view.generation, filter_key(ctx.pod)
        self._outcomes = {name: outcome for name, outcome in outcomes.items() if name not in LIVE}

    def share_statuses(self, view: ClusterView, result: ScheduleResult, feasible: np.ndarray) -> None:
        """A failed cycle (`feasible` all False) takes the previous failed cycle's
        `NodeStatuses` when its outcomes are the same objects on the same view."""
        if feasible.any() or result.nominated_failures:
            return
        last = self._failed
        if last is not None and last.node_names is result.node_names and _same_objects(last.filters, result.filters):
            result.share_statuses(last)
        else:
            self._failed = result


def _same_objects(a: dict, b: dict) -> bool:
    return len(a) == len(b) and all(name in b and b[name] is outcome for name, outcome in a.items())


class PreemptionMemo:
    """The last preemption verdict that depended only on the view, the statuses, the
    pod's priority and preemption policy (one preemptor)."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: tuple | None = None

    def replay(self, view: ClusterView, result: ScheduleResult, rng) -> Preemption | None:
        """The remembered verdict for `result.pod` (no nominated node), the offset drawn
        from `rng` as the plain path draws it; None when it does not apply."""
        last = self._last
        if last is None or last[0] != view.generation or last[1] is not result.statuses() or last[2] != _pod_terms(result):
            return None
        outcome = last[3]
        if outcome.offset_range:
            rng.integers(outcome.offset_range)
        return outcome

    def remember(self, view: ClusterView, result: ScheduleResult, outcome: Preemption, nominated_node) -> None:
        replayable = nominated_node is None and (not outcome.eligible or outcome.offset_range is not None)
        self._last = (view.generation, result.statuses(), _pod_terms(result), outcome) if replayable else None


def _pod_terms(result: ScheduleResult) -> tuple:
    return pod_priority(result.pod), result.pod.preemption_policy
