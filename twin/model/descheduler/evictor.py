"""Which pods the descheduler may evict: the DefaultEvictor plugin's `Filter` and
`PreEvictionFilter`, with the arguments the Kube Descheduler Operator gives it.

Sources: kubernetes-sigs/descheduler@7d2b28bf `pkg/framework/plugins/defaultevictor/
defaultevictor.go` (`Filter`, `PreEvictionFilter`, `legacyGetPodProtections`, the
`apply*Protection` functions) and `pkg/utils/pod.go` (`IsMirrorPod`, `IsStaticPod`,
`IsCriticalPriorityPod`, `IsDaemonsetPod`, `IsPodWithLocalStorage`, `IsPodWithPVC`). The
operator (openshift/cluster-kube-descheduler-operator@945dcaa9) vendors the
openshift/descheduler fork, whose copies of these files are identical but for the
namespaceLabelSelector test (matchLabels only), which the operator never sets.
"""

from __future__ import annotations

from dataclasses import dataclass

from twin.model.objects import Pod

MIRROR_ANNOTATION = "kubernetes.io/config.mirror"  # v1.MirrorPodAnnotationKey
SOURCE_ANNOTATION = "kubernetes.io/config.source"
EVICT_ANNOTATION = "descheduler.alpha.kubernetes.io/evict"
SYSTEM_CRITICAL_PRIORITY = 2 * 1_000_000_000  # pkg/utils/priority.go SystemCriticalPriority
SYSTEM_PRIORITY_CLASSES = {"system-cluster-critical": SYSTEM_CRITICAL_PRIORITY,
                           "system-node-critical": SYSTEM_CRITICAL_PRIORITY + 1000}
"""The two PriorityClasses the API server creates (scheduling/v1 `SystemPriorityClasses`)."""


@dataclass(frozen=True, slots=True)
class EvictorArgs:
    """DefaultEvictorArgs in its legacy (boolean) form, the one the operator writes:
    `ignorePvcPods` and `evictLocalStoragePods` from the EvictPodsWithPVC /
    EvictPodsWithLocalStorage profiles (`target_config_reconciler.go` `manageConfigMap`:
    PVC pods are ignored unless EvictPodsWithPVC is listed), `priorityThreshold` from
    `profileCustomizations.thresholdPriority`; `nodeFit` is never set by the operator."""

    evict_local_storage_pods: bool = False
    evict_daemonset_pods: bool = False
    evict_system_critical_pods: bool = False
    evict_failed_bare_pods: bool = False
    ignore_pvc_pods: bool = False
    node_fit: bool = False
    priority_threshold: int | None = None


def admitted_priority(pod: Pod) -> int:
    """`spec.priority` as the Priority admission plugin sets it: the class's value (the
    two system classes known here), 0 without a class (no globalDefault class assumed).
    ASSUMPTION: user PriorityClasses other than the system ones resolve to 0."""
    if pod.priority is not None:
        return pod.priority
    return SYSTEM_PRIORITY_CLASSES.get(pod.priority_class_name or "", 0)


def refusals(pod: Pod, args: EvictorArgs) -> tuple[str, ...]:
    """`DefaultEvictor.Filter`: the reasons `pod` may not be evicted (none: evictable).
    The evict annotation overrides every check."""
    if EVICT_ANNOTATION in pod.annotations:
        return ()
    found = []
    if MIRROR_ANNOTATION in pod.annotations:
        found.append("pod is a mirror pod")
    if pod.annotations.get(SOURCE_ANNOTATION, "api") != "api":
        found.append("pod is a static pod")
    if pod.terminating:
        found.append("pod is terminating")
    return tuple(found) + _protections(pod, args)


def evictable(pod: Pod, args: EvictorArgs) -> bool:
    return not refusals(pod, args)


def _protections(pod: Pod, args: EvictorArgs) -> tuple[str, ...]:
    """The constraints in `addAllConstraints` order: system critical (and the priority
    threshold, which upstream applies only with that protection on), bare pods, local
    storage, DaemonSet pods, PVC pods."""
    found = []
    if not args.evict_system_critical_pods:
        if pod.priority is not None and pod.priority >= SYSTEM_CRITICAL_PRIORITY:
            found.append("pod has system critical priority and is protected against eviction")
        if args.priority_threshold is not None and pod.priority is not None and pod.priority >= args.priority_threshold:
            found.append("pod has higher priority than specified priority class threshold")
    if not pod.owner_references and (not args.evict_failed_bare_pods or pod.phase != "Failed"):
        found.append("pod does not have any ownerRefs" + ("" if not args.evict_failed_bare_pods else " and is not in failed phase"))
    if not args.evict_local_storage_pods and any(v.kind in ("emptyDir", "hostPath") for v in pod.volumes):
        found.append("pod has local storage and is protected against eviction")
    if not args.evict_daemonset_pods and any(o.kind == "DaemonSet" for o in pod.owner_references):
        found.append("daemonset pods are protected against eviction")
    if args.ignore_pvc_pods and any(v.kind == "persistentVolumeClaim" for v in pod.volumes):
        found.append("pod with PVC is protected against eviction")
    return tuple(found)
