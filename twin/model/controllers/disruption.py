"""PodDisruptionBudgets, the Eviction API and `kubectl drain` (`spec/lifecycle.md` §c).

* The disruption controller (`pkg/controller/disruption/disruption.go`) turns a PDB and
  its pods into a status: `expected_and_desired`, `pdb_status`.
* The Eviction API (`pkg/registry/core/pod/storage/eviction.go`) answers one eviction
  against that status: `evict`.
* `kubectl drain` (`k8s.io/kubectl/pkg/drain`) picks the pods to evict and retries 429s:
  `drain_plan`, `drain_retry_at`.

Only the Eviction API honours PDBs; plain DELETE, NoExecute taint eviction and kubelet
eviction bypass them (§c.2). PDBs count plain Ready, never minReadySeconds (§a.2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from twin.model.workloads import IntOrPercent, PodDisruptionBudget, PodDisruptionBudgetStatus, PodRecord

DELETION_TIMEOUT = 120.0  # disruption.DeletionTimeout: an eviction not seen as a deletion within 2 min is forgotten
ALWAYS_ALLOW, IF_HEALTHY_BUDGET = "AlwaysAllow", "IfHealthyBudget"
DRAIN_RETRY_SECONDS = 5.0  # kubectl drain: "error when evicting pods/... (will retry after 5s)"
DRAIN_TIMEOUT_SECONDS = 0.0  # kubectl drain --timeout default: 0 = wait forever
MIRROR_OWNER_KIND = "Node"  # mirror (static) pods are controlled by their Node

TOO_MANY_REQUESTS = "Cannot evict pod as it would violate the pod's disruption budget."
MULTIPLE_PDBS = "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."


def scaled_value(value: IntOrPercent, total: int, round_up: bool) -> int:
    """`intstr.GetScaledValueFromIntOrPercent`: an int as is; "NN%" of `total`, rounded up
    or down. A string without "%" is an error (upstream then fails the sync safe, with
    disruptionsAllowed 0).

    >>> scaled_value("25%", 2, round_up=True), scaled_value("25%", 2, round_up=False), scaled_value(3, 10, True)
    (1, 0, 3)
    """
    if isinstance(value, int):
        return value
    if not value.endswith("%"):
        raise ValueError(f"invalid value for IntOrString: {value!r} is not a percentage")
    percent = int(value[:-1])
    return -(-percent * total // 100) if round_up else percent * total // 100


def expected_and_desired(
    pdb: PodDisruptionBudget, matching_pods: Sequence[PodRecord], controller_scales: Mapping[str, int]
) -> tuple[int, int]:
    """`getExpectedPodCount` (§c.1): (expectedPods, desiredHealthy).

    | spec                | expectedPods                 | desiredHealthy                      |
    | maxUnavailable n/%  | Σ controller scales          | expected − ceil(n of expected), ≥ 0 |
    | minAvailable int    | number of matching pods      | the int                             |
    | minAvailable %      | Σ controller scales          | ceil(pct × expected)                |

    `controller_scales` maps each controller owning a matching pod (a pod of a Deployment's
    ReplicaSet resolves to the Deployment) to its spec.replicas, so a Deployment counts
    once even mid-rollout; unmanaged pods add nothing. `matching_pods` is every pod the
    selector matches in the namespace, terminating and terminal ones included.

    Percentages round UP in both cases, unlike a Deployment's maxUnavailable, which rounds
    DOWN (§a.1): 25 % of 2 is 1 for a PDB (desiredHealthy 2 − 1 = 1) and 0 for a
    Deployment. A PDB with neither field gives (0, 0).
    """
    scale = sum(controller_scales.values())
    if pdb.max_unavailable is not None:
        return scale, max(0, scale - scaled_value(pdb.max_unavailable, scale, round_up=True))
    if isinstance(pdb.min_available, int):
        return len(matching_pods), pdb.min_available
    if pdb.min_available is not None:
        return scale, scaled_value(pdb.min_available, scale, round_up=True)
    return 0, 0


def live_disruptions(pods: Sequence[PodRecord], disrupted_pods: Mapping[str, float], now: float) -> dict[str, float]:
    """`buildDisruptedPodMap`: the evictions still pending. An entry is dropped once its pod
    is gone or terminating (the deletion was observed) or DELETION_TIMEOUT has passed.

    Upstream keeps an entry at exactly eviction + 120 s and re-syncs "after 0 s"; in
    discrete time that would loop, so the twin drops it at that instant. The count of
    healthy pods is the same either way (upstream already counts such a pod healthy).
    """
    live = {p.key: disrupted_pods[p.key] for p in pods if p.key in disrupted_pods and p.status.deleted is None}
    return {key: at for key, at in live.items() if at + DELETION_TIMEOUT > now}


def current_healthy(pods: Sequence[PodRecord], live: Mapping[str, float]) -> int:
    """`countHealthyPods`: Ready, no deletionTimestamp, not a pending eviction."""
    return sum(p.status.ready and p.status.deleted is None and p.key not in live for p in pods)


def pdb_status(
    pdb: PodDisruptionBudget,
    pods: Sequence[PodRecord],
    controller_scales: Mapping[str, int],
    disrupted_pods: Mapping[str, float],
    now: float,
) -> PodDisruptionBudgetStatus:
    """One disruption-controller sync (§c.1): disruptionsAllowed = max(0, currentHealthy −
    desiredHealthy), and 0 while expectedPods ≤ 0. `pods` match the PDB's selector in
    its namespace; `disrupted_pods` maps pod keys to eviction times.

    Worked example (§c.3, the registry PDB minAvailable 1): 2 Ready replicas give
    expected 2, desired 1, healthy 2, allowed 1.
    """
    expected, desired = expected_and_desired(pdb, pods, controller_scales)
    live = live_disruptions(pods, disrupted_pods, now)
    healthy = current_healthy(pods, live)
    allowed = max(0, healthy - desired) if expected > 0 else 0
    return PodDisruptionBudgetStatus(expected, desired, healthy, allowed, pdb.generation, tuple(sorted(live.items())))


def disruption_recheck_after(status: PodDisruptionBudgetStatus, now: float) -> float | None:
    """When the controller must look again to expire a pending eviction (upstream
    `enqueuePdbForRecheck` at the earliest eviction + 2 min), or None."""
    due = [at + DELETION_TIMEOUT - now for _, at in status.disrupted_pods]
    return max(0.0, min(due)) if due else None


@dataclass(frozen=True, slots=True)
class EvictionDecision:
    """The Eviction API's answer: 200 (the pod is deleted gracefully), 429 TooManyRequests
    (retry later) or 500 (more than one PDB). `status` is the PDB status to store when the
    eviction consumed budget, otherwise None."""

    code: int
    reason: str
    status: PodDisruptionBudgetStatus | None = None

    @property
    def allowed(self) -> bool:
        return self.code == 200


def can_ignore_pdb(pod: PodRecord) -> bool:
    """`canIgnorePDB`: Succeeded, Failed, Pending or already terminating pods are deleted
    with no PDB check."""
    return pod.status.phase in ("Succeeded", "Failed", "Pending") or pod.status.deleted is not None


def matching_pdbs(pod: PodRecord, pdbs: Sequence[PodDisruptionBudget]) -> list[PodDisruptionBudget]:
    """`getPodDisruptionBudgets`: the PDBs of the pod's namespace whose selector matches its
    labels. For eviction an empty selector matches nothing (the controller, by contrast,
    lets an empty policy/v1 selector select every pod of the namespace)."""
    labels = pod.pod.labels
    return [b for b in pdbs if b.namespace == pod.pod.namespace and not b.selector.is_empty() and b.selector.matches(labels)]


def evict(pod: PodRecord, pdbs: Sequence[tuple[PodDisruptionBudget, PodDisruptionBudgetStatus]], now: float) -> EvictionDecision:
    """`EvictionREST.Create` for one pod (§c.2), `pdbs` being the PDBs whose selector
    matches it, each with its current status. In order:

    1. `can_ignore_pdb` → 200 without touching any budget;
    2. more than one PDB → 500; none → 200;
    3. a not-Ready pod (Running or Unknown) is evicted without consuming budget when the
       policy is AlwaysAllow, or with IfHealthyBudget (the default) when currentHealthy ≥
       desiredHealthy **and desiredHealthy > 0** (the source adds that second condition,
       §c.2 does not state it); otherwise it falls through to step 4;
    4. `check_and_decrement`: stale status or no disruptions allowed → 429, else 200 with
       disruptionsAllowed − 1 and the pod recorded in disruptedPods at `now`.

    Not modelled: the 403 answers for a negative disruptionsAllowed or more than 2000
    pending evictions, which `pdb_status` never produces.
    """
    if can_ignore_pdb(pod):
        return EvictionDecision(200, "pod is terminal, pending or terminating: no PDB check")
    if len(pdbs) > 1:
        return EvictionDecision(500, MULTIPLE_PDBS)
    if not pdbs:
        return EvictionDecision(200, "no PodDisruptionBudget matches the pod")
    pdb, status = pdbs[0]
    if not pod.status.ready and _unhealthy_pod_may_go(pdb, status):
        return EvictionDecision(200, f"unhealthy pod evicted under {pdb.unhealthy_pod_eviction_policy} without using budget")
    return check_and_decrement(pod, pdb, status, now)


def _unhealthy_pod_may_go(pdb: PodDisruptionBudget, status: PodDisruptionBudgetStatus) -> bool:
    if pdb.unhealthy_pod_eviction_policy == ALWAYS_ALLOW:
        return True
    return status.current_healthy >= status.desired_healthy and status.desired_healthy > 0


def check_and_decrement(
    pod: PodRecord, pdb: PodDisruptionBudget, status: PodDisruptionBudgetStatus, now: float
) -> EvictionDecision:
    """`checkAndDecrement`: 429 while the controller has not observed the PDB's generation
    or no disruption is allowed; otherwise use one and remember the pod as disrupted."""
    if status.observed_generation < pdb.generation:
        processing = f"The disruption budget {pdb.name} is still being processed by the server."
        return EvictionDecision(429, f"{TOO_MANY_REQUESTS} {processing}")
    if status.disruptions_allowed == 0:
        needs = f"needs {status.desired_healthy} healthy pods and has {status.current_healthy} currently"
        return EvictionDecision(429, f"{TOO_MANY_REQUESTS} The disruption budget {pdb.name} {needs}")
    disrupted = dict(status.disrupted_pods) | {pod.key: now}
    updated = replace(status, disruptions_allowed=status.disruptions_allowed - 1, disrupted_pods=tuple(sorted(disrupted.items())))
    return EvictionDecision(200, "evicted within the disruption budget", updated)


def drain_filter(pod: PodRecord) -> str:
    """kubectl drain's pod filters for `kubectl drain --ignore-daemonsets --force`:
    "evict", "skip-daemonset" or "skip-mirror".

    * DaemonSet pods are skipped (--ignore-daemonsets) unless Succeeded/Failed;
    * mirror (static) pods are skipped. Upstream recognises them by the
      `kubernetes.io/config.mirror` annotation; the twin's Pod has no annotations, so a
      pod whose controller is its Node (as the kubelet sets for mirror pods) counts;
    * unmanaged pods are evicted, as with --force (without it drain refuses the node);
    * emptyDir data is not modelled (as if --delete-emptydir-data);
    * terminating pods are still evicted (--skip-wait-for-delete-timeout 0).
    """
    owner = pod.pod.controller_owner()
    kind = owner.kind if owner else None
    if kind == MIRROR_OWNER_KIND:
        return "skip-mirror"
    if kind == "DaemonSet" and pod.status.phase not in ("Succeeded", "Failed"):
        return "skip-daemonset"
    return "evict"


def drain_plan(pods_on_node: Sequence[PodRecord]) -> tuple[list[PodRecord], list[PodRecord]]:
    """(to_evict, skipped) for the pods bound to the node being drained, each sorted by
    key. Drain first cordons the node, then sends one eviction per pod concurrently (§c.3)."""
    ordered = sorted(pods_on_node, key=lambda p: p.key)
    return [p for p in ordered if drain_filter(p) == "evict"], [p for p in ordered if drain_filter(p) != "evict"]


def drain_retry_at(code: int, started: float, now: float, timeout: float = DRAIN_TIMEOUT_SECONDS) -> float | None:
    """When drain sends the eviction again: after a 429, DRAIN_RETRY_SECONDS later unless
    `--timeout` (0 = forever) has run out since `started`. Any other answer ends the
    attempt: 200 succeeded, and a 500 fails that pod's eviction without retry.

    >>> drain_retry_at(429, 0.0, 12.0), drain_retry_at(429, 0.0, 12.0, timeout=15.0), drain_retry_at(500, 0.0, 12.0)
    (17.0, None, None)
    """
    if code != 429:
        return None
    retry = now + DRAIN_RETRY_SECONDS
    return retry if timeout <= 0 or retry - started < timeout else None
