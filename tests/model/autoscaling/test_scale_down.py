"""Scale-down decisions (pure), after kubernetes/autoscaler `core/scaledown/planner/`
(`categorizeNodes`), `core/scaledown/unneeded/nodes.go` (`Update`, `RemovableAt`),
`core/scaledown/budgets/budgets.go` (`CropNodes`) and `static_autoscaler.go`
(`isScaleDownInCooldown`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from twin.model.autoscaling.node_group import NodeGroup
from twin.model.autoscaling.scale_down import (Inputs, find_unneeded, in_cooldown, nodes_to_delete, recheck_after,
                                               track)
from twin.model.autoscaling.settings import AutoscalerSettings
from twin.model.cluster import ClusterView
from twin.model.objects import HOSTNAME_KEY, Container, Node, OwnerReference, Pod

RS = (OwnerReference("ReplicaSet", "rs"),)
SETTINGS = AutoscalerSettings()


def worker(name: str) -> Node:
    return Node(name, {HOSTNAME_KEY: name}, allocatable={"cpu": 4000, "memory": 16 << 30, "pods": 110})


def on(node: str, name: str, cpu: int, owners=RS) -> Pod:
    return Pod(name, "default", {}, node, (Container("c", {"cpu": cpu, "memory": 1 << 30}),), owner_references=owners)


def inputs(nodes: list[str], pods: list[Pod], min_size: int = 0, deleting=()) -> Inputs:
    view = ClusterView([worker(n) for n in nodes], pods)
    group = NodeGroup("g", "g", "a", min_size, 10, len(nodes), worker("t"), "m5.xlarge", tuple(nodes))
    return Inputs(view, [group], {n: "g" for n in nodes}, [], {}, frozenset(deleting))


def verdicts(inp: Inputs, previously=None):
    return {v.node: v for v in find_unneeded(inp, SETTINGS, previously or {})}


def test_a_node_above_the_threshold_is_not_underutilized():
    found = verdicts(inputs(["n1", "n2"], [on("n1", "a", 2500)]))
    assert found["n1"].reason == "NotUnderutilized" and found["n1"].utilization == pytest.approx(0.625)


def test_an_empty_node_is_removable_and_empty():
    found = verdicts(inputs(["n1", "n2"], [on("n1", "a", 2500)]))
    assert found["n2"].removable and found["n2"].empty


def test_daemonset_pods_do_not_make_a_node_non_empty():
    ds = on("n2", "ds", 100, owners=(OwnerReference("DaemonSet", "ds"),))
    found = verdicts(inputs(["n1", "n2"], [on("n1", "a", 2500), ds]))
    assert found["n2"].empty


def test_pods_that_fit_nowhere_else_keep_the_node_no_place_to_move_pods():
    """n1 holds 1.5 cpu (37 %), n2 3 cpu (75 %): n1's pod does not fit on n2."""
    found = verdicts(inputs(["n1", "n2"], [on("n1", "a", 1500), on("n2", "b", 3000)]))
    assert found["n1"].reason == "NoPlaceToMovePods"


def test_two_half_empty_nodes_cannot_both_go():
    """n1's pod moves to n2 in simulation; then n2 (now fuller, and with n1 gone as a
    destination) stays."""
    found = verdicts(inputs(["n1", "n2"], [on("n1", "a", 1000), on("n2", "b", 1000)]))
    assert found["n1"].removable and found["n1"].to_move == ("default/a",)
    assert not found["n2"].removable


def test_nodes_unneeded_before_are_simulated_first():
    found = find_unneeded(inputs(["n1", "n2"], [on("n1", "a", 1000), on("n2", "b", 1000)]), SETTINGS, {"n2": 0.0})
    assert [v.node for v in found] == ["n2", "n1"] and found[0].removable


def test_a_node_being_deleted_is_no_candidate_and_no_destination():
    found = verdicts(inputs(["n1", "n2"], [on("n1", "a", 1000)], deleting=["n2"]))
    assert "n2" not in found and found["n1"].reason == "NoPlaceToMovePods"


def test_an_unneeded_node_keeps_its_first_unneeded_time():
    found = find_unneeded(inputs(["n1", "n2"], [on("n1", "a", 2500)]), SETTINGS, {})
    assert track(found, {"n2": 100.0}, 500.0) == {"n2": 100.0}
    assert track(found, {}, 500.0) == {"n2": 500.0}
    assert track(found, {"n1": 100.0}, 500.0) == {"n2": 500.0}, "a node no longer unneeded is forgotten"


