"""The scheduler loop's unschedulable pool in simulated time: a pod leaves the pool
`MAX_IN_UNSCHEDULABLE` after it entered, at the very instant the loop waits for — also
when float rounding makes `now - entered` fall short of it (a pod that entered at 725.1 s
is due at 725.1 + 300 = 1025.1, where 1025.1 - 725.1 = 299.99999999999994). Before the fix
the loop woke at that instant, released nothing and waited 0 s again, for ever."""

from __future__ import annotations

import pytest

from twin.sim.scheduling import MAX_IN_UNSCHEDULABLE, QueuedPod, SchedulerLoop
from twin.sim.world import World


@pytest.mark.parametrize("entered", [725.1, 212.3, 0.5])
def test_a_pod_leaves_the_unschedulable_pool_when_its_time_is_up(entered):
    world = World(seed=1)
    loop = SchedulerLoop(world)
    entry = QueuedPod("default/p", 0, 0.0, attempts=1, failed_at=entered, entered_pool=entered)
    loop.queue.entries[entry.key] = entry
    loop.queue.pool[entry.key] = entry
    end = entered + MAX_IN_UNSCHEDULABLE + 5.0
    steps = 0
    while world.env.peek() <= end and steps < 10_000:  # bounded: the bug was an endless loop at one instant
        world.env.step()
        steps += 1
    assert steps < 10_000, f"the scheduler loop spins at t = {world.env.now}"
    assert entry.key not in loop.queue.pool
