"""Which pods on one node the preemptor would evict.

Sources (kubernetes/kubernetes, `pkg/scheduler`):

* `framework/plugins/defaultpreemption/default_preemption.go` `SelectVictimsOnNode`:
  remove every pod of lower priority (`isPreemptionAllowed`); if the preemptor still
  does not fit (`RunFilterPluginsWithNominatedPods`), the node is no candidate (its
  filter status is kept); if there was no such pod, UnschedulableAndUnresolvable "No
  preemption victims found for incoming pod". Otherwise sort them by `MoreImportantPod`
  and reprieve them one by one, most important first: first those whose eviction would
  violate a PDB (`filterPodsWithPDBViolation`), then the rest; a pod stays a victim if
  the preemptor no longer fits with it back. The victims end sorted by importance.
* `util/utils.go` `MoreImportantPod`: higher priority first, then the earlier start
  time (`GetPodStartTime`: a pod with no start time counts as starting now). Go's
  `sort.Slice` is not stable; the twin breaks the remaining ties by pod key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from twin.model.cluster import ClusterView
from twin.model.objects import Pod
from twin.model.scheduling.priority import pod_priority
from twin.model.scheduling.status import UNRESOLVABLE, Status
from twin.model.workloads import PodDisruptionBudget, PodDisruptionBudgetStatus

NO_VICTIMS = Status(UNRESOLVABLE, ("No preemption victims found for incoming pod",))

Budget = tuple[PodDisruptionBudget, PodDisruptionBudgetStatus]
FitCheck = Callable[[int], tuple[Status, str | None]]
"""node index -> the preemptor's filter status on that node as the view is now."""


def importance_key(start_time: Callable[[Pod], float | None], now: float) -> Callable[[Pod], tuple]:
    """Sort key for `MoreImportantPod`, most important first."""
    def key(pod: Pod) -> tuple:
        started = start_time(pod)
        return -pod_priority(pod), now if started is None else started, pod.key
    return key


def filter_pods_with_pdb_violation(pods: Sequence[Pod], budgets: Sequence[Budget]) -> tuple[list[Pod], list[Pod]]:
    """`filterPodsWithPDBViolation`: (violating, non-violating), order kept. Each matching
    PDB's disruptionsAllowed is spent by the pods in turn (a pod already in its
    disruptedPods spends nothing); a pod is violating when one of its PDBs goes below 0.
    A pod without labels, or a PDB with an empty selector, matches nothing."""
    allowed = [status.disruptions_allowed for _, status in budgets]
    disrupted = [{key for key, _ in status.disrupted_pods} for _, status in budgets]
    violating, fine = [], []
    for pod in pods:
        violated = False
        for i, (pdb, _) in enumerate(budgets):
            if not _matches(pdb, pod) or pod.key in disrupted[i]:
                continue
            allowed[i] -= 1
            violated = violated or allowed[i] < 0
        (violating if violated else fine).append(pod)
    return violating, fine


def _matches(pdb: PodDisruptionBudget, pod: Pod) -> bool:
    return (bool(pod.labels) and pdb.namespace == pod.namespace and not pdb.selector.is_empty()
            and pdb.selector.matches(pod.labels))


@dataclass(frozen=True)
class Victims:
    """`extenderv1.Victims`: the pods, most important first, and the PDB violations."""

    pods: tuple[Pod, ...]
    pdb_violations: int = 0


NO_PODS = 2 ** 63 - 1  # a node without pods: no priority is lower than everything


def lowest_priorities(view: ClusterView) -> np.ndarray:
    """The lowest pod priority on each node (`NO_PODS` for an empty one), kept up to date
    incrementally by the view (`ClusterView.per_node`). A node whose lowest priority is
    not below the preemptor's has no potential victims: `select_victims_on_node` would
    answer NO_VICTIMS without running a filter."""
    def lowest(nodes):
        if isinstance(nodes, (int, np.integer)):
            return min((pod_priority(p) for p in view.pods_on(int(nodes))), default=NO_PODS)
        return np.fromiter((lowest(int(n)) for n in nodes), dtype=np.int64, count=len(nodes))
    return view.per_node(("lowest-priority",), lowest)


def select_victims_on_node(view: ClusterView, n: int, preemptor: Pod, fits: FitCheck, budgets: Sequence[Budget],
                           importance: Callable[[Pod], tuple]) -> tuple[Victims | None, Status]:
    """`SelectVictimsOnNode` on node n of `view` (left as it was). `fits(n)` runs the
    twin's filters; `importance` is `importance_key(...)`."""
    wanted = pod_priority(preemptor)
    potential = sorted((p for p in view.pods_on(n) if pod_priority(p) < wanted), key=importance)
    if not potential:
        return None, NO_VICTIMS
    with view.trial(n):
        for pod in potential:
            view.remove_pod(pod.key)
        status, _ = fits(n)
        if not status.ok:
            return None, status
        violating, fine = filter_pods_with_pdb_violation(potential, budgets)
        victims, violations = [], 0
        for group in (violating, fine):
            for pod in group:
                view.add_pod(pod)
                if not fits(n)[0].ok:
                    view.remove_pod(pod.key)
                    victims.append(pod)
                    violations += group is violating
    if violating and fine:
        victims.sort(key=importance)
    return Victims(tuple(victims), violations), Status(0)
