"""The taints the node-lifecycle controller derives from the Ready condition,
spec/lifecycle.md §b.1: NoSchedule at once (doNoScheduleTaintingPass), NoExecute through
the per-zone rate-limited queue (`node_tainting`).

| Ready   | taint key                     |
|---------|-------------------------------|
| False   | node.kubernetes.io/not-ready   |
| Unknown | node.kubernetes.io/unreachable|
| True    | none                          |
| absent  | none                          |

Taints are matched by key and effect, as upstream `TaintExists` / `MatchTaint` do.
"""

from __future__ import annotations

from twin.model.controllers.node_health import FALSE, UNKNOWN
from twin.model.objects import NO_EXECUTE, NO_SCHEDULE, Taint

NOT_READY_TAINT_KEY = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT_KEY = "node.kubernetes.io/unreachable"
READY_TAINT_KEYS = (NOT_READY_TAINT_KEY, UNREACHABLE_TAINT_KEY)
_KEY_BY_STATUS = {FALSE: NOT_READY_TAINT_KEY, UNKNOWN: UNREACHABLE_TAINT_KEY}

NOT_READY_NO_EXECUTE = Taint(NOT_READY_TAINT_KEY, effect=NO_EXECUTE)
UNREACHABLE_NO_EXECUTE = Taint(UNREACHABLE_TAINT_KEY, effect=NO_EXECUTE)


def no_schedule_taints(ready_status: str | None) -> tuple[Taint, ...]:
    """The NoSchedule taints the Ready condition asks for.

    >>> no_schedule_taints("Unknown")
    (Taint(key='node.kubernetes.io/unreachable', value='', effect='NoSchedule'),)
    >>> no_schedule_taints("True")
    ()
    """
    key = _KEY_BY_STATUS.get(ready_status)
    return (Taint(key, effect=NO_SCHEDULE),) if key else ()


def no_execute_taint(ready_status: str | None) -> Taint | None:
    """The NoExecute counterpart, applied through the rate-limited queue.

    >>> no_execute_taint("False").key
    'node.kubernetes.io/not-ready'
    >>> no_execute_taint("True") is None
    True
    """
    key = _KEY_BY_STATUS.get(ready_status)
    return Taint(key, effect=NO_EXECUTE) if key else None


def has_taint(taints: tuple[Taint, ...], wanted: Taint) -> bool:
    """`taintutils.TaintExists`: same key and effect (the value is not compared)."""
    return any(t.key == wanted.key and t.effect == wanted.effect for t in taints)


def with_no_schedule_taints(taints: tuple[Taint, ...], ready_status: str | None) -> tuple[Taint, ...]:
    """The node's taints after the NoSchedule pass for the Ready condition: the
    controller's not-ready / unreachable NoSchedule taints are replaced by the one Ready
    asks for; every other taint is kept in order, and the tuple is returned unchanged
    when it already carries what Ready asks for.

    >>> [t.key for t in with_no_schedule_taints((Taint("a"), Taint("node.kubernetes.io/not-ready")), "Unknown")]
    ['a', 'node.kubernetes.io/unreachable']

    Upstream also maps the pressure / network conditions and spec.unschedulable in the
    same pass; those taints are left as they are here.
    """
    wanted = no_schedule_taints(ready_status)
    current = tuple(t for t in taints if _ready_derived(t, NO_SCHEDULE))
    if current == wanted:
        return taints
    return tuple(t for t in taints if not _ready_derived(t, NO_SCHEDULE)) + wanted


def with_no_execute_taint(taints: tuple[Taint, ...], wanted: Taint) -> tuple[Taint, ...]:
    """`SwapNodeControllerTaint`: add `wanted` (not-ready or unreachable NoExecute) and
    remove the opposite one, so the two stay mutually exclusive.

    >>> with_no_execute_taint((UNREACHABLE_NO_EXECUTE,), NOT_READY_NO_EXECUTE)
    (Taint(key='node.kubernetes.io/not-ready', value='', effect='NoExecute'),)
    """
    if tuple(t for t in taints if _ready_derived(t, NO_EXECUTE)) == (wanted,):
        return taints
    return without_no_execute_taints(taints) + (wanted,)


def without_no_execute_taints(taints: tuple[Taint, ...]) -> tuple[Taint, ...]:
    """`markNodeAsReachable`: both Ready-derived NoExecute taints removed at once."""
    return tuple(t for t in taints if not _ready_derived(t, NO_EXECUTE))


def _ready_derived(taint: Taint, effect: str) -> bool:
    return taint.effect == effect and taint.key in READY_TAINT_KEYS
