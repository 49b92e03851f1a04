"""Per-domain counts of matching pods, kept up to date as pods come and go.

kube-scheduler's PodTopologySpread PreFilter walks every node for every pod
(`spec/scheduling.md` §2.2). The twin keeps the result instead: a `CountIndex` holds, for
one (namespace, selector, topology key, eligible nodes) combination, the number of
matching, non-terminating pods per domain, and the view updates every live index when a
pod is bound, removed or starts terminating. The counts equal a fresh walk at all times
(a property test checks this).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np

from twin.model.labels import LabelSelector
from twin.model.objects import Pod

PER_NODE = None  # topology "key" that makes every node its own domain


@dataclass(frozen=True, slots=True)
class CountKey:
    """What is counted: pods of `namespace` matching `selector` (None matches nothing),
    per value of `topology_key` (or per node), over the nodes of `eligibility`;
    `empty_selector_counts_zero` selects the v1.27 quirk (`spec/scheduling.md` §2.4)."""

    namespace: str
    selector: LabelSelector | None
    topology_key: str | None
    eligibility: Hashable
    empty_selector_counts_zero: bool = False


def counts_pod(selector: LabelSelector | None, pod: Pod, empty_selector_counts_zero: bool = False) -> bool:
    """`countPodsMatchSelector`: terminating pods never count; a null selector matches
    nothing; with the v1.27–2026 quirk (§2.4) an empty selector counts nothing either."""
    if selector is None or pod.deletion_timestamp is not None:
        return False
    if empty_selector_counts_zero and selector.is_empty():
        return False
    return selector.matches(pod.labels)


class CountIndex:
    """Counts per domain id. `present[d]` is True when some eligible node is in domain d
    (an eligible node creates its domain even with no matching pods)."""

    def __init__(self, key: CountKey, domains: np.ndarray, size: int, eligible: np.ndarray) -> None:
        self.key = key
        self.domains = domains
        self.eligible = eligible
        self.counts = np.zeros(size, dtype=np.int64)
        self.present = np.zeros(size, dtype=bool)
        self.present[domains[eligible]] = True
        self.present[0] = False  # id 0 is "label absent"
        self.domain_count = int(self.present.sum())
        # counts of present domains, a value above any count elsewhere: min() is the global minimum
        self.present_counts = np.where(self.present, 0, np.iinfo(np.int64).max)

    def matches(self, pod: Pod) -> bool:
        return pod.namespace == self.key.namespace and counts_pod(self.key.selector, pod, self.key.empty_selector_counts_zero)

    def fill(self, pods: Iterable[tuple[Pod, int]]) -> None:
        for pod, n in pods:
            self.apply(pod, n, 1)

    def apply(self, pod: Pod, n: int, delta: int) -> None:
        if self.eligible[n] and self.matches(pod):
            domain = self.domains[n]
            self.counts[domain] += delta
            if self.present[domain]:
                self.present_counts[domain] += delta

    def minimum(self) -> int | None:
        """The smallest count over present domains; None when no domain is present."""
        return int(self.present_counts.min()) if self.domain_count else None

    def as_dict(self, values: tuple[str | None, ...]) -> dict[str, int]:
        """{domain value: count} over present domains, as the upstream tests print it."""
        return {values[d]: int(self.counts[d]) for d in np.flatnonzero(self.present)}


class CountRegistry:
    """The live indexes: one per distinct `CountKey` used since the nodes last changed
    (the view clears them with its other node-derived caches, which may hold them)."""

    def __init__(self) -> None:
        self._indexes: dict[CountKey, CountIndex] = {}

    def get(self, key: CountKey) -> CountIndex | None:
        return self._indexes.get(key)

    def put(self, index: CountIndex) -> None:
        self._indexes[index.key] = index

    def drop(self, which) -> None:
        """Forget the indexes whose key satisfies `which`."""
        self._indexes = {key: index for key, index in self._indexes.items() if not which(key)}

    def on_pod(self, pod: Pod, n: int, delta: int) -> None:
        for index in self._indexes.values():
            index.apply(pod, n, delta)

    def clear(self) -> None:
        self._indexes.clear()
