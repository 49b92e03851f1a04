"""Node health as the node-lifecycle controller tracks it: one frozen `NodeHealth` per
node, advanced by heartbeats and evaluated every node-monitor period (5 s),
spec/lifecycle.md §b.1 (`tryUpdateNodeHealth` in upstream
pkg/controller/nodelifecycle/node_lifecycle_controller.go).

Worked example (Kubernetes 1.32, grace 50 s, monitor passes at 0, 5, 10, ... s): the
kubelet's last lease renewal lands at t = 93 s and the node dies. The pass at 140 s sees
140 <= 93 + 50 and keeps Ready; the pass at 145 s sees 145 > 143 and sets Ready=Unknown
with reason NodeStatusUnknown, 52 s after the last heartbeat. Depending on where the
heartbeat falls between two passes the latency is in (50, 55] s.

Time model. Upstream stamps the probe with the time of the monitor pass that first sees a
new heartbeat, and its passes run on a *sliding* 5 s period (`wait.Until`: the period
starts when the previous pass ends, so passes drift by their own run time) [mem]; the
tenth pass after the probe is therefore already a little past the grace, and real
clusters report Unknown 50-55 s after the last heartbeat. A twin with exact 5 s ticks
gets the same window when the shell calls `observe_heartbeat` / `observe_lease` at the
moment the heartbeat arrives, which is the contract here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from twin.model.controllers.node_config import NODE_STARTUP_GRACE_PERIOD

TRUE, FALSE, UNKNOWN = "True", "False", "Unknown"
NODE_STATUS_UNKNOWN = "NodeStatusUnknown"  # the kubelet stopped posting status
NODE_STATUS_NEVER_UPDATED = "NodeStatusNeverUpdated"  # the kubelet never posted status
KUBELET_READY, KUBELET_NOT_READY = "KubeletReady", "KubeletNotReady"  # [mem] the kubelet's own reasons


@dataclass(frozen=True, slots=True)
class NodeHealth:
    """What the controller knows of one node (upstream `nodeHealthData` plus the Ready
    condition it reads back).

    * `probe_time`: controller time of the last heartbeat (status post or Lease renewal);
    * `ready`: the Ready condition's status, "True" / "False" / "Unknown", or None while
      the node has no Ready condition at all (it never posted status);
    * `transition_time`: when `ready` last changed, as seen by the controller;
    * `ever_posted`: the kubelet posted a Ready condition at least once;
    * `reason`: the Ready condition's reason.
    """

    probe_time: float
    ready: str | None = None
    transition_time: float = 0.0
    ever_posted: bool = False
    reason: str = ""

    @classmethod
    def registered(cls, created_at: float) -> NodeHealth:
        """A node object just created, before its kubelet posted any status: upstream
        takes the creation timestamp as probe and transition time.

        >>> NodeHealth.registered(0.0).ready is None
        True
        """
        return cls(probe_time=created_at, transition_time=created_at)


def observe_heartbeat(health: NodeHealth, now: float, reported_ready: bool) -> NodeHealth:
    """The kubelet posted node status with Ready = `reported_ready` at `now`: the probe
    moves to now; the transition time moves too if the status changed (the kubelet then
    writes a new lastTransitionTime, which upstream turns into "now").

    >>> h = observe_heartbeat(NodeHealth.registered(0.0), 3.0, True)
    >>> (h.probe_time, h.ready, h.transition_time, h.ever_posted)
    (3.0, 'True', 3.0, True)
    >>> observe_heartbeat(h, 13.0, True).transition_time
    3.0
    """
    status = TRUE if reported_ready else FALSE
    transition = health.transition_time if status == health.ready else now
    reason = KUBELET_READY if reported_ready else KUBELET_NOT_READY
    return NodeHealth(now, status, transition, True, reason)


def observe_lease(health: NodeHealth, now: float) -> NodeHealth:
    """The kubelet renewed its Lease at `now` (every 10 s by default): a Lease renewal
    counts as a heartbeat but changes no condition, spec/lifecycle.md §b.1.

    A kubelet that renews its Lease but never posts status keeps a node healthy in the
    controller's eyes (upstream comment in tryUpdateNodeHealth).
    """
    return replace(health, probe_time=now)


def evaluate_health(
    health: NodeHealth, now: float, grace: float, startup_grace: float = NODE_STARTUP_GRACE_PERIOD
) -> NodeHealth:
    """One monitor pass for one node, spec/lifecycle.md §b.1: when `now > probe + grace`
    Ready becomes Unknown (reason NodeStatusUnknown), or is created Unknown with reason
    NodeStatusNeverUpdated if the node has no Ready condition; `startup_grace` replaces
    `grace` while the Ready condition is absent. The comparison is strict (`After`).

    >>> h = observe_heartbeat(NodeHealth.registered(0.0), 93.0, True)
    >>> evaluate_health(h, 143.0, 50.0).ready, evaluate_health(h, 145.0, 50.0).ready
    ('True', 'Unknown')
    >>> evaluate_health(NodeHealth.registered(0.0), 65.0, 50.0).reason
    'NodeStatusNeverUpdated'

    Only Ready is modelled; upstream also sets MemoryPressure, DiskPressure and
    PIDPressure to Unknown in the same step.
    """
    window = startup_grace if health.ready is None else grace
    if not now > health.probe_time + window or health.ready == UNKNOWN:
        return health
    reason = NODE_STATUS_NEVER_UPDATED if health.ready is None else NODE_STATUS_UNKNOWN
    return replace(health, ready=UNKNOWN, transition_time=now, reason=reason)


def restart_grace(health: NodeHealth, now: float) -> NodeHealth:
    """Leaving "master disruption" mode gives every node a fresh grace period: probe and
    transition timestamps are reset to `now` (handleDisruption, spec/lifecycle.md §b.3).

    >>> restart_grace(NodeHealth.registered(0.0), 300.0).probe_time
    300.0
    """
    return replace(health, probe_time=now, transition_time=now)


def is_ready(status: str | None) -> bool:
    """Only "True" is Ready; False, Unknown and an absent condition all count as not
    Ready (ComputeZoneState, spec/lifecycle.md §b.1)."""
    return status == TRUE
