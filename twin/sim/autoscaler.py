"""The cluster autoscaler in simulated time: every scan interval it reads the
unschedulable pods from the scheduler, asks the pure decisions
(`twin/model/autoscaling/`) for a scale-up and a scale-down, and applies them through the
cloud provider (`CloudProvider`: the machine pools) and the eviction API.

After kubernetes/autoscaler `cluster-autoscaler/core/static_autoscaler.go` `RunOnce`:
scale requests are checked first (`clusterstate.updateScaleRequests`: a group whose new
nodes all registered has its backoff removed; one whose nodes did not register within
max-node-provision-time, or whose machines failed, backs off), then scale-up, then
scale-down (`scaleDown`: unneeded nodes tracked every scan, deletions only outside the
cooldown). Deletion (`core/scaledown/actuation/`): the node is tainted
`ToBeDeletedByClusterAutoscaler:NoSchedule`; an empty node is deleted at once; a node to
drain has its pods evicted through the Eviction API (PDBs honoured; a refused eviction is
retried every 10 s for up to max-pod-eviction-time, 2 min), then the autoscaler waits for
them to go (max-graceful-termination-sec + 30 s headroom) and deletes the node; a drain
that fails removes the taint and starts the delay-after-failure cooldown.

Records: `AutoscalerStarted`, `ScaleUp` (group, delta, pods helped, rejected groups),
`NoScaleUp` (when what cannot be helped changes), `ScaleUpFailed` (group, reason, backoff
until), `ScaleDown` (node, group, reason: empty / underutilized), `ScaleDownFailed`,
`NodeDeletedByAutoscaler`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from twin.model.autoscaling.backoff import Backoffs
from twin.model.autoscaling.node_group import CloudProvider, NodeGroup
from twin.model.autoscaling.scale_down import (Inputs, UnneededMemo, in_cooldown, nodes_to_delete, recheck_after,
                                               track)
from twin.model.autoscaling.scale_up import plan_scale_up, upcoming
from twin.model.autoscaling.settings import AutoscalerSettings
from twin.model.objects import NO_SCHEDULE, Taint
from twin.sim.disruption import STATUS_KIND, DisruptionController
from twin.sim.scheduling import SchedulerLoop
from twin.sim.world import World

TO_BE_DELETED_TAINT = "ToBeDeletedByClusterAutoscaler"
NAME = "cluster-autoscaler"
POD_GONE_POLL = 5.0


@dataclass
class ScaleUpRequest:
    """`clusterstate.ScaleUpRequest`: when the group was asked to grow and by when its
    nodes must have registered."""

    time: float
    expected_by: float


@dataclass
class AutoscalerState:
    backoffs: Backoffs = field(default_factory=Backoffs)
    requests: dict[str, ScaleUpRequest] = field(default_factory=dict)
    failures_seen: dict[str, int] = field(default_factory=dict)
    unneeded: dict[str, float] = field(default_factory=dict)
    unremovable: dict[str, float] = field(default_factory=dict)  # node -> when it is simulated again
    deleting: dict[str, bool] = field(default_factory=dict)  # node -> being drained (False: empty)
    last_scale_up: float | None = None
    last_delete: float | None = None
    last_failure: float | None = None
    last_no_scale_up: tuple = ()


class ClusterAutoscaler:
    def __init__(self, world: World, scheduler: SchedulerLoop, disruption: DisruptionController,
                 provider: CloudProvider, settings: AutoscalerSettings) -> None:
        self.world, self.scheduler, self.disruption = world, scheduler, disruption
        self.provider, self.settings = provider, settings
        self.state = AutoscalerState()
        self.unneeded = UnneededMemo()  # the last scan's verdicts while nothing they read changed: same verdicts
        self.rng = world.streams("autoscaler")
        world.recorder.record("AutoscalerStarted", NAME, expanders=list(settings.expanders),
                              scan_interval=settings.scan_interval, scale_down=settings.scale_down_enabled)
        world.env.process(self.run())

    def run(self):
        while True:
            self.scan()
            yield self.world.env.timeout(self.settings.scan_interval)

    def scan(self) -> None:
        groups = self.provider.node_groups()
        self.update_requests(groups)
        scaled = self.scale_up(groups)
        if self.settings.scale_down_enabled:
            self.scale_down(self.provider.node_groups() if scaled else groups)

    # ----- scale requests and backoff --------------------------------------------------
    def update_requests(self, groups: list[NodeGroup]) -> None:
        now, state = self.world.now, self.state
        state.backoffs = state.backoffs.remove_stale(now, self.settings.backoff_reset)
        coming = upcoming(groups)
        for group in groups:
            failed = self.provider.failed_scale_ups(group.id)
            seen, state.failures_seen[group.id] = state.failures_seen.get(group.id, 0), failed
            if failed > seen:  # `handleInstanceCreationErrors`: the request shrinks by the failed machines
                state.requests.pop(group.id, None)
                self.failed(group.id, "machines failed to provision", failed - seen)
                continue
            request = state.requests.get(group.id)
            if request is None:
                continue
            if coming[group.id] == 0:
                del state.requests[group.id]
                state.backoffs = state.backoffs.remove(group.id)
            elif request.expected_by < now:
                del state.requests[group.id]
                self.failed(group.id, "nodes did not register within max-node-provision-time", coming[group.id])

    def failed(self, group_id: str, reason: str, machines: int) -> None:
        now = self.world.now
        self.state.backoffs = self.state.backoffs.backoff(group_id, now, self.settings.initial_backoff,
                                                          self.settings.max_backoff)
        self.world.recorder.record("ScaleUpFailed", group_id, reason=reason, machines=machines,
                                   backoff_until=self.state.backoffs.until(group_id))

    # ----- scale-up --------------------------------------------------------------------
    def unschedulable(self) -> list:
        """Pending pods whose PodScheduled condition is False/Unschedulable: those the
        scheduler has failed at least once and not bound since."""
        pods = []
        for key in sorted(self.scheduler.queue.entries):
            record = self.world.pod(key)
            entry = self.scheduler.queue.entries[key]
            if entry.attempts and record is not None and record.pod.node_name is None and record.status.deleted is None:
                pods.append(record.pod)
        return pods

    def scale_up(self, groups: list[NodeGroup]) -> bool:
        pending = self.unschedulable()
        if not pending:
            return False
        now = self.world.now
        plan = plan_scale_up(self.world.view, pending, groups, self.settings, self.state.backoffs, now, self.rng)
        if not plan.scaled:
            self.no_scale_up(plan)
            return False
        for group_id, delta in plan.deltas:
            self.provider.increase_size(group_id, delta)
            self.state.requests[group_id] = ScaleUpRequest(now, now + self.settings.max_node_provision_time)
            self.world.recorder.record("ScaleUp", group_id, delta=delta, pods=list(plan.helped), chosen=plan.chosen,
                                       rejected=dict(plan.rejected))
        self.state.last_scale_up = now
        return True

    def no_scale_up(self, plan) -> None:
        seen = (plan.unhelped, plan.rejected)
        if plan.unhelped and seen != self.state.last_no_scale_up:
            self.world.recorder.record("NoScaleUp", NAME, pods=list(plan.unhelped), rejected=dict(plan.rejected))
        self.state.last_no_scale_up = seen

    # ----- scale-down ------------------------------------------------------------------
    def inputs(self, groups: list[NodeGroup]) -> Inputs:
        store = self.world.store
        pdbs = store.list("PodDisruptionBudget")
        allowed = {}
        for pdb in pdbs:
            status = store.get(STATUS_KIND, pdb.key)
            allowed[pdb.key] = status.disruptions_allowed if status is not None else 0
        group_of = {name: g.id for g in groups for name in g.nodes}
        now = self.world.now
        recent = frozenset(name for name, until in self.state.unremovable.items() if until > now)
        return Inputs(self.world.view, groups, group_of, pdbs, allowed, frozenset(self.state.deleting), recent)

    def scale_down(self, groups: list[NodeGroup]) -> None:
        state, now = self.state, self.world.now
        inputs = self.inputs(groups)
        verdicts = self.unneeded.find_unneeded(inputs, self.settings, state.unneeded)
        state.unneeded = track(verdicts, state.unneeded, now)
        state.unremovable = recheck_after(verdicts, state.unremovable, now, self.settings)
        if in_cooldown(now, state.last_scale_up, state.last_delete, state.last_failure, self.settings):
            return
        drains = sum(state.deleting.values())
        deletions = nodes_to_delete(verdicts, state.unneeded, inputs, self.settings, now, drains)
        by_node = {v.node: v for v in verdicts}
        for name in deletions.empty + deletions.drain:
            state.last_delete = now
            state.unneeded.pop(name, None)
            self.world.env.process(self.delete(by_node[name], inputs.group_of[name]))

    def delete(self, verdict, group_id: str):
        name, drain = verdict.node, bool(verdict.to_move)
        self.state.deleting[name] = drain
        self.taint(name, on=True)
        self.world.recorder.record("ScaleDown", name, group=group_id, reason="underutilized" if drain else "empty",
                                   utilization=round(verdict.utilization, 4), pods=list(verdict.to_move))
        if drain:
            problem = yield from self.drain(verdict.to_move)
            if problem is not None:
                self.abort(name, problem)
                return
        self.provider.delete_nodes(group_id, [name])
        self.state.deleting.pop(name, None)
        self.world.recorder.record("NodeDeletedByAutoscaler", name, group=group_id)

    def drain(self, keys: tuple[str, ...]):
        """Evict the pods (retrying refusals every 10 s up to max-pod-eviction-time), then
        wait for them to go; the problem that stopped the drain, or None."""
        env, settings = self.world.env, self.settings
        start, pending = env.now, set(keys)
        while pending:
            for key in sorted(pending):
                record = self.world.pod(key)
                if record is None or record.status.deleted is not None or self.disruption.evict(key, env.now) in (200, 404):
                    pending.discard(key)
            if pending and env.now - start + settings.eviction_retry_time > settings.max_pod_eviction_time:
                return f"failed to evict pods: {', '.join(sorted(pending))}"
            if pending:
                yield env.timeout(settings.eviction_retry_time)
        deadline = env.now + settings.max_graceful_termination + settings.pod_eviction_headroom
        while any(self.world.pod(key) is not None for key in keys):
            if env.now >= deadline:
                return "pods did not terminate in time"
            yield env.timeout(POD_GONE_POLL)
        return None

    def abort(self, name: str, problem: str) -> None:
        self.taint(name, on=False)
        self.state.deleting.pop(name, None)
        self.state.last_failure = self.world.now
        self.world.recorder.record("ScaleDownFailed", name, reason=problem)

    def taint(self, name: str, on: bool) -> None:
        node = self.world.node(name)
        if node is None:
            return
        kept = tuple(t for t in node.taints if t.key != TO_BE_DELETED_TAINT)
        added = (Taint(TO_BE_DELETED_TAINT, str(int(self.world.now)), NO_SCHEDULE),) if on else ()
        self.world.put_node(replace(node, taints=kept + added))

