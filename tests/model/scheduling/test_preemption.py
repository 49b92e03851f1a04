"""Default preemption, translated from kubernetes
`pkg/scheduler/framework/plugins/defaultpreemption/default_preemption_test.go`
(TestDryRunPreemption, TestSelectBestCandidate, TestPodEligibleToPreemptOthers,
TestPreempt): each case keeps its upstream name. Upstream registers only the filter
plugin under test (NodeResourcesFit or PodTopologySpread); the twin runs its whole
profile, which lets these plain nodes and pods through everywhere else. Upstream
compares victims and candidates sorted by name; so do these tests."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from builders import node, pod, select

from twin.model.cluster import ClusterView
from twin.model.labels import EXISTS, LabelSelector, Requirement
from twin.model.objects import DO_NOT_SCHEDULE, TopologySpreadConstraint
from twin.model.scheduling import SchedulerConfig, schedule_one
from twin.model.scheduling.preemption import PreemptionArgs, post_filter
from twin.model.scheduling.preemption.evaluator import NEVER, TERMINATING, eligible_to_preempt, num_candidates
from twin.model.scheduling.status import UNRESOLVABLE, Status
from twin.model.workloads import PodDisruptionBudget, PodDisruptionBudgetStatus

NEG, LOW, MID, HIGH, VERY_HIGH = -100, 0, 100, 1000, 10000
SMALL, MEDIUM, LARGE, VERY_LARGE = ("100m", "100"), ("200m", "200"), ("300m", "300"), ("500m", "500")


class Offset:
    """A stand-in for the offset stream: `integers(n)` gives the offsets in turn
    (upstream's tests fix `getOffsetRand` the same way)."""

    def __init__(self, *values: int) -> None:
        self.values = list(values)

    def integers(self, n: int) -> int:
        return self.values.pop(0) % n


def p(name, priority, res=(None, None), on=None, **labels):
    built = pod(name).req(*res).labels(**labels)
    return replace((built.on(on) if on else built).build(), priority=priority)


def cluster(names, pods):
    nodes = [node(n).cpu(VERY_LARGE[0]).memory(VERY_LARGE[1]).max_pods(32).build() for n in names]
    return ClusterView(nodes, pods)


def run(view, preemptor, *, pdbs=(), args=PreemptionArgs(), offset=None, starts=None, **extra):
    result = schedule_one(view, preemptor, SchedulerConfig(), np.random.default_rng(0))
    assert result.selected is None, "the preemptor must not fit without preemption"
    starts = starts or {}
    return post_filter(view, result, SchedulerConfig(), budgets=pdbs, args=args, rng=offset or Offset(0),
                       start_time=lambda q: starts.get(q.name), now=1e9, **extra)


def found(outcome) -> dict[str, tuple[list[str], int]]:
    """candidate node -> (victim names sorted, PDB violations)."""
    return {c.node: (sorted(v.name for v in c.victims.pods), c.victims.pdb_violations) for c in outcome.candidates}


def pdb(allowed, disrupted=()):
    budget = PodDisruptionBudget("pdb", "default", select(app="foo"))
    return budget, PodDisruptionBudgetStatus(disruptions_allowed=allowed, disrupted_pods=tuple((k, 0.0) for k in disrupted))


# ----- TestDryRunPreemption ---------------------------------------------------------------

DRY_RUN = [
    ("a pod that fits on both nodes when lower priority pods are preempted",
     ["node1", "node2"], p("p", HIGH, LARGE),
     [p("p1", MID, LARGE, "node1"), p("p2", MID, LARGE, "node2")],
     {"node1": (["p1"], 0), "node2": (["p2"], 0)}),
    ("a pod that would fit on the nodes, but other pods running are higher priority, no preemption would happen",
     ["node1", "node2"], p("p", LOW, LARGE),
     [p("p1", MID, LARGE, "node1"), p("p2", MID, LARGE, "node2")], {}),
    ("medium priority pod is preempted, but lower priority one stays as it is small",
     ["node1", "node2"], p("p", HIGH, LARGE),
     [p("p1.1", LOW, SMALL, "node1"), p("p1.2", MID, LARGE, "node1"), p("p2", MID, LARGE, "node2")],
     {"node1": (["p1.2"], 0), "node2": (["p2"], 0)}),
    ("mixed priority pods are preempted",
     ["node1", "node2"], p("p", HIGH, LARGE),
     [p("p1.1", MID, SMALL, "node1"), p("p1.2", LOW, SMALL, "node1"), p("p1.3", MID, MEDIUM, "node1"),
      p("p1.4", HIGH, SMALL, "node1"), p("p2", HIGH, LARGE, "node2")],
     {"node1": (["p1.2", "p1.3"], 0)}),
    ("preemption with violation of same pdb",
     ["node1"], p("p", HIGH, VERY_LARGE),
     [p("p1.1", MID, MEDIUM, "node1", app="foo"), p("p1.2", MID, MEDIUM, "node1", app="foo")],
     {"node1": (["p1.1", "p1.2"], 1)}),
]


@pytest.mark.parametrize("name, nodes, preemptor, pods, expected", DRY_RUN, ids=[c[0] for c in DRY_RUN])
def test_dry_run_preemption_finds_the_upstream_candidates(name, nodes, preemptor, pods, expected):
    pdbs = [pdb(1)] if "pdb" in name else []
    assert found(run(cluster(nodes, pods), preemptor, pdbs=pdbs)) == expected


def test_mixed_priority_pods_are_preempted_pick_later_start_time_one_when_priorities_are_equal():
    pods = [p("p1.1", LOW, SMALL, "node1"), p("p1.2", LOW, SMALL, "node1"), p("p1.3", MID, MEDIUM, "node1"),
            p("p1.4", HIGH, SMALL, "node1"), p("p2", HIGH, LARGE, "node2")]
    starts = {"p1.1": 5, "p1.2": 4, "p1.3": 3, "p1.4": 2, "p2": 1}
    outcome = run(cluster(["node1", "node2"], pods), p("p", HIGH, LARGE), starts=starts)
    assert found(outcome) == {"node1": (["p1.1", "p1.3"], 0)}  # p1.2 started earlier: more important, reprieved


@pytest.mark.parametrize("disrupted, violations", [
    ((), 1),  # "...the victim doesn't belong to DisruptedPods" (upstream lists p2, not on the node)
    (("default/p2",), 1),
    (("default/p1.2",), 0),  # "...the victim belongs to DisruptedPods"
])
def test_preemption_with_violation_of_the_pdb_with_pod_whose_eviction_was_processed(disrupted, violations):
    pods = [p("p1.1", MID, MEDIUM, "node1", app="foo"), p("p1.2", MID, MEDIUM, "node1", app="foo")]
    outcome = run(cluster(["node1"], pods), p("p", HIGH, VERY_LARGE), pdbs=[pdb(1, disrupted)])
    assert found(outcome) == {"node1": (["p1.1", "p1.2"], violations)}


def test_the_victim_which_belongs_to_disrupted_pods_is_treated_as_non_violating():
    pods = [p(f"p1.{i}", MID, MEDIUM, "node1", app="foo") for i in (1, 2, 3)]
    outcome = run(cluster(["node1"], pods), p("p", HIGH, VERY_LARGE), pdbs=[pdb(1, ("default/p1.3",))])
    assert found(outcome) == {"node1": (["p1.1", "p1.2", "p1.3"], 1)}


FIVE = ["node1", "node2", "node3", "node4", "node5"]


def test_all_nodes_are_possible_candidates_but_default_preemption_args_limits_to_2():
    pods = [p(f"p{i}", MID, LARGE, f"node{i}") for i in range(1, 6)]
    outcome = run(cluster(FIVE, pods), p("p", HIGH, LARGE), args=PreemptionArgs(40, 1), offset=Offset(4))
    assert found(outcome) == {"node5": (["p5"], 0), "node1": (["p1"], 0)}  # offset 4: node5, node1


def test_some_nodes_are_not_possible_candidates_default_preemption_args_limits_to_2():
    priorities = {1: MID, 2: VERY_HIGH, 3: MID, 4: MID, 5: VERY_HIGH}
    pods = [p(f"p{i}", priorities[i], LARGE, f"node{i}") for i in range(1, 6)]
    outcome = run(cluster(FIVE, pods), p("p", HIGH, LARGE), args=PreemptionArgs(40, 1), offset=Offset(4))
    assert found(outcome) == {"node1": (["p1"], 0), "node3": (["p3"], 0)}  # node5 (no), node1, node2 (no), node3


def test_preemption_offset_across_multiple_scheduling_cycles_and_wrap_around():
    view = cluster(FIVE, [p(f"p{i}", MID, LARGE, f"node{i}") for i in range(1, 6)])
    offsets = Offset(4, 1, 3)
    got = [set(found(run(view, p(f"tp{i}", HIGH, LARGE), args=PreemptionArgs(40, 1), offset=offsets)))
           for i in (1, 2, 3)]
    assert got == [{"node5", "node1"}, {"node2", "node3"}, {"node4", "node5"}]


def test_preemption_looks_past_num_candidates_until_a_non_pdb_violating_node_is_found():
    labels = {1: {"app": "foo"}, 2: {"app": "foo"}, 3: {}, 4: {}, 5: {"app": "foo"}}
    pods = [p(f"p{i}", MID, LARGE, f"node{i}", **labels[i]) for i in range(1, 6)]
    outcome = run(cluster(FIVE, pods), p("p", HIGH, LARGE), pdbs=[pdb(0)], args=PreemptionArgs(40, 2),
                  offset=Offset(4))
    # node5 (pdb), node1 (pdb), node2 (pdb: the violating list is full), node3 (fine): stop
    assert found(outcome) == {"node5": (["p5"], 1), "node1": (["p1"], 1), "node3": (["p3"], 0)}
    assert outcome.candidates[0].node == "node3"  # candidates without PDB violations come first


def test_the_candidate_count_is_10_percent_of_the_potential_nodes_at_least_100_at_most_all():
    assert [num_candidates(n) for n in (5, 500, 5000)] == [5, 100, 500]


# ----- TestSelectBestCandidate -------------------------------------------------------------

EPOCH = 0
BEST = [
    ("node with min highest priority pod is picked", ["node1", "node2", "node3"],
     [("p1.1", MID, MEDIUM, 1), ("p1.2", MID, LARGE, 1), ("p2.1", MID, MEDIUM, 2), ("p2.2", LOW, MEDIUM, 2),
      ("p3.1", LOW, MEDIUM, 3), ("p3.2", LOW, MEDIUM, 3)], HIGH, {}, "node3"),
    ("when highest priorities are the same, minimum sum of priorities is picked", ["node1", "node2", "node3"],
     [("p1.1", MID, MEDIUM, 1), ("p1.2", MID, LARGE, 1), ("p2.1", MID, LARGE, 2), ("p2.2", LOW, MEDIUM, 2),
      ("p3.1", MID, MEDIUM, 3), ("p3.2", MID, MEDIUM, 3)], HIGH, {}, "node2"),
    ("when highest priority and sum are the same, minimum number of pods is picked", ["node1", "node2", "node3"],
     [("p1.1", MID, SMALL, 1), ("p1.2", NEG, SMALL, 1), ("p1.3", MID, SMALL, 1), ("p1.4", NEG, SMALL, 1),
      ("p2.1", MID, LARGE, 2), ("p2.2", NEG, MEDIUM, 2), ("p3.1", MID, MEDIUM, 3), ("p3.2", NEG, SMALL, 3),
      ("p3.3", LOW, SMALL, 3)], HIGH, {}, "node2"),
    ("sum of adjusted priorities is considered", ["node1", "node2", "node3"],
     [("p1.1", MID, SMALL, 1), ("p1.2", NEG, SMALL, 1), ("p1.3", NEG, SMALL, 1), ("p2.1", MID, LARGE, 2),
      ("p2.2", NEG, MEDIUM, 2), ("p3.1", MID, MEDIUM, 3), ("p3.2", NEG, SMALL, 3), ("p3.3", LOW, SMALL, 3)],
     HIGH, {}, "node2"),
    ("non-overlapping lowest high priority, sum priorities, and number of pods", ["node1", "node2", "node3", "node4"],
     [("p1.1", MID, SMALL, 1), ("p1.2", LOW, SMALL, 1), ("p1.3", LOW, SMALL, 1), ("p2.1", HIGH, LARGE, 2),
      ("p3.1", MID, MEDIUM, 3), ("p3.2", LOW, SMALL, 3), ("p3.3", LOW, SMALL, 3), ("p3.4", LOW, MEDIUM, 3),
      ("p4.1", MID, MEDIUM, 4), ("p4.2", MID, SMALL, 4), ("p4.3", MID, SMALL, 4), ("p4.4", NEG, SMALL, 4)],
     VERY_HIGH, {}, "node1"),
    ("same priority, same number of victims, different start time for each node's pod", ["node1", "node2", "node3"],
     [("p1.1", MID, MEDIUM, 1), ("p1.2", MID, MEDIUM, 1), ("p2.1", MID, MEDIUM, 2), ("p2.2", MID, MEDIUM, 2),
      ("p3.1", MID, MEDIUM, 3), ("p3.2", MID, MEDIUM, 3)], HIGH,
     {"p1.1": 2, "p1.2": 2, "p2.1": 3, "p2.2": 3, "p3.1": 1, "p3.2": 1}, "node2"),
    ("same priority, same number of victims, different start time for all pods", ["node1", "node2", "node3"],
     [("p1.1", MID, MEDIUM, 1), ("p1.2", MID, MEDIUM, 1), ("p2.1", MID, MEDIUM, 2), ("p2.2", MID, MEDIUM, 2),
      ("p3.1", MID, MEDIUM, 3), ("p3.2", MID, MEDIUM, 3)], HIGH,
     {"p1.1": 4, "p1.2": 2, "p2.1": 5, "p2.2": 1, "p3.1": 3, "p3.2": 6}, "node3"),
    ("different priority, same number of victims, different start time for all pods", ["node1", "node2", "node3"],
     [("p1.1", LOW, MEDIUM, 1), ("p1.2", MID, MEDIUM, 1), ("p2.1", MID, MEDIUM, 2), ("p2.2", LOW, MEDIUM, 2),
      ("p3.1", LOW, MEDIUM, 3), ("p3.2", MID, MEDIUM, 3)], HIGH,
     {"p1.1": 4, "p1.2": 2, "p2.1": 6, "p2.2": 1, "p3.1": 3, "p3.2": 5}, "node2"),
]


@pytest.mark.parametrize("name, nodes, pods, priority, starts, expected", BEST, ids=[c[0] for c in BEST])
def test_select_best_candidate_follows_pick_one_node_for_preemption(name, nodes, pods, priority, starts, expected):
    built = [p(n, prio, res, f"node{i}") for n, prio, res, i in pods]
    starts = starts or {n: EPOCH for n, *_ in pods}
    outcome = run(cluster(nodes, built), p("p", priority, VERY_LARGE), starts=starts, offset=Offset(0))
    assert outcome.chosen.node == expected


def test_a_pod_that_fits_on_both_nodes_when_lower_priority_pods_are_preempted_picks_either():
    pods = [p("p1", MID, LARGE, "node1"), p("p2", MID, LARGE, "node2")]
    outcome = run(cluster(["node1", "node2"], pods), p("p", HIGH, LARGE), starts={"p1": 0, "p2": 0})
    assert outcome.chosen.node in {"node1", "node2"}


# ----- TestPodEligibleToPreemptOthers ------------------------------------------------------

def eligible(preemptor, pods, nominated, status=None, preempted=()):
    view = cluster(["node1"], pods)
    return eligible_to_preempt(view, preemptor, nominated, status, preempted)


def test_pod_with_nominated_node_whose_status_is_unresolvable_is_eligible():
    pods = [replace(pod("p1").on("node1").terminating().build(), priority=LOW)]
    assert eligible(p("p", HIGH), pods, "node1", Status(UNRESOLVABLE, ("x",)), {"default/p1"}) == (True, "")


def test_pod_without_nominated_node_is_eligible():
    assert eligible(p("p", HIGH), [], None) == (True, "")


def test_pod_with_preempt_never_preemption_policy_is_not_eligible():
    assert eligible(replace(p("p", HIGH), preemption_policy="Never"), [], None) == (False, NEVER)


def test_preemption_victim_pod_terminating_as_indicated_by_the_disruption_target_condition_blocks_it():
    pods = [replace(pod("p1").on("node1").terminating().build(), priority=LOW)]
    assert eligible(p("p", HIGH), pods, "node1", None, {"default/p1"}) == (False, TERMINATING)


def test_non_victim_pods_terminating_do_not_block_it():
    pods = [replace(pod("p1").on("node1").terminating().build(), priority=LOW)]
    assert eligible(p("p", HIGH), pods, "node1", None, set()) == (True, "")


# ----- TestPreempt ------------------------------------------------------------------------

BASIC = [p("p1.1", LOW, SMALL, "node1"), p("p1.2", LOW, SMALL, "node1"), p("p2.1", HIGH, LARGE, "node2"),
         p("p3.1", MID, MEDIUM, "node3")]


def test_basic_preemption_logic():
    outcome = run(cluster(["node1", "node2", "node3"], BASIC), p("p", HIGH, VERY_LARGE))
    assert outcome.chosen.node == "node1"
    assert sorted(v.name for v in outcome.chosen.victims.pods) == ["p1.1", "p1.2"]


def test_no_preempting_in_pod():
    outcome = run(cluster(["node1", "node2", "node3"], BASIC), replace(p("p", HIGH, VERY_LARGE), preemption_policy="Never"))
    assert not outcome.eligible and outcome.chosen is None


def test_preemption_for_topology_spread_constraints():
    exists = LabelSelector(match_expressions=(Requirement("foo", EXISTS, ()),))
    spread = tuple(TopologySpreadConstraint(1, key, DO_NOT_SCHEDULE, exists) for key in ("zone", "hostname"))
    nodes = [node(n).label("hostname", n).label("zone", z).cpu("500m").memory("500").build()
             for n, z in (("node-a", "zone1"), ("node-b", "zone1"), ("node-x", "zone2"))]
    placed = [("p-a1", "node-a", HIGH), ("p-a2", "node-a", HIGH), ("p-b1", "node-b", LOW), ("p-x1", "node-x", HIGH),
              ("p-x2", "node-x", HIGH)]
    pods = [p(name, prio, on=n, foo="") for name, n, prio in placed]
    preemptor = replace(p("p", HIGH, foo=""), topology_spread_constraints=spread)
    outcome = run(ClusterView(nodes, pods), preemptor)
    assert outcome.chosen.node == "node-b"
    assert [v.name for v in outcome.chosen.victims.pods] == ["p-b1"]


def test_nodes_failing_unschedulable_and_unresolvable_are_never_candidates():
    tainted = node("node1").cpu("500m").memory("500").taint("dedicated").build()
    outcome = run(ClusterView([tainted], [p("p1", LOW, LARGE, "node1")]), p("p", HIGH, LARGE))
    assert outcome.eligible and outcome.candidates == () and outcome.chosen is None
    assert outcome.statuses["node1"].reasons == ("Preemption is not helpful for scheduling",)


def test_the_view_is_left_exactly_as_it_was():
    view = cluster(["node1", "node2", "node3"], BASIC)
    before = [(q.key, n) for q, n in view.pods()], [[q.key for q in view.pods_on(i)] for i in range(3)]
    run(view, p("p", HIGH, VERY_LARGE))
    assert ([(q.key, n) for q, n in view.pods()], [[q.key for q in view.pods_on(i)] for i in range(3)]) == before
    assert view.resources is not None and schedule_one(view, p("q", LOW, SMALL), SchedulerConfig(),
                                                       np.random.default_rng(0)).selected_name == "node3"


# ----- nominated pods (runtime/framework.go addNominatedPods) ----------------------------

@pytest.mark.parametrize("priority, fits", [(MID - 1, False), (MID, False), (MID + 1, True)])
def test_a_pod_nominated_to_a_node_counts_there_for_pods_of_lower_or_equal_priority(priority, fits):
    view = cluster(["node1", "node2"], [p("full", HIGH, VERY_LARGE, "node2")])
    nominated = {"node1": [p("waiting", MID, MEDIUM)]}
    result = schedule_one(view, p("q", priority, VERY_LARGE), SchedulerConfig(), np.random.default_rng(0), nominated=nominated)
    assert (result.selected_name == "node1") is fits
    if not fits:
        assert result.node_status(0)[0].reasons == ("Insufficient cpu", "Insufficient memory")
        assert result.node_status(0)[1] == "NodeResourcesFit"
    assert [q.key for q, _ in view.pods()] == ["default/full"]  # the nominated pod was only counted


def test_the_pod_itself_is_never_counted_as_nominated():
    view = cluster(["node1"], [])
    waiting = p("waiting", MID, VERY_LARGE)
    result = schedule_one(view, waiting, SchedulerConfig(), np.random.default_rng(0), nominated={"node1": [waiting]})
    assert result.selected_name == "node1"


def test_a_node_without_a_lower_priority_pod_is_no_candidate_and_costs_no_filter_run():
    """`SelectVictimsOnNode` finds no potential victim there (NO_VICTIMS) before running
    any filter; the dry run answers that at once from the view's lowest priority per node."""
    from twin.model.scheduling.preemption.evaluator import dry_run
    from twin.model.scheduling.preemption.victims import NO_VICTIMS, importance_key, lowest_priorities

    def fits(n):
        raise AssertionError("no filter run expected")
    view = ClusterView([node(f"node{i}").build() for i in range(3)],
                       [replace(pod(f"p{i}").on(f"node{i}").build(), priority=0) for i in range(2)])
    assert lowest_priorities(view).tolist()[:2] == [0, 0]
    candidates, statuses = dry_run(view, replace(pod("p").build(), priority=0), [0, 1, 2], (), 1, 3, fits,
                                   importance_key(lambda p: None, 0.0))
    assert candidates == [] and statuses == {"node1": NO_VICTIMS, "node2": NO_VICTIMS, "node0": NO_VICTIMS}
    assert list(statuses) == ["node1", "node2", "node0"]
