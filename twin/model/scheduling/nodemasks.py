"""Boolean node masks for pod-level node predicates, cached in the view per signature.

Every function returns an array over the view's nodes. Signatures are built from the
pod fields that matter, so all replicas of one template share one computation until a
node changes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from twin.model.cluster import ClusterView
from twin.model.labels import NodeSelectorTerm, Requirement
from twin.model.objects import NO_EXECUTE, NO_SCHEDULE, Pod, Taint, Toleration, tolerates_all

HARD_EFFECTS = (NO_SCHEDULE, NO_EXECUTE)


def requirement_mask(view: ClusterView, req: Requirement) -> np.ndarray:
    return view.column(req.key).where(lambda value: req.matches({} if value is None else {req.key: value}))


def field_mask(view: ClusterView, req: Requirement) -> np.ndarray:
    """matchFields: only `metadata.name` is a supported field."""
    if req.key != "metadata.name":
        return np.zeros(len(view.nodes), dtype=bool)
    return np.fromiter((req.matches({"metadata.name": n.name}) for n in view.nodes), dtype=bool, count=len(view.nodes))


def term_mask(view: ClusterView, term: NodeSelectorTerm) -> np.ndarray:
    """Nodes matching a term (cached per term); a term with no expressions and no fields
    matches no node."""
    return view.cached(("term", term), lambda: _term_mask(view, term))


def _term_mask(view: ClusterView, term: NodeSelectorTerm) -> np.ndarray:
    mask = np.ones(len(view.nodes), dtype=bool)
    if not term.match_expressions and not term.match_fields:
        return ~mask
    for req in term.match_expressions:
        mask &= requirement_mask(view, req)
    for req in term.match_fields:
        mask &= field_mask(view, req)
    return mask


def node_selector_mask(view: ClusterView, selector: Mapping[str, str]) -> np.ndarray:
    mask = np.ones(len(view.nodes), dtype=bool)
    for key, wanted in selector.items():
        mask &= view.column(key).where(lambda value, wanted=wanted: value == wanted)
    return mask


def affinity_signature(pod: Pod) -> tuple:
    node_affinity = pod.affinity.node_affinity
    required = node_affinity.required if node_affinity else None
    return ("required-affinity", tuple(sorted(pod.node_selector.items())), required)


def required_affinity_mask(view: ClusterView, pod: Pod) -> np.ndarray:
    """`RequiredNodeAffinity.Match`: the pod's nodeSelector AND its required node affinity
    terms (ORed), as used by the NodeAffinity filter and PodTopologySpread."""
    return view.cached(affinity_signature(pod), lambda: _required_affinity(view, pod))


def _required_affinity(view: ClusterView, pod: Pod) -> np.ndarray:
    mask = node_selector_mask(view, pod.node_selector)
    node_affinity = pod.affinity.node_affinity
    if node_affinity is not None and node_affinity.required is not None:
        any_term = np.zeros(len(view.nodes), dtype=bool)
        for term in node_affinity.required:
            any_term |= term_mask(view, term)
        mask &= any_term
    return mask


def untolerated_mask(view: ClusterView, tolerations: tuple[Toleration, ...], effects=HARD_EFFECTS) -> np.ndarray:
    """Nodes with at least one taint of `effects` that the tolerations do not tolerate
    (`FindMatchingUntoleratedTaint`)."""
    key = ("untolerated", tolerations, effects)
    return view.cached(key, lambda: _untolerated(view, tolerations, effects))


def _untolerated(view: ClusterView, tolerations, effects) -> np.ndarray:
    verdicts: dict[tuple[Taint, ...], bool] = {}
    out = np.zeros(len(view.nodes), dtype=bool)
    for n, node in enumerate(view.nodes):
        if node.taints:
            if node.taints not in verdicts:
                verdicts[node.taints] = any(
                    t.effect in effects and not tolerates_all(tolerations, t) for t in node.taints
                )
            out[n] = verdicts[node.taints]
    return out


def has_keys_mask(view: ClusterView, keys: frozenset[str]) -> np.ndarray:
    """Nodes carrying every label key in `keys`."""
    def compute() -> np.ndarray:
        mask = np.ones(len(view.nodes), dtype=bool)
        for key in sorted(keys):
            mask &= view.column(key).present()
        return mask
    return view.cached(("has-keys", keys), compute)
