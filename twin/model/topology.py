"""The cluster's failure-domain hierarchy as a networkx tree.

    cluster ── region ── zone ── node

Nodes without a region or zone label hang under the placeholder domains
`(no region)` / `(no zone)`, so every node has exactly one path to the root and a
failure domain is simply a subtree: losing zone `z` loses `nodes_under(("zone", r, z))`.
Graph node ids are tuples: ("cluster",), ("region", r), ("zone", r, z), ("node", name).
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from twin.model.objects import REGION_KEY, ZONE_KEY, Node

ROOT = ("cluster",)
NO_REGION, NO_ZONE = "(no region)", "(no zone)"


def build_topology(nodes: Iterable[Node]) -> nx.DiGraph:
    """A tree rooted at ("cluster",); node entries carry the Node as attribute `node`."""
    graph = nx.DiGraph()
    graph.add_node(ROOT, kind="cluster")
    for node in nodes:
        region = node.labels.get(REGION_KEY, NO_REGION)
        zone = node.labels.get(ZONE_KEY, NO_ZONE)
        graph.add_node(("region", region), kind="region", name=region)
        graph.add_node(("zone", region, zone), kind="zone", name=zone)
        graph.add_node(("node", node.name), kind="node", name=node.name, node=node)
        graph.add_edge(ROOT, ("region", region))
        graph.add_edge(("region", region), ("zone", region, zone))
        graph.add_edge(("zone", region, zone), ("node", node.name))
    return graph


def domains(graph: nx.DiGraph, kind: str) -> list[tuple]:
    """All domains of one kind ("region", "zone" or "node"), sorted."""
    return sorted(n for n, data in graph.nodes(data=True) if data["kind"] == kind)


def nodes_under(graph: nx.DiGraph, domain: tuple) -> list[str]:
    """Names of the cluster nodes in the subtree of `domain` (the failure domain)."""
    members = nx.descendants(graph, domain) | {domain}
    return sorted(graph.nodes[n]["name"] for n in members if graph.nodes[n]["kind"] == "node")


def zone_of(graph: nx.DiGraph, node_name: str) -> str:
    """The zone name above a node (`(no zone)` when it has no zone label)."""
    (zone,) = graph.predecessors(("node", node_name))
    return graph.nodes[zone]["name"]


def zone_domain(graph: nx.DiGraph, zone: str) -> tuple:
    """The graph id of zone `zone` (in whichever region holds it)."""
    matches = [d for d in domains(graph, "zone") if d[2] == zone]
    if not matches:
        raise KeyError(f"no zone named {zone!r}")
    return matches[0]
