"""The ClusterOperator `image-registry` and the node-ca DaemonSet's conditions
(spec/registry-operator.md §2.5, §3; CIRO `pkg/resource/clusteroperator.go`,
`pkg/operator/nodecadaemon.go`)."""

from __future__ import annotations

from collections.abc import Iterable

from twin.model.registry.conditions import AS_EXPECTED, AVAILABLE, DEGRADED, FALSE, PROGRESSING, TRUE, UNKNOWN
from twin.model.workloads import Condition


def node_ca_conditions(desired: int, number_available: int, updated: int, misscheduled: int) -> tuple[Condition, ...]:
    """NodeCADaemonAvailable (True iff a node-ca pod is available) and
    NodeCADaemonProgressing (True while updatedNumberScheduled < desiredNumberScheduled
    or numberMisscheduled > 0), from the DaemonSet status (§2.5). Times are 0; store
    them with `merge_conditions`."""
    return (_node_ca_available(number_available), _node_ca_progressing(desired, updated, misscheduled))


def _node_ca_available(number_available: int) -> Condition:
    if number_available > 0:
        return Condition("NodeCADaemonAvailable", TRUE, AS_EXPECTED, "The daemon set node-ca has available replicas")
    message = "The daemon set node-ca does not have available replicas"
    return Condition("NodeCADaemonAvailable", FALSE, "NoAvailableReplicas", message)


def _node_ca_progressing(desired: int, updated: int, misscheduled: int) -> Condition:
    kind = "NodeCADaemonProgressing"
    if updated < desired:
        return Condition(kind, TRUE, "Progressing", "The daemon set node-ca is updating node pods")
    if misscheduled > 0:
        return Condition(kind, TRUE, "Progressing", "The daemon set node-ca has pods on nodes that should not run them")
    return Condition(kind, FALSE, AS_EXPECTED, "The daemon set node-ca is deployed")


# ---- ClusterOperator (§3) -----------------------------------------------------------

NORMAL_STATUS = ((AVAILABLE, TRUE), (PROGRESSING, FALSE), (DEGRADED, FALSE))


def cluster_operator_conditions(conditions: tuple[Condition, ...]) -> tuple[Condition, ...]:
    """The ClusterOperator `image-registry` Available, Progressing and Degraded (§3,
    CIRO `unionCondition`), each the union of the conditions whose type ends in it."""
    return tuple(union_condition(kind, normal, conditions) for kind, normal in NORMAL_STATUS)


def union_condition(kind: str, normal: str, conditions: Iterable[Condition]) -> Condition:
    """The union of the members (types ending in `kind`):

    * status: the first member status that is neither `normal` nor Unknown; else Unknown
      if a member is Unknown; else `normal` (also with no members);
    * reason: every member's `<type prefix><reason>` (empty and AsExpected reasons left
      out), sorted and joined with "::"; "AsExpected" if that is empty and the status
      is normal — so NodeCADaemonAvailable=False/NoAvailableReplicas next to
      Available=True/Ready gives False/"NodeCADaemonNoAvailableReplicas::Ready";
    * message: each member's message lines as "<type>: <line>", joined by newlines;
    * lastTransitionTime: the latest of the members'."""
    members = [c for c in conditions if c.type.endswith(kind)]
    status = _union_status(normal, members)
    reason = _union_reason(kind, members) or (AS_EXPECTED if status == normal else "")
    latest = max((c.last_transition_time for c in members), default=0.0)
    return Condition(kind, status, reason, _union_message(members), latest, latest)


def _union_status(normal: str, members: list[Condition]) -> str:
    abnormal = next((c.status for c in members if c.status not in (normal, UNKNOWN)), None)
    if abnormal is not None:
        return abnormal
    return UNKNOWN if any(c.status == UNKNOWN for c in members) else normal


def _union_reason(kind: str, members: list[Condition]) -> str:
    parts = [c.type[: -len(kind)] + c.reason for c in members if c.reason not in ("", AS_EXPECTED)]
    return "::".join(sorted(parts))


def _union_message(members: list[Condition]) -> str:
    return "\n".join(f"{c.type}: {line}" for c in members if c.message for line in c.message.split("\n"))
