"""The data plane's event queue reuses the entries the loop has handled: events still
come out in (time, seq) order as from a queue that makes a new entry for each, and a
recycled entry lets go of its subject. An event due before every other is held outside
the heap (`EventQueue.held`): the queue's length, first time and order are a plain
heap's all the same."""

from __future__ import annotations

import heapq

from hypothesis import given
from hypothesis import strategies as st

from twin.sim.traffic.events import EventQueue

STEPS = st.lists(st.one_of(st.sampled_from([0.0, 1.0, 1.5, 3.0]), st.none()), max_size=200)  # a time: add; None: handle


@given(STEPS)
def test_reused_entries_come_out_as_new_ones_would(steps):
    queue, reference, seq = EventQueue(), [], 0
    for step in steps:
        if step is not None:
            seq += 1
            queue.add(step, seq, seq % 6, f"subject {seq}")
            heapq.heappush(reference, (step, seq, seq % 6, f"subject {seq}"))
        elif reference:
            entry = queue.pop()
            assert (entry.key, entry.seq, entry.event, entry.subject) == heapq.heappop(reference)
            queue.recycle(entry)
            assert entry.subject is None
        assert len(queue) == len(reference)
        assert queue.first_key() == (reference[0][0] if reference else float("inf"))
    assert [(e.key, e.seq, e.event, e.subject) for e in queue.entries()] == sorted(reference)


def test_an_event_due_before_every_other_is_held_until_an_earlier_one_comes():
    queue = EventQueue()
    queue.add(2.0, 1, 0, "a")
    assert queue.held is not None and queue.held.subject == "a"
    queue.add(3.0, 2, 0, "b")  # after the held one: into the heap
    assert queue.held.subject == "a"
    queue.add(2.0, 3, 0, "c")  # a tie comes after (its seq is later)
    assert queue.held.subject == "a"
    queue.add(1.0, 4, 0, "d")  # earlier: held, "a" into the heap
    assert queue.held.subject == "d"
    assert [queue.take().subject for _ in range(4)] == ["d", "a", "c", "b"]
    assert len(queue) == 0 and queue.held is None
