"""The cluster autoscaler's settings: the upstream flag defaults, overridden by what the
cluster-autoscaler-operator passes from a ClusterAutoscaler CR.

Sources (read for this module):

* upstream defaults: kubernetes/autoscaler `cluster-autoscaler/FAQ.md` (flag table) and
  openshift/kubernetes-autoscaler `cluster-autoscaler/config/flags/flags.go` (commit
  3ecfcbf4): scan-interval 10s, scale-down-enabled true, delay-after-add 10m,
  delay-after-delete 0s, delay-after-failure 3m, unneeded-time 10m, utilization-threshold
  0.5, max-node-provision-time 15m, expendable-pods-priority-cutoff -10, max-nodes-total 0
  (unlimited), max-graceful-termination-sec 600, max-pod-eviction-time 2m,
  max-scale-down-parallelism 10, max-drain-parallelism 1, skip-nodes-with-local-storage
  true, skip-nodes-with-system-pods true, ignore-daemonsets-utilization false,
  balance-similar-node-groups false, unremovable-node-recheck-timeout 5m, node group backoff 5m initial / 30m max / reset 3h,
  and **expander least-waste**: the OpenShift fork keeps upstream's default
  (`expanderFlag = flag.String("expander", expander.LeastWasteExpanderName, ...)`), although
  the CAO API comment says "If not specified, the default value is `Random`": the operator
  passes no `--expander` when `spec.expanders` is empty, so the binary's default applies.
* openshift/cluster-autoscaler-operator `pkg/controller/clusterautoscaler/clusterautoscaler.go`
  (`AutoscalerArgs`, `ScaleDownArgs`, `appendBasicIgnoreLabels`; commit 5673ba0d): fields are
  passed only when set; `scaleDown.enabled: false` passes only `--scale-down-enabled=false`;
  `balanceSimilarNodeGroups` (when set, on AWS) also passes seven AWS balancing-ignore
  labels; expanders LeastWaste / Priority / Random become least-waste / priority / random.
* `actuation/drain.go`: DefaultEvictionRetryTime 10s, DefaultPodEvictionHeadroom 30s.
"""

from __future__ import annotations

from dataclasses import dataclass

# Upstream flag defaults (seconds where a duration).
SCAN_INTERVAL = 10.0
DELAY_AFTER_ADD = 600.0
DELAY_AFTER_DELETE = 0.0
DELAY_AFTER_FAILURE = 180.0
UNNEEDED_TIME = 600.0
UNREADY_TIME = 1200.0  # --scale-down-unready-time 20m (FAQ.md); the ClusterAutoscaler CR has no field for it
UTILIZATION_THRESHOLD = 0.5
MAX_NODE_PROVISION_TIME = 900.0
EXPENDABLE_PODS_PRIORITY_CUTOFF = -10
MAX_GRACEFUL_TERMINATION = 600
MAX_POD_EVICTION_TIME = 120.0
EVICTION_RETRY_TIME = 10.0
POD_EVICTION_HEADROOM = 30.0
MAX_SCALE_DOWN_PARALLELISM = 10
MAX_DRAIN_PARALLELISM = 1
UNREMOVABLE_NODE_RECHECK_TIMEOUT = 300.0
INITIAL_BACKOFF = 300.0
MAX_BACKOFF = 1800.0
BACKOFF_RESET = 10800.0
DEFAULT_EXPANDERS = ("least-waste",)

# The CR's expander names and the flag values the operator passes for them.
EXPANDER_FLAGS = {"LeastWaste": "least-waste", "Priority": "priority", "Random": "random"}

# `appendBasicIgnoreLabels` for configv1.AWSPlatformType (ROSA runs on AWS).
AWS_BALANCING_IGNORE_LABELS = (
    "topology.ebs.csi.aws.com/zone",
    "lifecycle",
    "k8s.amazonaws.com/eniConfig",
    "eks.amazonaws.com/nodegroup",
    "alpha.eksctl.io/nodegroup-name",
    "alpha.eksctl.io/instance-id",
    "topology.k8s.aws/zone-id",
)


@dataclass(frozen=True)
class AutoscalerSettings:
    """Everything the autoscaler's decisions read, defaulted as upstream's flags.

    `expanders`: flag names in chain order (least-waste, priority, random, most-pods);
    `priorities`: the priority expander's ConfigMap `priorities` (priority -> group-id
    regular expressions), sorted by priority; `balancing_ignored_labels`: labels the
    similarity comparator ignores beyond its own set; `max_nodes_total` 0: unlimited."""

    scan_interval: float = SCAN_INTERVAL
    scale_down_enabled: bool = True
    delay_after_add: float = DELAY_AFTER_ADD
    delay_after_delete: float = DELAY_AFTER_DELETE
    delay_after_failure: float = DELAY_AFTER_FAILURE
    unneeded_time: float = UNNEEDED_TIME
    unready_time: float = UNREADY_TIME
    utilization_threshold: float = UTILIZATION_THRESHOLD
    max_node_provision_time: float = MAX_NODE_PROVISION_TIME
    expendable_pods_priority_cutoff: int = EXPENDABLE_PODS_PRIORITY_CUTOFF
    max_nodes_total: int = 0
    max_graceful_termination: int = MAX_GRACEFUL_TERMINATION
    balance_similar_node_groups: bool = False
    balancing_ignored_labels: tuple[str, ...] = ()
    expanders: tuple[str, ...] = DEFAULT_EXPANDERS
    priorities: tuple[tuple[int, tuple[str, ...]], ...] = ()
    ignore_daemonsets_utilization: bool = False
    skip_nodes_with_local_storage: bool = True
    skip_nodes_with_system_pods: bool = True
    max_pod_eviction_time: float = MAX_POD_EVICTION_TIME
    eviction_retry_time: float = EVICTION_RETRY_TIME
    pod_eviction_headroom: float = POD_EVICTION_HEADROOM
    max_scale_down_parallelism: int = MAX_SCALE_DOWN_PARALLELISM
    max_drain_parallelism: int = MAX_DRAIN_PARALLELISM
    unremovable_node_recheck_timeout: float = UNREMOVABLE_NODE_RECHECK_TIMEOUT
    initial_backoff: float = INITIAL_BACKOFF
    max_backoff: float = MAX_BACKOFF
    backoff_reset: float = BACKOFF_RESET
