"""Scheduler configuration: the parts of KubeSchedulerConfiguration the twin honours."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from twin.model.objects import TopologySpreadConstraint

# Default profile score weights (pkg/scheduler/apis/config/v1/default_plugins.go).
DEFAULT_SCORE_WEIGHTS = MappingProxyType({
    "TaintToleration": 3,
    "NodeAffinity": 2,
    "NodeResourcesFit": 1,
    "PodTopologySpread": 2,
    "InterPodAffinity": 2,
    "NodeResourcesBalancedAllocation": 1,
    "ImageLocality": 1,
})

SYSTEM, LIST = "System", "List"


@dataclass(frozen=True)
class SchedulerConfig:
    """
    * `percentage_of_nodes_to_score`: 0 is upstream's adaptive default (50 − nodes/125 %,
      at least 5 % and at least 100 nodes); 100 scores every feasible node.
    * `spread_defaulting` / `default_constraints`: PodTopologySpreadArgs
      (`spec/scheduling.md` §4). System uses the built-in soft defaults.
    * feature gates as in `spec/scheduling.md` §5 (both on in every supported release).
    * `empty_selector_counts_zero`: the v1.27 `labelSelector: {}` quirk (§2.4), off by
      default (the fixed behaviour).
    """

    percentage_of_nodes_to_score: int = 0
    spread_defaulting: str = SYSTEM
    default_constraints: tuple[TopologySpreadConstraint, ...] = ()
    node_inclusion_policy: bool = True
    match_label_keys: bool = True
    empty_selector_counts_zero: bool = False
    hard_pod_affinity_weight: int = 1
    score_weights: Mapping[str, int] = field(default_factory=lambda: DEFAULT_SCORE_WEIGHTS, hash=False)

    def weight(self, plugin: str) -> int:
        return self.score_weights.get(plugin, 0)
