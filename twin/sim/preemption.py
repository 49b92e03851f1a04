"""Preemption in simulated time: the scheduler's PostFilter step for a pod that fitted no
node (`twin.model.scheduling.preemption`), and what it does when it finds a candidate
(`Evaluator.prepareCandidate` in kubernetes `pkg/scheduler/framework/preemption/
preemption.go`):

* each victim gets the DisruptionTarget condition (PreemptionByScheduler, kept here as
  the set `preempted`) and is deleted gracefully with its own grace period;
* pods of lower priority nominated to the same node lose their nomination and are
  retried (`getLowerPriorityNominatedPods`, `clearNominatedNodeName`);
* the preemptor gets `status.nominatedNodeName` and waits in the unschedulable pool; the
  victims' deletions move it back (AssignedPodDelete) and, once they are gone, it is
  bound, to its nominated node first (`evaluateNominatedNode`).

A failed attempt records nothing of its own (its SchedulingFailed record says why no node
fits), so runs where preemption cannot help are byte for byte what they were.
"""

from __future__ import annotations

from twin.model.objects import Pod
from twin.model.scheduling.preemption import Preemption, post_filter
from twin.model.scheduling.reuse import PreemptionMemo
from twin.model.workloads import PodDisruptionBudgetStatus, PodRecord
from twin.sim.world import World

PDB_STATUS_KIND = "PDBStatus"  # where the disruption controller keeps each PDB's status


class Preemptor:
    def __init__(self, world: World, config) -> None:
        self.world = world
        self.config = config
        self.rng = world.streams("preemption")
        self.nominations: dict[str, str] = {}  # preemptor key -> nominated node
        self.preempted: set[str] = set()  # victims terminating because of preemption
        self.memo = PreemptionMemo()  # the previous verdict when it applies again (`reuse.py`): same outcome

    def nominated_pods(self) -> dict[str, list[Pod]]:
        """node -> the pending pods nominated to it (the scheduling queue's PodNominator)."""
        out: dict[str, list[Pod]] = {}
        for key, node in sorted(self.nominations.items()):
            record = self.world.pod(key)
            if record is not None:
                out.setdefault(node, []).append(record.pod)
        return out

    def forget(self, key: str, removed: bool) -> None:
        """The pod was bound or is being deleted: it is no longer nominated; once it is
        gone from the API it is no victim either."""
        self.nominations.pop(key, None)
        if removed:
            self.preempted.discard(key)

    def run(self, record: PodRecord, result) -> list[str]:
        """PostFilter for a pod no node fits; returns the keys of pods whose nomination was
        cleared (to be retried)."""
        world = self.world
        nominated_node = self.nominations.get(record.key)
        outcome = self.memo.replay(world.view, result, self.rng) if nominated_node is None else None
        if outcome is None:
            outcome = post_filter(world.view, result, self.config, nominated=self.nominated_pods(),
                                  nominated_node=nominated_node, budgets=self.budgets(), preempted=self.preempted,
                                  start_time=self.start_time, now=world.now, rng=self.rng)
            self.memo.remember(world.view, result, outcome, nominated_node)
        if not outcome.eligible:
            return []
        if outcome.chosen is None:
            self.nominate(record.key, None)
            return []
        return self.act(record, outcome)

    def act(self, record: PodRecord, outcome: Preemption) -> list[str]:
        world, chosen = self.world, outcome.chosen
        victims = [v.key for v in chosen.victims.pods]
        world.recorder.record("Preempted", record.key, node=chosen.node, victims=victims,
                              pdb_violations=chosen.victims.pdb_violations)
        for key in victims:
            self.preempted.add(key)
            world.delete_pod(key, "Preempted")
        cleared = self.lower_nominated(record.pod, chosen.node)
        for key in cleared:
            self.nominate(key, None)
        self.nominate(record.key, chosen.node)
        return cleared

    def lower_nominated(self, pod: Pod, node: str) -> list[str]:
        priority = pod.priority or 0
        return [key for key, at in sorted(self.nominations.items()) if at == node and key != pod.key
                and ((r := self.world.pod(key)) is not None and (r.pod.priority or 0) < priority)]

    def nominate(self, key: str, node: str | None) -> None:
        if node is None:
            if self.nominations.pop(key, None) is not None:
                self.world.update_status(key, nominated_node=None)
            return
        self.nominations[key] = node
        self.world.update_status(key, nominated_node=node)

    def budgets(self) -> list:
        """Every PDB with its status (a PDB the disruption controller has not synced yet
        allows no disruption, as an empty status upstream)."""
        store = self.world.store
        return [(pdb, store.get(PDB_STATUS_KIND, pdb.key) or PodDisruptionBudgetStatus())
                for pdb in store.list("PodDisruptionBudget")]

    def start_time(self, pod: Pod) -> float | None:
        record = self.world.pod(pod.key)
        return None if record is None else record.status.started
