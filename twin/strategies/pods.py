"""Strategies for pod parts (requests, affinities, spread constraints) and pods."""

from __future__ import annotations

from twin.model.labels import IN, NOT_IN, LabelSelector  # noqa: F401
from twin.model.objects import (
    DO_NOT_SCHEDULE,
    HONOR,
    HOSTNAME_KEY,
    IGNORE,
    REGION_KEY,
    SCHEDULE_ANYWAY,
    WORKER_ROLE_KEY,
    ZONE_KEY,
    Affinity,
    Container,
    NodeAffinity,
    OwnerReference,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    PreferredSchedulingTerm,
    TopologySpreadConstraint,
    WeightedPodAffinityTerm,
)
from twin.strategies.base import (
    DELETION_TIMESTAMP,
    LABEL_KEYS,
    LABEL_VALUES,
    NAMESPACE_NAME_KEY,
    NAMESPACES,
    NODE_LABEL_VALUES,
    OWNER_NAMES,
    SPREAD_KEYS,
    Gi,
    Mi,
    _chance,
    _int,
    _pick,
    _some,
    _strategy,
    _unique,
)
from twin.strategies.labels import (
    _draw_label_maps,
    _draw_label_selectors,
    _draw_node_selector_terms,
    _draw_tolerations,
)

# --- pod parts --------------------------------------------------------------------


