"""The KubeDescheduler CR as the Kube Descheduler Operator turns it into a descheduler
policy, and one descheduling cycle run over a snapshot.

Sources: openshift/cluster-kube-descheduler-operator@945dcaa9
`pkg/operator/target_config_reconciler.go`: `NewTargetConfigReconciler` (line 125: the
protected namespaces kube-system, hypershift, openshift and every openshift-* namespace
present when the operator starts), `manageConfigMap` (PVC pods ignored unless
EvictPodsWithPVC is listed, local-storage pods evicted only with
EvictPodsWithLocalStorage; included and excluded namespaces), `topologyAndDuplicatesProfile`
(balance plugins RemovePodsViolatingTopologySpreadConstraint with constraints
[DoNotSchedule], then RemoveDuplicates; DefaultEvictor with ignorePvcPods and
evictLocalStoragePods only), `softTopologyAndDuplicatesProfile` (the same with
[DoNotSchedule, ScheduleAnyway]), `defaultEvictorOverrides` (thresholdPriority),
`setEvictionsLimits`. The cycle: kubernetes-sigs/descheduler@7d2b28bf
`pkg/descheduler/descheduler.go` `runProfiles` (fewer than 2 Ready nodes: skip the
cycle; every profile's deschedule plugins, then every profile's balance plugins).

ASSUMPTIONs: every openshift-* namespace existed when the operator started (it lists them
once); an eviction is seen by the plugins that run after it in the same cycle (the pod is
Terminating in the informer cache by then), in Predictive mode too (the sandbox deletes it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from twin.model.descheduler.duplicates import PLUGIN as DUPLICATES, DuplicatesArgs, duplicate_candidates
from twin.model.descheduler.evictions import TOTAL_LIMIT, EvictionLimits, PodEvictor
from twin.model.descheduler.evictor import EvictorArgs, evictable
from twin.model.descheduler.nodefit import Snapshot, fits_any_other_node
from twin.model.descheduler.topology import PLUGIN as SPREAD, SpreadArgs, spread_candidates
from twin.model.objects import DO_NOT_SCHEDULE, SCHEDULE_ANYWAY, Pod

PROTECTED_NAMESPACES = ("kube-system", "hypershift", "openshift")
PROTECTED_PREFIX = "openshift-"
TOPOLOGY, SOFT_TOPOLOGY = "TopologyAndDuplicates", "SoftTopologyAndDuplicates"
WITH_PVC, WITH_LOCAL_STORAGE = "EvictPodsWithPVC", "EvictPodsWithLocalStorage"
MODELLED = (TOPOLOGY, SOFT_TOPOLOGY, WITH_PVC, WITH_LOCAL_STORAGE)
NOT_MODELLED = ("AffinityAndTaints", "LifecycleAndUtilization", "DevPreviewLongLifecycle", "LongLifecycle",
                "CompactAndScale", "KubeVirtRelieveAndMigrate", "DevKubeVirtRelieveAndMigrate")
"""The rest of the CRD's `DeschedulerProfile` enum (`types_descheduler.go`)."""
CONFLICTS = (("DevPreviewLongLifecycle", "LifecycleAndUtilization"), ("LongLifecycle", "LifecycleAndUtilization"),
             ("DevPreviewLongLifecycle", "DevKubeVirtRelieveAndMigrate"), ("LongLifecycle", "DevKubeVirtRelieveAndMigrate"),
             ("LifecycleAndUtilization", "DevKubeVirtRelieveAndMigrate"),
             ("KubeVirtRelieveAndMigrate", "DevKubeVirtRelieveAndMigrate"),
             ("DevPreviewLongLifecycle", "KubeVirtRelieveAndMigrate"), ("LongLifecycle", "KubeVirtRelieveAndMigrate"),
             ("LifecycleAndUtilization", "KubeVirtRelieveAndMigrate"), (SOFT_TOPOLOGY, TOPOLOGY),
             ("CompactAndScale", "LifecycleAndUtilization"), ("CompactAndScale", "LongLifecycle"),
             ("CompactAndScale", "DevPreviewLongLifecycle"), ("CompactAndScale", "DevKubeVirtRelieveAndMigrate"),
             ("CompactAndScale", "KubeVirtRelieveAndMigrate"), ("CompactAndScale", TOPOLOGY))