def deletions(inp: Inputs, unneeded: dict, now: float, drains: int = 0):
    return nodes_to_delete(find_unneeded(inp, SETTINGS, unneeded), unneeded, inp, SETTINGS, now, drains)


def test_a_node_goes_only_after_the_unneeded_time():
    inp = inputs(["n1", "n2"], [on("n1", "a", 2500)])
    assert dict(deletions(inp, {"n2": 0.0}, 599.0).kept) == {"n2": "NotUnneededLongEnough"}
    assert deletions(inp, {"n2": 0.0}, 600.0).empty == ("n2",)


def test_an_unready_node_goes_only_after_the_scale_down_unready_time():
    """`unneeded/nodes.go` `RemovableAt`: an unready node waits --scale-down-unready-time
    (20 min), not unneeded-time (a zone outage's NotReady nodes are not removed at 10 min)."""
    inp = inputs(["n1", "n2"], [on("n1", "a", 2500)])
    down = ClusterView([worker("n1"), replace(worker("n2"), ready="Unknown")], [on("n1", "a", 2500)])
    inp = replace(inp, view=down)
    assert dict(deletions(inp, {"n2": 0.0}, 600.0).kept) == {"n2": "NotUnreadyLongEnough"}
    assert dict(deletions(inp, {"n2": 0.0}, 1199.0).kept) == {"n2": "NotUnreadyLongEnough"}
    assert deletions(inp, {"n2": 0.0}, 1200.0).empty == ("n2",)


def test_a_node_stays_when_its_group_is_at_its_min_size():
    inp = inputs(["n1", "n2"], [on("n1", "a", 2500)], min_size=2)
    assert dict(deletions(inp, {"n2": 0.0}, 600.0).kept) == {"n2": "NodeGroupMinSizeReached"}


def test_empty_nodes_go_up_to_ten_at_a_time():
    names = [f"n{i:02d}" for i in range(13)]
    inp = inputs(names, [on("n00", "a", 2500)])
    unneeded = {n: 0.0 for n in names[1:]}
    result = deletions(inp, unneeded, 600.0)
    assert result.empty == tuple(names[1:11]) and [why for _, why in result.kept] == ["ScaleDownParallelismLimited"] * 2


def test_non_empty_nodes_go_one_at_a_time_and_not_while_a_drain_runs():
    inp = inputs(["n1", "n2", "n3"], [on("n1", "a", 500), on("n2", "b", 500)])
    unneeded = {"n1": 0.0, "n2": 0.0, "n3": 0.0}
    first = deletions(inp, unneeded, 600.0)
    assert first.empty == () and len(first.drain) == 1
    assert deletions(inp, unneeded, 600.0, drains=1).drain == ()


COOLDOWN = [
    ("nothing happened yet", None, None, None, 0.0, False),
    ("9 min after a scale-up (delay-after-add 10 min)", 0.0, None, None, 540.0, True),
    ("10 min after a scale-up", 0.0, None, None, 600.0, False),
    ("right after a deletion (delay-after-delete 0 s)", None, 100.0, None, 100.0, False),
    ("2 min after a failed scale-down (delay-after-failure 3 min)", None, None, 0.0, 120.0, True),
]


@pytest.mark.parametrize("name, up, delete, failure, now, expected", COOLDOWN, ids=[c[0] for c in COOLDOWN])
def test_scale_down_cooldown(name, up, delete, failure, now, expected):
    assert in_cooldown(now, up, delete, failure, SETTINGS) is expected


def test_a_longer_delay_after_delete_holds_deletions():
    assert in_cooldown(100.0, None, 50.0, None, replace(SETTINGS, delay_after_delete=60.0))


def test_a_node_found_unremovable_is_not_simulated_again_for_5_minutes():
    """`categorizeNodes`: `unremovableNodes.AddTimeout(now + unremovable-node-recheck-timeout)`;
    a node merely above the threshold is looked at again at the next scan."""
    found = find_unneeded(inputs(["n1", "n2"], [on("n1", "a", 1500), on("n2", "b", 3000)]), SETTINGS, {})
    recent = recheck_after(found, {}, 100.0, SETTINGS)
    assert recent == {"n1": 400.0}, "n1: NoPlaceToMovePods; n2: NotUnderutilized, not held"
    assert recheck_after([], recent, 400.0, SETTINGS) == {}
    skipped = find_unneeded(replace(inputs(["n1", "n2"], [on("n1", "a", 1500), on("n2", "b", 3000)]),
                                    recently_unremovable=frozenset(recent)), SETTINGS, {})
    assert [v.node for v in skipped] == ["n2"]
