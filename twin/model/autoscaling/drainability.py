"""Which pods block a node's removal, and which move (kubernetes/autoscaler
`cluster-autoscaler/simulator/drainability/rules/rules.go` `Default`, rules in that order,
the first that decides wins), and node utilization (`simulator/utilization/info.go`
`Calculate`).

Rules, in upstream order:

* mirror: mirror (static) pods stay (`kubernetes.io/config.mirror` annotation, or a pod
  controlled by its Node as the twin's kubelet marks them);
* long-terminating / terminating: pods already being deleted are not moved (ASSUMPTION:
  upstream skips only pods past their grace period; the twin skips every terminating pod);
* daemonset: DaemonSet pods stay (they die with the node);
* safe-to-evict: `cluster-autoscaler.kubernetes.io/safe-to-evict: "true"` moves the pod
  whatever the blocking rules say;
* terminal: Succeeded / Failed pods move;
* replicated: a pod without a controller, or whose controller is not a
  ReplicationController, Job, ReplicaSet or StatefulSet (skip-nodes-with-custom-controller-pods
  true) blocks: NotReplicated;
* system: a kube-system pod no PDB matches blocks (skip-nodes-with-system-pods):
  UnmovableKubeSystemPod;
* not-safe-to-evict: `safe-to-evict: "false"` blocks: NotSafeToEvictAnnotation;
* local storage (skip-nodes-with-local-storage): an emptyDir or hostPath volume not named in
  `safe-to-evict-local-volumes` blocks: LocalStorageRequested (`utils/drain/drain.go`
  `HasBlockingLocalStorage`; emptyDir medium Memory is not modelled: every emptyDir counts);
* pdb: a matching PDB with fewer than one disruption left blocks: NotEnoughPdb.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from twin.model.labels import selector_matches
from twin.model.objects import Node, Pod
from twin.model.workloads import PodDisruptionBudget

SAFE_TO_EVICT = "cluster-autoscaler.kubernetes.io/safe-to-evict"
SAFE_TO_EVICT_LOCAL_VOLUMES = "cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes"
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
REPLICATED_KINDS = frozenset({"ReplicationController", "Job", "ReplicaSet", "StatefulSet"})
LOCAL_VOLUME_KINDS = frozenset({"emptyDir", "hostPath"})

STAY, MOVE = "stay", "move"  # outcomes besides a blocking reason


@dataclass(frozen=True)
class Drainability:
    """`outcome`: STAY (not moved: mirror, DaemonSet, terminating), MOVE, or the blocking
    reason (upstream's `drain.BlockingPodReason` name)."""

    outcome: str
    detail: str = ""

    @property
    def blocked(self) -> bool:
        return self.outcome not in (STAY, MOVE)


def is_mirror(pod: Pod) -> bool:
    owner = pod.controller_owner()
    return MIRROR_ANNOTATION in pod.annotations or (owner is not None and owner.kind == "Node")


def is_daemonset(pod: Pod) -> bool:
    owner = pod.controller_owner()
    return owner is not None and owner.kind == "DaemonSet"


def matching(pod: Pod, pdbs: Sequence[PodDisruptionBudget]) -> list[PodDisruptionBudget]:
    return [p for p in pdbs if p.namespace == pod.namespace and selector_matches(p.selector, pod.labels)]


def blocking_local_storage(pod: Pod) -> bool:
    safe = set(filter(None, pod.annotations.get(SAFE_TO_EVICT_LOCAL_VOLUMES, "").split(",")))
    return any(v.kind in LOCAL_VOLUME_KINDS and v.name not in safe for v in pod.volumes)


def drainable(pod: Pod, pdbs: Sequence[PodDisruptionBudget], remaining: Mapping[str, int],
              skip_local_storage: bool = True, skip_system: bool = True) -> Drainability:
    """The rules above for one pod; `remaining`: PDB key -> disruptions still allowed."""
    if is_mirror(pod):
        return Drainability(STAY, "mirror pod")
    if pod.terminating:
        return Drainability(STAY, "terminating")
    if is_daemonset(pod):
        return Drainability(STAY, "DaemonSet pod")
    if pod.annotations.get(SAFE_TO_EVICT) == "true" or pod.terminal:
        return Drainability(MOVE)
    return _blocking(pod, matching(pod, pdbs), remaining, skip_local_storage, skip_system)


def _blocking(pod: Pod, pdbs: list[PodDisruptionBudget], remaining: Mapping[str, int], skip_local_storage: bool,
              skip_system: bool) -> Drainability:
    owner = pod.controller_owner()
    if owner is None or owner.kind not in REPLICATED_KINDS:
        return Drainability("NotReplicated", f"{pod.key} is not replicated")
    if skip_system and pod.namespace == "kube-system" and not pdbs:
        return Drainability("UnmovableKubeSystemPod",
                            f"non-daemonset, non-mirrored, non-pdb-assigned kube-system pod present: {pod.name}")
    if pod.annotations.get(SAFE_TO_EVICT) == "false":
        return Drainability("NotSafeToEvictAnnotation", f"pod annotated as not safe to evict present: {pod.name}")
    if skip_local_storage and blocking_local_storage(pod):
        return Drainability("LocalStorageRequested", f"pod with local storage present: {pod.name}")
    for pdb in pdbs:
        if remaining.get(pdb.key, 0) < 1:
            return Drainability("NotEnoughPdb", f"not enough pod disruption budget to move {pod.key}")
    return Drainability(MOVE)


def utilization(node: Node, pods: Sequence[Pod], ignore_daemonsets: bool = False) -> float:
    """`utilization.Calculate`: max over cpu and memory of the pods' requests divided by
    the node's allocatable; with `ignore_daemonsets`, DaemonSet pods' requests are taken
    out of both (mirror pods count: ignore-mirror-pods-utilization is false); pods being
    deleted are left out (ASSUMPTION: upstream leaves out only long-terminating ones)."""
    return max(_resource_utilization(node, pods, name, ignore_daemonsets) for name in ("cpu", "memory"))


def _resource_utilization(node: Node, pods: Sequence[Pod], name: str, ignore_daemonsets: bool) -> float:
    allocatable = node.allocatable.get(name, 0)
    requested = set_aside = 0
    for pod in pods:
        amount = pod.requests.get(name, 0)
        if ignore_daemonsets and is_daemonset(pod):
            set_aside += amount
        elif not pod.terminating:
            requested += amount
    return requested / (allocatable - set_aside) if allocatable - set_aside > 0 else 0.0
