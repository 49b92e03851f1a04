"""The failure-domain tree: failure domains are subtrees."""

from __future__ import annotations

from twin.model.objects import Node
from twin.model.topology import NO_ZONE, build_topology, domains, nodes_under, zone_domain, zone_of
from twin.scenarios.clusters import ClusterShape, generate_cluster


def test_a_zone_subtree_holds_exactly_that_zones_nodes():
    graph = build_topology(generate_cluster(ClusterShape(zones=3, workers_per_zone=2, control_plane=3)))
    assert nodes_under(graph, zone_domain(graph, "us-east-1b")) == ["master-1", "worker-us-east-1b-0", "worker-us-east-1b-1"]
    assert len(nodes_under(graph, ("cluster",))) == 9


def test_nodes_without_zone_labels_hang_under_a_placeholder_zone():
    graph = build_topology([Node("bare"), Node("z", {"topology.kubernetes.io/zone": "a"})])
    assert zone_of(graph, "bare") == NO_ZONE
    assert [d[2] for d in domains(graph, "zone")] == [NO_ZONE, "a"]
