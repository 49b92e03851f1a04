"""Scale-up decisions on a snapshot (pure), after kubernetes/autoscaler
`core/podlistprocessor/filter_out_expendable.go`, `filter_out_schedulable.go` and
`core/scaleup/orchestrator/orchestrator.go` `ScaleUp` (its tests' shapes: a group at max
size, max-nodes-total, balancing similar groups, a pod no group fits)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from twin.model.controllers.node_taints import NOT_READY_TAINT_KEY
from twin.model.autoscaling.backoff import Backoffs
from twin.model.autoscaling.node_group import NodeGroup
from twin.model.autoscaling.scale_up import plan_scale_up
from twin.model.autoscaling.settings import AutoscalerSettings
from twin.model.cluster import ClusterView
from twin.model.objects import HOSTNAME_KEY, NO_SCHEDULE, ZONE_KEY, Container, Node, Pod, Taint

GIB = 1 << 30


def worker(name: str, zone: str, cpu: int = 4000, **labels) -> Node:
    return Node(name, {HOSTNAME_KEY: name, ZONE_KEY: zone, **labels}, allocatable={"cpu": cpu, "memory": 16 * GIB,
                                                                              "pods": 110})


def group(gid: str, zone: str, size: int = 1, max_size: int = 10, cpu: int = 4000, nodes=(), **labels) -> NodeGroup:
    return NodeGroup(gid, gid, zone, 0, max_size, size, worker(f"{gid}-template", zone, cpu, **labels), "m5.xlarge",
                     tuple(nodes))


def wanting(name: str, cpu: int, priority: int | None = None, **selector) -> Pod:
    return Pod(name, containers=(Container("c", {"cpu": cpu, "memory": GIB}),), priority=priority,
               node_selector=selector)


def full_view() -> ClusterView:
    """One node in zone a, full (3900m of 4000m used)."""
    view = ClusterView([worker("a-1", "a")])
    view.add_pod(replace(wanting("busy", 3900), node_name="a-1"))
    return view


def plan(view, pending, groups, settings=AutoscalerSettings(), backoffs=Backoffs(), now=0.0):
    return plan_scale_up(view, pending, groups, settings, backoffs, now, np.random.default_rng(0))


def test_an_expendable_pod_causes_no_scale_up():
    """filter_out_expendable: priority -11 is below the default cutoff -10."""
    result = plan(full_view(), [wanting("low", 1000, priority=-11)], [group("a", "a", nodes=["a-1"])])
    assert not result.scaled and dict(result.skipped) == {"default/low": "expendable: priority below the cutoff"}


def test_a_pod_with_priority_at_the_cutoff_is_not_expendable():
    result = plan(full_view(), [wanting("edge", 1000, priority=-10)], [group("a", "a", nodes=["a-1"])])
    assert result.deltas == (("a", 1),)


def test_a_pod_that_fits_an_existing_node_causes_no_scale_up():
    view = ClusterView([worker("a-1", "a")])
    result = plan(view, [wanting("p", 1000)], [group("a", "a", nodes=["a-1"])])
    assert not result.scaled and dict(result.skipped) == {"default/p": "fits an existing node"}


def test_a_pod_that_fits_an_upcoming_node_causes_no_scale_up():
    """The group's target is 2 with 1 node registered: one node is coming."""
    result = plan(full_view(), [wanting("p", 1000)], [group("a", "a", size=2, nodes=["a-1"])])
    assert not result.scaled and dict(result.skipped) == {"default/p": "fits an upcoming node"}


def test_a_registered_node_that_has_not_started_is_still_upcoming():
    """`clusterstate.GetUpcomingNodes`: target - (ready + unready + long-unregistered); a
    node registered less than 15 min ago and not Ready yet (NotStarted) is still coming,
    so the pod waiting for it asks for no second node."""
    view = full_view()
    view.add_node(replace(worker("a-2", "a"), ready="False", taints=(Taint(NOT_READY_TAINT_KEY, "", NO_SCHEDULE),)))
    starting = replace(group("a", "a", size=2, nodes=["a-1", "a-2"]), not_started=1)
    result = plan(view, [wanting("p", 1000)], [starting])
    assert not result.scaled and dict(result.skipped) == {"default/p": "fits an upcoming node"}
    assert plan(view, [wanting("p", 1000)], [group("a", "a", size=2, nodes=["a-1", "a-2"])]).scaled


