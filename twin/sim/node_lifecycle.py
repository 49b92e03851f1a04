"""The node-lifecycle and taint-eviction controllers in simulated time
(`spec/lifecycle.md` §b).

Every 5 s a monitor pass feeds the heartbeats the API server has seen since the last
pass, then applies what `monitor_pass` decides: Ready conditions, NoSchedule taints,
MarkPodsNotReady, zone states. While some zone's NoExecute queue has nodes waiting, a
tainting pass runs every 100 ms. The taint-eviction controller deletes the pods of nodes
with NoExecute taints once their tolerationSeconds have run out.
"""

from __future__ import annotations

import math
from dataclasses import replace
from operator import attrgetter

from twin.model.controllers.node_lifecycle import (
    NO_EXECUTE_TAINTING_PERIOD,
    NODE_MONITOR_PERIOD,
    TRUE,
    LifecycleState,
    NodeHealth,
    NodeLifecycleConfig,
    monitor_pass,
    observe_heartbeat,
    observe_lease,
    tainting_pass,
    with_no_execute_taint,
)
from twin.model.controllers.taint_eviction import no_execute_taints, reconcile_node
from twin.model.objects import Node
from twin.model.workloads import PodRecord
from twin.sim.apply import apply_actions
from twin.sim.loops import WorkQueue, run_controller
from twin.sim.world import World


def stamp(heard: float, fed_at: float | None, now: float) -> float:
    """The monitor pass that first saw a heartbeat sent at `heard`: this one (`now`), or,
    when the passes after `fed_at` fed nothing, the first pass of that grid at or after it
    (a pass sees a heartbeat sent at its own instant)."""
    if fed_at is None or heard <= fed_at:
        return now
    return min(fed_at + math.ceil((heard - fed_at) / NODE_MONITOR_PERIOD) * NODE_MONITOR_PERIOD, now)


