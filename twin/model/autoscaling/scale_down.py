"""Scale-down (pure): which nodes are unneeded, since when, and which may go now. After
kubernetes/autoscaler `cluster-autoscaler`:

* `core/scaledown/planner/planner.go` `UpdateClusterState` / `categorizeNodes`: candidates
  (nodes of autoscaled groups not being deleted; those unneeded before first, then by name)
  are simulated one after the other; a node whose utilization (`drainability.utilization`)
  is below the threshold, whose pods are all drainable (`drainability.drainable`), whose
  PDBs allow all its pods to go (`RemainingPdbTracker.CanRemovePods`) and whose pods all
  fit on other nodes (`simulator/cluster.go` `findPlaceFor`, the twin's Filter plugins) is
  unneeded; its pods stay placed on their destinations for the next candidates, and it is
  no destination for them;
* `core/scaledown/unneeded/nodes.go`: a node keeps the time it first became unneeded while
  it stays unneeded (`Update`); it may go once unneeded for `unneeded-time`, and not when
  its group would fall to its min size (`RemovableAt`: NodeGroupMinSizeReached);
* `core/scaledown/budgets/budgets.go` `CropNodes`: empty nodes (nothing to move) up to
  max-scale-down-parallelism (10) minus deletions in progress, nodes to drain up to
  max-drain-parallelism (1) minus drains in progress;
* `static_autoscaler.go` `isScaleDownInCooldown`: no deletion within delay-after-add of the
  last scale-up, delay-after-delete of the last deletion, delay-after-failure of the last
  failed one (unneeded times are still tracked meanwhile).

A node the simulation found unremovable (a blocking pod, no place for its pods, its PDBs) is
not simulated again for unremovable-node-recheck-timeout (5 min; `categorizeNodes`
`unremovableNodes.AddTimeout`, skipped as RecentlyUnremovable); one above the utilization
threshold is looked at again every scan.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from twin.model.autoscaling.drainability import MOVE, drainable, matching, utilization
from twin.model.autoscaling.node_group import NodeGroup
from twin.model.autoscaling.settings import AutoscalerSettings
from twin.model.autoscaling.simulation import first_fit_where, place, snapshot
from twin.model.cluster import ClusterView
from twin.model.objects import Pod
from twin.model.workloads import PodDisruptionBudget


@dataclass(frozen=True)
class Verdict:
    """One candidate's outcome: `removable`, or `reason` (upstream's unremovable reason:
    NotUnderutilized, NotReplicated, NotEnoughPdb, NoPlaceToMovePods, ...)."""

    node: str
    removable: bool
    reason: str
    utilization: float
    to_move: tuple[str, ...] = ()
    ready: bool = True

    @property
    def empty(self) -> bool:
        return self.removable and not self.to_move


@dataclass(frozen=True)
class Inputs:
    view: ClusterView
    groups: Sequence[NodeGroup]
    group_of: Mapping[str, str]  # node name -> group id (nodes of no group absent)
    pdbs: Sequence[PodDisruptionBudget]
    disruptions_allowed: Mapping[str, int]  # PDB key -> status.disruptionsAllowed
    deleting: frozenset[str]  # nodes being deleted (tainted ToBeDeletedByClusterAutoscaler)
    recently_unremovable: frozenset[str] = frozenset()  # found unremovable less than the recheck timeout ago


def in_cooldown(now: float, last_scale_up: float | None, last_delete: float | None, last_failure: float | None,
                settings: AutoscalerSettings) -> bool:
    def within(at: float | None, delay: float) -> bool:
        return at is not None and at + delay > now
    return (within(last_scale_up, settings.delay_after_add) or within(last_delete, settings.delay_after_delete)
            or within(last_failure, settings.delay_after_failure))


def candidates(inputs: Inputs, previously_unneeded: Mapping[str, float]) -> list[str]:
    autoscaled = {g.id for g in inputs.groups if g.autoscaled}
    skipped = inputs.deleting | inputs.recently_unremovable
    names = [n.name for n in inputs.view.nodes if inputs.group_of.get(n.name) in autoscaled and n.name not in skipped]
    return sorted(names, key=lambda name: (name not in previously_unneeded, name))


class UnneededMemo:
    """The last scan's verdicts, given again while nothing `find_unneeded` reads changed:
    the view (its `generation`, new at every change), the other inputs, the settings and
    which nodes were unneeded before (only their names are read). A quiet cluster is
    scanned every 10 s with the same answer."""

    __slots__ = ("_key", "_verdicts")

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._verdicts: list[Verdict] = []

    def find_unneeded(self, inputs: Inputs, settings: AutoscalerSettings,
                      previously_unneeded: Mapping[str, float]) -> list[Verdict]:
        key = (inputs.view.generation, tuple(inputs.groups), inputs.group_of, tuple(inputs.pdbs),
               inputs.disruptions_allowed, inputs.deleting, inputs.recently_unremovable, settings,
               frozenset(previously_unneeded))
        if key != self._key:
            self._key, self._verdicts = key, find_unneeded(inputs, settings, previously_unneeded)
        return list(self._verdicts)


def find_unneeded(inputs: Inputs, settings: AutoscalerSettings,
                  previously_unneeded: Mapping[str, float]) -> list[Verdict]:
    """A verdict for every candidate, in simulation order."""
    work = snapshot(inputs.view)
    excluded = set(inputs.deleting)
    remaining = dict(inputs.disruptions_allowed)
    verdicts = []
    live = utilizations(inputs.view, settings.ignore_daemonsets_utilization)
    for name in candidates(inputs, previously_unneeded):
        verdict = _simulate(work, name, inputs, settings, excluded, remaining, live)
        if verdict.removable:
            excluded.add(name)
        verdicts.append(verdict)
    return verdicts


def _simulate(work: ClusterView, name: str, inputs: Inputs, settings: AutoscalerSettings, excluded: set[str],
              remaining: dict[str, int], live: np.ndarray) -> Verdict:
    n = work.node_index[name]
    touched = work.changes.since(0)  # nodes whose pods the simulation moved (None: too many to list)
    if touched is None or n in touched:
        used = utilization(work.nodes[n], list(work.pods_on(n)), settings.ignore_daemonsets_utilization)
    else:
        used = float(live[n])
    if used >= settings.utilization_threshold:
        return Verdict(name, False, "NotUnderutilized", used)
    pods = sorted(work.pods_on(n), key=lambda p: p.key)
    to_move = []
    for pod in pods:
        outcome = drainable(pod, inputs.pdbs, remaining, settings.skip_nodes_with_local_storage,
                            settings.skip_nodes_with_system_pods)
        if outcome.blocked:
            return Verdict(name, False, outcome.outcome, used)
        if outcome.outcome == MOVE:
            to_move.append(pod)
    need = Counter(pdb.key for pod in to_move for pdb in matching(pod, inputs.pdbs))
    if any(count > remaining.get(key, 0) for key, count in need.items()):
        return Verdict(name, False, "NotEnoughPdb", used)
    if not _move(work, n, to_move, excluded):
        return Verdict(name, False, "NoPlaceToMovePods", used)
    for key, count in need.items():
        remaining[key] -= count
    return Verdict(name, True, "", used, tuple(p.key for p in to_move), _ready(inputs.view, name))


def utilizations(view: ClusterView, ignore_daemonsets: bool) -> np.ndarray:
    """`drainability.utilization` of every node of `view`, kept by the view and refreshed
    only for the nodes whose pods changed since the last scan (`ClusterView.per_node`)."""
    def compute(nodes):
        if isinstance(nodes, (int, np.integer)):
            n = int(nodes)
            return utilization(view.nodes[n], list(view.pods_on(n)), ignore_daemonsets)
        return np.fromiter((compute(int(n)) for n in nodes), dtype=np.float64, count=len(nodes))
    return view.per_node(("autoscaler-utilization", ignore_daemonsets), compute, dtype=np.float64)


def _move(work: ClusterView, n: int, pods: list[Pod], excluded: set[str]) -> bool:
    """Place the node's pods elsewhere in the working view; undo and answer False when one
    fits nowhere."""
    if not pods:
        return True
    for pod in pods:
        work.remove_pod(pod.key)
    allowed = np.ones(len(work.nodes), dtype=bool)  # in node order: the first fitting one is taken
    allowed[[work.node_index[name] for name in excluded if name in work.node_index] + [n]] = False
    placed = []
    for pod in pods:
        target = first_fit_where(work, pod.bound_to(None), allowed)
        if target is None:
            for moved in placed:
                work.remove_pod(moved.key)
            for original in pods:
                work.add_pod(original)
            return False
        placed.append(place(work, pod.bound_to(None), target))
    return True


def recheck_after(verdicts: Sequence[Verdict], recent: Mapping[str, float], now: float,
                  settings: AutoscalerSettings) -> dict[str, float]:
    """`unremovableNodes`: node -> when it may be simulated again. Entries whose time has
    come are dropped; nodes the simulation found unremovable now wait the recheck timeout
    (not those merely above the utilization threshold)."""
    kept = {name: until for name, until in recent.items() if until > now}
    for v in verdicts:
        if not v.removable and v.reason != "NotUnderutilized":
            kept[v.node] = now + settings.unremovable_node_recheck_timeout
    return kept


def track(verdicts: Sequence[Verdict], previously_unneeded: Mapping[str, float], now: float) -> dict[str, float]:
    """`unneeded.Nodes.Update`: removable nodes keep their first unneeded time."""
    return {v.node: previously_unneeded.get(v.node, now) for v in verdicts if v.removable}


@dataclass(frozen=True)
class Deletions:
    empty: tuple[str, ...] = ()
    drain: tuple[str, ...] = ()
    kept: tuple[tuple[str, str], ...] = ()  # node -> why it stays although unneeded


def nodes_to_delete(verdicts: Sequence[Verdict], unneeded: Mapping[str, float], inputs: Inputs,
                    settings: AutoscalerSettings, now: float, drains_in_progress: int) -> Deletions:
    """`NodesToDelete` with `CropNodes`: the unneeded nodes that may go now."""
    groups = {g.id: g for g in inputs.groups}
    in_progress = Counter(inputs.group_of.get(name) for name in inputs.deleting)
    budget = max(settings.max_scale_down_parallelism - len(inputs.deleting), 0)
    drain_budget = max(settings.max_drain_parallelism - drains_in_progress, 0)
    empty, drain, kept = [], [], []
    for verdict in sorted((v for v in verdicts if v.removable), key=lambda v: (not v.empty, v.node)):
        group = groups[inputs.group_of[verdict.node]]
        why = _why_kept(verdict, unneeded, group, in_progress, settings, now)
        if why is None and (budget == 0 or (not verdict.empty and len(drain) >= drain_budget)):
            why = "ScaleDownParallelismLimited" if budget == 0 else "DrainParallelismLimited"
        if why is not None:
            kept.append((verdict.node, why))
            continue
        (empty if verdict.empty else drain).append(verdict.node)
        in_progress[group.id] += 1
        budget -= 1
    return Deletions(tuple(empty), tuple(drain), tuple(kept))


def _why_kept(verdict: Verdict, unneeded: Mapping[str, float], group: NodeGroup, in_progress: Counter,
              settings: AutoscalerSettings, now: float) -> str | None:
    """`unneeded/nodes.go` `RemovableAt`: a Ready node after unneeded-time, an unready one
    after scale-down-unready-time (ScaleDownUnreadyEnabled, default true)."""
    if verdict.ready and now - unneeded[verdict.node] < settings.unneeded_time:
        return "NotUnneededLongEnough"
    if not verdict.ready and now - unneeded[verdict.node] < settings.unready_time:
        return "NotUnreadyLongEnough"
    if group.target_size - in_progress[group.id] <= group.min_size:
        return "NodeGroupMinSizeReached"
    return None


def _ready(view: ClusterView, name: str) -> bool:
    n = view.node_index.get(name)
    return n is None or view.nodes[n].ready == "True"
