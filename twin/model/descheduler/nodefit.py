"""The cluster as one descheduling cycle sees it, and the descheduler's own fit check.

`NodeFit` is not the scheduler: it is the subset of predicates the descheduler checks
(kubernetes-sigs/descheduler@7d2b28bf `pkg/descheduler/node/node.go` `NodeFit`,
`PodFitsAnyOtherNode`, `fitsRequest`, `nodeAvailableResources`,
`podMatchesInterPodAntiAffinity`): the node is schedulable, the pod's nodeSelector and
required node affinity match, it tolerates the NoSchedule/NoExecute taints, no pod on the
node matches one of its required anti-affinity terms, and the requests of the pods on the
node plus its own fit the node's allocatable (one pod slot free).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from twin.model.labels import selector_matches, terms_match
from twin.model.objects import NO_EXECUTE, NO_SCHEDULE, Node, Pod, Taint


@dataclass(frozen=True)
class Snapshot:
    """`nodes`: the Ready nodes a cycle works on (`ReadyNodesFromInterfaces`: the Ready
    condition is not False/Unknown; cordoned nodes stay), by name. `pods`: per node name
    (any node), the pods assigned to it that are neither Succeeded nor Failed
    (`ListPodsOnANode`), in name order: the order upstream's tests list them in."""

    nodes: tuple[Node, ...]
    pods: Mapping[str, tuple[Pod, ...]] = field(default_factory=dict)

    @staticmethod
    def of(nodes: Iterable[Node], pods: Iterable[Pod]) -> Snapshot:
        ready = tuple(sorted((n for n in nodes if n.ready in (None, "True")), key=lambda n: n.name))
        by_node: dict[str, list[Pod]] = {}
        for pod in pods:
            if pod.node_name and pod.phase not in ("Succeeded", "Failed"):
                by_node.setdefault(pod.node_name, []).append(pod)
        return Snapshot(ready, {name: tuple(sorted(ps, key=lambda p: p.name)) for name, ps in sorted(by_node.items())})

    def on(self, node_name: str) -> tuple[Pod, ...]:
        return self.pods.get(node_name, ())

    def listed(self) -> list[Pod]:
        """`ListPodsOnNodes` over the cycle's nodes: node by node, in order."""
        return [pod for node in self.nodes for pod in self.on(node.name)]


def matches_node_affinity(pod: Pod, node: Node) -> bool:
    """`nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)`: nodeSelector and the
    required node affinity terms (ORed)."""
    if any(node.labels.get(k) != v for k, v in pod.node_selector.items()):
        return False
    na = pod.affinity.node_affinity
    return na is None or na.required is None or terms_match(na.required, node.name, node.labels)


def untolerated(tolerations, taints: Iterable[Taint]) -> bool:
    """A NoSchedule or NoExecute taint none of `tolerations` tolerates."""
    return any(t.effect in (NO_SCHEDULE, NO_EXECUTE) and not any(tol.tolerates(t) for tol in tolerations) for t in taints)


def node_fit(pod: Pod, node: Node, snapshot: Snapshot) -> str | None:
    """`NodeFit`: None when `pod` fits `node`, else the upstream reason."""
    if node.unschedulable:
        return "node is not schedulable"
    if not matches_node_affinity(pod, node):
        return "pod node selector does not match the node label"
    if untolerated(pod.tolerations, node.taints):
        return "pod does not tolerate taints on the node"
    if _anti_affinity_conflict(pod, node, snapshot):
        return "pod matches inter-pod anti-affinity rule of other pod on node"
    if pod.node_name != node.name:
        return _insufficient(pod, node, snapshot)
    return None


def fits_any_other_node(pod: Pod, nodes: Iterable[Node], snapshot: Snapshot) -> bool:
    """`PodFitsAnyOtherNode`: some node other than the pod's own fits it."""
    return any(node_fit(pod, node, snapshot) is None for node in nodes if node.name != pod.node_name)


def _insufficient(pod: Pod, node: Node, snapshot: Snapshot) -> str | None:
    """`fitsRequest`: every resource the pod requests, and `pods`, against allocatable
    minus the requests of the pods on the node; then at least one pod slot left."""
    on_node = snapshot.on(node.name)
    for name in ("pods", *pod.requests):
        used = len(on_node) if name == "pods" else sum(p.requests.get(name, 0) for p in on_node)
        if pod.requests.get(name, 0) > node.allocatable.get(name, 0) - used:
            return f"insufficient {name}"
    if node.allocatable.get("pods", 0) - len(on_node) <= 0:
        return "insufficient pods"
    return None


def _anti_affinity_conflict(pod: Pod, node: Node, snapshot: Snapshot) -> bool:
    """`podMatchesInterPodAntiAffinity`: a pod on the node (another name) in the term's
    namespaces (the pod's own when none are listed) matches a required anti-affinity
    term whose topology key the node carries."""
    anti = pod.affinity.pod_anti_affinity
    if anti is None:
        return False
    for term in anti.required:
        namespaces = set(term.namespaces) or {pod.namespace}
        for other in snapshot.on(node.name):
            if other.name != pod.name and other.namespace in namespaces and selector_matches(term.label_selector, other.labels) \
                    and term.topology_key in node.labels:
                return True
    return False
