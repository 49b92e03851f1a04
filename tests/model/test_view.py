"""ClusterView: adding and removing nodes and pods keeps every index consistent."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from builders import node, pod
from cycle import passing

from twin import strategies as ts
from twin.model.cluster import ClusterView
from twin.model.objects import ZONE_KEY, Pod
from twin.model.scheduling import SchedulerConfig, schedule_one


def web(name, where):
    return pod(name).labels(app="web").on(where).req(cpu="1").build()


def spread_pod():
    return pod("p").labels(app="web").spread(1, ZONE_KEY).req(cpu="1").build()


def feasible(view):
    return passing(schedule_one(view, spread_pod(), SchedulerConfig(), np.random.default_rng(0), score_all=True))


def test_removing_a_node_drops_its_pods_from_resources_and_counts():
    view = ClusterView([node("a").zone("z1").build(), node("b").zone("z2").build(), node("c").zone("z2").build()],
                       [web("x", "b")])
    assert feasible(view) == {"a"}
    dropped = view.remove_node("b")
    assert [p.name for p in dropped] == ["x"] and view.pod_count() == 0
    assert feasible(view) == {"a", "c"}


def test_adding_a_node_in_a_new_zone_makes_it_the_only_place_left():
    view = ClusterView([node("a").zone("z1").build(), node("b").zone("z2").build()], [web("x", "a"), web("y", "b")])
    assert feasible(view) == {"a", "b"}
    view.add_node(node("c").zone("z3").build())
    assert feasible(view) == {"c"}


def test_a_pod_must_be_bound_to_a_known_node_and_added_once():
    view = ClusterView([node("a").build()])
    with pytest.raises(KeyError):
        view.add_pod(web("x", "ghost"))
    view.add_pod(web("x", "a"))
    with pytest.raises(KeyError):
        view.add_pod(web("x", "a"))


def test_resources_follow_binds_and_removals():
    view = ClusterView([node("a").build()])
    view.add_pod(web("x", "a"))
    assert view.resources.requested["cpu"][0] == 1000 and view.resources.pod_count[0] == 1
    view.remove_pod("default/x")
    assert view.resources.requested["cpu"][0] == 0 and view.resources.pod_count[0] == 0


def _state(view):
    res = view.resources
    return (view.node_names, [list(view.pods_on(n)) for n in range(len(view.nodes))], [p.key for p, _ in view.pods()],
            {r: c.tolist() for r, c in res.requested.items()}, {r: c.tolist() for r, c in res.nonzero.items()},
            res.pod_count.tolist(), {r: c.tolist() for r, c in res.alloc.items()}, res.scalar_requested,
            [p.key for p, _ in view.pods_with_affinity()])


def test_a_copy_with_extra_nodes_equals_a_view_built_afresh_and_is_independent():
    nodes = [node(f"n{i}").zone(z).build() for i, z in enumerate("abab")]
    view = ClusterView(nodes, [web("w1", "n0"), web("w2", "n1"), web("w3", "n0")])
    view.remove_pod("default/w1")
    view.add_pod(web("w1", "n2"))
    extra = node("x").zone("c").build()
    copy = view.copy([extra])
    fresh = ClusterView(nodes + [extra], [p for p, _ in view.pods()])
    assert _state(copy) == _state(fresh)
    assert passing(schedule_one(copy, spread_pod(), SchedulerConfig(), np.random.default_rng(0), score_all=True)) == {"x"}
    copy.add_pod(web("w4", "x"))
    copy.remove_pod("default/w2")
    assert view.pod_count() == 3 and view.resources.requested["cpu"].tolist() == [1000, 1000, 1000, 0]


def test_adding_a_node_keeps_the_state_a_full_rebuild_gives():
    nodes = [node(f"n{i}").zone(z).build() for i, z in enumerate("ab")]
    view = ClusterView(nodes, [web("w1", "n0"), web("w2", "n1")])
    view.add_node(node("n2").zone("c").build())
    assert _state(view) == _state(ClusterView(view.nodes, [p for p, _ in view.pods()]))


def test_removing_a_node_keeps_the_state_a_full_rebuild_gives():
    nodes = [node(f"n{i}").zone(z).build() for i, z in enumerate("abab")]
    view = ClusterView(nodes, [web("w1", "n0"), web("w2", "n1"), web("w3", "n2"), web("w4", "n3"), web("w5", "n1")])
    view.remove_pod("default/w2")
    view.add_pod(web("w2", "n3"))
    view.remove_node("n1")
    assert _state(view) == _state(ClusterView(view.nodes, [p for p, _ in view.pods()]))
    assert [n for _, n in view.pods()] == [0, 1, 2, 2]


@settings(max_examples=50, deadline=None)
@given(ts.incoming_pods(), st.sampled_from([None, "n1"]))
def test_binding_a_pod_copies_every_field_but_the_node_name(pod, node):
    bound = pod.bound_to(node)
    assert bound.node_name == node and bound is not pod
    assert [getattr(bound, f) for f in Pod.__slots__ if f != "node_name"] == \
        [getattr(pod, f) for f in Pod.__slots__ if f != "node_name"]
    assert bound == replace(pod, node_name=node)
