"""The data plane's event queue reuses the entries the loop has handled: events still
come out in (time, seq) order as from a queue that makes a new entry for each, and a
recycled entry lets go of its subject."""

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
    assert [(e.key, e.seq, e.event, e.subject) for e in queue.entries()] == sorted(reference)
