"""`twin place` on generated clusters and Configs: replicas never land against the
rendered constraints, and the same input and seed give the same placement."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import default_namespace_labels, inter_pod_affinity_allows, node_affinity_holds, spread_allows

from twin import strategies as ts
from twin.model.objects import WORKER_ROLE_KEY
from twin.model.registry import openshift_version
from twin.place import place_registry

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def placements(cluster, config, version, seed):
    placement = place_registry(config, list(cluster.nodes), openshift_version(version), cluster.pods, seed=seed)
    return placement, [(r.pod.name, r.selected_name) for r in placement.results]


@FAST
@given(ts.clusters(max_zones=3, max_nodes_per_zone=4), ts.registry_configs(), ts.openshift_versions(), st.integers(0, 99))
def test_placed_replicas_respect_the_rendered_constraints(cluster, config, version, seed):
    placement, _ = placements(cluster, config, version, seed)
    by_name = {n.name: n for n in cluster.nodes}
    running = list(cluster.pods)
    for result in placement.results:
        pod = result.pod
        if result.selected is not None:
            node = by_name[result.selected_name]
            assert node_affinity_holds(pod, node)
            assert spread_allows(pod, node, cluster.nodes, running)
            assert inter_pod_affinity_allows(pod, node, cluster.nodes, running, default_namespace_labels)
            running.append(pod.bound_to(node.name))
    placed = [r.selected_name for r in placement.results if r.selected is not None]
    if config.replicas == 2 and config.affinity is None:
        assert len(placed) == len(set(placed)), "two replicas share a node despite the required anti-affinity"
    if config.node_selector is None and config.topology_spread_constraints is None:
        assert all(WORKER_ROLE_KEY in by_name[n].labels for n in placed), "default constraints allow workers only"


@FAST
@given(ts.clusters(max_zones=3, max_nodes_per_zone=4), ts.registry_configs(), ts.openshift_versions(), st.integers(0, 99))
def test_the_same_input_and_seed_place_the_same_replicas_on_the_same_nodes(cluster, config, version, seed):
    assert placements(cluster, config, version, seed)[1] == placements(cluster, config, version, seed)[1]
