"""ClusterView: adding and removing nodes and pods keeps every index consistent."""

from __future__ import annotations

import numpy as np
import pytest
from builders import node, pod
from cycle import passing

from twin.model.cluster import ClusterView
from twin.model.objects import ZONE_KEY
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
