"""NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodeResourcesFit and
NodeResourcesBalancedAllocation: upstream reason texts, status codes and score formulas."""

from __future__ import annotations

import numpy as np
from builders import node, pod
from cycle import run_cycle, scores, verdicts

from twin.model.scheduling.normalize import default_normalize

UNRESOLVABLE = "UnschedulableAndUnresolvable"


def test_a_cordoned_node_is_rejected_unless_the_pod_tolerates_the_unschedulable_taint():
    nodes = [node("a").cordoned(), node("b")]
    v = verdicts(run_cycle(nodes, [], pod("p")), "NodeUnschedulable")
    assert v["a"] == (UNRESOLVABLE, ("node(s) were unschedulable",))
    tolerant = pod("p").tolerate("node.kubernetes.io/unschedulable", "NoSchedule")
    assert verdicts(run_cycle(nodes, [], tolerant), "NodeUnschedulable")["a"] == ("Success", ())


def test_a_pod_naming_a_node_fits_only_that_node():
    v = verdicts(run_cycle([node("a"), node("b")], [], pod("p").on("b")), "NodeName")
    assert v["a"] == (UNRESOLVABLE, ("node(s) didn't match the requested node name",))
    assert v["b"] == ("Success", ())


def test_untolerated_no_schedule_and_no_execute_taints_reject_but_prefer_no_schedule_does_not():
    nodes = [node("ns").taint("k", "NoSchedule"), node("ne").taint("k", "NoExecute"),
             node("pns").taint("k", "PreferNoSchedule")]
    v = verdicts(run_cycle(nodes, [], pod("p")), "TaintToleration")
    assert v["ns"] == v["ne"] == (UNRESOLVABLE, ("node(s) had untolerated taint(s)",))
    assert v["pns"] == ("Success", ())


def test_a_toleration_with_an_empty_effect_tolerates_every_effect_of_its_key():
    nodes = [node("a").taint("k", "NoSchedule").taint("k", "NoExecute")]
    v = verdicts(run_cycle(nodes, [], pod("p").tolerate("k")), "TaintToleration")
    assert v["a"] == ("Success", ())


def test_prefer_no_schedule_taints_lower_the_score_in_reverse_proportion():
    nodes = [node("two").taint("a", "PreferNoSchedule").taint("b", "PreferNoSchedule"),
             node("one").taint("a", "PreferNoSchedule"), node("none")]
    assert scores(run_cycle(nodes, [], pod("p")), "TaintToleration") == {"two": 0, "one": 50, "none": 100}


def test_node_selector_and_required_affinity_must_both_match():
    nodes = [node("a").label("disk", "ssd").label("pool", "x"), node("b").label("disk", "ssd"), node("c")]
    incoming = pod("p").node_selecting(disk="ssd").require_node("pool", "x")
    v = verdicts(run_cycle(nodes, [], incoming), "NodeAffinity")
    assert v["a"] == ("Success", ())
    assert v["b"] == v["c"] == (UNRESOLVABLE, ("node(s) didn't match Pod's node affinity/selector",))


def test_preferred_node_affinity_scores_the_weight_of_matching_terms():
    nodes = [node("a").label("disk", "ssd"), node("b")]
    result = run_cycle(nodes, [], pod("p").prefer_node(40, "disk", "ssd"))
    assert scores(result, "NodeAffinity") == {"a": 100, "b": 0}


def test_default_normalize_scales_by_the_maximum_and_reverses_on_request():
    assert default_normalize(np.array([1, 2, 4]), reverse=False).tolist() == [25, 50, 100]
    assert default_normalize(np.array([1, 2, 4]), reverse=True).tolist() == [75, 50, 0]
    assert default_normalize(np.array([0, 0]), reverse=True).tolist() == [100, 100]
    assert default_normalize(np.array([0, 0]), reverse=False).tolist() == [0, 0]


def test_a_full_node_reports_too_many_pods():
    nodes = [node("a").max_pods(1)]
    v = verdicts(run_cycle(nodes, [pod("x").on("a")], pod("p")), "NodeResourcesFit")
    assert v["a"] == ("Unschedulable", ("Too many pods",))


def test_every_insufficient_resource_is_reported_together():
    nodes = [node("a").cpu("1").memory("1Gi")]
    existing = [pod("x").on("a").req(cpu="800m", memory="900Mi")]
    v = verdicts(run_cycle(nodes, existing, pod("p").req(cpu="500m", memory="200Mi")), "NodeResourcesFit")
    assert v["a"] == ("Unschedulable", ("Insufficient cpu", "Insufficient memory"))


def test_a_request_larger_than_the_whole_node_is_unresolvable():
    v = verdicts(run_cycle([node("a").cpu("1")], [], pod("p").req(cpu="2")), "NodeResourcesFit")
    assert v["a"] == (UNRESOLVABLE, ("Insufficient cpu",))


def test_terminating_pods_still_hold_their_resources():
    nodes = [node("a").cpu("1")]
    existing = [pod("x").on("a").req(cpu="800m").terminating()]
    v = verdicts(run_cycle(nodes, existing, pod("p").req(cpu="500m")), "NodeResourcesFit")
    assert v["a"] == ("Unschedulable", ("Insufficient cpu",))


def test_least_allocated_averages_free_cpu_and_memory_percentages():
    # cpu (4000-1100)*100//4000 = 72; memory (16Gi-1280Mi)*100//16Gi = 92; (72+92)//2 = 82
    existing = [pod("x").on("a").req(cpu="1", memory="1Gi")]
    result = run_cycle([node("a").cpu("4").memory("16Gi")], existing, pod("p").req(cpu="100m", memory="256Mi"))
    assert scores(result, "NodeResourcesFit") == {"a": 82}


def test_containers_without_requests_count_as_100m_and_200mi_for_scoring():
    # cpu (1000-100)*100//1000 = 90; memory (1000Mi-200Mi)*100//1000Mi = 80; mean 85
    result = run_cycle([node("a").cpu("1").memory("1000Mi")], [], pod("p"))
    assert scores(result, "NodeResourcesFit") == {"a": 85}


def test_balanced_allocation_is_one_minus_half_the_fraction_gap():
    # cpu 1/4 = 0.25, memory 1Gi/16Gi = 0.0625; std = 0.09375; int(90.625) = 90
    result = run_cycle([node("a").cpu("4").memory("16Gi")], [], pod("p").req(cpu="1", memory="1Gi"))
    assert scores(result, "NodeResourcesBalancedAllocation") == {"a": 90}


def test_balanced_allocation_skips_pods_that_request_nothing():
    result = run_cycle([node("a")], [], pod("p"))
    assert "NodeResourcesBalancedAllocation" not in result.scores
