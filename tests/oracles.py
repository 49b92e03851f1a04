"""Brute-force oracles for the property tests: the scheduling rules restated plainly
(loops over every node and pod, no indexes, no caches) from `spec/scheduling.md` and the
upstream plugin sources, independent of the implementation under test."""

from __future__ import annotations

from twin.model.labels import IN, LabelSelector, Requirement
from twin.model.objects import DO_NOT_SCHEDULE, NO_EXECUTE, NO_SCHEDULE, UNSCHEDULABLE_TAINT_KEY, Node, Pod

# --- small predicates ------------------------------------------------------------------


def tolerated(pod: Pod, key: str, value: str, effect: str) -> bool:
    for t in pod.tolerations:
        if t.effect and t.effect != effect:
            continue
        if t.key and t.key != key:
            continue
        if t.operator == "Exists" or t.value == value:
            return True
    return False


def has_untolerated_hard_taint(pod: Pod, node: Node) -> bool:
    return any(t.effect in (NO_SCHEDULE, NO_EXECUTE) and not tolerated(pod, t.key, t.value, t.effect)
               for t in node.taints)


def requirement_holds(req: Requirement, labels) -> bool:
    has = req.key in labels
    if req.operator == "In":
        return has and labels[req.key] in req.values
    if req.operator == "NotIn":
        return not has or labels[req.key] not in req.values
    if req.operator == "Exists":
        return has
    if req.operator == "DoesNotExist":
        return not has
    try:
        number, bound = int(labels[req.key]), int(req.values[0])
    except (KeyError, ValueError, IndexError):
        return False
    return number > bound if req.operator == "Gt" else number < bound


def selector_holds(selector: LabelSelector | None, labels) -> bool:
    if selector is None:
        return False
    return all(requirement_holds(r, labels) for r in selector.requirements)


def node_affinity_holds(pod: Pod, node: Node) -> bool:
    for key, value in pod.node_selector.items():
        if node.labels.get(key) != value:
            return False
    na = pod.affinity.node_affinity
    if na is None or na.required is None:
        return True
    for term in na.required:
        if not term.match_expressions and not term.match_fields:
            continue
        fields_ok = all(requirement_holds(f, {"metadata.name": node.name}) for f in term.match_fields)
        if fields_ok and all(requirement_holds(e, node.labels) for e in term.match_expressions):
            return True
    return False


# --- topology spread -------------------------------------------------------------------


def hard_constraints(pod: Pod) -> list[tuple]:
    """(maxSkew, key, merged selector, minDomains, honor affinity, honor taints) of the
    pod's own DoNotSchedule constraints (cluster defaults are soft under System)."""
    out = []
    for c in pod.topology_spread_constraints:
        if c.when_unsatisfiable != DO_NOT_SCHEDULE:
            continue
        selector = c.label_selector
        extra = tuple(Requirement(k, IN, (pod.labels[k],)) for k in (c.match_label_keys or ()) if k in pod.labels)
        if selector is not None and extra:
            selector = LabelSelector(selector.match_labels, selector.match_expressions + extra)
        out.append((c.max_skew, c.topology_key, selector, c.min_domains or 1,
                    (c.node_affinity_policy or "Honor") == "Honor", (c.node_taints_policy or "Ignore") == "Honor"))
    return out


def spread_domain_counts(pod: Pod, nodes, pods, constraint) -> dict[str, int]:
    """Matching, non-terminating pods of the pod's namespace per eligible domain."""
    _, key, selector, _, honor_affinity, honor_taints = constraint
    all_keys = {c[1] for c in hard_constraints(pod)}
    counts: dict[str, int] = {}
    for node in nodes:
        if not all(k in node.labels for k in all_keys):
            continue
        if honor_affinity and not node_affinity_holds(pod, node):
            continue
        if honor_taints and has_untolerated_hard_taint(pod, node):
            continue
        value = node.labels[key]
        counts.setdefault(value, 0)
        for other in pods:
            if (other.node_name == node.name and other.namespace == pod.namespace
                    and other.deletion_timestamp is None and selector_holds(selector, other.labels)):
                counts[value] += 1
    return counts