class NodeLifecycleController:
    """`skip_quiet_passes`: skip monitor passes that provably change nothing (see
    `quiet`); a test checks that runs with and without the shortcut record the same."""

    def __init__(self, world: World, skip_quiet_passes: bool = True) -> None:
        self.world = world
        self.skip_quiet_passes = skip_quiet_passes
        self.config = NodeLifecycleConfig(monitor_grace_period=world.latency.node_monitor_grace_period)
        self.status_period = world.latency.node_status_update_frequency
        self.state = LifecycleState()
        self.seen: dict[str, float] = {}  # last lease renewal fed per node
        self.seen_status: dict[str, float] = {}  # last status post fed per node
        self.tainting = world.env.event()
        self.node_revision = 0  # bumped by every change of a Node in the store (`_node_changed`)
        self._nodes: tuple[int, dict[str, Node]] | None = None  # (node_revision, nodes()) last read
        self._settled: tuple[int, LifecycleState, bool] | None = None  # `quiet`'s cached part, and its key
        world.store.subscribe("Node", self._node_changed)
        world.env.process(self.monitor())
        world.env.process(self.taint_loop())

    # ----- monitor passes -----------------------------------------------------------------
    def monitor(self):
        env = self.world.env
        quiet_before = False
        fed_at: float | None = None  # the last pass that fed heartbeats, while later ones did not
        while True:
            if self.skip_quiet_passes and quiet_before and self.quiet() and self.nothing_to_register():
                fed_at = env.now - NODE_MONITOR_PERIOD if fed_at is None else fed_at  # this pass would only
                yield env.timeout(NODE_MONITOR_PERIOD)  # have moved probe times: they are fed later (`stamp`)
                continue
            self.feed_heartbeats(fed_at)
            fed_at = None
            if not (self.skip_quiet_passes and quiet_before and self.quiet()):
                result = monitor_pass(self.state, self.nodes(), env.now, self.config)
                quiet_before = self.changes_nothing(result)
                self.apply(result)
            yield env.timeout(NODE_MONITOR_PERIOD)

    def changes_nothing(self, result) -> bool:
        return not result.taints and not result.went_not_ready and result.state.zone_states == self.state.zone_states

    def quiet(self) -> bool:
        """A pass would change nothing: the last pass changed nothing, the same nodes are
        all Ready with fresh heartbeats, and no node waits for a NoExecute taint. Only the
        probe times would move, and `feed_heartbeats` has moved them already.

        Incremental (`quiet_plain` is the definition; a test compares them): all but the
        kubelets' connections is read from the nodes and the state alone, so it is kept
        while neither changed: the nodes while `node_revision` stays (every Node put or
        delete bumps it), the state while it is the same object (it is frozen and only
        ever replaced, never mutated). The connections change in place: read each time."""
        state = self.state
        if self._settled is None or self._settled[0] != self.node_revision or self._settled[1] is not state:
            nodes = self.nodes()
            settled = (nodes.keys() == state.health.keys()
                       and all(h.ready == TRUE for h in state.health.values())
                       and all(n.ready == TRUE for n in nodes.values())
                       and not any(q.names for q in state.queues.values()))
            self._settled = (self.node_revision, state, settled)
        return self._settled[2] and all(map(_CONNECTED, self.world.runtime.values()))

    def quiet_plain(self, nodes: dict[str, Node]) -> bool:
        """`quiet`, read afresh from everything."""
        health = self.state.health
        return (set(nodes) == set(health)
                and all(h.ready == TRUE for h in health.values())
                and all(n.ready == TRUE for n in nodes.values())
                and all(r.connected for r in self.world.runtime.values())
                and not any(q.names for q in self.state.queues.values()))

    def nothing_to_register(self) -> bool:
        """Every kubelet's node has a health record already (feeding would add none)."""
        return self.state.health.keys() >= self.world.runtime.keys()

    def nodes(self) -> dict[str, Node]:
        """The nodes by name, in the store's order: kept while `node_revision` stays (read,
        never changed, by the callers)."""
        if self._nodes is None or self._nodes[0] != self.node_revision:
            self._nodes = (self.node_revision, {n.name: n for n in self.world.store.list("Node")})
        return self._nodes[1]

    def _node_changed(self, old: Node | None, new: Node | None) -> None:
        self.node_revision += 1

    def feed_heartbeats(self, fed_at: float | None = None) -> None:
        """Lease renewals (every 10 s) and status posts (every node-status-update-frequency,
        on the same phase) the API server received since the last pass (stamped at this
        pass, as upstream): a renewal moves the probe time only, a status post also says
        Ready=True, so a node that comes back is Ready at its kubelet's next status sync.
        A node seen for the first time whose kubelet is connected has posted its status
        already: Ready=True, or False while a new machine's network is not up yet
        (`NodeRuntime.ready_at`, `sim/machines.py`).

        `fed_at`: the passes after that one fed nothing (a quiet cluster: every node Ready
        and connected, so they would only have moved probe times). Each heartbeat is then
        stamped with the pass that would have seen it first (`stamp`), which leaves the
        records those passes would have left (every node was Ready: a status post keeps
        its transition time)."""
        now, health = self.world.now, dict(self.state.health)
        for name, runtime in self.world.runtime.items():
            beat = runtime.last_heartbeat(now)
            status = runtime.last_status(now, self.status_period)
            if name not in health and runtime.connected:
                health[name] = observe_heartbeat(NodeHealth.registered(now), now, runtime.reports_ready(now))
                self.seen[name], self.seen_status[name] = beat, status
            elif name in health and status > self.seen_status.get(name, -1.0):
                self.seen[name], self.seen_status[name] = beat, status
                health[name] = observe_heartbeat(health[name], stamp(max(beat, status), fed_at, now),
                                                 runtime.reports_ready(status))
            elif name in health and beat > self.seen.get(name, -1.0):
                self.seen[name] = beat
                health[name] = observe_lease(health[name], stamp(beat, fed_at, now))
        self.state = replace(self.state, health=health)

    def apply(self, result) -> None:
        world = self.world
        before = self.state
        self.state = result.state
        for name, health in result.state.health.items():
            node = world.node(name)
            if node is None:
                continue
            taints = result.taints.get(name, node.taints)
            if node.ready != health.ready or taints != node.taints:
                world.put_node(replace(node, ready=health.ready, taints=taints))
                self.record_node(node, health.ready, taints)
        for name in result.went_not_ready:
            self.mark_pods_not_ready(name)
        for zone, state in result.state.zone_states.items():
            if before.zone_states.get(zone) != state:
                world.recorder.record("ZoneState", zone.split(":\x00:")[-1] or "(none)", state=state)
        if any(q.names for q in self.state.queues.values()) and not self.tainting.triggered:
            self.tainting.succeed()

    def record_node(self, old: Node, ready: str | None, taints) -> None:
        if old.ready != ready:
            self.world.recorder.record("NodeCondition", old.name, ready=ready)
        if taints != old.taints:
            self.world.recorder.record("NodeTaints", old.name, taints=[f"{t.key}:{t.effect}" for t in taints])

    def mark_pods_not_ready(self, name: str) -> None:
        for record in self.world.pods_on(name):
            if record.status.ready:
                self.world.update_status(record.key, ready=False, ready_since=self.world.now)
                self.world.recorder.record("PodNotReady", record.key, reason="NodeNotReady", node=name)

    # ----- NoExecute tainting every 100 ms ---------------------------------------------------
    def taint_loop(self):
        """Tainting passes run on a 100 ms grid; ticks at which no zone can take a token
        are skipped (a refused token changes nothing), so the loop sleeps until the first
        useful tick or until a monitor pass queues a node."""
        env = self.world.env
        while True:
            self.tainting = env.event()
            due = self.next_useful_tick()
            if due is None or due > env.now:
                yield self.tainting if due is None else (self.tainting | env.timeout(due - env.now))
                continue
            ready = {n.name: n.ready for n in self.world.store.list("Node")}
            queues, swaps = tainting_pass(self.state.queues, env.now, ready)
            self.state = replace(self.state, queues=queues)
            for swap in swaps:
                node = self.world.node(swap.node)
                if node is not None:
                    taints = with_no_execute_taint(node.taints, swap.taint)
                    self.world.put_node(replace(node, taints=taints))
                    self.record_node(node, node.ready, taints)
            yield env.timeout(NO_EXECUTE_TAINTING_PERIOD / 2)


    def next_useful_tick(self) -> float | None:
        """The first 100 ms tick, not before now, at which some zone with waiting nodes
        has a token and a due head; None when no zone ever will (empty or rate 0)."""
        ticks = [self.first_tick(queue) for queue in self.state.queues.values() if queue.waiting]
        ticks = [t for t in ticks if t is not None]
        return min(ticks) if ticks else None

    def first_tick(self, queue) -> float | None:
        token = queue.limiter.ready_at()
        if token is None:
            return None
        tick = _grid(max(self.world.now, token, queue.waiting[0].process_at))
        while not queue.limiter.try_take(tick)[0]:  # float rounding at the boundary
            tick = _grid(tick + NO_EXECUTE_TAINTING_PERIOD / 2)
        return tick


