"""The node-lifecycle controller's decisions as pure code, spec/lifecycle.md §b: the
public face of `node_config`, `node_health`, `node_taints`, `zones` and `node_tainting`,
plus the two passes a SimPy shell drives:

* `monitor_pass` every node-monitor period (5 s): node health, NoSchedule taints, the
  NoExecute queues and the zone states (`monitorNodeHealth` + `handleDisruption`);
* `tainting_pass` every 100 ms: the rate-limited NoExecute taints
  (`doNoExecuteTaintingPass`).

The shell owns the clock and the objects: it feeds heartbeats (`observe_heartbeat`,
`observe_lease`) as they arrive, applies the returned taints to its nodes and hands the
NoExecute taints to the taint-eviction controller (`taint_eviction`).

Worked timeline (Kubernetes 1.32 defaults, one node of a healthy zone crashes, its last
Lease renewal at t = 93 s, passes at multiples of 5 s): Ready=Unknown at 145 s; the node
is queued by the pass at 150 s and, first in its zone's queue, tainted unreachable:NoExecute
at once; pods with the default 300 s tolerations are deleted at 450 s, about 5.9 min
after the crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from twin.model.controllers.node_config import (
    DEFAULT_CONFIG,
    LARGE_CLUSTER_SIZE_THRESHOLD,
    NO_EXECUTE_TAINTING_PERIOD,
    NODE_EVICTION_RATE,
    NODE_MONITOR_PERIOD,
    NODE_STARTUP_GRACE_PERIOD,
    SECONDARY_NODE_EVICTION_RATE,
    UNHEALTHY_ZONE_THRESHOLD,
    NodeLifecycleConfig,
    monitor_grace_period,
)
from twin.model.controllers.node_health import (
    FALSE,
    NODE_STATUS_NEVER_UPDATED,
    NODE_STATUS_UNKNOWN,
    TRUE,
    UNKNOWN,
    NodeHealth,
    evaluate_health,
    observe_heartbeat,
    observe_lease,
    restart_grace,
)
from twin.model.controllers.node_tainting import (
    NoExecuteQueue,
    RateLimiter,
    TaintSwap,
    drain,
    process_taint_based_eviction,
)
from twin.model.controllers.node_taints import (
    NOT_READY_TAINT_KEY,
    UNREACHABLE_TAINT_KEY,
    no_execute_taint,
    no_schedule_taints,
    with_no_execute_taint,
    with_no_schedule_taints,
    without_no_execute_taints,
)
from twin.model.controllers.zones import (
    EXCLUDE_DISRUPTION_LABEL,
    FULL_DISRUPTION,
    INITIAL,
    NORMAL,
    PARTIAL_DISRUPTION,
    DisruptionDecision,
    compute_zone_state,
    excluded_from_disruption,
    grouped_zone_states,
    handle_disruption,
    zone_eviction_rate,
    zone_key,
    zone_states,
)
from twin.model.objects import Node, Taint

__all__ = [
    "DEFAULT_CONFIG", "EXCLUDE_DISRUPTION_LABEL", "FALSE", "FULL_DISRUPTION", "INITIAL", "LARGE_CLUSTER_SIZE_THRESHOLD",
    "NODE_EVICTION_RATE", "NODE_MONITOR_PERIOD", "NODE_STARTUP_GRACE_PERIOD", "NODE_STATUS_NEVER_UPDATED",
    "NODE_STATUS_UNKNOWN", "NORMAL", "NOT_READY_TAINT_KEY", "NO_EXECUTE_TAINTING_PERIOD", "PARTIAL_DISRUPTION",
    "SECONDARY_NODE_EVICTION_RATE", "TRUE", "UNHEALTHY_ZONE_THRESHOLD", "UNKNOWN", "UNREACHABLE_TAINT_KEY",
    "DisruptionDecision", "LifecycleState", "MonitorResult", "NoExecuteQueue", "NodeHealth", "NodeLifecycleConfig",
    "RateLimiter", "TaintSwap", "compute_zone_state", "drain", "evaluate_health", "excluded_from_disruption",
    "handle_disruption", "monitor_grace_period", "monitor_pass", "no_execute_taint", "no_schedule_taints",
    "observe_heartbeat", "observe_lease", "process_taint_based_eviction", "restart_grace", "tainting_pass",
    "with_no_execute_taint", "with_no_schedule_taints", "without_no_execute_taints", "zone_eviction_rate",
    "zone_key", "zone_states",
]


@dataclass(frozen=True, slots=True)
class LifecycleState:
    """What the controller carries from pass to pass: per-node health, the zone states
    `handle_disruption` kept, and one NoExecute queue per zone ever seen (upstream never
    drops a zone's queue)."""

    health: Mapping[str, NodeHealth] = field(default_factory=dict)
    zone_states: Mapping[str, str] = field(default_factory=dict)
    queues: Mapping[str, NoExecuteQueue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MonitorResult:
    """One monitor pass: the state for the next pass, the new taints of the nodes whose
    taints changed, the nodes whose Ready left True in this pass (their pods get
    Ready=False: MarkPodsNotReady) and the zone decision."""

    state: LifecycleState
    taints: Mapping[str, tuple[Taint, ...]]
    went_not_ready: tuple[str, ...]
    decision: DisruptionDecision


def monitor_pass(
    state: LifecycleState, nodes: Mapping[str, Node], now: float, config: NodeLifecycleConfig = DEFAULT_CONFIG
) -> MonitorResult:
    """`monitorNodeHealth` at `now` over `nodes` (name -> node; labels and taints are
    read, `Node.ready` is not: Ready comes from the health records). Nodes are handled in
    name order; a node without a health record is taken as registered now (upstream:
    "Missing timestamp for Node. Assuming now as a timestamp").

    The NoSchedule taints are applied in the same pass (upstream applies them on the
    node update the status change causes, without rate limit).
    """
    names = sorted(nodes)
    zone_of = {name: zone_key(nodes[name]) for name in names}
    queues = _queues(state.queues, zone_of.values(), now, config.eviction_rate)
    health, taints = {}, {}
    for name in names:
        before = state.health.get(name)
        if before is None:
            before = NodeHealth.registered(now)
        health[name], queues[zone_of[name]], taints[name] = _node_step(before, nodes[name], queues[zone_of[name]], now, config)
    went_not_ready = tuple(n for n in names if _was_ready(state.health.get(n)) and health[n].ready != TRUE)
    grouped: dict[str, list[str | None]] = {}  # zone_ready_statuses with this pass's Ready, nodes in name order
    for name in names:
        if not excluded_from_disruption(nodes[name]):
            grouped.setdefault(zone_of[name], []).append(health[name].ready)
    decision = handle_disruption(state.zone_states, *grouped_zone_states(grouped, config.unhealthy_zone_threshold),
                                 config)
    health, taints, queues = _apply(decision, health, taints, queues, now)
    changed = {name: t for name, t in taints.items() if t != nodes[name].taints}
    return MonitorResult(LifecycleState(health, decision.states, queues), changed, went_not_ready, decision)


def _queues(kept: Mapping[str, NoExecuteQueue], zones, now: float, rate: float) -> dict[str, NoExecuteQueue]:
    """Each zone's queue: the pass before's, or a new one; in the order of the zones'
    first nodes, then the zones without nodes left (as `{**new, **kept}` orders them)."""
    queues: dict[str, NoExecuteQueue] = {}
    for zone in zones:
        if zone not in queues:
            queue = kept.get(zone)
            queues[zone] = queue if queue is not None else NoExecuteQueue.new(now, rate)
    for zone, queue in kept.items():
        if zone not in queues:
            queues[zone] = queue
    return queues


def _node_step(before: NodeHealth, node: Node, queue: NoExecuteQueue, now: float, config: NodeLifecycleConfig):
    """One node of the pass: (health after, its zone's queue after, its taints after)."""
    after = evaluate_health(before, now, config.monitor_grace_period, config.startup_grace_period)
    if after.ready == TRUE and before.ready == TRUE and node.name not in queue.members and not _controller_tainted(node):
        return after, queue, node.taints  # a healthy node: the steps below would change nothing
    queue, taints = process_taint_based_eviction(queue, node.name, node.taints, before.ready, after.ready, now)
    return after, queue, with_no_schedule_taints(taints, after.ready)


def _controller_tainted(node: Node) -> bool:
    """Carries a not-ready or unreachable taint (of either effect)."""
    return any(t.key in (NOT_READY_TAINT_KEY, UNREACHABLE_TAINT_KEY) for t in node.taints)


def _was_ready(health: NodeHealth | None) -> bool:
    return health is not None and health.ready == TRUE


def _apply(decision: DisruptionDecision, health: dict, taints: dict, queues: dict, now: float):
    """What `handleDisruption` does besides keeping the states: on entering master
    disruption every node loses its NoExecute taints and queue entry; limiters are
    swapped; on leaving, every node gets a fresh grace period."""
    if decision.entered_master_disruption:
        taints = {name: without_no_execute_taints(t) for name, t in taints.items()}
        queues = {zone: _emptied(queue, health) for zone, queue in queues.items()}
    queues = {zone: queue.with_rate(decision.rates[zone], now) if zone in decision.rates else queue
              for zone, queue in queues.items()}
    if decision.left_master_disruption:
        health = {name: restart_grace(h, now) for name, h in health.items()}
    return health, taints, queues


def _emptied(queue: NoExecuteQueue, names) -> NoExecuteQueue:
    for name in names:
        queue = queue.remove(name)
    return queue


def tainting_pass(
    queues: Mapping[str, NoExecuteQueue], now: float, ready: Mapping[str, str | None]
) -> tuple[dict[str, NoExecuteQueue], tuple[TaintSwap, ...]]:
    """`doNoExecuteTaintingPass` at `now`: `drain` every zone's queue, zones in key order.
    `ready` maps every existing node to its current Ready status."""
    drained, swaps = {}, []
    for zone in sorted(queues):
        drained[zone], zone_swaps = drain(queues[zone], now, ready)
        swaps.extend(zone_swaps)
    return drained, tuple(swaps)