def test_three_pods_of_3_cpus_need_three_nodes():
    pending = [wanting(f"p{i}", 3000) for i in range(3)]
    result = plan(full_view(), pending, [group("a", "a", nodes=["a-1"])])
    assert result.deltas == (("a", 3),) and sorted(result.helped) == ["default/p0", "default/p1", "default/p2"]


def test_a_group_at_its_max_size_is_rejected_and_another_is_used():
    groups = [group("a", "a", size=1, max_size=1, nodes=["a-1"]), group("b", "b", size=0)]
    result = plan(full_view(), [wanting("p", 1000)], groups)
    assert result.deltas == (("b", 1),) and dict(result.rejected)["a"] == "max size reached (1)"


def test_a_backed_off_group_is_rejected():
    backoffs = Backoffs().backoff("a", 0.0, 300.0, 1800.0)
    groups = [group("a", "a", nodes=["a-1"]), group("b", "b", size=0)]
    result = plan(full_view(), [wanting("p", 1000)], groups, backoffs=backoffs, now=100.0)
    assert result.deltas == (("b", 1),) and dict(result.rejected)["a"].startswith("backed off until t=300s")


def test_max_nodes_total_caps_the_new_nodes():
    """1 node, maxNodesTotal 3: three pods that need a node each get two nodes."""
    pending = [wanting(f"p{i}", 3000) for i in range(3)]
    result = plan(full_view(), pending, [group("a", "a", nodes=["a-1"])], AutoscalerSettings(max_nodes_total=3))
    assert result.deltas == (("a", 2),)


def test_no_scale_up_once_max_nodes_total_is_reached():
    result = plan(full_view(), [wanting("p", 1000)], [group("a", "a", nodes=["a-1"])],
                  AutoscalerSettings(max_nodes_total=1))
    assert not result.scaled and dict(result.rejected) == {"a": "max-nodes-total reached"}


def test_a_pod_no_template_fits_is_left_unhelped_with_the_reason():
    result = plan(full_view(), [wanting("huge", 8000)], [group("a", "a", nodes=["a-1"])])
    assert not result.scaled and result.unhelped == ("default/huge",)
    assert "Insufficient cpu" in dict(result.rejected)["a"]


def test_a_pod_selecting_zone_b_grows_the_zone_b_group():
    groups = [group("a", "a", nodes=["a-1"]), group("b", "b", size=0)]
    result = plan(full_view(), [wanting("p", 1000, **{ZONE_KEY: "b"})], groups)
    assert result.deltas == (("b", 1),) and "does not fit its template" in dict(result.rejected)["a"]


def test_balancing_spreads_the_new_nodes_over_the_similar_zone_groups():
    """balance-similar-node-groups: templates that differ only in zone are similar; four
    nodes go to the smallest groups first."""
    groups = [group("a", "a", nodes=["a-1"]), group("b", "b", size=0), group("c", "c", size=0)]
    pending = [wanting(f"p{i}", 3000) for i in range(4)]
    result = plan(full_view(), pending, groups, AutoscalerSettings(balance_similar_node_groups=True))
    assert dict(result.deltas) == {"a": 1, "b": 2, "c": 1}  # b, c to 1; then a, b to 2 (equal sizes by id)


def test_without_balancing_one_group_takes_all_the_nodes():
    groups = [group("a", "a", nodes=["a-1"]), group("b", "b", size=0), group("c", "c", size=0)]
    pending = [wanting(f"p{i}", 3000) for i in range(4)]
    result = plan(full_view(), pending, groups)
    assert len(result.deltas) == 1 and result.deltas[0][1] == 4


def test_groups_with_different_instance_labels_are_not_balanced():
    groups = [group("a", "a", nodes=["a-1"], **{"node.kubernetes.io/instance-type": "m5.xlarge"}),
              group("b", "b", size=0, **{"node.kubernetes.io/instance-type": "m5.2xlarge"})]
    pending = [wanting(f"p{i}", 3000) for i in range(2)]
    result = plan(full_view(), pending, groups, AutoscalerSettings(balance_similar_node_groups=True))
    assert len(result.deltas) == 1 and result.deltas[0][1] == 2
