"""The taint-eviction controller (upstream pkg/controller/tainteviction/taint_eviction.go)
and the DefaultTolerationSeconds admission plugin
(plugin/pkg/admission/defaulttolerationseconds/admission.go), spec/lifecycle.md §0, §b.1.

Worked example: a registry pod admitted with the default tolerations runs on a node
that gets `node.kubernetes.io/unreachable:NoExecute` at t = 150 s; the pod tolerates it
for 300 s, so it is deleted at 450 s. A node-ca DaemonSet pod on the same node
(toleration `operator: Exists`, no key, no effect) tolerates it forever and stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from twin.model.controllers.actions import DeletePod, Reconciled
from twin.model.controllers.node_taints import NOT_READY_TAINT_KEY, UNREACHABLE_TAINT_KEY
from twin.model.objects import NO_EXECUTE, Pod, Taint, Toleration

DEFAULT_TOLERATION_SECONDS = 300  # --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds
DELETION_REASON = "DeletionByTaintManager"  # the DisruptionTarget condition reason upstream sets before deleting


def with_default_tolerations(
    pod: Pod, not_ready_seconds: int = DEFAULT_TOLERATION_SECONDS, unreachable_seconds: int = DEFAULT_TOLERATION_SECONDS
) -> Pod:
    """The DefaultTolerationSeconds admission plugin: append `not-ready:NoExecute` and
    then `unreachable:NoExecute` tolerations (operator Exists, 300 s) unless the pod
    already has one for that key.

    What counts as "already has one" is upstream's test, not `Toleration.tolerates`: a
    toleration whose key is that key or empty, and whose effect is NoExecute or empty.
    Operator and value are not looked at, so `key: node.kubernetes.io/not-ready,
    operator: Equal, value: x, effect: NoExecute` suppresses the default even though it
    does not tolerate the controller's (valueless) taint.

    >>> [t.key for t in with_default_tolerations(Pod("p")).tolerations]
    ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']
    >>> node_ca = Pod("node-ca", tolerations=(Toleration(operator="Exists"),))
    >>> with_default_tolerations(node_ca) is node_ca
    True
    """
    added = tuple(
        Toleration(key, "Exists", "", NO_EXECUTE, seconds)
        for key, seconds in ((NOT_READY_TAINT_KEY, not_ready_seconds), (UNREACHABLE_TAINT_KEY, unreachable_seconds))
        if not any(_covers_key(t, key) for t in pod.tolerations)
    )
    return replace(pod, tolerations=pod.tolerations + added) if added else pod


def _covers_key(toleration: Toleration, key: str) -> bool:
    return toleration.key in (key, "") and toleration.effect in (NO_EXECUTE, "")


def no_execute_taints(taints: Iterable[Taint]) -> tuple[Taint, ...]:
    return tuple(t for t in taints if t.effect == NO_EXECUTE)


def matching_tolerations(tolerations: tuple[Toleration, ...], taints: tuple[Taint, ...]) -> tuple[Toleration, ...] | None:
    """`v1helper.GetMatchingTolerations`: for each taint the *first* toleration (in the
    pod's order) that tolerates it; None if some taint has none."""
    used = []
    for taint in taints:
        match = next((t for t in tolerations if t.tolerates(taint)), None)
        if match is None:
            return None
        used.append(match)
    return tuple(used)


def min_toleration_time(used: tuple[Toleration, ...]) -> float | None:
    """`getMinTolerationTime`: the smallest tolerationSeconds among `used`; a value <= 0
    means 0 (evict now); None when none has tolerationSeconds (tolerate forever).

    >>> min_toleration_time((Toleration(toleration_seconds=300), Toleration(toleration_seconds=60)))
    60.0
    >>> min_toleration_time((Toleration(toleration_seconds=-5),))
    0.0
    """
    seconds = [t.toleration_seconds for t in used if t.toleration_seconds is not None]
    if not seconds:
        return None
    return float(max(min(seconds), 0))


def eviction_delay(pod: Pod, node_taints: Iterable[Taint]) -> float | None:
    """How long after the controller sees the node's NoExecute taints the pod is deleted:

    * None: no NoExecute taint, or every one tolerated forever (no tolerationSeconds);
    * 0.0: some NoExecute taint is not tolerated at all, or a used toleration has
      tolerationSeconds <= 0;
    * else the minimum tolerationSeconds over the tolerations used (the first matching
      toleration per taint, as upstream).

    >>> eviction_delay(with_default_tolerations(Pod("p")), [Taint("node.kubernetes.io/unreachable", effect="NoExecute")])
    300.0
    >>> eviction_delay(Pod("p"), [Taint("node.kubernetes.io/unreachable", effect="NoExecute")])
    0.0
    """
    taints = no_execute_taints(node_taints)
    if not taints:
        return None
    used = matching_tolerations(pod.tolerations, taints)
    return 0.0 if used is None else min_toleration_time(used)


@dataclass(frozen=True, slots=True)
class ScheduledEviction:
    """An entry of upstream's timed worker queue: created when the eviction was first
    scheduled, fires at `fire_at`."""

    created_at: float
    fire_at: float


def reschedule(
    existing: ScheduledEviction | None, pod: Pod, node_taints: Iterable[Taint], now: float
) -> ScheduledEviction | None:
    """`processPodOnNode` when the pod or the node's NoExecute taints change at `now`:
    the pod's scheduled eviction after the change (None: none).

    * no NoExecute taint, or tolerated forever: cancelled;
    * a taint not tolerated at all: delete now, replacing any schedule;
    * otherwise an existing schedule made before `now` is kept as it is (upstream keeps
      it when `created + min < now + min`), so a not-ready -> unreachable swap does not
      restart the 300 s; a new one fires at `now + min`.

    >>> p = with_default_tolerations(Pod("p"))
    >>> first = reschedule(None, p, [Taint("node.kubernetes.io/not-ready", effect="NoExecute")], 10.0)
    >>> reschedule(first, p, [Taint("node.kubernetes.io/unreachable", effect="NoExecute")], 20.0)
    ScheduledEviction(created_at=10.0, fire_at=310.0)
    """
    taints = no_execute_taints(node_taints)
    used = matching_tolerations(pod.tolerations, taints) if taints else ()
    if used is None:
        return ScheduledEviction(now, now)
    delay = min_toleration_time(used) if used else None
    if delay is None:
        return None
    if existing is not None and existing.created_at < now:
        return existing
    return ScheduledEviction(existing.created_at if existing else now, now + delay)


def eviction_schedule(pods: Iterable[Pod], taints: Iterable[Taint], since: float) -> list[tuple[str, float]]:
    """(pod key, due time) for every pod that will be deleted because of the node's
    NoExecute taints, seen by the controller at `since`; sorted by time, then key.
    Pods already terminating are left out (deleting them again changes nothing)."""
    taints = tuple(taints)
    due = []
    for pod in pods:
        delay = None if pod.terminating else eviction_delay(pod, taints)
        if delay is not None:
            due.append((pod.key, since + delay))
    return sorted(due, key=lambda item: (item[1], item[0]))


def evictions_due(
    pods_on_node: Iterable[Pod], taints: Iterable[Taint], taint_added_at: float, now: float
) -> list[tuple[str, float]]:
    """The entries of `eviction_schedule` that are due at `now`.

    >>> pods = [with_default_tolerations(Pod("registry")), Pod("bare")]
    >>> evictions_due(pods, [Taint("node.kubernetes.io/unreachable", effect="NoExecute")], 150.0, 200.0)
    [('default/bare', 150.0)]
    """
    return [(key, at) for key, at in eviction_schedule(pods_on_node, taints, taint_added_at) if at <= now]


def reconcile_node(pods_on_node: Iterable[Pod], taints: Iterable[Taint], taint_added_at: float, now: float) -> Reconciled:
    """The controller's answer for one tainted node at `now`: delete the pods that are due
    (reason DeletionByTaintManager, the pod's own grace period) and come back when the
    next one is due."""
    schedule = eviction_schedule(pods_on_node, taints, taint_added_at)
    actions = tuple(DeletePod(key, DELETION_REASON) for key, at in schedule if at <= now)
    later = [at - now for _, at in schedule if at > now]
    return Reconciled(actions, min(later) if later else None)
