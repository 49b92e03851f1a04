"""Controllers in simulated time, as upstream runs them: a work queue of object keys
fed by watch events (and by requeue-after timers), drained by a loop that reconciles one
key at a time and applies the returned actions. Keys that keep changing objects at one
instant are cut off: a livelock would otherwise freeze simulated time."""

from __future__ import annotations

import heapq
from collections.abc import Callable

from twin.model.controllers.actions import Reconciled
from twin.sim.apply import apply_actions
from twin.sim.world import World

MAX_ROUNDS_PER_INSTANT = 100_000  # rounds can scale with the objects changed at one instant


class ControllerLivelock(RuntimeError):
    pass


class WorkQueue:
    """Keys to reconcile now (deduplicated, in arrival order) and keys due later."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.dirty: dict[str, None] = {}
        self.timers: list[tuple[float, int, str]] = []
        self.seq = 0
        self.event = world.env.event()

    def add(self, key: str | None) -> None:
        if key is None:
            return
        self.dirty[key] = None
        if not self.event.triggered:
            self.event.succeed()

    def add_after(self, key: str, delay: float) -> None:
        self.seq += 1
        heapq.heappush(self.timers, (self.world.now + max(delay, 0.0), self.seq, key))

    def take(self) -> list[str]:
        now = self.world.now
        while self.timers and self.timers[0][0] <= now:
            self.dirty[heapq.heappop(self.timers)[2]] = None
        keys, self.dirty = list(self.dirty), {}
        return keys

    def wait(self):
        env = self.world.env
        if self.dirty:
            return env.timeout(0)
        self.event = env.event()
        if not self.timers:
            return self.event
        return self.event | env.timeout(max(self.timers[0][0] - self.world.now, 0.0))


def run_controller(world: World, name: str, queue: WorkQueue, reconcile: Callable[[str, float], Reconciled | None]):
    """The SimPy process of one controller."""
    rounds, instant = 0, -1.0
    while True:
        keys = queue.take()
        if keys:
            rounds = rounds + 1 if world.now == instant else 1
            instant = world.now
            if rounds > MAX_ROUNDS_PER_INSTANT:
                raise ControllerLivelock(f"{name} kept changing objects at t={world.now:.3f}s: {keys[:5]}")
        for key in keys:
            result = reconcile(key, world.now)
            if result is None:
                continue
            apply_actions(world, result.actions)
            if result.requeue_after is not None:
                queue.add_after(key, result.requeue_after)
        yield queue.wait()