_CONNECTED = attrgetter("connected")


def _grid(time: float) -> float:
    """The 100 ms tick at or after `time`."""
    return math.ceil(round(time / NO_EXECUTE_TAINTING_PERIOD, 6)) * NO_EXECUTE_TAINTING_PERIOD




class TaintEvictionController:
    """Deletes pods from nodes with NoExecute taints when their tolerations run out."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.queue = WorkQueue(world)
        self.since: dict[str, float] = {}  # node -> when its current NoExecute taints appeared
        world.store.subscribe("Node", self.on_node)
        world.store.subscribe("Pod", self.on_pod)
        world.env.process(run_controller(world, "taint-eviction-controller", self.queue, self.reconcile))
        for node in world.store.list("Node"):  # the informer's initial list
            self.on_node(None, node)

    def on_node(self, old: Node | None, new: Node | None) -> None:
        if new is None:
            self.since.pop(old.name, None)
            return
        before = no_execute_taints(old.taints) if old else ()
        after = no_execute_taints(new.taints)
        if after and before != after:
            self.since[new.name] = self.world.now
            self.queue.add(new.name)
        elif not after:
            self.since.pop(new.name, None)

    def on_pod(self, old: PodRecord | None, new: PodRecord | None) -> None:
        if new is not None and new.pod.node_name in self.since:
            self.queue.add(new.pod.node_name)

    def reconcile(self, name: str, now: float):
        node = self.world.node(name)
        if node is None or name not in self.since:
            return None
        pods = [r.pod for r in self.world.pods_on(name) if r.status.deleted is None]
        result = reconcile_node(pods, node.taints, self.since[name], now)
        apply_actions(self.world, result.actions)
        return replace(result, actions=())
