"""The heap behind the data plane's event queue and the processor-sharing pools: items
come out in (key, seq) order, ties first pushed first out, whatever the interleaving of
pushes and pops (checked against the standard library's `heapq` on tuples)."""

from __future__ import annotations

import heapq

from hypothesis import given
from hypothesis import strategies as st

from twin.model.registry.resources.heap import Heap, HeapItem
from twin.model.registry.resources.sharing import ProcessorSharing

KEYS = st.sampled_from([0.0, 0.5, 1.0, 1.0 + 1e-12, 2.0, float("inf")])  # few keys: many ties
STEPS = st.lists(st.one_of(KEYS, st.none()), max_size=200)  # a key: push it; None: pop


@given(STEPS)
def test_pops_come_in_key_then_push_order_like_heapq_on_tuples(steps):
    heap, reference, seq = Heap(), [], 0
    for step in steps:
        if step is not None:
            heap.push(HeapItem(step, seq))
            heapq.heappush(reference, (step, seq))
            seq += 1
        elif reference:
            item = heap.pop()
            assert (item.key, item.seq) == heapq.heappop(reference)
        assert len(heap) == len(reference)
        assert heap.first_key() == (reference[0][0] if reference else float("inf"))


@given(st.lists(KEYS, max_size=100))
def test_a_rebuilt_heap_pops_in_order(keys):
    heap = Heap()
    heap.rebuild([HeapItem(k, i) for i, k in enumerate(keys)])
    popped = [heap.pop() for _ in keys]
    assert [(i.key, i.seq) for i in popped] == sorted((k, i) for i, k in enumerate(keys))


OPERATIONS = st.lists(st.one_of(st.tuples(st.floats(0.0, 2.0), st.floats(0.0, 3.0)), st.none()), max_size=80)
"""(gap to the next arrival, its work), or None: the next departure."""


def departures(operations, reuse: bool) -> list[tuple[int, float]]:
    pool, now, out = ProcessorSharing(capacity=2.0, cap=1.0), 0.0, []
    for i, op in enumerate(operations):
        if op is None:
            if len(pool):
                now = max(now, pool.next_departure())
                out.append((pool.pop(now), now))
        else:
            now += op[0]
            pool.add(now, op[1], i)
        if not reuse:
            pool.spare.clear()  # the plain path: a new job for every arrival
    return out


@given(OPERATIONS)
def test_a_pool_reusing_its_jobs_departs_as_one_making_new_ones(operations):
    assert departures(operations, reuse=True) == departures(operations, reuse=False)