def _draw_requests(draw, max_cpu: int = 500, max_memory: int = 512 * Mi) -> dict[str, int]:
    """Container requests: usually cpu (50m steps up to `max_cpu`) and memory (64Mi
    steps up to `max_memory`), rarely ephemeral-storage. A resource left out is not
    requested at all (the scheduler then scores it with its 100m/200Mi default)."""
    result = {}
    if not _chance(draw, 4):
        result["cpu"] = _int(draw, 0, max_cpu // 50) * 50
    if not _chance(draw, 4):
        result["memory"] = _int(draw, 0, max_memory // (64 * Mi)) * 64 * Mi
    if _chance(draw, 6):
        result["ephemeral-storage"] = _int(draw, 0, 4) * Gi
    return result


def _containers(draw, prefix: str, min_size: int, max_size: int, **limits) -> tuple[Container, ...]:
    count = _int(draw, min_size, max_size)
    return tuple(Container(f"{prefix}{i}", _draw_requests(draw, **limits)) for i in range(count))


def _owner(draw) -> tuple[OwnerReference, ...]:
    """Half the time a controller reference to a ReplicaSet named from OWNER_NAMES."""
    return (OwnerReference("ReplicaSet", _pick(draw, OWNER_NAMES)),) if _chance(draw, 2) else ()


def _draw_pod_affinity_terms(draw, topology_keys=(HOSTNAME_KEY, ZONE_KEY), namespaces=NAMESPACES) -> PodAffinityTerm:
    """A PodAffinityTerm: a selector (null one time in eight), 0-2 listed namespaces and,
    one time in four, a namespace selector over `kubernetes.io/metadata.name` (an empty
    one selects every namespace)."""
    selector = None if _chance(draw, 8) else _draw_label_selectors(draw)
    listed = tuple(_unique(_some(draw, lambda d: _pick(d, namespaces), 2)))
    ns_selector = _draw_label_selectors(draw, (NAMESPACE_NAME_KEY,), namespaces, 1, 1) if _chance(draw, 4) else None
    return PodAffinityTerm(_pick(draw, topology_keys), selector, listed, ns_selector)


def _draw_pod_affinities(draw, namespaces=NAMESPACES) -> PodAffinity:
    """podAffinity / podAntiAffinity: 0-2 required terms and 0-2 preferred terms with
    weights 1-100."""
    def term(d):
        return _draw_pod_affinity_terms(d, namespaces=namespaces)
    preferred = _some(draw, lambda d: WeightedPodAffinityTerm(_int(d, 1, 100), term(d)), 2)
    return PodAffinity(tuple(_some(draw, term, 2)), tuple(preferred))


def _draw_node_affinities(draw) -> NodeAffinity:
    """Required terms (1-2, unset half the time) and 0-2 preferred terms (weights 1-100)."""
    required = tuple(_some(draw, _draw_node_selector_terms, 2, 1)) if _chance(draw, 2) else None
    preferred = _some(draw, lambda d: PreferredSchedulingTerm(_int(d, 1, 100), _draw_node_selector_terms(d)), 2)
    return NodeAffinity(required, tuple(preferred))


def _draw_affinities(draw, namespaces=NAMESPACES, node_affinity: bool = True, pod_affinity: bool = True) -> Affinity:
    """An Affinity whose node, pod and anti-affinity parts each appear one time in three
    (a part switched off by its flag never appears)."""
    na = _draw_node_affinities(draw) if node_affinity and _chance(draw, 3) else None
    pa = _draw_pod_affinities(draw, namespaces) if pod_affinity and _chance(draw, 3) else None
    anti = _draw_pod_affinities(draw, namespaces) if pod_affinity and _chance(draw, 3) else None
    return Affinity(na, pa, anti)


def _draw_spread_constraints(draw, keys=SPREAD_KEYS, label_keys=LABEL_KEYS,
                             values=LABEL_VALUES) -> TopologySpreadConstraint:
    """A valid TopologySpreadConstraint over a topology key from `keys`: maxSkew 1-3,
    either mode, a selector (null one time in five), minDomains 1-4 only with
    DoNotSchedule (unset half the time), policies unset/Honor/Ignore, and one time in
    three matchLabelKeys (never with a null selector, never a key the selector uses)."""
    mode = _pick(draw, (DO_NOT_SCHEDULE, SCHEDULE_ANYWAY))
    selector = None if _chance(draw, 5) else _draw_label_selectors(draw, label_keys, values)
    min_domains = _int(draw, 1, 4) if mode == DO_NOT_SCHEDULE and _chance(draw, 2) else None
    policies = (None, HONOR, IGNORE)
    return TopologySpreadConstraint(
        _int(draw, 1, 3), _pick(draw, keys), mode, selector, min_domains,
        _pick(draw, policies), _pick(draw, policies), _match_label_keys(draw, selector, label_keys),
    )


def _match_label_keys(draw, selector: LabelSelector | None, label_keys) -> tuple[str, ...] | None:
    if selector is None or not _chance(draw, 3):
        return None
    taken = {r.key for r in selector.requirements}
    free = [k for k in label_keys if k not in taken]
    return tuple(_unique(_some(draw, lambda d: _pick(d, free), 2))) if free else ()


requests = _strategy(_draw_requests)
pod_affinity_terms = _strategy(_draw_pod_affinity_terms)
pod_affinities = _strategy(_draw_pod_affinities)
node_affinities = _strategy(_draw_node_affinities)
affinities = _strategy(_draw_affinities)
spread_constraints = _strategy(_draw_spread_constraints)


# --- pods -------------------------------------------------------------------------


def _draw_incoming_pods(draw, name: str = "incoming-0", namespaces=NAMESPACES, spread_keys=SPREAD_KEYS,
                        max_constraints: int = 3, node_affinity: bool = True, pod_affinity: bool = True) -> Pod:
    """A pod to schedule (unbound, Pending, not terminating): labels, 1-2 containers
    with requests, 0-3 tolerations, a node selector one time in four, `affinities()`
    (plus, one time in four, required hostname anti-affinity against its own labels),
    0..`max_constraints` spread constraints with distinct (topologyKey,
    whenUnsatisfiable), and sometimes an init container, overhead, owner, priority."""
    labels = _draw_label_maps(draw)
    affinity = _draw_affinities(draw, namespaces, node_affinity, pod_affinity)
    if pod_affinity and affinity.pod_anti_affinity is None and _chance(draw, 4):
        affinity = Affinity(affinity.node_affinity, affinity.pod_affinity, _hostname_anti_affinity(labels))
    constraints = _some(draw, lambda d: _draw_spread_constraints(d, spread_keys), max_constraints)
    priority = _int(draw, 0, 2_000_000_000) if _chance(draw, 4) else None
    return Pod(
        name=name, namespace=_pick(draw, namespaces), labels=labels,
        containers=_containers(draw, "c", 1, 2), init_containers=_containers(draw, "init", 0, 1),
        overhead=_draw_requests(draw, 100, 128 * Mi) if _chance(draw, 6) else {},
        tolerations=tuple(_some(draw, _draw_tolerations, 3)),
        node_selector=_node_selector(draw) if _chance(draw, 4) else {},
        affinity=affinity,
        topology_spread_constraints=tuple(_unique(constraints, lambda c: (c.topology_key, c.when_unsatisfiable))),
        owner_references=_owner(draw),
        priority_class_name=None if priority is None else _pick(draw, ("", "high", "system-cluster-critical")),
        priority=priority,
    )


def _node_selector(draw) -> dict[str, str]:
    key = _pick(draw, (ZONE_KEY, REGION_KEY, WORKER_ROLE_KEY))
    return {key: _pick(draw, NODE_LABEL_VALUES[key])}


def _hostname_anti_affinity(labels) -> PodAffinity:
    selector = LabelSelector.of(dict(labels)) if labels else LabelSelector.of({"app": "a"})
    return PodAffinity(required=(PodAffinityTerm(HOSTNAME_KEY, selector),))


def _draw_incoming_pod_lists(draw, min_size: int = 1, max_size: int = 5, **kwargs) -> list[Pod]:
    """`min_size`..`max_size` incoming pods named `incoming-0`, `incoming-1`, ...;
    `kwargs` go to `incoming_pods`."""
    count = _int(draw, min_size, max_size)
    return [_draw_incoming_pods(draw, f"incoming-{i}", **kwargs) for i in range(count)]


def _draw_existing_pods(draw, name: str = "pod-0", node_name: str = "node-a-0", namespaces=NAMESPACES) -> Pod:
    """A pod bound to `node_name`: Running (Pending one time in four), labels from the
    shared alphabet, 1-2 containers with small requests (≤ 250m, ≤ 256Mi), terminating
    one time in six (deletionTimestamp = DELETION_TIMESTAMP), owned by a ReplicaSet half
    the time, with required hostname anti-affinity one time in eight."""
    labels = _draw_label_maps(draw)
    anti = _hostname_anti_affinity(labels) if _chance(draw, 8) else None
    return Pod(
        name=name, namespace=_pick(draw, namespaces), labels=labels, node_name=node_name,
        containers=_containers(draw, "c", 1, 2, max_cpu=250, max_memory=256 * Mi),
        affinity=Affinity(pod_anti_affinity=anti),
        deletion_timestamp=DELETION_TIMESTAMP if _chance(draw, 6) else None,
        owner_references=_owner(draw),
        phase="Pending" if _chance(draw, 4) else "Running",
    )


incoming_pods = _strategy(_draw_incoming_pods)
incoming_pod_lists = _strategy(_draw_incoming_pod_lists)
existing_pods = _strategy(_draw_existing_pods)


