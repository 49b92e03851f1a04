"""Topology-spread skew at a binding, by brute force over the cluster (independent of
the scheduler's indexes): for each DoNotSchedule constraint of the pod, the count of
matching pods in the chosen node's domain plus the pod itself, minus the smallest count
over eligible domains (`spec/scheduling.md` §2.2–§2.3, with the defaults of §2.1)."""

from __future__ import annotations

from twin.model.labels import IN, LabelSelector, Requirement, selector_matches
from twin.model.objects import DO_NOT_SCHEDULE, NO_EXECUTE, NO_SCHEDULE, Node, Pod


def spread_skews(nodes: list[Node], pods: list[Pod], pod: Pod, node_name: str) -> list[dict]:
    """[{"key", "skew", "max_skew"}] for each hard constraint of `pod` placed on
    `node_name`; `pods` are the bound pods before the binding."""
    hard = [c for c in pod.topology_spread_constraints if c.when_unsatisfiable == DO_NOT_SCHEDULE]
    keys = {c.topology_key for c in hard}
    by_name = {n.name: n for n in nodes}
    return [_skew(c, keys, by_name, pods, pod, by_name[node_name]) for c in hard]


def _skew(c, keys, by_name: dict[str, Node], pods, pod: Pod, node: Node) -> dict:
    selector = _merged(c.label_selector, c.match_label_keys, pod)
    eligible = {name for name, n in by_name.items() if all(k in n.labels for k in keys) and _included(c, pod, n)}
    counts = {by_name[name].labels[c.topology_key]: 0 for name in eligible}
    for other in pods:
        if other.node_name not in eligible:
            continue
        if other.namespace == pod.namespace and other.deletion_timestamp is None and selector_matches(selector, other.labels):
            counts[by_name[other.node_name].labels[c.topology_key]] += 1
    floor = min(counts.values()) if counts and len(counts) >= (c.min_domains or 1) else 0
    own = 1 if selector_matches(selector, pod.labels) else 0
    skew = counts.get(node.labels.get(c.topology_key), 0) + own - floor
    return {"key": c.topology_key, "skew": skew, "max_skew": c.max_skew}


def _merged(selector: LabelSelector | None, keys, pod: Pod) -> LabelSelector | None:
    extra = tuple(Requirement(k, IN, (pod.labels[k],)) for k in keys or () if k in pod.labels)
    return selector if selector is None or not extra else selector.and_requirements(extra)


def _included(c, pod: Pod, node: Node) -> bool:
    if (c.node_affinity_policy or "Honor") == "Honor" and not _affinity(pod, node):
        return False
    if (c.node_taints_policy or "Ignore") == "Honor" and _untolerated(pod, node):
        return False
    return True


def _affinity(pod: Pod, node: Node) -> bool:
    if any(node.labels.get(k) != v for k, v in pod.node_selector.items()):
        return False
    na = pod.affinity.node_affinity
    return na is None or na.required is None or any(t.matches(node.name, node.labels) for t in na.required)


def _untolerated(pod: Pod, node: Node) -> bool:
    return any(t.effect in (NO_SCHEDULE, NO_EXECUTE) and not any(tol.tolerates(t) for tol in pod.tolerations)
               for t in node.taints)
