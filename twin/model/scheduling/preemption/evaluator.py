"""Default preemption (the DefaultPreemption PostFilter plugin) for a pod no node fits.

Sources (kubernetes/kubernetes, `pkg/scheduler/framework`):

* `plugins/defaultpreemption/default_preemption.go`: `PodEligibleToPreemptOthers`
  (preemptionPolicy Never; a nominated node, unless it is now UnschedulableAndUnresolvable,
  that still holds a lower-priority pod terminating by preemption), `calculateNumCandidates`
  (10 % of the potential nodes, at least 100, at most all: `MinCandidateNodesPercentage`
  / `MinCandidateNodesAbsolute` defaults), `GetOffsetAndNumCandidates` (a random offset).
* `preemption/preemption.go`: `Evaluator.Preempt` / `findCandidates` (only nodes whose
  status is Unschedulable, never UnschedulableAndUnresolvable), `DryRunPreemption`
  (nodes from the offset, wrapping; stop once there is a candidate without PDB
  violations and as many candidates as wanted; non-violating candidates first),
  `SelectCandidate` / `pickOneNodeForPreemption` (criteria in order: fewest PDB
  violations, lowest highest-victim priority, smallest sum of victim priorities
  (each + 2^31), fewest victims, latest earliest start time among the highest-priority
  victims (`GetEarliestPodStartTime`), then the first).

The dry run is sequential here, so where upstream's parallel checks and Go's map order
make the last ties "sort of random", the twin takes the first in dry-run order.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field

import numpy as np

from twin.model.cluster import ClusterView
from twin.model.objects import Pod
from twin.model.scheduling.preemption.victims import (
    NO_VICTIMS,
    Budget,
    FitCheck,
    Victims,
    lowest_priorities,
    select_victims_on_node,
)
from twin.model.scheduling.priority import PREEMPT_NEVER, pod_priority
from twin.model.scheduling.status import UNRESOLVABLE, Status

MIN_CANDIDATE_NODES_PERCENTAGE, MIN_CANDIDATE_NODES_ABSOLUTE = 10, 100
NOT_HELPFUL = Status(UNRESOLVABLE, ("Preemption is not helpful for scheduling",))
NEVER = "not eligible due to preemptionPolicy=Never."
TERMINATING = "not eligible due to a terminating pod on the nominated node."
INT32_OFFSET = 2 ** 31


@dataclass(frozen=True)
class PreemptionArgs:
    """DefaultPreemptionArgs (defaults from `SetDefaults_DefaultPreemptionArgs`)."""

    min_candidate_nodes_percentage: int = MIN_CANDIDATE_NODES_PERCENTAGE
    min_candidate_nodes_absolute: int = MIN_CANDIDATE_NODES_ABSOLUTE


@dataclass(frozen=True)
class Candidate:
    node: str
    victims: Victims


@dataclass(frozen=True)
class Preemption:
    """What PostFilter decided. `eligible` False with `reason`; else `candidates` (dry-run
    order), the `chosen` one (None: preemption cannot help) and each examined node's
    status when it is no candidate."""

    eligible: bool
    reason: str = ""
    candidates: tuple[Candidate, ...] = ()
    chosen: Candidate | None = None
    statuses: dict[str, Status] = field(default_factory=dict)
    offset_range: int | None = field(default=None, compare=False)
    """Set when, once eligible, the verdict depended only on the view, the nodes' filter
    statuses and the preemptor's priority, not on the offset, PDBs, nominated pods or
    start times: no potential node (0, no offset drawn), or no potential node holding a
    pod of lower priority (the number of potential nodes the offset was drawn among)."""


def eligible_to_preempt(view: ClusterView, pod: Pod, nominated_node: str | None, nominated_status: Status | None,
                        preempted: Container[str]) -> tuple[bool, str]:
    """`PodEligibleToPreemptOthers`. `preempted`: keys of pods terminating because the
    scheduler preempted them (their DisruptionTarget condition, PreemptionByScheduler)."""
    if pod.preemption_policy == PREEMPT_NEVER:
        return False, NEVER
    if nominated_node and not (nominated_status is not None and nominated_status.code == UNRESOLVABLE):
        n = view.node_index.get(nominated_node)
        lower = pod_priority(pod)
        for other in () if n is None else view.pods_on(n):
            if pod_priority(other) < lower and other.terminating and other.key in preempted:
                return False, TERMINATING
    return True, ""


def num_candidates(nodes: int, percentage: int = MIN_CANDIDATE_NODES_PERCENTAGE,
                   absolute: int = MIN_CANDIDATE_NODES_ABSOLUTE) -> int:
    """`calculateNumCandidates`. Examples: 5 nodes -> 5; 500 -> 100; 5,000 -> 500."""
    return min(max(nodes * percentage // 100, absolute), nodes)


def potential_nodes(view: ClusterView, unschedulable: np.ndarray) -> list[int]:
    """Nodes whose filter status is Unschedulable (`unschedulable`, a mask over nodes), in
    node tree order (the snapshot's list)."""
    order = view.tree_order()
    return order[unschedulable[order]].tolist()


def dry_run(view: ClusterView, pod: Pod, nodes: Sequence[int], budgets: Sequence[Budget], offset: int, wanted: int,
            fits: FitCheck, importance) -> tuple[list[Candidate], dict[str, Status]]:
    """`DryRunPreemption`, sequentially from `offset`. A node without a pod of lower
    priority than `pod` gets NO_VICTIMS at once (what `select_victims_on_node` answers
    there), so a cluster where no pod is below the preemptor costs no filter run."""
    fine: list[Candidate] = []
    violating: list[Candidate] = []
    statuses: dict[str, Status] = {}
    order = list(nodes[offset:]) + list(nodes[:offset])
    lowest, priority = lowest_priorities(view), pod_priority(pod)
    if not (lowest[order] < priority).any():
        return [], dict.fromkeys(map(view.node_names.__getitem__, order), NO_VICTIMS)
    for n in order:
        if lowest[n] >= priority:
            statuses[view.node_names[n]] = NO_VICTIMS
            continue
        victims, status = select_victims_on_node(view, n, pod, fits, budgets, importance)
        if victims is None or not victims.pods:
            statuses[view.node_names[n]] = status
            continue
        found = fine if victims.pdb_violations == 0 else violating
        if len(found) < wanted:
            found.append(Candidate(view.node_names[n], victims))
        if fine and len(fine) + len(violating) >= wanted:
            break
    return fine + violating, statuses


def pick_one(candidates: Sequence[Candidate], start_time: Callable[[Pod], float | None], now: float) -> Candidate | None:
    """`pickOneNodeForPreemption` with the default score functions."""
    if not candidates:
        return None
    remaining = list(candidates)
    for score in _scores(start_time, now):
        best = max(score(c) for c in remaining)
        remaining = [c for c in remaining if score(c) == best]
        if len(remaining) == 1:
            break
    return remaining[0]


def _scores(start_time, now) -> list[Callable[[Candidate], float]]:
    def earliest_start(c: Candidate) -> float:
        top = pod_priority(c.victims.pods[0])
        times = [start_time(p) for p in c.victims.pods if pod_priority(p) == top]
        return min(now if t is None else t for t in times)
    return [
        lambda c: -c.victims.pdb_violations,
        lambda c: -pod_priority(c.victims.pods[0]),
        lambda c: -sum(pod_priority(p) + INT32_OFFSET for p in c.victims.pods),
        lambda c: -len(c.victims.pods),
        earliest_start,
    ]


def preempt(view: ClusterView, pod: Pod, unschedulable: np.ndarray, fits: FitCheck,
            budgets: Sequence[Budget], importance, start_time, now: float, rng: np.random.Generator,
            args: PreemptionArgs = PreemptionArgs()) -> Preemption:
    """`findCandidates` + `SelectCandidate` once the pod was found eligible. The offset is
    drawn from `rng` only when there are potential nodes (as upstream); `unschedulable`
    marks the nodes whose filter status is Unschedulable."""
    nodes = potential_nodes(view, unschedulable)
    if not nodes:
        return Preemption(True, statuses={name: NOT_HELPFUL for name in view.node_names}, offset_range=0)
    offset = int(rng.integers(len(nodes)))
    wanted = num_candidates(len(nodes), args.min_candidate_nodes_percentage, args.min_candidate_nodes_absolute)
    candidates, statuses = dry_run(view, pod, nodes, budgets, offset, wanted, fits, importance)
    if not candidates:  # `SetAbsentNodesStatus`
        statuses = {**dict.fromkeys(view.node_names, NOT_HELPFUL), **statuses}
    no_victims = not (lowest_priorities(view)[nodes] < pod_priority(pod)).any()  # `dry_run`'s shortcut was taken
    return Preemption(True, candidates=tuple(candidates), chosen=pick_one(candidates, start_time, now),
                      statuses=statuses, offset_range=len(nodes) if no_victims else None)
