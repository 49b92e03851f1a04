"""Pod (anti-)affinity terms as kube-scheduler evaluates them (`framework.AffinityTerm`).

A term of a pod in namespace `owner_ns` matches pod p when p's namespace is in the
term's namespaces (its owner's namespace when the list is empty and there is no
namespace selector) or the namespace selector matches p's namespace labels, and the label
selector (null: nothing) matches p's labels.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np

from twin.model.cluster import ClusterView
from twin.model.labels import selector_matches
from twin.model.objects import Pod, PodAffinityTerm

TopologyCounts = Counter  # (topology key, value) -> count


def term_matches(term: PodAffinityTerm, owner_ns: str, pod: Pod, ns_labels: Callable[[str], dict]) -> bool:
    namespaces = term.namespaces
    if not namespaces and term.namespace_selector is None:
        namespaces = (owner_ns,)
    in_namespace = pod.namespace in namespaces or selector_matches(term.namespace_selector, ns_labels(pod.namespace))
    return in_namespace and selector_matches(term.label_selector, pod.labels)


def matches_all(terms: tuple[PodAffinityTerm, ...], owner_ns: str, pod: Pod, ns_labels) -> bool:
    """`podMatchesAllAffinityTerms`: false for no terms."""
    return bool(terms) and all(term_matches(t, owner_ns, pod, ns_labels) for t in terms)


def add_pair(counts: TopologyCounts, view: ClusterView, n: int, key: str, weight: int = 1) -> None:
    """Count (key, node n's value) if node n has the key."""
    value = view.nodes[n].labels.get(key)
    if value is not None:
        counts[(key, value)] += weight


def pairs_mask(view: ClusterView, pairs: Iterable[tuple[str, str]]) -> np.ndarray:
    """Nodes carrying any of the (key, value) label pairs."""
    mask = np.zeros(len(view.nodes), dtype=bool)
    for key, value in pairs:
        column = view.column(key)
        found = column.id_of(value)
        if found:
            mask |= column.ids == found
    return mask


def required_terms(affinity) -> tuple[PodAffinityTerm, ...]:
    return affinity.required if affinity is not None else ()


def preferred_terms(affinity):
    return affinity.preferred if affinity is not None else ()