def spread_allows(pod: Pod, node: Node, nodes, pods) -> bool:
    """Every hard constraint: matchNum + selfMatch − globalMin ≤ maxSkew on `node`."""
    for constraint in hard_constraints(pod):
        max_skew, key, selector, min_domains, _, _ = constraint
        if key not in node.labels:
            return False
        counts = spread_domain_counts(pod, nodes, pods, constraint)
        global_min = min(counts.values()) if len(counts) >= min_domains and counts else 0
        self_match = 1 if selector_holds(selector, pod.labels) else 0
        if counts.get(node.labels[key], 0) + self_match - global_min > max_skew:
            return False
    return True


# --- inter-pod affinity ---------------------------------------------------------------


def term_matches(term, owner_ns: str, target: Pod, ns_labels) -> bool:
    namespaces = term.namespaces or ((owner_ns,) if term.namespace_selector is None else ())
    in_ns = target.namespace in namespaces or (
        term.namespace_selector is not None and selector_holds(term.namespace_selector, ns_labels(target.namespace)))
    return in_ns and selector_holds(term.label_selector, target.labels)


def same_domain(nodes_by_name, a: str, b: Node, key: str) -> bool:
    other = nodes_by_name[a]
    return key in other.labels and key in b.labels and other.labels[key] == b.labels[key]


def inter_pod_affinity_allows(pod: Pod, node: Node, nodes, pods, ns_labels) -> bool:
    by_name = {n.name: n for n in nodes}
    aff, anti = pod.affinity.pod_affinity, pod.affinity.pod_anti_affinity
    required = aff.required if aff else ()
    if required:
        if not all(t.topology_key in node.labels for t in required):
            return False
        matching = [p for p in pods if all(term_matches(t, pod.namespace, p, ns_labels) for t in required)]
        satisfied = all(any(same_domain(by_name, p.node_name, node, t.topology_key) for p in matching) for t in required)
        first_of_group = not matching and all(term_matches(t, pod.namespace, pod, ns_labels) for t in required)
        if not satisfied and not first_of_group:
            return False
    for t in anti.required if anti else ():
        if any(term_matches(t, pod.namespace, p, ns_labels) and same_domain(by_name, p.node_name, node, t.topology_key)
               for p in pods):
            return False
    for other in pods:
        other_anti = other.affinity.pod_anti_affinity
        for t in other_anti.required if other_anti else ():
            if term_matches(t, other.namespace, pod, ns_labels) and same_domain(by_name, other.node_name, node, t.topology_key):
                return False
    return True


# --- all filters ------------------------------------------------------------------------


def fits_resources(pod: Pod, node: Node, pods) -> bool:
    on_node = [p for p in pods if p.node_name == node.name]
    if len(on_node) + 1 > node.allocatable.get("pods", 0):
        return False
    for name, want in pod.requests.items():
        if want <= 0:
            continue
        used = sum(p.requests.get(name, 0) for p in on_node)
        if want > node.allocatable.get(name, 0) - used:
            return False
    return True


def passes_all_filters(pod: Pod, node: Node, nodes, pods, ns_labels) -> bool:
    if node.unschedulable and not tolerated(pod, UNSCHEDULABLE_TAINT_KEY, "", NO_SCHEDULE):
        return False
    if pod.node_name and pod.node_name != node.name:
        return False
    return (not has_untolerated_hard_taint(pod, node) and node_affinity_holds(pod, node)
            and fits_resources(pod, node, pods) and spread_allows(pod, node, nodes, pods)
            and inter_pod_affinity_allows(pod, node, nodes, pods, ns_labels))


def default_namespace_labels(namespace: str) -> dict[str, str]:
    return {"kubernetes.io/metadata.name": namespace}
