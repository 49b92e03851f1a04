"""The heap behind the data plane's event queue and the processor-sharing pools: items
come out in (key, seq) order, ties first pushed first out, whatever the interleaving of
pushes and pops (checked against the standard library's `heapq` on tuples)."""

from __future__ import annotations

import heapq

from hypothesis import given
from hypothesis import strategies as st

from twin.model.registry.resources.heap import Heap, HeapItem

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
