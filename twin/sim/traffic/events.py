"""The data plane's event queue: a binary heap ordered by (time, seq).

`seq` is the order events were scheduled in, so events at the same instant are handled
first scheduled, first handled, and runs are deterministic. The heap is written out
here (the same algorithm as the standard library's `heapq`) rather than used through
`heapq` on tuples: compiled with the rest of the data plane, comparing two entries is
two field reads instead of two rich comparisons of tuple items, which mattered for a
loop that handles tens of millions of events.
"""

from __future__ import annotations

from typing import Any, Final

INF: Final = float("inf")


class Entry:
    """One scheduled event: `event` (an `exchange` code) about `subject` at `time`."""

    __slots__ = ("time", "seq", "event", "subject")

    def __init__(self, time: float, seq: int, event: int, subject: Any) -> None:
        self.time = time
        self.seq = seq
        self.event = event
        self.subject = subject


def _before(a: Entry, b: Entry) -> bool:
    return a.time < b.time or (a.time == b.time and a.seq < b.seq)


class EventQueue:
    def __init__(self) -> None:
        self.heap: list[Entry] = []

    def __len__(self) -> int:
        return len(self.heap)

    def push(self, entry: Entry) -> None:
        heap = self.heap
        heap.append(entry)
        self._sift_down(0, len(heap) - 1)

    def first_time(self) -> float:
        """The time of the next event (inf when none)."""
        return self.heap[0].time if self.heap else INF

    def pop(self) -> Entry:
        """The next event, taken out of the queue."""
        heap = self.heap
        last = heap.pop()
        if not heap:
            return last
        first = heap[0]
        heap[0] = last
        self._sift_up(0)
        return first

    def entries(self) -> list[Entry]:
        """Every event still to come, in order (for the end of a run and diagnostics)."""
        return sorted(self.heap, key=lambda e: (e.time, e.seq))

    def _sift_down(self, start: int, pos: int) -> None:
        """`heapq._siftdown`: move the entry at `pos` up towards `start` while it comes first."""
        heap = self.heap
        item = heap[pos]
        while pos > start:
            parent_pos = (pos - 1) >> 1
            parent = heap[parent_pos]
            if _before(item, parent):
                heap[pos] = parent
                pos = parent_pos
                continue
            break
        heap[pos] = item

    def _sift_up(self, pos: int) -> None:
        """`heapq._siftup`: bubble the smaller child up until a leaf, then sift the entry into place."""
        heap = self.heap
        end = len(heap)
        start = pos
        item = heap[pos]
        child = 2 * pos + 1
        while child < end:
            right = child + 1
            if right < end and not _before(heap[child], heap[right]):
                child = right
            heap[pos] = heap[child]
            pos = child
            child = 2 * pos + 1
        heap[pos] = item
        self._sift_down(start, pos)
