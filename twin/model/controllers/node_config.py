"""Knobs of the node-lifecycle controller (kube-controller-manager `nodelifecycle`),
with their defaults from `spec/lifecycle.md` §0 and §b.

The only version-dependent default is the node-monitor grace period; it is a parameter
(`monitor_grace_period`, `NodeLifecycleConfig.for_kubernetes`), not a fork.
"""

from __future__ import annotations

from dataclasses import dataclass

NODE_MONITOR_PERIOD = 5.0  # --node-monitor-period: how often node health is evaluated
NODE_STARTUP_GRACE_PERIOD = 60.0  # --node-startup-grace-period: while Ready was never posted
NODE_EVICTION_RATE = 0.1  # --node-eviction-rate: nodes/s per zone (token bucket, burst 1)
SECONDARY_NODE_EVICTION_RATE = 0.01  # --secondary-node-eviction-rate: large, partially disrupted zones
UNHEALTHY_ZONE_THRESHOLD = 0.55  # --unhealthy-zone-threshold: share of not-Ready nodes
LARGE_CLUSTER_SIZE_THRESHOLD = 50  # --large-cluster-size-threshold: compared with the zone's size
EVICTION_RATE_LIMITER_BURST = 1  # scheduler.EvictionRateLimiterBurst
NO_EXECUTE_TAINTING_PERIOD = 0.1  # scheduler.NodeEvictionPeriod: the NoExecute tainting pass runs every 100 ms

GRACE_PERIOD_UP_TO_1_31 = 40.0
GRACE_PERIOD_FROM_1_32 = 50.0


def monitor_grace_period(kubernetes_minor: int) -> float:
    """--node-monitor-grace-period default for Kubernetes 1.<minor> (spec/lifecycle.md §0):
    40 s up to 1.31, 50 s from 1.32 (k/k PR #126287).

    >>> monitor_grace_period(31), monitor_grace_period(32)
    (40.0, 50.0)

    OpenShift 4.19 ships 1.32; 4.18.z received the 50 s default by a backport
    (openshift/kubernetes#2385), so a 4.18.z model should pass the grace explicitly.
    """
    return GRACE_PERIOD_FROM_1_32 if kubernetes_minor >= 32 else GRACE_PERIOD_UP_TO_1_31


@dataclass(frozen=True, slots=True)
class NodeLifecycleConfig:
    """All knobs at once; the default instance is Kubernetes 1.32+ (OpenShift 4.19+).

    >>> NodeLifecycleConfig.for_kubernetes(31).monitor_grace_period
    40.0
    """

    monitor_period: float = NODE_MONITOR_PERIOD
    monitor_grace_period: float = GRACE_PERIOD_FROM_1_32
    startup_grace_period: float = NODE_STARTUP_GRACE_PERIOD
    eviction_rate: float = NODE_EVICTION_RATE
    secondary_eviction_rate: float = SECONDARY_NODE_EVICTION_RATE
    unhealthy_zone_threshold: float = UNHEALTHY_ZONE_THRESHOLD
    large_cluster_size_threshold: int = LARGE_CLUSTER_SIZE_THRESHOLD
    tainting_period: float = NO_EXECUTE_TAINTING_PERIOD

    @classmethod
    def for_kubernetes(cls, kubernetes_minor: int) -> NodeLifecycleConfig:
        return cls(monitor_grace_period=monitor_grace_period(kubernetes_minor))


DEFAULT_CONFIG = NodeLifecycleConfig()
