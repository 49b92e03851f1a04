"""PriorityClasses and the Priority admission plugin.

Sources (kubernetes/kubernetes):

* `pkg/apis/scheduling/types.go`: `HighestUserDefinablePriority` = 1000000000,
  `SystemCriticalPriority` = 2 x that, the `system-` prefix reserved for system classes,
  `DefaultPriorityWhenNoDefaultClassExists` = 0.
* `pkg/apis/scheduling/helpers.go` `systemPriorityClasses`: `system-node-critical` =
  SystemCriticalPriority + 1000 (2000001000), `system-cluster-critical` =
  SystemCriticalPriority (2000000000).
* `plugin/pkg/admission/priority/admission.go` `admitPod`: a pod naming no class gets
  the global default class's value (the lowest value if several are default), else 0;
  a named class resolves first among the system classes, then the user classes; an
  unknown name is refused ("no PriorityClass with name ... was found"). Since
  NonPreemptingPriority went GA (1.24) `admitPod` also copies the class's
  preemptionPolicy (PreemptLowerPriority when the class has none) to a pod that sets
  none. `validatePriorityClass`: a user class's value is at most
  HighestUserDefinablePriority, its name not a system one, and one global default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from twin.model.objects import Pod

HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000
SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY
SYSTEM_PREFIX = "system-"
SYSTEM_CLUSTER_CRITICAL = "system-cluster-critical"
SYSTEM_NODE_CRITICAL = "system-node-critical"
DEFAULT_PRIORITY = 0
PREEMPT_LOWER_PRIORITY, PREEMPT_NEVER = "PreemptLowerPriority", "Never"


@dataclass(frozen=True, slots=True)
class PriorityClass:
    name: str
    value: int
    global_default: bool = False
    preemption_policy: str = PREEMPT_LOWER_PRIORITY
    description: str = ""


SYSTEM_CLASSES = (
    PriorityClass(SYSTEM_NODE_CRITICAL, SYSTEM_CRITICAL_PRIORITY + 1000,
                  description="Used for system critical pods that must not be moved from their current node."),
    PriorityClass(SYSTEM_CLUSTER_CRITICAL, SYSTEM_CRITICAL_PRIORITY,
                  description="Used for system critical pods that must run in the cluster, but can be moved to "
                              "another node if necessary."),
)


class UnknownPriorityClass(LookupError):
    """Admission refuses the pod: its priorityClassName names no class."""


@dataclass(frozen=True)
class PriorityClasses:
    """The cluster's PriorityClasses: the two system ones and the user's."""

    user: tuple[PriorityClass, ...] = ()

    def get(self, name: str) -> PriorityClass | None:
        return next((c for c in (*SYSTEM_CLASSES, *self.user) if c.name == name), None)

    def global_default(self) -> PriorityClass | None:
        """`getDefaultPriorityClass`: among global defaults, the lowest value."""
        defaults = [c for c in self.user if c.global_default]
        return min(defaults, key=lambda c: c.value) if defaults else None

    def admit(self, pod: Pod) -> Pod:
        """The pod as the Priority admission plugin lets it in: `priority` and
        `preemption_policy` resolved from its class (or the global default, or 0).
        A pod that already carries a priority (a pod read from a cluster export, or one
        built with it) is kept as it is."""
        if pod.priority is not None:
            return pod
        if not pod.priority_class_name:
            found = self.global_default()
            value, policy = (DEFAULT_PRIORITY, PREEMPT_LOWER_PRIORITY) if found is None else \
                (found.value, found.preemption_policy)
        else:
            found = self.get(pod.priority_class_name)
            if found is None:
                raise UnknownPriorityClass(f"no PriorityClass with name {pod.priority_class_name} was found")
            value, policy = found.value, found.preemption_policy
        return replace(pod, priority=value, preemption_policy=pod.preemption_policy or policy)


def class_problems(classes: Iterable[PriorityClass]) -> list[tuple[int, str, str]]:
    """`validatePriorityClass` and the API's name checks for user classes: (index, field,
    message) for each problem."""
    problems, default_at = [], None
    for i, c in enumerate(classes):
        if c.name.startswith(SYSTEM_PREFIX):
            problems.append((i, "name", f"expected a name without the reserved prefix {SYSTEM_PREFIX!r} (only "
                                        f"{SYSTEM_CLUSTER_CRITICAL} and {SYSTEM_NODE_CRITICAL} carry it), got {c.name!r}"))
        if c.value > HIGHEST_USER_DEFINABLE_PRIORITY:
            problems.append((i, "value", f"expected at most {HIGHEST_USER_DEFINABLE_PRIORITY} (HighestUserDefinablePriority: "
                                         f"larger values are reserved for system classes), got {c.value}"))
        if c.global_default:
            if default_at is not None:
                problems.append((i, "global_default", f"expected one global default, got a second one (priority_classes"
                                                      f"[{default_at}] is already marked as default)"))
            default_at = i if default_at is None else default_at
    return problems


def pod_priority(pod: Pod) -> int:
    """`corev1helpers.PodPriority`: the pod's priority, 0 when unset."""
    return pod.priority or 0