"""The `profiles` x-kubernetes-validations rules of the CRD: pairs that may not be listed together."""


def protected(namespace: str) -> bool:
    return namespace in PROTECTED_NAMESPACES or namespace.startswith(PROTECTED_PREFIX)


@dataclass(frozen=True)
class ProfilePlan:
    """One descheduler profile: its balance plugins' arguments, the DefaultEvictor's, and
    the namespaces its plugins list (`included` empty: all but `excluded`)."""

    name: str
    spread: SpreadArgs
    duplicates: DuplicatesArgs
    evictor: EvictorArgs
    included: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()

    def in_scope(self, namespace: str) -> bool:
        """`BuildFilterFunc`'s namespace test; the protected namespaces are excluded
        unless the CR lists included namespaces (which may not name a protected one)."""
        if self.included:
            return namespace in self.included and namespace not in self.excluded
        return not protected(namespace) and namespace not in self.excluded


@dataclass(frozen=True)
class Policy:
    profiles: tuple[ProfilePlan, ...]
    limits: EvictionLimits = EvictionLimits()


def operator_policy(profiles: tuple[str, ...], limits: EvictionLimits = EvictionLimits(),
                    included: tuple[str, ...] = (), excluded: tuple[str, ...] = (),
                    threshold_priority: int | None = None) -> Policy:
    """`manageConfigMap` for the modelled profiles (the CR is assumed valid: see
    `twin/scenarios/descheduler_spec.py`)."""
    evictor = EvictorArgs(evict_local_storage_pods=WITH_LOCAL_STORAGE in profiles,
                          ignore_pvc_pods=WITH_PVC not in profiles, priority_threshold=threshold_priority)
    plans = []
    for name in profiles:
        if name in (TOPOLOGY, SOFT_TOPOLOGY):
            kinds = (DO_NOT_SCHEDULE,) if name == TOPOLOGY else (DO_NOT_SCHEDULE, SCHEDULE_ANYWAY)
            plans.append(ProfilePlan(name, SpreadArgs(kinds), DuplicatesArgs(), evictor, frozenset(included),
                                     frozenset(excluded)))
    return Policy(tuple(plans), limits)


def run_cycle(snapshot: Snapshot, policy: Policy, request: Callable[[Pod], bool]) -> PodEvictor:
    """One `runDeschedulerLoop`: fresh counters, the balance plugins of every profile in
    order; returns the evictor holding what was evicted (and refused)."""
    evictor = PodEvictor(policy.limits, request)
    if len(snapshot.nodes) <= 1:
        return evictor
    for plan in policy.profiles:
        for strategy in (SPREAD, DUPLICATES):
            if not run_plugin(plan, strategy, _seen_evicted(snapshot, evictor.keys()), evictor):
                break
    return evictor


def run_plugin(plan: ProfilePlan, strategy: str, snapshot: Snapshot, evictor: PodEvictor) -> bool:
    """False when the total limit stopped it."""
    def filtered(pod: Pod) -> bool:
        return plan.in_scope(pod.namespace) and evictable(pod, plan.evictor)

    def pre_eviction(pod: Pod) -> bool:
        return not plan.evictor.node_fit or fits_any_other_node(pod, snapshot.nodes, snapshot)

    if strategy == SPREAD:
        candidates = spread_candidates(snapshot, plan.spread, filtered, lambda p: evictable(p, plan.evictor))
    else:
        candidates = duplicate_candidates(snapshot, plan.duplicates, lambda p: filtered(p) and pre_eviction(p))
    for pod in candidates:
        if pre_eviction(pod) and evictor.evict(pod, strategy, plan.name) == TOTAL_LIMIT:
            return False
    return True


def _seen_evicted(snapshot: Snapshot, evicted: set[str]) -> Snapshot:
    if not evicted:
        return snapshot
    pods = {node: tuple(replace(p, deletion_timestamp="evicted") if p.key in evicted else p for p in ps)
            for node, ps in snapshot.pods.items()}
    return Snapshot(snapshot.nodes, pods)
