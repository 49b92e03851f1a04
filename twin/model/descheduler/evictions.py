"""The descheduler's pod evictor: the per-cycle eviction limits, then the Eviction API.

Source: kubernetes-sigs/descheduler@7d2b28bf `pkg/descheduler/evictions/evictions.go`
(`PodEvictor.EvictPod`, `ResetCounters`): the total limit is checked first, then the
node's, then the namespace's; a refused eviction (429 from a PodDisruptionBudget) counts
toward none of them. The counters start again at every cycle (`runDeschedulerLoop`). The
operator exposes `evictionLimits.total` and `.node` (`setEvictionsLimits`); the
namespace limit has no field in the KubeDescheduler CR.

The evictor is handed `request(pod) -> bool`, the shell's Eviction API (True: accepted).
In Predictive mode (`--dry-run`) upstream evicts in a sandbox client that always accepts
(`kubeclientsandbox.go` `podEvictionReactionFnc`), so the shell answers True there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from twin.model.objects import Pod

EVICTED, REFUSED = "evicted", "refused"
NODE_LIMIT, NAMESPACE_LIMIT, TOTAL_LIMIT = "node limit", "namespace limit", "total limit"


@dataclass(frozen=True)
class EvictionLimits:
    """maxNoOfPodsToEvictPerNode / PerNamespace / Total (None: no limit)."""

    per_node: int | None = None
    per_namespace: int | None = None
    total: int | None = None


@dataclass(frozen=True)
class Eviction:
    """A pod the descheduler evicted (or, Predictive, would have): who asked for it."""

    pod: str
    node: str
    strategy: str
    profile: str


@dataclass
class PodEvictor:
    limits: EvictionLimits
    request: Callable[[Pod], bool]
    evicted: list[Eviction] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    _node: dict[str, int] = field(default_factory=dict)
    _namespace: dict[str, int] = field(default_factory=dict)

    def evict(self, pod: Pod, strategy: str, profile: str) -> str:
        """`EvictPod`: one of EVICTED, REFUSED or the limit that stopped it."""
        limits = self.limits
        if limits.total is not None and len(self.evicted) + 1 > limits.total:
            return TOTAL_LIMIT
        node = pod.node_name or ""
        if node and limits.per_node is not None and self._node.get(node, 0) + 1 > limits.per_node:
            return NODE_LIMIT
        if limits.per_namespace is not None and self._namespace.get(pod.namespace, 0) + 1 > limits.per_namespace:
            return NAMESPACE_LIMIT
        if not self.request(pod):
            self.refused.append(pod.key)
            return REFUSED
        if node:
            self._node[node] = self._node.get(node, 0) + 1
        self._namespace[pod.namespace] = self._namespace.get(pod.namespace, 0) + 1
        self.evicted.append(Eviction(pod.key, node, strategy, profile))
        return EVICTED

    def keys(self) -> set[str]:
        return {e.pod for e in self.evicted}
