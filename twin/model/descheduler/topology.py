"""RemovePodsViolatingTopologySpreadConstraint: evict the fewest pods that bring each
topology spread constraint back within its maxSkew.

Source: kubernetes-sigs/descheduler@7d2b28bf `pkg/framework/plugins/
removepodsviolatingtopologyspreadconstraint/topologyspreadconstraint.go` (`Balance`,
`newTopologySpreadConstraint`, `matchNodeInclusionPolicies`, `topologyIsBalanced`,
`balanceDomains`, `sortDomains`, `filterNodesBelowIdealAvg`), the same in the
openshift/descheduler fork the operator vendors.

Where Go leaves an order to a map (namespaces, domains of equal size, the set of pods
chosen), the twin takes names: namespaces and domains of equal size by name, pods in the
order they were chosen. Pods of equal rank within a domain keep their listing order
(node by node, by name), as Go's insertion sort does for the slices of upstream's tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from twin.model.labels import IN, LabelSelector, NodeSelectorTerm, Requirement, terms_match
from twin.model.objects import DO_NOT_SCHEDULE, HONOR, IGNORE, Node, Pod, Toleration
from twin.model.descheduler.nodefit import Snapshot, fits_any_other_node, untolerated

PLUGIN = "RemovePodsViolatingTopologySpreadConstraint"


@dataclass(frozen=True)
class SpreadArgs:
    """RemovePodsViolatingTopologySpreadConstraintArgs. `constraints`: the
    whenUnsatisfiable values considered (default DoNotSchedule); `topology_balance_node_fit`
    (default true: a chosen pod that fits no node of a below-average domain stays)."""

    constraints: tuple[str, ...] = (DO_NOT_SCHEDULE,)
    topology_balance_node_fit: bool = True
    label_selector: LabelSelector | None = None  # None: every pod


@dataclass(frozen=True)
class Constraint:
    """The parsed constraint (`topologySpreadConstraint`); two equal ones are counted
    once per namespace (`hasIdenticalConstraints`). The pod's node affinity is kept only
    under nodeAffinityPolicy Honor (the default), its tolerations only under
    nodeTaintsPolicy Honor (default Ignore)."""

    max_skew: int
    topology_key: str
    selector: LabelSelector | None
    node_affinity_policy: str = HONOR
    node_taints_policy: str = IGNORE
    node_selector: tuple[tuple[str, str], ...] = ()
    required_terms: tuple[NodeSelectorTerm, ...] | None = None
    tolerations: tuple[Toleration, ...] = ()

    def includes(self, node: Node) -> bool:
        """`matchNodeInclusionPolicies`."""
        if self.node_affinity_policy == HONOR:
            if any(node.labels.get(k) != v for k, v in self.node_selector):
                return False
            if self.required_terms is not None and not terms_match(self.required_terms, node.name, node.labels):
                return False
        return not (self.node_taints_policy == HONOR and untolerated(self.tolerations, node.taints))


def parse(c, pod: Pod) -> Constraint:
    """`newTopologySpreadConstraint`: matchLabelKeys' values from the pod's labels ANDed to
    the selector (a null selector stays null: it matches nothing)."""
    selector = c.label_selector
    extra = tuple(Requirement(k, IN, (pod.labels[k],)) for k in c.match_label_keys or () if k in pod.labels)
    if selector is not None and extra:
        selector = selector.and_requirements(extra)
    affinity, taints = c.node_affinity_policy or HONOR, c.node_taints_policy or IGNORE
    na = pod.affinity.node_affinity
    honour = affinity == HONOR
    return Constraint(c.max_skew, c.topology_key, selector, affinity, taints,
                      tuple(sorted(pod.node_selector.items())) if honour else (),
                      (na.required if na is not None else None) if honour else None,
                      pod.tolerations if taints == HONOR else ())


def spread_candidates(snapshot: Snapshot, args: SpreadArgs, listed: Callable[[Pod], bool],
                      evictable: Callable[[Pod], bool]) -> list[Pod]:
    """`Balance` up to the evictions: the pods to evict, in the order chosen. `listed` is
    the plugin's pod filter (namespaces, label selector and the evictor's `Filter`)."""
    chooses = args.label_selector
    pods = [p for p in snapshot.listed() if (chooses is None or chooses.matches(p.labels)) and listed(p)]
    chosen: dict[str, Pod] = {}
    for namespace in sorted({p.namespace for p in pods}):
        in_namespace = [p for p in pods if p.namespace == namespace]
        for constraint in namespace_constraints(in_namespace, args.constraints):
            domains = constraint_domains(constraint, snapshot.nodes, in_namespace)
            if not balanced(domains, constraint.max_skew):
                for pod in balance_domains(constraint, domains, snapshot, args.topology_balance_node_fit, evictable):
                    chosen.setdefault(pod.key, pod)
    return list(chosen.values())


def namespace_constraints(pods: list[Pod], allowed: tuple[str, ...]) -> list[Constraint]:
    found: list[Constraint] = []
    for pod in pods:
        for c in pod.topology_spread_constraints:
            if c.when_unsatisfiable in allowed:
                parsed = parse(c, pod)
                if parsed not in found:
                    found.append(parsed)
    return found


def constraint_domains(c: Constraint, nodes: tuple[Node, ...], pods: list[Pod]) -> dict[str, list[Pod]]:
    """Domains of the included nodes (empty ones too), then every non-terminating pod the
    selector matches on a node of the cycle that carries the key (its domain is added
    even when the policies leave its node out, as upstream does)."""
    domains: dict[str, list[Pod]] = {n.labels[c.topology_key]: [] for n in nodes if c.topology_key in n.labels and c.includes(n)}
    by_name = {n.name: n for n in nodes}
    for pod in pods:
        node = by_name.get(pod.node_name or "")
        if pod.terminating or node is None or c.topology_key not in node.labels:
            continue
        if c.selector is not None and c.selector.matches(pod.labels):
            domains.setdefault(node.labels[c.topology_key], []).append(pod)
    return domains


def balanced(domains: dict[str, list[Pod]], max_skew: int) -> bool:
    """`topologyIsBalanced`: no two domains differ by more than maxSkew."""
    sizes = [len(pods) for pods in domains.values()]
    return not sizes or max(sizes) - min(sizes) <= max_skew


def balance_domains(c: Constraint, domains: dict[str, list[Pod]], snapshot: Snapshot, node_fit: bool,
                    evictable: Callable[[Pod], bool]) -> list[Pod]:
    """`balanceDomains`: walk the domains from the smallest (i) and the largest (j),
    moving from j to i the least of: half the excess skew, what j holds above the ideal
    average, what i lacks below it (each rounded up). Pods fitting a node of a
    below-average domain go first; with topologyBalanceNodeFit the others are counted as
    moved but stay."""
    sum_pods = sum(len(p) for p in domains.values())
    ideal = sum_pods / len(domains)
    ordered = sort_domains(domains, evictable)
    below = [n for n in snapshot.nodes if c.includes(n) and c.topology_key in n.labels
             and len(domains.get(n.labels[c.topology_key], ())) < ideal]
    chosen: list[Pod] = []
    i, j = 0, len(ordered) - 1
    while i < j:
        if len(ordered[j][1]) <= ideal:
            j -= 1
        skew = len(ordered[j][1]) - len(ordered[i][1])
        if skew <= c.max_skew:
            i += 1
            continue
        move = move_count(len(ordered[j][1]), len(ordered[i][1]), ideal, skew, c.max_skew)
        if move <= 0:
            i += 1
            continue
        fits = {p.key: fits_any_other_node(p, below, snapshot) for p in ordered[j][1]}
        ordered[j][1].sort(key=lambda p: fits[p.key])
        leaving = ordered[j][1][-move:]
        chosen += [p for p in leaving if not node_fit or fits[p.key]]
        del ordered[j][1][-move:]
        ordered[i][1].extend(leaving)
    return chosen


def move_count(above: int, smaller: int, ideal: float, skew: int, max_skew: int) -> int:
    """min(ceil(above - ideal), ceil(ideal - smaller), ceil((skew - maxSkew) / 2)).
    [0, 1, 100] with maxSkew 1 (ideal 33.67): 34 from 100 to 0, then 32 to 1."""
    return int(min(math.ceil(above - ideal), math.ceil(ideal - smaller), math.ceil((skew - max_skew) / 2)))


def sort_domains(domains: dict[str, list[Pod]], evictable: Callable[[Pod], bool]) -> list[tuple[str, list[Pod]]]:
    """`sortDomains`: domains by size (ties by name); in each, pods in eviction order last:
    non-evictable first, then those with a nodeSelector or node affinity, each group by
    ascending priority (unset first); eviction takes from the end."""
    ordered = [(value, sorted(pods, key=lambda p: _rank(p, evictable))) for value, pods in domains.items()]
    return sorted(ordered, key=lambda d: (len(d[1]), d[0]))


def _rank(pod: Pod, evictable: Callable[[Pod], bool]) -> tuple:
    has = bool(pod.node_selector) or pod.affinity.node_affinity is not None
    return (evictable(pod), not has, -math.inf if pod.priority is None else pod.priority)

